#!/usr/bin/env bash
# A primary search that timed out is not the end: the primary is killed, the failover has no way
# to promote (no failover_command, builtin_failover off), so its search for a new primary gives up
# after search_primary_node_timeout and pgpool-ng has no primary. Once an administrator promotes a
# standby, the sr check finds it, makes it the primary, and writes through pgpool-ng work again.
# The driver rebuilds the cluster afterwards.
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"
# shellcheck source=regress/lib/pgpool.sh
. "$PGNG_SRC/regress/lib/pgpool.sh"
# shellcheck source=regress/lib/failover.sh
. "$PGNG_SRC/regress/lib/failover.sh"
require_bin pgpool

pgpool_write_conf "health_check_period = 1" "health_check_timeout = 10" "health_check_max_retries = 2" \
	"health_check_retry_delay = 1" "sr_check_period = 1" "search_primary_node_timeout = 3" \
	"failover_command = ''" "follow_primary_command = ''" "builtin_failover = off" \
	"log_min_messages = info"
pgpool_start -D
pool_psql "DROP TABLE IF EXISTS regress_168; CREATE TABLE regress_168 (id int)" || fail "create table"
assert_eq primary "$(node_field 0 7)" "node0 is the primary at first"

kill_node 9 0
wait_for "grep -q 'no new primary found within search_primary_node_timeout' $PGPOOL_DIR/log" 60 \
	"the failover's primary search gives up"
assert_eq down "$(node_field 0 4)" "node0 detached"
note "after the search timed out: $(pool_psql "SHOW pool_nodes" -F '|' | tr '\n' ' ')"
assert_eq "standby standby standby" "$(node_field 0 7) $(node_field 1 7) $(node_field 2 7)" \
	"no node is shown as the primary, not even the detached old one"
if pool_psql "INSERT INTO regress_168 VALUES (0)" >/dev/null 2>&1; then
	fail "a write succeeded while no primary was known"
fi

promoted_at=$(date +%s.%N)
assert_eq t "$(psql_at "$PGNG_PG_PORT1" "SELECT pg_promote()")" "node1 promoted by hand"
wait_for "[ \"\$(node_field 1 7)\" = primary ]" 30 "the sr check makes node1 the primary"
note "node1 shown primary $(echo "$(date +%s.%N) - $promoted_at" | bc) s after pg_promote()"
assert_contains "$(cat "$PGPOOL_DIR/log")" "node 1 is not in recovery and is now the primary" "the sr check says why"
assert_eq standby "$(node_field 2 7)" "node2 is a standby"
# node2 still follows the dead node0: node1 must not wait for a synchronous standby
psql_at "$PGNG_PG_PORT1" "ALTER SYSTEM SET synchronous_standby_names = ''" >/dev/null || fail "alter system on node1"
psql_at "$PGNG_PG_PORT1" "SELECT pg_reload_conf()" >/dev/null
wait_for "[ -z \"\$(psql_at $PGNG_PG_PORT1 'SHOW synchronous_standby_names')\" ]" 30 "node1 has no synchronous standby"
wait_for "PGOPTIONS='-c statement_timeout=10000' pool_psql 'INSERT INTO regress_168 VALUES (1)'" 30 \
	"writes work through pgpool-ng again"
assert_eq 1 "$(psql_at "$PGNG_PG_PORT1" "SELECT count(*) FROM regress_168 WHERE id = 1")" "the write is on node1"
pgpool_stop fast
exit 0
