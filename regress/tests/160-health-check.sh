#!/usr/bin/env bash
# Health check: one process per backend fills SHOW pool_health_check_stats; a stopped standby is
# retried health_check_max_retries times, then detached (status down, pg_status down, counted as
# failed, then skipped) while sessions carry on; pgpool_status records it and a restart honours it,
# -D discards it. The standby is started again at the end.
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"
# shellcheck source=regress/lib/pgpool.sh
. "$PGNG_SRC/regress/lib/pgpool.sh"

CONF=("health_check_period = 1" "health_check_timeout = 10" "health_check_max_retries = 2"
	"health_check_retry_delay = 1" "sr_check_period = 1")
pgpool_write_conf "${CONF[@]}"
pgpool_start -D

# field NODE COLUMN: one column (1-based) of SHOW pool_health_check_stats for node NODE
hc_field()
{
	pool_psql "SHOW pool_health_check_stats" -F '|' | awk -F'|' -v n="$1" -v c="$2" '$1 == n { print $c }'
}
node_field()
{
	pool_psql "SHOW pool_nodes" -F '|' | awk -F'|' -v n="$1" -v c="$2" '$1 == n { print $c }'
}

for n in 0 1 2; do
	wait_for "[ \"\$(hc_field $n 8)\" -ge 3 ] 2>/dev/null" 30 "node $n: three successful health checks"
	assert_eq 0 "$(hc_field "$n" 9)" "node $n: no failed health check"
	assert_eq up "$(node_field "$n" 5)" "node $n: pg_status up"
	[ -n "$(hc_field "$n" 18)" ] || fail "node $n: last_successful_health_check is set"
done
note "$(pool_psql "SHOW pool_health_check_stats" -F '|')"

# node2 stops: retried twice, then detached; reads and writes through pgpool-ng go on.
pool_psql "CREATE TABLE IF NOT EXISTS regress_150 (id int); TRUNCATE regress_150" || fail "create table"
run_as_os_user "$PGNG_PG_BIN/pg_ctl" stop -m immediate -D "$PGNG_PG_DATA2" >/dev/null || fail "stop node2"
t0=$SECONDS
wait_for "[ \"\$(node_field 2 4)\" = down ]" 60 "node2 detached after failed health checks"
note "node2 detached $((SECONDS - t0)) s after it stopped"
assert_eq down "$(node_field 2 5)" "node2 pg_status down"
[ "$(hc_field 2 9)" -ge 1 ] || fail "node2: fail_count counted"
[ "$(hc_field 2 11)" -ge 2 ] || fail "node2: two retries counted (retry_count $(hc_field 2 11))"
[ -n "$(hc_field 2 20)" ] || fail "node2: last_failed_health_check is set"
wait_for "[ \"\$(hc_field 2 10)\" -ge 1 ] 2>/dev/null" 20 "node2: detached node counted as skipped"
pool_psql "INSERT INTO regress_150 VALUES (1)" || fail "write through pgpool-ng after node2 failed"
assert_eq 1 "$(pool_psql "SELECT count(*) FROM regress_150")" "read through pgpool-ng after node2 failed"
assert_eq "up up down" "$(tr '\n' ' ' <"$PGPOOL_DIR/pgpool_status" | sed 's/ $//')" "pgpool_status after the failover"
assert_eq up "$(node_field 0 4)" "node0 stays up"
assert_eq primary "$(node_field 0 7)" "node0 stays primary"

# node2 comes back: PostgreSQL answers again, but it stays detached (no auto_failback).
run_as_os_user "$PGNG_PG_BIN/pg_ctl" start -w -D "$PGNG_PG_DATA2" -l "$PGNG_PG_DATA2/restart.log" \
	>/dev/null || fail "start node2"
wait_for "[ \"\$(node_field 2 5)\" = up ]" 30 "node2 pg_status up again"
assert_eq down "$(node_field 2 4)" "node2 stays detached"

# A restart honours pgpool_status; -D discards it.
pgpool_stop fast
pgpool_start
assert_eq down "$(node_field 2 4)" "node2 still down after a restart (pgpool_status)"
pgpool_stop fast
pgpool_start -D
wait_for "[ \"\$(node_field 2 4)\" != down ]" 10 "node2 back after a restart with -D"
assert_eq "up up up" "$(tr '\n' ' ' <"$PGPOOL_DIR/pgpool_status" | sed 's/ $//')" "pgpool_status after -D"
pgpool_stop fast
wait_for "[ \"\$(psql_at $PGNG_PG_PORT0 \"SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'\")\" = 2 ]" \
	60 "node2 streams again"
exit 0
