#!/usr/bin/env bash
# The sr check: pg_role, replication_state and sync_state of every node in SHOW pool_nodes, the
# replication delay in bytes while a standby's replay is paused (and log_standby_delay), a standby
# that stops streaming shown as not streaming, a killed standby detached by the health check and
# attached again by auto_failback once it streams, and detach_false_primary for a standby promoted
# behind pgpool-ng's back (the driver rebuilds the cluster afterwards).
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"
# shellcheck source=regress/lib/pgpool.sh
. "$PGNG_SRC/regress/lib/pgpool.sh"

pgpool_write_conf "sr_check_period = 1" "log_standby_delay = 'if_over_threshold'" \
	"delay_threshold = 1000" "health_check_period = 1" "health_check_timeout = 10" \
	"health_check_max_retries = 1" "auto_failback = on" "auto_failback_interval = 1" \
	"detach_false_primary = on" "load_balance_mode = on" "backend_weight0 = 0"
pgpool_start -D

node_field()
{
	pool_psql "SHOW pool_nodes" -F '|' | awk -F'|' -v n="$1" -v c="$2" '$1 == n { print $c }'
}
P0=$PGNG_PG_PORT0

wait_for "[ \"\$(node_field 1 12)\" = streaming ] && [ \"\$(node_field 2 12)\" = streaming ]" 30 \
	"both standbys shown streaming"
note "$(pool_psql "SHOW pool_nodes" -F '|')"
assert_eq primary "$(node_field 0 8)" "node0 pg_role"
assert_eq standby "$(node_field 1 8)" "node1 pg_role"
assert_eq standby "$(node_field 2 8)" "node2 pg_role"
assert_eq "" "$(node_field 0 12)" "primary: no replication state"
# read_ports: where 30 sessions' reads run ("count port" pairs)
read_ports()
{
	for i in $(seq 1 30); do pool_psql "SELECT inet_server_port()"; done | sort | uniq -c | tr '\n' ' '
}
ports=$(read_ports)
note "reads with both standbys streaming, by server port: $ports"
assert_not_contains "$ports" " $P0" "reads go to the standbys (backend_weight0 = 0)"
for n in 1 2; do
	assert_eq "$(psql_at "$P0" "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'node$n'")" \
		"$(node_field "$n" 13)" "node$n sync_state as pg_stat_replication shows it"
done

# Replay paused on node2: its delay in bytes grows past delay_threshold and is logged; resumed: 0.
psql_at "$PGNG_PG_PORT2" "SELECT pg_wal_replay_pause()" >/dev/null || fail "pause replay"
psql_at "$P0" "CREATE TABLE IF NOT EXISTS regress_151 AS SELECT g FROM generate_series(1, 20000) g" ||
	fail "write on the primary"
wait_for "[ \"\$(node_field 2 11)\" -gt 1000 ] 2>/dev/null" 30 "node2's delay in bytes shown"
delay=$(node_field 2 11)
expect=$(psql_at "$P0" "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$(psql_at "$PGNG_PG_PORT2" "SELECT pg_last_wal_replay_lsn()")')")
note "node2 delay shown $delay bytes; measured now $expect bytes"
[ "$delay" -le "$expect" ] || fail "delay shown ($delay) is more than the WAL node2 has not replayed ($expect)"
wait_for "grep -q 'Replication of node: 2 is behind' '$PGPOOL_DIR/log'" 10 "log_standby_delay logs node2"
psql_at "$PGNG_PG_PORT2" "SELECT pg_wal_replay_resume()" >/dev/null || fail "resume replay"
wait_for "[ \"\$(node_field 2 11)\" = 0 ]" 30 "node2's delay back to 0"
psql_at "$P0" "DROP TABLE regress_151" || fail "drop table"

# node1 stops streaming (primary_conninfo to a closed port): shown without replication state.
old=$(psql_at "$PGNG_PG_PORT1" "SHOW primary_conninfo")
bad=$(echo "$old" | sed -E "s/port=[0-9]+/port=$(free_port)/")
psql_at "$PGNG_PG_PORT1" "ALTER SYSTEM SET primary_conninfo = '$bad'; " >/dev/null || fail "alter node1"
psql_at "$PGNG_PG_PORT1" "SELECT pg_reload_conf()" >/dev/null
wait_for "[ \"\$(node_field 1 12)\" = '' ]" 30 "node1 shown not streaming"
# routing sends it no reads (weights 0/1/1: every read went to a standby before)
ports=$(read_ports)
note "reads while node1 does not stream, by server port: $ports"
assert_not_contains "$ports" " $PGNG_PG_PORT1" "no read goes to node1 while it does not stream"
psql_at "$PGNG_PG_PORT1" "ALTER SYSTEM SET primary_conninfo = '$old'" >/dev/null || fail "restore node1"
psql_at "$PGNG_PG_PORT1" "SELECT pg_reload_conf()" >/dev/null
wait_for "[ \"\$(node_field 1 12)\" = streaming ]" 30 "node1 streams again"

# kill -9 of node2: detached, sessions go on; restarted, it streams and auto_failback attaches it.
pm=$(head -n 1 "$PGNG_PG_DATA2/postmaster.pid")
# shellcheck disable=SC2046
kill -9 "$pm" $(pgrep -P "$pm")
wait_for "[ \"\$(node_field 2 4)\" = down ]" 30 "node2 detached"
assert_eq 1 "$(pool_psql "SELECT 1")" "a session after node2 failed"
wait_for "! kill -0 $pm 2>/dev/null" 10 "node2 gone"
run_as_os_user "$PGNG_PG_BIN/pg_ctl" start -w -D "$PGNG_PG_DATA2" -l "$PGNG_PG_DATA2/restart.log" \
	>/dev/null || fail "start node2"
wait_for "[ \"\$(node_field 2 4)\" != down ]" 60 "auto_failback attaches node2"
assert_eq streaming "$(node_field 2 12)" "node2 streams when it is attached"
assert_eq "up up up" "$(tr '\n' ' ' <"$PGPOOL_DIR/pgpool_status" | sed 's/ $//')" "pgpool_status after failback"

# node2 promoted behind pgpool-ng's back: a false primary, detached.
psql_at "$PGNG_PG_PORT2" "SELECT pg_promote()" >/dev/null || fail "promote node2"
wait_for "[ \"\$(node_field 2 4)\" = down ]" 30 "false primary node2 detached"
assert_eq primary "$(node_field 2 8)" "node2 pg_role primary"
assert_eq primary "$(node_field 0 7)" "node0 stays the primary"
pgpool_stop fast
exit 0
