#!/usr/bin/env bash
# pcp_recovery_node on a standby watchdog node: the node is rebuilt there, but its attach is carried
# out by the leader for the cluster, like pcp_attach_node. Three pgpool-ng nodes on 127.0.0.1 in
# front of the regress cluster; node 0 leads (wd_priority) and alone runs health and sr checks and
# builtin_failover; nodes 1 and 2 take its backend status. Every node has failback_command set to a
# script that logs its arguments into that node's directory, and the built-in recovery set up.
#   - PostgreSQL node2 stopped (fast): the leader fails it over; all three poolers show it down;
#   - pcp_recovery_node -n 2 on standby pooler 1: succeeds, node2 streams from the primary again,
#     is up on all three poolers and still 5 s later (not undone by the leader's status);
#     failback_command ran on the leader only, once;
#   - node2 stopped again, poolers 0 and 1 killed: pcp_recovery_node -n 2 on the survivor is refused
#     (no leader with quorum), exit non-zero, and nothing is touched (node2 stays stopped, its files
#     unchanged). The test starts node2 again, so the cluster is left healthy.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/watchdog.sh"
. "$PGNG_SRC/regress/lib/wd_loopback.sh"
require_bin pgpool pg_md5 pcp_watchdog_info pcp_recovery_node

WD_AUTHKEY=regress-172
wd_lo_ports
wd_pcp_setup
SCRIPT=$(wd_lo_log_args_script)

start_node()
{
	local node=$1 lines=()
	lines+=("failover_command = ''" "follow_primary_command = ''")
	lines+=("failback_command = '$SCRIPT ${DIR[node]}/failback.log %d %h %p'")
	lines+=("recovery_user = '$PGNG_PG_SUPERUSER'" "recovery_timeout = 120")
	lines+=("recovery_1st_stage_command = ''")
	mapfile -t -O "${#lines[@]}" lines < <(wd_lo_leader_checks "$node")
	if [ "$node" = 0 ]; then lines+=("builtin_failover = on"); else lines+=("builtin_failover = off"); fi
	wd_lo_start_node "$node" "${lines[@]}"
}

states() { echo "$(wd_lo_field 0 "$1" 4) $(wd_lo_field 1 "$1" 4) $(wd_lo_field 2 "$1" 4)"; }
WD_LO_PCP_TIMEOUT=280	# a recovery takes long

pg2() { run_as_os_user "$PGNG_PG_BIN/pg_ctl" -D "$PGNG_PG_DATA2" -w -t 60 "$@" >/dev/null; }
# node2_streams: the primary sees node2 streaming.
node2_streams()
{
	[ "$(psql_at "$PGNG_PG_PORT0" "SELECT count(*) FROM pg_stat_replication
		WHERE application_name = 'node2' AND state = 'streaming'" 2>/dev/null)" = 1 ]
}
# stop_node2: a fast stop of PostgreSQL node2, then the leader's failover reaching every pooler.
stop_node2()
{
	local t0 t1
	pg2 -m fast stop || fail "pg_ctl stop node2"
	t0=$(now_ms)
	wait_for "wd_lo_all_down 2" 30 "node2 is not down on all three poolers after its stop"
	t1=$(now_ms)
	note "node2 stopped: down on all three poolers after $((t1 - t0)) ms"
}

for i in 0 1 2; do start_node "$i"; done
watch_until 'one_leader && [ "${TSTATE[0]}" = LEADER ] && [ "$(count_state STANDBY)" = 2 ]' 20000 \
	"node 0 does not lead two standbys"
for i in 0 1 2; do
	wait_for "wd_lo_is_up $i 2" 20 "node $i does not show node2 up"
done
note "start: node 0 leads two standbys; every pooler shows node2 up"

stop_node2
for i in 0 1 2; do
	assert_eq 0 "$(wd_lo_lines_of "${DIR[i]}/failback.log")" "no failback_command yet on pooler $i"
done

# recovery on standby pooler 1: rebuilt there, attached by the leader
t0=$(now_ms)
wd_lo_pcp pcp_recovery_node 1 -n 2
t1=$(now_ms)
[ "$RC" = 0 ] || fail "pcp_recovery_node -n 2 on standby pooler 1 failed (exit $RC): $OUT
$(grep -i 'recovery' "${DIR[1]}/log" | tail -8)"
assert_contains "$OUT" "pcp_recovery_node -- Command Successful" "the recovery succeeds"
wd_lo_is_up 1 2 || fail "pcp_recovery_node answered before pooler 1 shows node2 up ($(wd_lo_field 1 2 4))"
wait_for node2_streams 30 "node2 does not stream from the primary after the recovery"
assert_eq t "$(psql_at "$PGNG_PG_PORT2" "SELECT pg_is_in_recovery()")" "node2 runs as a standby"
wait_for "wd_lo_all_up 2" 10 "node2 is not up on all three poolers after the recovery"
t2=$(now_ms)
note "pcp_recovery_node -n 2 on standby pooler 1: answered after $((t1 - t0)) ms; up on all three $((t2 - t0)) ms after the request"
watch_for 5000
wd_lo_all_up 2 || fail "5 s later node2 is no longer up on every pooler (states: $(states 2))"
note "5 s later node2 is still up on all three poolers"
grep -q "recovery: pcp_attach_node for node 2 sent to the watchdog leader (node 0)" "${DIR[1]}/log" ||
	fail "pooler 1's recovery did not send its attach to the leader"
shown=$(grep -o "carried out pcp_attach_node for node 2; shown here after [0-9]* ms" "${DIR[1]}/log")
[ -n "$shown" ] || fail "pooler 1's recovery did not see the leader's attach"
note "pooler 1's recovery: the leader $shown"
grep -q "node 1 forwards pcp_attach_node for backend 2 (request 1); carrying it out for the cluster" \
	"${DIR[0]}/log" || fail "the leader's log does not say it attached node2 for pooler 1"
assert_eq 1 "$(wd_lo_lines_of "${DIR[0]}/failback.log")" "failback_command ran once on the leader"
assert_eq "2 127.0.0.1" "$(cut -d' ' -f1-2 "${DIR[0]}/failback.log")" "failback_command's %d %h"
for i in 1 2; do
	assert_eq 0 "$(wd_lo_lines_of "${DIR[i]}/failback.log")" "failback_command did not run on standby $i"
done
note "failback_command ran on the leader only, once: $(cat "${DIR[0]}/failback.log")"

# no quorum: the survivor refuses before touching anything
stop_node2
kill_node 0
kill_node 1
watch_until '[ "${TSTATE[2]}" != STANDBY ] && [ "${TSTATE[2]}" != LEADER ]' 15000 \
	"node 2 still takes itself for a standby or leader alone"
sleep 1
sum_before=$(md5sum "$PGNG_PG_DATA2"/postgresql.auto.conf "$PGNG_PG_DATA2"/postgresql.conf 2>&1)
wd_lo_pcp pcp_recovery_node 2 -n 2
[ "$RC" != 0 ] || fail "pcp_recovery_node on the survivor without quorum exited 0: $OUT"
assert_contains "$OUT" "pcp_recovery_node: the watchdog cluster has no leader with quorum; node requests are refused" \
	"the refusal says why"
note "without quorum (poolers 0 and 1 killed, pooler 2 ${TSTATE[2]}): pcp_recovery_node on pooler 2 exits $RC: $(printf '%s' "$OUT" | head -1)"
! pg2 status || fail "the refused recovery started node2"
assert_eq "$sum_before" "$(md5sum "$PGNG_PG_DATA2"/postgresql.auto.conf "$PGNG_PG_DATA2"/postgresql.conf 2>&1)" \
	"the refused recovery left node2's configuration alone"
! grep -q "recovery: rebuilding node 2\|online recovery of node 2 requested" "${DIR[2]}/log" ||
	fail "the survivor started a recovery"
wd_lo_is_down 2 2 || fail "the refused recovery changed node2 on the survivor ($(wd_lo_field 2 2 4))"
assert_eq 0 "$(wd_lo_lines_of "${DIR[2]}/failback.log")" "no failback_command on the survivor"
note "nothing touched: node2 still stopped, its configuration unchanged, still down on pooler 2"
kill_node 2

# leave the cluster as we found it
pg2 -l "$PGNG_TMP/node2.log" start || fail "pg_ctl start node2"
wait_for node2_streams 60 "node2 does not stream again after its restart"
exit 0
