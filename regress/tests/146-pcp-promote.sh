#!/usr/bin/env bash
# PCP actions through the failover process: pcp_detach_node then pcp_attach_node run failback_command
# with its placeholders; pcp_promote_node -s (switchover, builtin_failover) makes standby node1 the
# primary, node2 follows it and is attached once it streams, SHOW pool_nodes shows the new roles and
# writes go to node1; then pcp_recovery_node -n 0 stops the old primary (still running, detached),
# rewinds it (pg_rewind) into a standby of node1 and attaches it. The driver rebuilds the cluster afterwards.
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"
# shellcheck source=regress/lib/pgpool.sh
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/pcp.sh"
# shellcheck source=regress/lib/failover.sh
. "$PGNG_SRC/regress/lib/failover.sh"
require_bin pgpool pg_md5 pcp_attach_node pcp_detach_node pcp_promote_node pcp_recovery_node

PCP_USER=pcpadmin
pgpool_write_conf "health_check_period = 1" "health_check_timeout = 10" "health_check_max_retries = 0" \
	"sr_check_period = 1" "builtin_failover = on" "failover_command = ''" "follow_primary_command = ''" \
	"failback_command = 'echo failback node=%d host=%h port=%p dir=%D main=%m oldmain=%M oldprimary=%P >> $PGNG_TMP/failback.log'" \
	"recovery_user = '$PGNG_PG_SUPERUSER'" "recovery_timeout = 120" "log_min_messages = info"
pcp_auth_setup
# pg_rewind needs full_page_writes on the source and wal_log_hints on the target, which the regress
# cluster runs without: node0 restarts with both, the standbys reload full_page_writes
for i in 0 1 2; do
	data_var=PGNG_PG_DATA$i
	run_as_os_user sh -c "echo 'full_page_writes = on' >> '${!data_var}/postgresql.conf'"
done
run_as_os_user sh -c "echo 'wal_log_hints = on' >> '$PGNG_PG_DATA0/postgresql.conf'"
run_as_os_user "$PGNG_PG_BIN/pg_ctl" restart -D "$PGNG_PG_DATA0" -m fast -w -t 120 \
	-l "$PGNG_CLUSTER_DIR/log/node0.log" >/dev/null || fail "restart of node0 with wal_log_hints"
psql_at "$PGNG_PG_PORT1" "SELECT pg_reload_conf()" >/dev/null
psql_at "$PGNG_PG_PORT2" "SELECT pg_reload_conf()" >/dev/null
assert_eq on "$(psql_at "$PGNG_PG_PORT0" "SHOW wal_log_hints")" "node0 runs with wal_log_hints"
wait_for "[ \"\$(psql_at $PGNG_PG_PORT1 'SHOW full_page_writes')\" = on ]" 30 "node1 has full_page_writes on"
pgpool_start -D

# pcp TOOL ARGS: our tool, stdout and stderr together, bounded
pcp()
{
	timeout 280 "$PGNG_BIN/$1" -h 127.0.0.1 -p "$PCP_PORT" -U "$PCP_USER" -w "${@:2}" 2>&1
}

wait_for "[ \"\$(node_field 1 12)\" = streaming ] && [ \"\$(node_field 2 12)\" = streaming ]" 60 \
	"sr check sees both standbys streaming"
pool_psql "DROP TABLE IF EXISTS regress_146; CREATE TABLE regress_146 (id int primary key)" || fail "create table"

# ---- detach, attach: the failover process runs failback_command ----
assert_eq "pcp_detach_node -- Command Successful" "$(pcp pcp_detach_node -n 2)" "detach node 2"
assert_eq down "$(node_field 2 4)" "node 2 down after the detach"
assert_eq "pcp_attach_node -- Command Successful" "$(pcp pcp_attach_node -n 2)" "attach node 2"
assert_not_contains "$(node_field 2 4)" down "node 2 attached once pcp_attach_node answered"
wait_for "[ -s $PGNG_TMP/failback.log ]" 30 "failback_command ran"
assert_eq "failback node=2 host=127.0.0.1 port=$PGNG_PG_PORT2 dir=$PGNG_PG_DATA2 main=0 oldmain=0 oldprimary=0" \
	"$(cat "$PGNG_TMP/failback.log")" "failback_command's placeholders"
grep -q "failover: request [0-9]*: degenerate node 2" "$PGPOOL_DIR/log" || fail "the detach did not go through the failover process"

# ---- a switchover to a standby that lacks acknowledged commits is abandoned ----
# node1 stops receiving (a wrong port in primary_conninfo); a commit is acknowledged by node2 alone.
# Promoting node1 now would lose it: the old primary must stay the primary.
conninfo1=$(psql_at "$PGNG_PG_PORT1" "SHOW primary_conninfo")
psql_at "$PGNG_PG_PORT1" "ALTER SYSTEM SET primary_conninfo = '$(echo "$conninfo1" | sed -E "s/port=[0-9]+/port=$(free_port)/")'" >/dev/null &&
	psql_at "$PGNG_PG_PORT1" "SELECT pg_reload_conf()" >/dev/null || fail "cut node1's replication"
wait_for "[ \"\$(psql_at $PGNG_PG_PORT0 \"SELECT count(*) FROM pg_stat_replication WHERE application_name = 'node1'\")\" = 0 ]" 30 \
	"node1 no longer streams"
pool_psql "INSERT INTO regress_146 VALUES (-1)" >/dev/null || fail "a commit acknowledged by node2 alone"
out=$(timeout 280 "$PGNG_BIN/pcp_promote_node" -h 127.0.0.1 -p "$PCP_PORT" -U "$PCP_USER" -w -s -n 1 2>&1)
note "switchover to the lagging node1 answered: $out"
assert_eq t "$(psql_at "$PGNG_PG_PORT1" "SELECT pg_is_in_recovery()")" "the lagging node1 is not promoted"
grep -q "switchover abandoned; node 0 stays the primary" "$PGPOOL_DIR/log" || fail "the abandoned switchover is not logged"
wait_for "[ \"\$(node_field 0 7)\" = primary ] && [ \"\$(node_field 0 4)\" != down ]" 30 "node0 stays the primary"
assert_eq 1 "$(pool_psql "INSERT INTO regress_146 VALUES (-2) RETURNING 1")" "writes go on through pgpool-ng"
pool_psql "DELETE FROM regress_146 WHERE id < 0" >/dev/null || fail "delete the rows of the abandoned switchover"
psql_at "$PGNG_PG_PORT1" "ALTER SYSTEM SET primary_conninfo = '$conninfo1'" >/dev/null &&
	psql_at "$PGNG_PG_PORT1" "SELECT pg_reload_conf()" >/dev/null || fail "restore node1's replication"
wait_for "[ \"\$(node_field 1 12)\" = streaming ] && [ \"\$(node_field 2 12)\" = streaming ]" 60 \
	"both standbys stream again"
assert_eq "up up up" "$(for i in 0 1 2; do node_field $i 4 | sed 's/waiting/up/'; done | tr '\n' ' ' | sed 's/ $//')" \
	"all nodes attached after the abandoned switchover"

# ---- switchover: pcp_promote_node -s -n 1 ----
promote=$PGNG_BIN/pcp_promote_node
[ -x /usr/sbin/pcp_promote_node ] && promote=/usr/sbin/pcp_promote_node
note "switchover with $promote"
t0=$(date +%s%N)
out=$(timeout 280 "$promote" -h 127.0.0.1 -p "$PCP_PORT" -U "$PCP_USER" -w -s -n 1 2>&1)
note "pcp_promote_node -s answered after $((($(date +%s%N) - t0) / 1000000)) ms"
assert_eq "pcp_promote_node -- Command Successful" "$out" "switchover answer"
assert_eq f "$(psql_at "$PGNG_PG_PORT1" "SELECT pg_is_in_recovery()")" "node1 promoted"
wait_for "[ \"\$(node_field 1 7)\" = primary ]" 30 "SHOW pool_nodes shows node1 as the primary"
wait_for "[ \"\$(node_field 2 4)\" != down ]" 90 "node2 attached again after following node1"
assert_eq "$PGNG_PG_PORT1" "$(psql_at "$PGNG_PG_PORT2" "SELECT sender_port FROM pg_stat_wal_receiver WHERE status = 'streaming'")" \
	"node2 streams from node1"
assert_eq standby "$(node_field 2 7)" "node2 is a standby"
assert_eq down "$(node_field 0 4)" "the old primary node0 is detached"
assert_eq "$PGNG_PG_PORT1" "$(pool_psql "SELECT current_setting('port')")" "sessions go to node1"
pool_psql "INSERT INTO regress_146 VALUES (1)" || fail "write through pgpool-ng after the switchover"
assert_eq 1 "$(psql_at "$PGNG_PG_PORT1" "SELECT count(*) FROM regress_146 WHERE id = 1")" "the write reached node1"
note "$(pool_psql "SHOW pool_nodes" -F '|')"

# ---- pcp_recovery_node -n 0: the old primary becomes a standby of node1 ----
out=$(pcp pcp_recovery_node -n 2)
assert_eq "ERROR:  node recovery failed, node id: 2 is alive" "$(printf '%s' "$out" | head -1)" "recovery of a live node"
t0=$(date +%s%N)
out=$(pcp pcp_recovery_node -n 0)
note "pcp_recovery_node -n 0 answered after $((($(date +%s%N) - t0) / 1000000)) ms: $(grep 'recovery' "$PGPOOL_DIR/log" | tail -5)"
assert_eq "pcp_recovery_node -- Command Successful" "$out" "recovery of node 0"
grep -q "recovery: node 0's server still runs; stopping it" "$PGPOOL_DIR/log" || fail "the running old primary was not stopped first"
grep -q "recovery: node 0 rewound from node 1" "$PGPOOL_DIR/log" || fail "node 0 was not rebuilt with pg_rewind"
assert_eq t "$(psql_at "$PGNG_PG_PORT0" "SELECT pg_is_in_recovery()")" "node0 is a standby now"
assert_eq "$PGNG_PG_PORT1" "$(psql_at "$PGNG_PG_PORT0" "SELECT sender_port FROM pg_stat_wal_receiver WHERE status = 'streaming'")" \
	"node0 streams from node1"
assert_not_contains "$(node_field 0 4)" down "node0 attached by the recovery"
pool_psql "INSERT INTO regress_146 VALUES (2)" || fail "write after the recovery"
wait_for "[ \"\$(psql_at $PGNG_PG_PORT0 'SELECT count(*) FROM regress_146')\" = 2 ]" 30 "node0 replays node1's writes"
note "$(pool_psql "SHOW pool_nodes" -F '|')"
pgpool_stop fast
exit 0
