#!/usr/bin/env bash
# Authentication through pgpool-ng with enable_pool_hba = on: trust, reject, no matching line, md5
# (right, wrong, user without a pool_passwd entry), password, scram-sha-256 (right, wrong, unknown
# user: the same error as a wrong password), psql with PGPASSWORD and with a .pgpass file, a backend
# that requires SCRAM behind a pool_hba md5 line (pgpool-ng logs in with the TEXT password from
# pool_passwd), trust in pool_hba in front of an md5 backend without a pool_passwd entry, and
# `pgpool reload` re-reading pool_hba.conf and pool_passwd.
# Client-visible texts are compared with what pgpool-II 4.3.5 sends (golden/client-hba-*.txt,
# golden/client-md5-*.txt); the deliberate differences are in docs/compatibility.md.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/auth.sh"
require_bin pgpool pg_md5

baseline=$(auth_backends)
auth_database regress_auth
export PGDATABASE=regress_auth

auth_role trustuser '' md5
auth_role carol carolpw md5
auth_role alice alicepw md5
auth_role dave davepw md5
auth_role pwuser pwuserpw scram-sha-256
auth_role scramu scramupw scram-sha-256
auth_role md5scram md5scrampw scram-sha-256
auth_role trustmd5 trustmd5pw md5
# PostgreSQL asks each for its password the way pool_passwd can answer
auth_pg_hba "host all alice,dave,trustmd5 127.0.0.1/32 md5" \
	"host all pwuser,scramu,md5scram 127.0.0.1/32 scram-sha-256"

pgpool_write_conf "num_init_children = 1" "max_pool = 8" "enable_pool_hba = on" \
	"pool_passwd = 'pool_passwd'"
cat >"$PGPOOL_DIR/pool_hba.conf" <<EOF
# TYPE  DATABASE  USER       ADDRESS       METHOD
host    all       $PGNG_PG_SUPERUSER   127.0.0.1/32  trust
host    all       trustuser  127.0.0.1/32  trust
host    all       trustmd5   127.0.0.1/32  trust
host    all       carol      127.0.0.1/32  reject
host    all       alice      127.0.0.1/32  md5
host    all       dave       127.0.0.1/32  md5
host    all       md5scram   127.0.0.1/32  md5
host    all       pwuser     127.0.0.1/32  password
host    all       scramu     127.0.0.1/32  scram-sha-256
host    all       ghost      127.0.0.1/32  scram-sha-256
EOF
"$PGNG_BIN/pg_md5" -m -f "$PGPOOL_DIR/pgpool.conf" -u alice alicepw >/dev/null || fail "pg_md5 -m failed"
printf 'pwuser:TEXTpwuserpw\nscramu:TEXTscramupw\nmd5scram:TEXTmd5scrampw\n' >>"$PGPOOL_DIR/pool_passwd"
pgpool_start

pid_of()
{
	local out
	out=$(auth_psql "$1" "$2" "SELECT pg_backend_pid()") || fail "session of $1 failed: $out"
	echo "$out"
}

# probe_has WHAT NEEDLE USER [PASSWORD]: the raw login (severity and SQLSTATE, which psql does not show)
# prints NEEDLE
PROBE=
if command -v python3 >/dev/null 2>&1; then
	PROBE="python3 $PGNG_SRC/regress/lib/pg_auth_probe.py"
else
	note "python3 is missing: severity and SQLSTATE are not checked"
fi
probe_has()
{
	local what=$1 needle=$2 out
	shift 2
	[ -n "$PROBE" ] || return 0
	out=$($PROBE 127.0.0.1 "$PGPOOL_PORT" "$1" regress_auth "${@:2}" 2>&1)
	assert_contains "$out" "$needle" "$what (raw)"
}

# --- trust -------------------------------------------------------------------------------------
auth_ok "pool_hba trust" trustuser '' "SELECT current_user" trustuser
pid1=$(pid_of trustuser '')
assert_eq "$pid1" "$(pid_of trustuser '')" "trust: the second session reuses the cached backend"

# --- no matching line, reject --------------------------------------------------------------------
auth_fails "no pool_hba line" bob x 'FATAL:  client authentication failed' \
	'DETAIL:  no pool_hba.conf entry for host "127.0.0.1", user "bob", database "regress_auth", SSL off'
probe_has "no pool_hba line" "ERROR S=FATAL C=28000 M=client authentication failed" bob
auth_fails "reject line" carol carolpw 'FATAL:  client authentication failed' \
	'DETAIL:  pool_hba.conf rejects connection for host "127.0.0.1", user "carol", database "regress_auth", SSL off'
probe_has "reject line" "ERROR S=FATAL C=28000 M=client authentication failed" carol
auth_still_serving "after no-line and reject"

# --- md5 against pool_passwd ------------------------------------------------------------------------
auth_ok "md5, right password" alice alicepw "SELECT current_user" alice
auth_fails "md5, wrong password" alice wrongpw 'FATAL:  md5 authentication failed for user "alice"' \
	'DETAIL:  password does not match'
probe_has "md5, wrong password" \
	'ERROR S=FATAL C=28P01 M=md5 authentication failed for user "alice" D=password does not match' alice wrongpw
auth_fails "md5, no password" alice '' 'fe_sendauth: no password supplied'
pid1=$(pid_of alice alicepw)
assert_eq "$pid1" "$(pid_of alice alicepw)" "md5: the second session reuses the cached backend"
auth_fails "md5, wrong password with a cached backend" alice wrongpw \
	'FATAL:  md5 authentication failed for user "alice"' 'DETAIL:  password does not match'
assert_eq "$pid1" "$(pid_of alice alicepw)" "md5: the cached backend survives a failed login"
auth_fails "md5, user not in pool_passwd" dave davepw 'FATAL:  md5 authentication failed for user "dave"' \
	'DETAIL:  pool_passwd file does not contain an entry for "dave"'
probe_has "md5, user not in pool_passwd" \
	'ERROR S=FATAL C=28P01 M=md5 authentication failed for user "dave" D=pool_passwd file does not contain an entry for "dave"' dave davepw
auth_wait_backends 0 "usename = 'dave'" "a user refused by pool_hba never reaches PostgreSQL"
auth_still_serving "after md5 failures"

# --- psql with PGPASSWORD (above) and with a .pgpass file ---------------------------------------------
printf '127.0.0.1:%s:regress_auth:alice:alicepw\n' "$PGPOOL_PORT" >"$PGNG_TMP/pgpass"
chmod 0600 "$PGNG_TMP/pgpass"
out=$(PGPASSFILE=$PGNG_TMP/pgpass PGPASSWORD='' PGCONNECT_TIMEOUT=10 "$PGNG_PG_BIN/psql" -w -XAtq \
	-h 127.0.0.1 -p "$PGPOOL_PORT" -U alice -d regress_auth -c "SELECT current_user" 2>&1) ||
	fail "md5 with .pgpass: $out"
assert_eq "alice" "$out" "md5 with the password from .pgpass"
printf '127.0.0.1:%s:regress_auth:alice:notit\n' "$PGPOOL_PORT" >"$PGNG_TMP/pgpass"
out=$(PGPASSFILE=$PGNG_TMP/pgpass PGPASSWORD='' PGCONNECT_TIMEOUT=10 "$PGNG_PG_BIN/psql" -w -XAtq \
	-h 127.0.0.1 -p "$PGPOOL_PORT" -U alice -d regress_auth -c "SELECT current_user" 2>&1) &&
	fail "md5 with a wrong .pgpass password worked: $out"
assert_contains "$out" 'md5 authentication failed for user "alice"' "md5 with a wrong .pgpass password"
assert_contains "$out" 'password retrieved from file' "psql says the password came from .pgpass"

# --- password (cleartext) against pool_passwd; the backend wants SCRAM -----------------------------
auth_ok "password, right" pwuser pwuserpw "SELECT current_user" pwuser
auth_fails "password, wrong" pwuser wrong 'FATAL:  password authentication failed for user "pwuser"' \
	'DETAIL:  password does not match'
probe_has "password, wrong" \
	'ERROR S=FATAL C=28P01 M=password authentication failed for user "pwuser" D=password does not match' pwuser wrong
probe_has "password, right (raw)" "READY" pwuser pwuserpw

# --- scram-sha-256 against pool_passwd; the backend wants SCRAM too ---------------------------------
auth_ok "scram, right" scramu scramupw "SELECT current_user" scramu
pid1=$(pid_of scramu scramupw)
assert_eq "$pid1" "$(pid_of scramu scramupw)" "scram: the second session reuses the cached backend"
auth_fails "scram, wrong" scramu wrong 'FATAL:  SCRAM authentication failed for user "scramu"'
wrong_scram=$AUTH_OUT
auth_fails "scram, unknown user" ghost ghostpw 'FATAL:  SCRAM authentication failed for user "ghost"'
assert_eq "${wrong_scram//scramu/USER}" "${AUTH_OUT//ghost/USER}" \
	"an unknown user gets the very error of a wrong password"
auth_fails "scram, no password" scramu '' 'fe_sendauth: no password supplied'
assert_eq "$pid1" "$(pid_of scramu scramupw)" "scram: the cached backend survives failed logins"
auth_still_serving "after scram failures"

# --- pool_hba md5 in front of a backend that requires SCRAM (TEXT password in pool_passwd) -------------
auth_ok "md5 to pgpool-ng, SCRAM to PostgreSQL" md5scram md5scrampw "SELECT current_user" md5scram
auth_fails "md5 to pgpool-ng, wrong password" md5scram wrong 'FATAL:  md5 authentication failed for user "md5scram"'
assert_eq "1" "$(auth_backends "usename = 'md5scram'")" "md5scram has its one cached backend"

# --- pool_hba trust in front of an md5 backend, nothing in pool_passwd: nothing to log in with ------
auth_fails "trust, backend md5, no pool_passwd entry" trustmd5 '' \
	'FATAL:  failed to connect to the PostgreSQL backend' \
	'md5 authentication of user "trustmd5" to backend 0 needs its password: pool_passwd file does not contain an entry for "trustmd5"'
auth_wait_backends 0 "usename = 'trustmd5'" "a failed backend login leaves no backend"
auth_still_serving "after the failed backend login"

# --- nothing left behind ---------------------------------------------------------------------------------
auth_wait_backends 6 "datname = 'regress_auth'" "one cached backend per user that logged in (trustuser alice pwuser scramu md5scram, and the superuser)"

# --- pgpool reload re-reads pool_hba.conf and pool_passwd ----------------------------------------------
sed -i 's/^host    all       carol      127.0.0.1\/32  reject$/host    all       carol      127.0.0.1\/32  md5/' \
	"$PGPOOL_DIR/pool_hba.conf"
grep -q 'carol .* md5$' "$PGPOOL_DIR/pool_hba.conf" || fail "could not edit pool_hba.conf"
"$PGNG_BIN/pg_md5" -m -f "$PGPOOL_DIR/pgpool.conf" -u carol carolpw >/dev/null || fail "pg_md5 -m failed"
"$PGNG_BIN/pgpool" -f "$PGPOOL_DIR/pgpool.conf" reload >>"$PGPOOL_DIR/log" 2>&1 || fail "pgpool reload failed"
wait_for "auth_psql carol carolpw 'SELECT 1'" 20 "carol is let in after pool_hba.conf and pool_passwd were reloaded"
auth_fails "md5 after reload, wrong password" carol wrong 'FATAL:  md5 authentication failed for user "carol"'
auth_still_serving "after reload"

pgpool_stop fast
auth_wait_backends "$baseline" "true" "every backend closed after pgpool-ng stopped"
exit 0
