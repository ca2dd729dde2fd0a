#!/usr/bin/env bash
# builtin_failover, no scripts: every process of the primary is killed (kill -9) under a write load
# through pgpool-ng. pgpool-ng promotes the synchronous standby that received the most WAL, re-points
# the other standby over libpq and attaches it once it streams from the new primary; the old primary
# stays detached. Measured: time until writes succeed again, acknowledged commits missing on the new
# primary (must be 0), standbys shown up while not streaming (must be 0). The driver rebuilds the
# cluster afterwards.
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"
# shellcheck source=regress/lib/pgpool.sh
. "$PGNG_SRC/regress/lib/pgpool.sh"
# shellcheck source=regress/lib/failover.sh
. "$PGNG_SRC/regress/lib/failover.sh"

pgpool_write_conf "health_check_period = 1" "health_check_timeout = 10" "health_check_max_retries = 0" \
	"sr_check_period = 1" "builtin_failover = on" "failover_command = ''" "follow_primary_command = ''"
pgpool_start -D

pool_psql "DROP TABLE IF EXISTS regress_153; CREATE TABLE regress_153 (id int primary key)" || fail "create table"
wait_for "[ \"\$(node_field 1 12)\" = streaming ] && [ \"\$(node_field 2 12)\" = streaming ]" 30 \
	"sr check sees both standbys streaming"

load_start regress_153
kill_node 9 0
wait_for "[ \"\$(node_field 1 7)\" = primary ] || [ \"\$(node_field 2 7)\" = primary ]" 60 "a standby becomes the primary"
wait_for '[ -n "$(back_after)" ]' 60 "writes succeed again"
load_stop
outage=$(back_after)
note "builtin failover: writes succeeded again $outage s after kill -9 of the primary;" \
	"$(grep -c ' fail ' "$LOAD_LOG") failed, $(grep -c ' ok ' "$LOAD_LOG") committed"
[ "$(echo "$outage < 5" | bc)" = 1 ] || fail "writes came back only $outage s after the kill"

new=1 other=2
[ "$(node_field 2 7)" = primary ] && new=2 other=1
new_port_var=PGNG_PG_PORT$new other_port_var=PGNG_PG_PORT$other
NEW_PORT=${!new_port_var} OTHER_PORT=${!other_port_var}
assert_eq f "$(psql_at "$NEW_PORT" "SELECT pg_is_in_recovery()")" "node$new promoted"
wait_for "[ \"\$(node_field $other 4)\" != down ]" 60 "node$other attached again"
note "$(pool_psql "SHOW pool_nodes" -F '|')"
assert_eq "127.0.0.1:$NEW_PORT" \
	"$(psql_at "$OTHER_PORT" "SELECT sender_host || ':' || sender_port FROM pg_stat_wal_receiver WHERE status = 'streaming'")" \
	"node$other streams from the new primary node$new, without any script"
assert_eq 1 "$(psql_at "$NEW_PORT" "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'node$other' AND state = 'streaming'")" \
	"the new primary sees node$other streaming"
assert_eq down "$(node_field 0 4)" "old primary node0 stays detached"
assert_eq "primary standby" "$(node_field "$new" 7) $(node_field "$other" 7)" "roles in SHOW pool_nodes"

# standbys shown up while not streaming from the current primary
wait_for "[ \"\$(node_field $other 12)\" = streaming ]" 30 "sr check sees node$other streaming"
not_streaming=0
for n in 0 1 2; do
	[ "$n" = "$new" ] && continue
	[ "$(node_field "$n" 4)" = down ] && continue
	[ "$(node_field "$n" 12)" = streaming ] || not_streaming=$((not_streaming + 1))
done
note "standbys shown up while not streaming: $not_streaming"
assert_eq 0 "$not_streaming" "standbys shown up while not streaming"

assert_eq "" "$(lost_commits regress_153 "$NEW_PORT" | tr '\n' ' ')" "acknowledged commits missing on the new primary"
pool_psql "INSERT INTO regress_153 VALUES (-1)" || fail "write through pgpool-ng after the failover"
wait_for "[ \"\$(psql_at $OTHER_PORT 'SELECT count(*) FROM regress_153 WHERE id = -1')\" = 1 ]" 30 \
	"node$other replays the new primary's write"
pgpool_stop fast
exit 0
