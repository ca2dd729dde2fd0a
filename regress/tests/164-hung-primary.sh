#!/usr/bin/env bash
# A hung primary (kill -STOP of every process: connections are accepted by the kernel and then hang)
# under a write load, with builtin_failover: failover within health_check_timeout + 2 s, no client
# attempt blocked longer than that, no acknowledged commit lost. After kill -CONT the old primary
# runs as a primary again but stays detached, and the sr check fences it (read-only, 170 tests the
# fence in detail): reads on it still work, direct writes fail, writes through pgpool-ng never reach
# it. The driver rebuilds the cluster afterwards.
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"
# shellcheck source=regress/lib/pgpool.sh
. "$PGNG_SRC/regress/lib/pgpool.sh"
# shellcheck source=regress/lib/failover.sh
. "$PGNG_SRC/regress/lib/failover.sh"

HC_TIMEOUT=3
pgpool_write_conf "health_check_period = 1" "health_check_timeout = $HC_TIMEOUT" \
	"health_check_max_retries = 0" "connect_timeout = 10000" "sr_check_period = 1" \
	"builtin_failover = on" "failover_command = ''" "follow_primary_command = ''"
pgpool_start -D

pool_psql "DROP TABLE IF EXISTS regress_154; CREATE TABLE regress_154 (id int primary key)" || fail "create table"
wait_for "[ \"\$(node_field 1 12)\" = streaming ] && [ \"\$(node_field 2 12)\" = streaming ]" 30 \
	"sr check sees both standbys streaming"

load_start regress_154
kill_node STOP 0
# shellcheck disable=SC2064
trap "kill -CONT $KILL_NODE_PIDS 2>/dev/null" EXIT
wait_for "[ \"\$(node_field 0 4)\" = down ]" 30 "hung primary detached"
failover_s=$(echo "$(date +%s.%N) - $KILL_AT" | bc)
wait_for "[ \"\$(node_field 1 7)\" = primary ] || [ \"\$(node_field 2 7)\" = primary ]" 30 "a standby becomes the primary"
wait_for '[ -n "$(back_after)" ]' 60 "writes succeed again"
load_stop
outage=$(back_after)
longest=$(longest_after)
note "hung primary: detached after $failover_s s, writes back after $outage s, longest client attempt" \
	"$longest s (health_check_timeout $HC_TIMEOUT s); $(grep -c ' fail ' "$LOAD_LOG") failed," \
	"$(grep -c ' ok ' "$LOAD_LOG") committed"
limit=$((HC_TIMEOUT + 2))
[ "$(echo "$outage <= $limit" | bc)" = 1 ] || fail "writes came back after $outage s (limit $limit s)"
[ "$(echo "$longest <= $limit" | bc)" = 1 ] || fail "a client attempt was blocked $longest s (limit $limit s)"

new=1
[ "$(node_field 2 7)" = primary ] && new=2
new_port_var=PGNG_PG_PORT$new
NEW_PORT=${!new_port_var}
assert_eq "" "$(lost_commits regress_154 "$NEW_PORT" | tr '\n' ' ')" "acknowledged commits missing on the new primary"

# The old primary wakes up as a primary; it stays out, and is fenced read-only.
# shellcheck disable=SC2086
kill -CONT $KILL_NODE_PIDS
trap - EXIT
wait_for "[ \"\$(psql_at $PGNG_PG_PORT0 'SELECT pg_is_in_recovery()')\" = f ]" 30 "old primary answers again"
wait_for "[ \"\$(psql_at $PGNG_PG_PORT0 'SHOW default_transaction_read_only')\" = on ]" 30 \
	"the old primary is fenced read-only"
before=$(psql_at "$PGNG_PG_PORT0" "SELECT count(*) FROM regress_154") || fail "read on the fenced old primary"
out=$(psql_at "$PGNG_PG_PORT0" "INSERT INTO regress_154 VALUES (-1000)" 2>&1) && fail "direct write on the fenced old primary worked"
assert_contains "$out" "read-only transaction" "direct write on the fenced old primary"
for i in $(seq 1 20); do
	pool_psql "INSERT INTO regress_154 VALUES (-$i)" >/dev/null || fail "write $i after the old primary woke up"
done
assert_eq "$before" "$(psql_at "$PGNG_PG_PORT0" "SELECT count(*) FROM regress_154")" "no write reached the old primary"
assert_eq 20 "$(psql_at "$NEW_PORT" "SELECT count(*) FROM regress_154 WHERE id < 0")" "the writes are on the new primary"
sleep_until=$((SECONDS + 3))
wait_for "[ \$SECONDS -ge $sleep_until ]" 10 "three sr check rounds"
assert_eq down "$(node_field 0 4)" "old primary still detached"
assert_eq primary "$(node_field "$new" 7)" "node$new still the primary"
pgpool_stop fast
# A restart keeps the old primary out (pgpool_status), although it answers as a primary.
pgpool_start
assert_eq down "$(node_field 0 4)" "old primary detached after a restart"
assert_eq primary "$(node_field "$new" 7)" "node$new the primary after a restart"
pool_psql "INSERT INTO regress_154 VALUES (-100)" || fail "write after the restart"
assert_eq "$before" "$(psql_at "$PGNG_PG_PORT0" "SELECT count(*) FROM regress_154")" "no write reached the old primary after the restart"
pgpool_stop fast
exit 0
