#!/usr/bin/env bash
# health_check_password and sr_check_password left empty: the health check, the sr check and the
# start-up primary search take the user's password from pool_passwd, as pgpool does. The primary
# requires scram-sha-256 for that user; its password is in pool_passwd only, first as a TEXT entry,
# then AES-encrypted (pg_enc, key file given with -k). Without the entry the checks fail (the nodes
# are DISALLOW_TO_FAILOVER, so nothing is detached); an md5-hash entry is refused with a warning
# naming the user. pg_hba.conf is put back afterwards.
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"
# shellcheck source=regress/lib/pgpool.sh
. "$PGNG_SRC/regress/lib/pgpool.sh"
# shellcheck source=regress/lib/auth.sh
. "$PGNG_SRC/regress/lib/auth.sh"
# shellcheck source=regress/lib/failover.sh
. "$PGNG_SRC/regress/lib/failover.sh"
require_bin pgpool pg_enc pg_md5

auth_role hcuser hcpw scram-sha-256
psql_at "$PGNG_PG_PORT0" "GRANT pg_monitor TO hcuser" >/dev/null || fail "grant pg_monitor"
auth_pg_hba "host all hcuser 127.0.0.1/32 scram-sha-256"
out=$(PGPASSWORD='' "$PGNG_PG_BIN/psql" -w -X -h 127.0.0.1 -p "$PGNG_PG_PORT0" -U hcuser -d postgres -c "SELECT 1" 2>&1) &&
	fail "hcuser logs in to the primary without a password: $out"

# hc_field N COLUMN: one column of SHOW pool_health_check_stats for node N
hc_field()
{
	pool_psql "SHOW pool_health_check_stats" -F '|' | awk -F'|' -v n="$1" -v c="$2" '$1 == n { print $c }'
}

start_with()
{
	pgpool_write_conf "health_check_period = 1" "health_check_timeout = 20" "health_check_max_retries = 0" \
		"health_check_user = 'hcuser'" "health_check_password = ''" "sr_check_period = 1" \
		"sr_check_user = 'hcuser'" "sr_check_password = ''" "pool_passwd = 'pool_passwd'" \
		"backend_flag0 = 'DISALLOW_TO_FAILOVER'" "backend_flag1 = 'DISALLOW_TO_FAILOVER'" \
		"backend_flag2 = 'DISALLOW_TO_FAILOVER'" "log_min_messages = info"
	: >"$PGPOOL_DIR/log"
	pgpool_start -D "$@"
}

# checks_work WHAT: the primary search found node0, node0's health checks succeed, and the sr check
# read pg_stat_replication on node0 (which needs the login to work)
checks_work()
{
	assert_eq primary "$(node_field 0 7)" "$1: the start-up primary search logged in to node0"
	wait_for "[ \"\$(hc_field 0 8)\" -ge 3 ]" 60 "$1: three successful health checks of node0"
	assert_eq 0 "$(hc_field 0 9)" "$1: no failed health check of node0"
	wait_for "[ \"\$(node_field 1 12)\" = streaming ] && [ \"\$(node_field 2 12)\" = streaming ]" 30 \
		"$1: the sr check reads node0's pg_stat_replication"
	note "$1: node0 health checks: $(hc_field 0 8) ok, $(hc_field 0 9) failed"
}

# --- TEXT entry --------------------------------------------------------------------------------
mkdir -p "$PGPOOL_DIR"
printf 'hcuser:TEXThcpw\n' >"$PGPOOL_DIR/pool_passwd"
start_with
checks_work "TEXT entry"
pgpool_stop fast

# --- AES entry (pg_enc -m), key file from -k ---------------------------------------------------
: >"$PGPOOL_DIR/pool_passwd"
printf 'the aes key of 167\n' >"$PGNG_TMP/pgpoolkey"
chmod 0600 "$PGNG_TMP/pgpoolkey"
"$PGNG_BIN/pg_enc" -m -k "$PGNG_TMP/pgpoolkey" -f "$PGPOOL_DIR/pgpool.conf" -u hcuser hcpw >/dev/null ||
	fail "pg_enc -m could not write pool_passwd"
grep -q '^hcuser:AES' "$PGPOOL_DIR/pool_passwd" || fail "no AES entry for hcuser"
start_with -k "$PGNG_TMP/pgpoolkey"
checks_work "AES entry"

# --- the entry goes (pool_passwd is read again on every check): node0's checks fail -------------
printf 'someoneelse:TEXTx\n' >"$PGPOOL_DIR/pool_passwd"
wait_for "[ \"\$(hc_field 0 9)\" -ge 1 ]" 60 "without the entry a health check of node0 fails"
wait_for "grep -q 'health check failed on DB node 0.*password' $PGPOOL_DIR/log" 30 "the failure says a password is missing"
note "without the entry: $(grep 'health check failed on DB node 0' "$PGPOOL_DIR/log" | tail -1)"
assert_eq up "$(node_field 0 4)" "node0 stays attached (DISALLOW_TO_FAILOVER)"
ok_before=$(hc_field 0 8)
[ "$(hc_field 1 9)" = 0 ] || fail "node1 (trust) health checks failed too"

# --- an md5-hash entry cannot serve libpq: a warning names the user and the form ----------------
"$PGNG_BIN/pg_md5" -m -f "$PGPOOL_DIR/pgpool.conf" -u hcuser hcpw >/dev/null || fail "pg_md5 -m"
wait_for "grep -q 'pool_passwd entry of user \"hcuser\" is an md5 hash' $PGPOOL_DIR/log" 30 \
	"an md5 entry is refused with a warning"

# --- and back: the TEXT entry makes node0's checks succeed again --------------------------------
printf 'hcuser:TEXThcpw\n' >"$PGPOOL_DIR/pool_passwd"
wait_for "[ \"\$(hc_field 0 8)\" -gt $ok_before ]" 60 "with the entry back, node0's health check succeeds again"
pgpool_stop fast
exit 0
