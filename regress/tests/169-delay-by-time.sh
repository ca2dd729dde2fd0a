#!/usr/bin/env bash
# delay_threshold_by_time (pgpool-II 4.4): the sr check publishes each standby's replay_lag from
# the primary's pg_stat_replication; SHOW pool_nodes shows replication_delay in seconds, a standby
# lagging more than the threshold (ms) gets no reads and log_standby_delay says so in seconds. The
# lag is made by pausing node2's replay while the primary takes writes; replay is resumed whatever
# way the test ends, and node2 gets reads again once it has caught up.
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"
# shellcheck source=regress/lib/pgpool.sh
. "$PGNG_SRC/regress/lib/pgpool.sh"
# shellcheck source=regress/lib/failover.sh
. "$PGNG_SRC/regress/lib/failover.sh"
require_bin pgpool

P0=$PGNG_PG_PORT0 P1=$PGNG_PG_PORT1 P2=$PGNG_PG_PORT2
cleanup()
{
	touch "$PGNG_TMP/writes.stop"
	psql_at "$P2" "SELECT pg_wal_replay_resume()" >/dev/null 2>&1
}
trap cleanup EXIT

pgpool_write_conf "sr_check_period = 1" "health_check_period = 0" "delay_threshold_by_time = 3000" \
	"log_standby_delay = 'if_over_threshold'" "log_min_messages = info" "load_balance_mode = on" \
	"backend_weight0 = 0" "backend_weight1 = 1" "backend_weight2 = 1"
pgpool_start -D
psql_at "$P0" "DROP TABLE IF EXISTS regress_169; CREATE TABLE regress_169 (id int)" >/dev/null || fail "create table"
wait_for "[ \"\$(node_field 1 12)\" = streaming ] && [ \"\$(node_field 2 12)\" = streaming ]" 30 \
	"both standbys shown streaming"
# over_seconds N LIMIT: node N's replication_delay (seconds) is above LIMIT
over_seconds()
{
	awk -v d="$(node_field "$1" 11)" -v l="$2" 'BEGIN { exit !(d + 0 > l + 0) }'
}
# read_ports: where 30 sessions' reads run ("count port" pairs)
read_ports()
{
	for i in $(seq 1 30); do pool_psql "SELECT inet_server_port()"; done | sort | uniq -c | tr '\n' ' '
}
ports=$(read_ports)
note "reads before the lag: $ports"
assert_contains "$ports" " $P2" "node2 takes reads while it keeps up"

assert_eq "" "$(psql_at "$P2" "SELECT pg_wal_replay_pause()")" "node2's replay paused"
(
	i=0
	while [ ! -f "$PGNG_TMP/writes.stop" ]; do
		i=$((i + 1))
		psql_at "$P0" "INSERT INTO regress_169 VALUES ($i)" >/dev/null 2>&1
		sleep 0.1
	done
) &
register_pid $!
wait_for "over_seconds 2 3" 60 "node2 shown more than 3 s behind"
note "SHOW pool_nodes with node2 paused: $(pool_psql "SHOW pool_nodes" -F '|' | cut -d'|' -f1,4,11,12 | tr '\n' ' ')"
over_seconds 1 3 && fail "node1 (replaying) shown more than 3 s behind: $(node_field 1 11)"
assert_eq "$(psql_at "$P0" "SELECT round(extract(epoch FROM replay_lag)) >= 3 FROM pg_stat_replication WHERE application_name = 'node2'")" t \
	"the primary's pg_stat_replication agrees"
ports=$(read_ports)
note "reads with node2 lagging: $ports"
assert_not_contains "$ports" " $P2" "node2, over delay_threshold_by_time, gets no reads"
assert_contains "$ports" " $P1" "node1 still takes reads"
wait_for "grep -q 'Replication of node: 2 is behind [0-9.]* second(s)' $PGPOOL_DIR/log" 30 \
	"log_standby_delay reports the lag in seconds"

psql_at "$P2" "SELECT pg_wal_replay_resume()" >/dev/null || fail "resume node2's replay"
touch "$PGNG_TMP/writes.stop"
wait_for "! over_seconds 2 3" 60 "node2 caught up"
wait_for "[ \"\$(pool_psql 'SELECT inet_server_port()')\" = $P2 ]" 30 "node2 takes reads again"
pgpool_stop fast
exit 0
