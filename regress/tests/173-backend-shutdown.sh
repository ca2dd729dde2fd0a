#!/usr/bin/env bash
# failover_on_backend_shutdown with no health check: a session whose statement runs on standby
# node2 hears 57P01 from it. (1) `pg_ctl stop -m fast` of node2: the child probes node2, finds it
# shutting down and has it failed over at once. (2) pg_terminate_backend() of that session's
# backend on node2: the probe finds the server accepting connections, nothing is failed over.
# (3) With the parameter off (reload), a fast stop fails nothing over either. (4) On again, an
# idle session whose reads ran on node2 and `pg_ctl stop -m immediate` (a WARNING 57P01 notice).
# failover_on_backend_error is off throughout, so that a session that cannot connect to the
# stopped node2 does not fail it over: only the shutdown notice can.
# Measured: seconds from `pg_ctl stop` until SHOW pool_nodes says node2 is down.
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"
# shellcheck source=regress/lib/pgpool.sh
. "$PGNG_SRC/regress/lib/pgpool.sh"
# shellcheck source=regress/lib/failover.sh
. "$PGNG_SRC/regress/lib/failover.sh"
# shellcheck source=regress/lib/pcp.sh
. "$PGNG_SRC/regress/lib/pcp.sh"
require_bin pgpool pg_md5 pcp_attach_node

[ "$(id -u)" -eq 0 ] && chown "$PGNG_OS_USER:" "$PGNG_TMP"
P2=$PGNG_PG_PORT2
SLEEP="SELECT pg_sleep(120)"

# conf MODE: reads on node2 only, no health or sr check, failover_on_backend_shutdown = MODE
conf()
{
	pgpool_write_conf "health_check_period = 0" "sr_check_period = 0" "log_min_messages = info" \
		"num_init_children = 3" "max_pool = 1" "load_balance_mode = on" "backend_weight0 = 0" \
		"backend_weight1 = 0" "backend_weight2 = 1" "read_only_function_list = 'pg_sleep,inet_server_port'" \
		"failover_on_backend_error = off" "failover_on_backend_shutdown = $1"
}

# node2 must not stay stopped, whatever happens to the test
start_node2()
{
	"$PGNG_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$P2" 2>/dev/null && return 0
	run_as_os_user "$PGNG_PG_BIN/pg_ctl" -D "$PGNG_PG_DATA2" -l "$PGNG_TMP/node2.log" -w -t 60 start >/dev/null ||
		fail "node2 did not start again: $(tail -5 "$PGNG_TMP/node2.log" 2>/dev/null)"
	wait_for "psql_at $PGNG_PG_PORT0 \"SELECT 1 FROM pg_stat_replication WHERE application_name = 'node2' AND state = 'streaming'\" | grep -q 1" 60 \
		"node2 streams again"
}
trap 'start_node2 >/dev/null 2>&1' EXIT

# stop_node2: pg_ctl stop -m fast of node2 in the background; STOP_AT (epoch seconds) when it began
stop_node2()
{
	STOP_AT=$(date +%s.%N)
	run_as_os_user "$PGNG_PG_BIN/pg_ctl" -D "$PGNG_PG_DATA2" -m fast -w -t 60 stop >/dev/null &
	STOP_PID=$!
	register_pid "$STOP_PID"
}

# long_statement NAME: "$SLEEP" through pgpool-ng in the background (output to $PGNG_TMP/NAME.out);
# waits until it runs on node2
long_statement()
{
	( pool_psql "$SLEEP" >"$PGNG_TMP/$1.out" 2>&1; echo "exit $?" >>"$PGNG_TMP/$1.out" ) &
	register_pid $!
	wait_for "[ \"\$(psql_at $P2 \"SELECT count(*) FROM pg_stat_activity WHERE query = '$SLEEP' AND state = 'active'\")\" = 1 ]" 30 \
		"$1: the statement runs on node2"
}

# stays_up N SECONDS MSG: node N is shown up (or waiting) for SECONDS, sampled every 0.5 s
stays_up()
{
	local i st
	for ((i = 0; i < $2 * 2; i++)); do
		st=$(node_field "$1" 4)
		[ "$st" = up ] || [ "$st" = waiting ] || fail "$3 (node$1 is '$st' after $((i / 2)) s)"
		sleep 0.5
	done
}

# --- (1) fast stop of node2 under a session: the shutdown notice fails node2 over ---------------
conf on
pcp_auth_setup
pgpool_start -D
assert_eq up "$(node_field 2 4)" "node2 attached at start"
long_statement fast_stop
stop_node2
wait_for "grep -q '^exit' $PGNG_TMP/fast_stop.out" 30 "fast stop: the session ends"
note "fast stop: client saw: $(tr '\n' ' ' <"$PGNG_TMP/fast_stop.out")"
assert_contains "$(cat "$PGNG_TMP/fast_stop.out")" "terminating connection due to administrator command" \
	"fast stop: the client hears the server's notice"
wait_for "[ \"\$(node_field 2 4)\" = down ]" 10 "fast stop: node2 is failed over by the shutdown notice ($(grep 'node 2' "$PGPOOL_DIR/log" | tail -5))"
down_after=$(echo "$(date +%s.%N) - $STOP_AT" | bc)
detached_at=$(grep 'failover: node 2 .* detached' "$PGPOOL_DIR/log" | head -1 | cut -c1-23)
detached_after=$(echo "$(date -d "$detached_at" +%s.%N) - $STOP_AT" | bc)
note "fast stop: node2 detached $detached_after s and shown down $down_after s after pg_ctl stop -m fast began (no health check)"
log=$(cat "$PGPOOL_DIR/log")
note "$(grep 'failover_on_backend_shutdown' "$PGPOOL_DIR/log")"
assert_contains "$log" "backend node 2 (127.0.0.1:$P2) ended the session's connection with 57P01 admin_shutdown" \
	"fast stop: the child logs the notice"
assert_contains "$log" "the server is shutting down; failover of the node requested (failover_on_backend_shutdown)" \
	"fast stop: the child logs why it requested the failover"
assert_contains "$(grep 'failover: request' "$PGPOOL_DIR/log")" "degenerate node 2" "fast stop: the failover process degenerated node2"
assert_eq up "$(node_field 0 4)" "fast stop: node0 untouched"
assert_eq up "$(node_field 1 4)" "fast stop: node1 untouched"
wait_for "! kill -0 $STOP_PID" 60 "pg_ctl stop of node2 ends"

# --- (2) node2 back; pg_terminate_backend of the session's backend there: no failover -----------
start_node2
pcp_run "$PGNG_BIN" pcp_attach_node -n 2
assert_eq 0 "$PCP_RC" "pcp_attach_node -n 2 ($PCP_OUT $PCP_ERR)"
wait_for "[ \"\$(node_field 2 4)\" = up ] || [ \"\$(node_field 2 4)\" = waiting ]" 30 "node2 attached again"
lines_before=$(wc -l <"$PGPOOL_DIR/log")
long_statement terminate
pid=$(psql_at "$P2" "SELECT pid FROM pg_stat_activity WHERE query = '$SLEEP' AND state = 'active'")
assert_eq t "$(psql_at "$P2" "SELECT pg_terminate_backend($pid)")" "pg_terminate_backend on node2"
wait_for "grep -q '^exit' $PGNG_TMP/terminate.out" 30 "terminate: the session ends"
note "terminate: client saw: $(tr '\n' ' ' <"$PGNG_TMP/terminate.out")"
wait_for "tail -n +$((lines_before + 1)) $PGPOOL_DIR/log | grep -q 'the server still accepts connections'" 10 \
	"terminate: the child logs that the server runs ($(tail -n +$((lines_before + 1)) "$PGPOOL_DIR/log" | grep 'node 2'))"
stays_up 2 5 "terminate: node2 must stay attached"
new_log=$(tail -n +$((lines_before + 1)) "$PGPOOL_DIR/log")
note "$(printf '%s\n' "$new_log" | grep 'still accepts connections')"
assert_contains "$new_log" "probed in" "terminate: the probe is logged"
assert_not_contains "$new_log" "failover of the node requested" "terminate: no failover requested"
assert_not_contains "$new_log" "failover: request" "terminate: no failover request reached the failover process"

# --- (3) failover_on_backend_shutdown = off (reload): a fast stop fails nothing over ------------
conf off
"$PGNG_BIN/pgpool" -f "$PGPOOL_DIR/pgpool.conf" reload >>"$PGPOOL_DIR/log" 2>&1 || fail "pgpool reload failed"
wait_for "[ \"\$(pool_psql 'PGPOOL SHOW failover_on_backend_shutdown')\" = off ]" 20 "off: the reload is seen"
sleep 2							# every idle child has looked at its reload flag (once a second)
lines_before=$(wc -l <"$PGPOOL_DIR/log")
long_statement off
stop_node2
wait_for "grep -q '^exit' $PGNG_TMP/off.out" 30 "off: the session ends"
wait_for "tail -n +$((lines_before + 1)) $PGPOOL_DIR/log | grep -q 'not probing it (failover_on_backend_shutdown is off)'" 10 \
	"off: the child logs that it does not probe"
wait_for "! kill -0 $STOP_PID" 60 "pg_ctl stop of node2 ends"
stays_up 2 4 "off: node2 must stay attached"
new_log=$(tail -n +$((lines_before + 1)) "$PGPOOL_DIR/log")
assert_not_contains "$new_log" "failover of the node requested" "off: no failover requested"
assert_not_contains "$new_log" "failover: request" "off: no failover request reached the failover process"

start_node2

# --- (4) on again: an idle session whose reads ran on node2, `pg_ctl stop -m immediate` ----------
# PostgreSQL sends such sessions a WARNING 57P01 notice (not a FATAL) and closes them
# pgpool-ng anew: the children's cached connection sets from (3) lack node2
pgpool_stop fast
conf on
pcp_auth_setup
pgpool_start -D
mkfifo "$PGNG_TMP/idle.in"
( PGCONNECT_TIMEOUT=10 "$PGNG_PG_BIN/psql" -X -A -t -h 127.0.0.1 -p "$PGPOOL_PORT" -U "$PGNG_PG_SUPERUSER" \
	-d postgres <"$PGNG_TMP/idle.in" >"$PGNG_TMP/idle.out" 2>&1 ) &
register_pid $!
exec {IDLE_FD}>"$PGNG_TMP/idle.in"
echo "SELECT 'idle', inet_server_port();" >&"$IDLE_FD"
wait_for "grep -q '^idle|$P2' $PGNG_TMP/idle.out" 20 "immediate: the idle session read from node2 ($(cat "$PGNG_TMP/idle.out"))"
lines_before=$(wc -l <"$PGPOOL_DIR/log")
STOP_AT=$(date +%s.%N)
run_as_os_user "$PGNG_PG_BIN/pg_ctl" -D "$PGNG_PG_DATA2" -m immediate -w -t 60 stop >/dev/null || fail "immediate stop of node2"
wait_for "[ \"\$(node_field 2 4)\" = down ]" 10 "immediate: node2 is failed over by the notice to the idle session ($(tail -n +$((lines_before + 1)) "$PGPOOL_DIR/log" | grep 'node 2'))"
note "immediate: node2 shown down $(echo "$(date +%s.%N) - $STOP_AT" | bc) s after pg_ctl stop -m immediate began"
new_log=$(tail -n +$((lines_before + 1)) "$PGPOOL_DIR/log")
note "$(printf '%s\n' "$new_log" | grep 'failover_on_backend_shutdown')"
assert_contains "$new_log" "ended the session's connection with 57P01 admin_shutdown" "immediate: the notice is seen"
assert_contains "$new_log" "failover of the node requested (failover_on_backend_shutdown)" "immediate: failover requested"
exec {IDLE_FD}>&-

# the cluster as the next test expects it: node2 running, streaming, attached
start_node2
pcp_run "$PGNG_BIN" pcp_attach_node -n 2
assert_eq 0 "$PCP_RC" "pcp_attach_node -n 2 at the end ($PCP_OUT $PCP_ERR)"
stays_up 2 1 "node2 attached at the end"
pgpool_stop fast
exit 0
