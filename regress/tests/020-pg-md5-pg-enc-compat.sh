#!/usr/bin/env bash
# Our pg_md5 and pg_enc against Debian's pgpool2 4.3.5 ones over the same inputs: printed hashes
# and AES strings (pg_enc uses no salt, so equal text also proves each side decrypts the other's),
# pool_passwd files written by -m and -i, usage texts, error messages and exit codes.
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"

DEB_MD5=/usr/sbin/pg_md5
DEB_ENC=/usr/sbin/pg_enc
if [ ! -x "$DEB_MD5" ] || [ ! -x "$DEB_ENC" ]; then
	echo "SKIP: Debian pgpool2 package not installed"
	skip "Debian pgpool2 package not installed"
fi
require_bin pg_md5 pg_enc

failures=0
cd "$PGNG_TMP" || fail "no scratch directory"

# run SIDE TOOL ARGS...: runs our or Debian's tool under the same argv[0] (usage texts print it);
# leaves stdout, stderr and exit code in $PGNG_TMP/SIDE.{out,err,rc}. stdin comes from $STDIN.
run()
{
	local side=$1 tool=$2 bin
	shift 2
	if [ "$side" = ours ]; then bin="$PGNG_BIN/$tool"; else bin="/usr/sbin/$tool"; fi
	(exec -a "$tool" "$bin" "$@") <"${STDIN:-/dev/null}" >"$PGNG_TMP/$side.out" 2>"$PGNG_TMP/$side.err"
	echo $? >"$PGNG_TMP/$side.rc"
}

differ()
{
	note "DIFFER: $1"
	failures=$((failures + 1))
}

# same WHAT TOOL ARGS...: both sides must print the same stdout and exit with the same code.
same()
{
	local what=$1
	shift
	run ours "$@"
	run debian "$@"
	if ! cmp -s ours.rc debian.rc; then
		differ "$what: exit $(cat ours.rc) (ours) vs $(cat debian.rc) (Debian)"
	elif ! cmp -s ours.out debian.out; then
		differ "$what: stdout"
		diff debian.out ours.out | sed 's/^/    /' >&2
	else
		note "same: $what (exit $(cat ours.rc))"
	fi
}

# stderr_has TEXT: both sides' stderr from the last `same` contain TEXT.
stderr_has()
{
	grep -qF -- "$1" ours.err || differ "our stderr lacks '$1': $(cat ours.err)"
	grep -qF -- "$1" debian.err || differ "Debian's stderr lacks '$1' (test expectation wrong?)"
}

# same_file WHAT A B
same_file()
{
	if cmp -s "$2" "$3"; then
		note "same: $1"
	else
		differ "$1"
		diff "$3" "$2" | sed 's/^/    /' >&2
	fi
}

LONG128=$(printf 'x%.0s' $(seq 128))
LONG129=${LONG128}y
PASSWORDS=("hello" "" "with  spaces" "tab	inside" "h\xc3\xa9llo \xc3\xbcn\xc3\xafc\xc3\xb6d\xc3\xa9" \
	"p@ss:word#1\$x" "'quoted\"" "$LONG128")

# --- pg_md5 PASSWORD ---------------------------------------------------------------------------
for pw in "${PASSWORDS[@]}"; do
	pw=$(printf '%b' "$pw")
	same "pg_md5 '$pw'" pg_md5 "$pw"
done
same "pg_md5 with a 129-character password" pg_md5 "$LONG129"
stderr_has "Error: Input exceeds maximum password length!"
same "pg_md5 without arguments" pg_md5
same "pg_md5 --help" pg_md5 --help
same "pg_md5 with an unknown option" pg_md5 -Z
same "pg_md5 -u with a 129-character user" pg_md5 -u "$LONG129" pw
stderr_has "Error: input exceeds maximum username length!"

# --- pg_md5 -m: pool_passwd beside pgpool.conf, the same edits on both sides -----------------------
for side in ours debian; do
	mkdir -p "$side-conf"
	printf "port = 9999\npool_passwd = 'pool_passwd'\n" >"$side-conf/pgpool.conf"
	printf 'zoe:md5ffffffffffffffffffffffffffffffff\n' >"$side-conf/pool_passwd"
done
md5_edit()
{
	run ours pg_md5 -f ours-conf/pgpool.conf "$@"
	cp ours.rc ours-m.rc
	run debian pg_md5 -f debian-conf/pgpool.conf "$@"
	cmp -s ours-m.rc debian.rc || differ "pg_md5 -m $*: exit $(cat ours-m.rc) vs $(cat debian.rc)"
}
md5_edit -m -u alice secret
md5_edit -m -u bob 'pass word'
md5_edit -m -u alice changed
md5_edit -m --username=zoe "$(printf 'h\xc3\xa9llo')"
md5_edit --md5auth -u "$(printf 'j\xc3\xbcrgen')" ''
same_file "pool_passwd after pg_md5 -m edits" ours-conf/pool_passwd debian-conf/pool_passwd

printf 'ann:first\n\nbad line\nbo:\n:nouser\ncy:with:colon\n' >pairs.txt
same "pg_md5 -i (print hashes)" pg_md5 -i pairs.txt
md5_edit -m -i pairs.txt
same_file "pool_passwd after pg_md5 -m -i" ours-conf/pool_passwd debian-conf/pool_passwd
same "pg_md5 -i missing file" pg_md5 -i no-such-file
stderr_has 'failed to open input_file "no-such-file"'
same "pg_md5 -m with a missing pgpool.conf" pg_md5 -m -u x -f no-such-dir/pgpool.conf pw
stderr_has "Unable to get configuration. Exiting..."

# --- pg_enc ---------------------------------------------------------------------------------------
printf 'secret key\n' >key
chmod 600 key
for pw in "${PASSWORDS[@]}"; do
	pw=$(printf '%b' "$pw")
	same "pg_enc -k key '$pw'" pg_enc -k key "$pw"
done
same "pg_enc -K" pg_enc -K 'other key' hello
same "pg_enc --enc-key=" pg_enc --enc-key="$(printf 'k\xc3\xa9y')" hello
PGPOOLKEYFILE=$PGNG_TMP/key same "pg_enc with PGPOOLKEYFILE" pg_enc hello2
printf 'k2\r\nsecond line\n' >key2
chmod 600 key2
same "pg_enc key file with CRLF and two lines" pg_enc --key-file=key2 hello
printf 'nonewline' >key3
chmod 600 key3
same "pg_enc key file without newline" pg_enc -k key3 hello
chmod 644 key3
same "pg_enc key file readable by others" pg_enc -k key3 hello
stderr_has "has group or world access; permissions should be u=rw (0600) or less"
LONGKEY=$(printf 'k%.0s' $(seq 300))
same "pg_enc -K longer than 256 bytes (pgpool keeps 256)" pg_enc -K "$LONGKEY" hello
printf '%s\n' "$LONGKEY" >long-key
chmod 600 long-key
same "pg_enc key file line longer than 255 bytes (pgpool keeps 255)" pg_enc -k long-key hello
same "pg_enc missing key file" pg_enc -k no-such-key hello
stderr_has "encryption key not provided"
: >empty-key
same "pg_enc empty key file" pg_enc -k empty-key hello
stderr_has "encryption key not provided"
same "pg_enc with a 129-character password" pg_enc -k key "$LONG129"
stderr_has "Error: Input exceeds maximum password length given:129 max allowed:128!"
same "pg_enc -i (print)" pg_enc -k key -i pairs.txt
stderr_has "LINE#03: invalid username:password pair"

enc_edit()
{
	run ours pg_enc -f ours-conf/pgpool.conf "$@"
	cp ours.rc ours-m.rc
	run debian pg_enc -f debian-conf/pgpool.conf "$@"
	cmp -s ours-m.rc debian.rc || differ "pg_enc $*: exit $(cat ours-m.rc) vs $(cat debian.rc)"
	cmp -s ours.out debian.out || differ "pg_enc $*: stdout"
}
enc_edit -m -k key -u carol hello
enc_edit -m -K 'secret key' -u dave 'a much longer password with spaces 0123456789'
enc_edit --update-pass -k key -u alice replaced-md5-by-aes
enc_edit -m -k key -i pairs.txt
enc_edit -m -k key -u "$LONG129" 'user name cut to 128 bytes'
same_file "pool_passwd after pg_enc -m edits" ours-conf/pool_passwd debian-conf/pool_passwd

# The help text starts with a version line that names the implementation; the rest must match.
run ours pg_enc --help
tail -n +2 ours.out >ours-help
cp ours.rc ours-help.rc
run debian pg_enc --help
tail -n +2 debian.out >debian-help
same_file "pg_enc --help exit code" ours-help.rc debian.rc
same_file "pg_enc --help after the version line" ours-help debian-help

# -p / -P: Debian's tools refuse a stdin that is not a terminal ("stdin is not tty", exit 1); ours
# read the line from a pipe as well, so only our side is checked here.
printf 'hello\n' >pw.txt
STDIN=pw.txt run ours pg_md5 -p
assert_eq "$(printf 'password: \n5d41402abc4b2a76b9719d911017c592')" "$(cat ours.out)" "pg_md5 -p from a pipe"
printf 'hello\nsecret key\n' >pw-key.txt
STDIN=pw-key.txt run ours pg_enc -p -P
assert_contains "$(cat ours.out)" "pool_passwd string: AESrXZgv72KOd/vV6lqENo1hw==" "pg_enc -p -P from a pipe"
STDIN=pw.txt run debian pg_md5 -p
grep -qF "stdin is not tty" debian.err || note "note: Debian's pg_md5 -p now accepts a pipe"

if [ "$failures" -ne 0 ]; then
	fail "$failures difference(s) between our pg_md5/pg_enc and Debian's"
fi
