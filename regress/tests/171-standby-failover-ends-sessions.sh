#!/usr/bin/env bash
# A standby that is detached while a session waits on it (kill -STOP: a host that is gone, whose
# reads never return) ends that session at once with a clear FATAL, instead of leaving it blocked;
# so do a session whose next read waits for node1 to take its settings first, and an idle session
# whose reads are balanced there (its next statement hears why). Sessions
# that do not use it go on in the same connection: one reading from the other standby, one on the
# primary. node1 is woken (kill -CONT, also when the test fails) and attached again.
# Measured: seconds from pcp_detach_node until the sessions waiting on node1 have ended.
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"
# shellcheck source=regress/lib/pgpool.sh
. "$PGNG_SRC/regress/lib/pgpool.sh"
# shellcheck source=regress/lib/failover.sh
. "$PGNG_SRC/regress/lib/failover.sh"
require_bin pgpool pg_md5 pcp_detach_node pcp_attach_node

P0=$PGNG_PG_PORT0
P1=$PGNG_PG_PORT1
P2=$PGNG_PG_PORT2
PCP_USER=pcpadmin
# no health or sr check: node1 goes down by pcp_detach_node only, and nothing else waits on it
pgpool_write_conf "health_check_period = 0" "sr_check_period = 0" "log_min_messages = info" \
	"num_init_children = 6" "max_pool = 1" "load_balance_mode = on" \
	"backend_weight0 = 0" "backend_weight1 = 1" "backend_weight2 = 1" \
	"app_name_redirect_preference_list = 'on_node1:1,idle_on_node1:1,set_on_node1:1,on_node2:2,on_primary:primary'" \
	"read_only_function_list = 'pg_sleep,inet_server_port,pg_backend_pid'"
PCP_PORT=$(sed -n 's/^pcp_port = //p' "$PGPOOL_DIR/pgpool.conf")
echo "$PCP_USER:$("$PGNG_BIN/pg_md5" secret)" >"$PGPOOL_DIR/pcp.conf"
export PCPPASSFILE=$PGNG_TMP/pcppass
echo "127.0.0.1:$PCP_PORT:$PCP_USER:secret" >"$PCPPASSFILE"
chmod 600 "$PCPPASSFILE"
pgpool_start -D

pcp()
{
	timeout 60 "$PGNG_BIN/$1" -h 127.0.0.1 -p "$PCP_PORT" -U "$PCP_USER" -w "${@:2}" 2>&1
}

# node1 must never stay stopped, whatever happens to the test
wake_node1()
{
	# shellcheck disable=SC2086
	[ -n "${KILL_NODE_PIDS:-}" ] && kill -CONT $KILL_NODE_PIDS 2>/dev/null
	return 0
}
trap wake_node1 EXIT
trap 'exit 1' INT TERM

# open_session NAME: a psql session through pgpool-ng with application_name NAME that reads
# statements from a pipe (fd in FD_<NAME>) and writes to $PGNG_TMP/NAME.out
open_session()
{
	local fd
	mkfifo "$PGNG_TMP/$1.in"
	(
		PGAPPNAME=$1 PGCONNECT_TIMEOUT=10 "$PGNG_PG_BIN/psql" -X -A -t -F ' ' -h 127.0.0.1 -p "$PGPOOL_PORT" \
			-U "$PGNG_PG_SUPERUSER" -d postgres <"$PGNG_TMP/$1.in" >"$PGNG_TMP/$1.out" 2>&1
		echo "exit $?" >>"$PGNG_TMP/$1.out"
	) &
	register_pid $!
	exec {fd}>"$PGNG_TMP/$1.in"
	printf -v "FD_$1" '%s' "$fd"
}

# ask NAME TAG: runs "SELECT TAG, port, backend pid" in session NAME and prints the answer
ask()
{
	local fd_var="FD_$1"
	echo "SELECT '$2', inet_server_port(), pg_backend_pid();" >&"${!fd_var}"
	wait_for "grep -q '^$2 ' $PGNG_TMP/$1.out" 20 "session $1 answers $2 ($(tail -3 "$PGNG_TMP/$1.out"))"
	grep "^$2 " "$PGNG_TMP/$1.out" | cut -d' ' -f2-
}

open_session on_node2
open_session on_primary
b_before=$(ask on_node2 before)
c_before=$(ask on_primary before)
assert_eq "$P2" "${b_before% *}" "the on_node2 session reads from node2"
assert_eq "$P0" "${c_before% *}" "the on_primary session reads from the primary"
open_session idle_on_node1
d_before=$(ask idle_on_node1 before)
assert_eq "$P1" "${d_before% *}" "the idle_on_node1 session reads from node1"
# a setting run on the primary, which node1 must run too before the session's next read there
open_session set_on_node1
x_before=$(ask set_on_node1 before)
assert_eq "$P1" "${x_before% *}" "the set_on_node1 session reads from node1"
echo "SET work_mem = '5MB';" >&"$FD_set_on_node1"
wait_for "grep -qx SET $PGNG_TMP/set_on_node1.out" 20 "the set_on_node1 session runs SET"

# the session that waits on node1
SLEEP="SELECT pg_sleep(30)"
(
	PGAPPNAME=on_node1 pool_psql "$SLEEP" >"$PGNG_TMP/on_node1.out" 2>&1
	echo "exit $?" >>"$PGNG_TMP/on_node1.out"
) &
register_pid $!
wait_for "[ \"\$(psql_at $P1 \"SELECT count(*) FROM pg_stat_activity WHERE query = '$SLEEP' AND state = 'active'\")\" = 1 ]" 30 \
	"the on_node1 session runs its statement on node1"

kill_node STOP 1
# its next read goes to node1, which must run the SET first: that waits on the stopped node1 (unless
# node1 is down by the time the read is routed; then it runs elsewhere and the session ends after it)
echo "SELECT 'after', inet_server_port(), pg_backend_pid();" >&"$FD_set_on_node1"
DETACHED_AT=$(date +%s.%N)
out=$(pcp pcp_detach_node -n 1)
assert_eq "pcp_detach_node -- Command Successful" "$out" "detach node1"
wait_for "grep -q '^exit' $PGNG_TMP/on_node1.out" 15 "the session waiting on the stopped node1 ends"
took=$(echo "$(date +%s.%N) - $DETACHED_AT" | bc)
note "the session on node1 ended $took s after the detach: $(tr '\n' ' ' <"$PGNG_TMP/on_node1.out")"
[ "$(echo "$took < 5" | bc)" = 1 ] || fail "the session on node1 ended only after $took s"
a_out=$(cat "$PGNG_TMP/on_node1.out")
assert_contains "$a_out" "FATAL:  pgpool-ng: backend node 1 (127.0.0.1:$P1) was detached (failover); this session ends" \
	"the session on node1 is told why"
assert_not_contains "$a_out" "exit 0" "its statement did not succeed"
wait_for "grep -q '^exit' $PGNG_TMP/set_on_node1.out" 15 "the session bringing node1 up to date ends"
took=$(echo "$(date +%s.%N) - $DETACHED_AT" | bc)
note "the session bringing node1 up to date ended $took s after the detach: $(tr '\n' ' ' <"$PGNG_TMP/set_on_node1.out")"
[ "$(echo "$took < 5" | bc)" = 1 ] || fail "the session bringing node1 up to date ended only after $took s"
assert_contains "$(cat "$PGNG_TMP/set_on_node1.out")" "was detached (failover); this session ends" \
	"the session bringing node1 up to date is told why"
note "node1 given up while bringing it up to date: $(grep -c 'node 1 could not take over the session' "$PGPOOL_DIR/log") time(s)"
assert_eq down "$(node_field 1 4)" "node1 shown down"

# the idle session on node1 was ended too: its next statement hears why
echo "SELECT 'after';" >&"$FD_idle_on_node1"
wait_for "grep -q '^exit' $PGNG_TMP/idle_on_node1.out" 15 "the idle session on node1 has ended"
d_out=$(cat "$PGNG_TMP/idle_on_node1.out")
note "the idle session on node1: $(tr '\n' ' ' <<<"$d_out")"
assert_contains "$d_out" "was detached (failover); this session ends" "the idle session on node1 is told why"
grep -qx after "$PGNG_TMP/idle_on_node1.out" && fail "the idle session's statement ran"

# the others go on in the same connections, on the same nodes
b_after=$(ask on_node2 after)
c_after=$(ask on_primary after)
assert_eq "$b_before" "$b_after" "the on_node2 session goes on on node2, same backend"
assert_eq "$c_before" "$c_after" "the on_primary session goes on on the primary, same backend"
assert_not_contains "$(cat "$PGNG_TMP/on_node2.out" "$PGNG_TMP/on_primary.out")" "FATAL" "no error in the others"
grep -q "node 1 is down; the session closes its idle connection to it and goes on" "$PGPOOL_DIR/log" ||
	fail "the other sessions did not drop their idle connections to node1"

# node1 back: woken, attached, read from again by a new session
wake_node1
KILL_NODE_PIDS=
out=$(pcp pcp_attach_node -n 1)
assert_eq "pcp_attach_node -- Command Successful" "$out" "attach node1"
wait_for "[ \"\$(PGAPPNAME=on_node1 pool_psql 'SELECT inet_server_port()')\" = $P1 ]" 30 \
	"a new session reads from node1 again"
wait_for "psql_at $P0 \"SELECT 1 FROM pg_stat_replication WHERE application_name = 'node1' AND state = 'streaming'\" | grep -q 1" 60 \
	"node1 streams again"
eval "exec $FD_on_node2>&- $FD_on_primary>&- $FD_idle_on_node1>&- $FD_set_on_node1>&-"
pgpool_stop fast
exit 0
