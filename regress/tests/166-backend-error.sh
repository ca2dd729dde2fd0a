#!/usr/bin/env bash
# failover_on_backend_error with no health check (health_check_period = 0): a session whose
# statement runs on a node when every process of that node is killed (kill -9) gets a clear FATAL
# from pgpool-ng. With the parameter off the node stays attached; with it on the child's request
# detaches the standby, and for the primary the builtin failover promotes a standby and writes
# work again. The driver rebuilds the cluster afterwards (the old primary is dead).
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"
# shellcheck source=regress/lib/pgpool.sh
. "$PGNG_SRC/regress/lib/pgpool.sh"
# shellcheck source=regress/lib/failover.sh
. "$PGNG_SRC/regress/lib/failover.sh"
require_bin pgpool

[ "$(id -u)" -eq 0 ] && chown "$PGNG_OS_USER:" "$PGNG_TMP"

# start_node1: starts node1 again after its kill and waits until it streams from node0.
start_node1()
{
	local pid
	# a killed server's processes may linger a moment holding its shared memory and port
	for pid in $KILL_NODE_PIDS; do
		wait_for "! kill -0 $pid 2>/dev/null" 30 "process $pid of the killed node1 is gone"
	done
	run_as_os_user "$PGNG_PG_BIN/pg_ctl" -D "$PGNG_PG_DATA1" -l "$PGNG_TMP/node1.log" -w -t 60 start >/dev/null ||
		fail "node1 did not start again: $(tail -5 "$PGNG_TMP/node1.log" 2>/dev/null)"
	wait_for "psql_at $PGNG_PG_PORT0 \"SELECT 1 FROM pg_stat_replication WHERE application_name = 'node1' AND state = 'streaming'\" | grep -q 1" 60 \
		"node1 streams again"
}

# long_statement PORT NAME SQL: runs SQL through pgpool-ng in the background (output to
# $PGNG_TMP/NAME.out) and waits until it is running on the server at PORT.
long_statement()
{
	( pool_psql "$3" >"$PGNG_TMP/$2.out" 2>&1; echo "exit $?" >>"$PGNG_TMP/$2.out" ) &
	register_pid $!
	wait_for "[ \"\$(psql_at $1 \"SELECT count(*) FROM pg_stat_activity WHERE query = '$3' AND state = 'active'\")\" = 1 ]" 30 \
		"$2: the statement runs on port $1"
}

# conf MODE [LINES...]: pgpool.conf with reads on node1 only and failover_on_backend_error = MODE
conf()
{
	local mode=$1
	shift
	pgpool_write_conf "health_check_period = 0" "sr_check_period = 1" "log_min_messages = info" \
		"num_init_children = 2" "max_pool = 1" "load_balance_mode = on" "backend_weight0 = 0" \
		"backend_weight1 = 1" "backend_weight2 = 0" "read_only_function_list = 'pg_sleep'" \
		"failover_on_backend_error = $mode" "$@"
}

SLEEP="SELECT pg_sleep(120)"

# --- off: the standby is killed under a read; the session ends with a clear error, nothing detached
conf off
pgpool_start -D
long_statement "$PGNG_PG_PORT1" off "$SLEEP"
kill_node 9 1
wait_for "grep -q '^exit' $PGNG_TMP/off.out" 30 "off: the session ends"
note "off: client saw: $(tr '\n' ' ' <"$PGNG_TMP/off.out")"
assert_contains "$(cat "$PGNG_TMP/off.out")" "lost the connection to a PostgreSQL backend" "off: the client is told why"
wait_for "grep -q 'backend node 1 .* not detaching it (failover_on_backend_error is off)' $PGPOOL_DIR/log" 30 \
	"off: the child saw node1 fail and requested nothing"
assert_eq up "$(node_field 1 4)" "off: node1 stays attached"
assert_not_contains "$(cat "$PGPOOL_DIR/log")" "failover: request" "off: no failover request"
pgpool_stop fast
start_node1

# --- on: the same detaches node1; new sessions are served by the others -------------------------
conf on
: >"$PGPOOL_DIR/log"
pgpool_start -D
assert_eq up "$(node_field 1 4)" "on: node1 attached at start"
long_statement "$PGNG_PG_PORT1" on_standby "$SLEEP"
kill_node 9 1
wait_for "grep -q '^exit' $PGNG_TMP/on_standby.out" 30 "on: the session ends"
note "on, standby: client saw: $(tr '\n' ' ' <"$PGNG_TMP/on_standby.out")"
assert_contains "$(cat "$PGNG_TMP/on_standby.out")" "its failover was requested" "on: the client is told why"
wait_for "[ \"\$(node_field 1 4)\" = down ]" 30 "on: node1 detached by the backend error"
detached_after=$(echo "$(date +%s.%N) - $KILL_AT" | bc)
note "on, standby: node1 shown down $detached_after s after the kill (no health check)"
assert_contains "$(cat "$PGPOOL_DIR/log")" "backend node 1 (127.0.0.1:$PGNG_PG_PORT1) failed" "on: the child's report is logged"
assert_contains "$(grep 'failover: request' "$PGPOOL_DIR/log")" "degenerate node 1" "on: the failover process degenerated node1"
assert_eq up "$(node_field 0 4)" "on: node0 untouched"
assert_eq up "$(node_field 2 4)" "on: node2 untouched"
for i in 1 2 3 4 5; do
	out=$(pool_psql "SELECT inet_server_port()") || fail "on: session $i after node1's failover failed: $out"
	[ "$out" = "$PGNG_PG_PORT1" ] && fail "on: session $i was served by the dead node1"
done
pgpool_stop fast
start_node1

# --- on, primary with builtin_failover: the child's request makes a standby the primary ---------
conf on "load_balance_mode = off" "builtin_failover = on" "failover_command = ''" "follow_primary_command = ''"
: >"$PGPOOL_DIR/log"
pgpool_start -D
pool_psql "DROP TABLE IF EXISTS regress_166; CREATE TABLE regress_166 (id int)" || fail "create table"
wait_for "[ \"\$(node_field 1 12)\" = streaming ] && [ \"\$(node_field 2 12)\" = streaming ]" 30 \
	"sr check sees both standbys streaming"
long_statement "$PGNG_PG_PORT0" on_primary "$SLEEP"
kill_node 9 0
wait_for "grep -q '^exit' $PGNG_TMP/on_primary.out" 30 "primary: the session ends"
note "on, primary: client saw: $(tr '\n' ' ' <"$PGNG_TMP/on_primary.out")"
assert_contains "$(cat "$PGNG_TMP/on_primary.out")" "lost the connection to a PostgreSQL backend" "primary: the client is told why"
wait_for "[ \"\$(node_field 1 7)\" = primary ] || [ \"\$(node_field 2 7)\" = primary ]" 60 "primary: a standby becomes the primary"
promoted_after=$(echo "$(date +%s.%N) - $KILL_AT" | bc)
note "on, primary: new primary shown $promoted_after s after the kill (no health check)"
assert_eq down "$(node_field 0 4)" "primary: node0 detached"
assert_contains "$(grep 'failover: request' "$PGPOOL_DIR/log")" "degenerate node 0" "primary: the failover process degenerated node0"
wait_for "pool_psql 'INSERT INTO regress_166 VALUES (1)'" 30 "primary: writes work through pgpool-ng again"
note "$(pool_psql "SHOW pool_nodes" -F '|')"
pgpool_stop fast
exit 0
