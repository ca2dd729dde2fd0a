#!/usr/bin/env bash
# pgpool --check-config on real-world files: an old 3.5 configuration (accepted, with warnings for its
# duplicate and renamed parameters), Debian's pgpool-II 4.3 sample, a typo in an enum value (an error
# naming file:line and the parameter), and our own samples (no problem at all).
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"

require_bin pgpool
PGPOOL="$PGNG_BIN/pgpool"
"$PGPOOL" --help 2>&1 | grep -q -- '--check-config' || fail "$PGPOOL has no --check-config"

SAMPLES="$PGNG_SRC/sample-configs"
DEBIAN_EXAMPLES=/usr/share/doc/pgpool2/examples
# The shared fixture when the shared folder is beside the checkout, else the repository's copy of it.
SEED="$PGNG_SRC/../shared/fixtures/seed-3.5-pgpool.conf"
[ -f "$SEED" ] || SEED="$PGNG_SRC/config/testdata/seed-3.5-pgpool.conf"
failures=0
skips=""

# check DIR [ARGS...]: runs the check on DIR/pgpool.conf; leaves $DIR/out (stderr) and $DIR/rc.
check()
{
	local dir=$1
	shift
	"$PGPOOL" --check-config -f "$dir/pgpool.conf" "$@" >"$dir/stdout" 2>"$dir/out"
	echo $? >"$dir/rc"
	note "--- pgpool --check-config -f $dir/pgpool.conf $* -> exit $(cat "$dir/rc")"
	sed 's/^/    /' "$dir/out" >&2
}

# A scratch copy of a configuration, with a pool_passwd beside it (pgpool.conf names it relatively).
scratch()
{
	local dir="$PGNG_TMP/$1"
	mkdir -p "$dir"
	printf 'pgpool:md5%s\n' "$(printf 'secretpgpool' | md5sum | cut -d' ' -f1)" >"$dir/pool_passwd"
	echo "$dir"
}

# copy_maybe_gz SRC DEST: copies SRC or SRC.gz (uncompressed); false when neither exists.
copy_maybe_gz()
{
	if [ -f "$1" ]; then
		cp "$1" "$2"
	elif [ -f "$1.gz" ]; then
		gzip -dc "$1.gz" >"$2"
	else
		return 1
	fi
}

case_seed()
{
	local dir out
	[ -f "$SEED" ] || fail "fixture $SEED not found"
	dir=$(scratch seed)
	cp "$SEED" "$dir/pgpool.conf"
	check "$dir" -a "$SAMPLES/pool_hba.conf.sample" -F "$SAMPLES/pcp.conf.sample"
	out=$(cat "$dir/out")
	assert_eq 0 "$(cat "$dir/rc")" "seed 3.5 configuration is accepted"
	# other_pgpool_hostname0 is set on lines 87 and 90 (as 4.3's hostname1).
	echo "$out" | grep -E "^$dir/pgpool.conf:90: warning: " | grep -E 'other_pgpool_hostname0|hostname1' |
		grep -q -i -E 'more than once|duplicat|twice|again' ||
		fail "no warning for other_pgpool_hostname0 set twice (line 90)"
	echo "$out" | grep -E "^$dir/pgpool.conf:[0-9]+: warning: " | grep -q 'master_slave_mode' ||
		fail "no warning for the renamed 3.x parameter master_slave_mode"
	assert_not_contains "$out" ": error: " "seed configuration has no errors"
}

case_debian()
{
	local dir
	dir=$(scratch debian)
	if ! copy_maybe_gz "$DEBIAN_EXAMPLES/pgpool.conf.sample" "$dir/pgpool.conf"; then
		note "debian sample absent ($DEBIAN_EXAMPLES/pgpool.conf.sample: apt-get install pgpool2)"
		return 77
	fi
	copy_maybe_gz "$DEBIAN_EXAMPLES/pool_hba.conf.sample" "$dir/pool_hba.conf" ||
		cp "$SAMPLES/pool_hba.conf.sample" "$dir/pool_hba.conf"
	copy_maybe_gz "$DEBIAN_EXAMPLES/pcp.conf.sample" "$dir/pcp.conf" ||
		cp "$SAMPLES/pcp.conf.sample" "$dir/pcp.conf"
	check "$dir" -a "$dir/pool_hba.conf" -F "$dir/pcp.conf"
	assert_eq 0 "$(cat "$dir/rc")" "Debian's pgpool-II 4.3 sample is accepted"
	assert_not_contains "$(cat "$dir/out")" ": error: " "Debian's sample has no errors"
}

case_enum_typo()
{
	local dir out
	dir=$(scratch typo)
	cat >"$dir/pgpool.conf" <<'CONF'
# a typo in an enum value on line 3
listen_addresses = 'localhost'
backend_clustering_mode = 'streaming_replicaton'
backend_hostname0 = 'localhost'
backend_port0 = 5432
CONF
	check "$dir" -a "$SAMPLES/pool_hba.conf.sample" -F "$SAMPLES/pcp.conf.sample"
	out=$(cat "$dir/out")
	assert_eq 1 "$(cat "$dir/rc")" "a misspelt enum value is an error"
	echo "$out" | grep -E "^$dir/pgpool.conf:3: error: " | grep -q 'backend_clustering_mode' ||
		fail "the error does not name $dir/pgpool.conf:3 and backend_clustering_mode"
}

case_our_samples()
{
	local dir out
	dir=$(scratch ours)
	cp "$SAMPLES/pgpool.conf.sample" "$dir/pgpool.conf"
	check "$dir" -a "$SAMPLES/pool_hba.conf.sample" -F "$SAMPLES/pcp.conf.sample"
	out=$(cat "$dir/out")
	assert_eq 0 "$(cat "$dir/rc")" "our sample configuration is accepted"
	assert_not_contains "$out" ": warning: " "our samples draw no warning"
	assert_not_contains "$out" ": error: " "our samples draw no error"
}

for c in case_seed case_debian case_enum_typo case_our_samples; do
	("$c")
	rc=$?
	case $rc in
	0) note "ok $c" ;;
	77) skips="$skips $c" ;;
	*) note "FAILED $c"; failures=$((failures + 1)) ;;
	esac
done
[ $failures -eq 0 ] || fail "$failures case(s) failed"
[ -z "$skips" ] || note "skipped:$skips"
