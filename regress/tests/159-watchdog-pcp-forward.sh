#!/usr/bin/env bash
# PCP node requests on a standby watchdog node are carried out by the leader for the cluster, as in
# pgpool-II. Three pgpool-ng nodes on 127.0.0.1 in front of the regress cluster; node 0 leads
# (wd_priority) and is the only one with health and sr checks. Every node has failover_command and
# failback_command set to a script that logs its arguments into that node's directory.
#   - pcp_detach_node -n 2 on standby node 1: node2 is down on all three poolers, and still 5 s
#     later (the leader's status does not undo it); the leader's log says it carried the request
#     out; failover_command ran on the leader only, once;
#   - pcp_attach_node -n 2 on standby node 2: node2 is up on all three; failback_command ran on
#     the leader only, once;
#   - leader and node 1 killed: pcp_detach_node (and attach, promote) on the survivor is refused
#     (no leader with quorum), with a non-zero exit, and changes nothing.
# PostgreSQL itself is not touched (the scripts only log).
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/watchdog.sh"
. "$PGNG_SRC/regress/lib/wd_loopback.sh"
require_bin pgpool pg_md5 pcp_watchdog_info pcp_attach_node pcp_detach_node pcp_promote_node

WD_AUTHKEY=regress-159
wd_lo_ports
wd_pcp_setup
SCRIPT=$(wd_lo_log_args_script)

start_node()
{
	local node=$1 lines=()
	lines+=("failover_command = '$SCRIPT ${DIR[node]}/failover.log %d %h %p'")
	lines+=("failback_command = '$SCRIPT ${DIR[node]}/failback.log %d %h %p'")
	lines+=("follow_primary_command = ''" "builtin_failover = off")
	mapfile -t -O "${#lines[@]}" lines < <(wd_lo_leader_checks "$node")
	wd_lo_start_node "$node" "${lines[@]}"
}


for i in 0 1 2; do start_node "$i"; done
watch_until 'one_leader && [ "${TSTATE[0]}" = LEADER ] && [ "$(count_state STANDBY)" = 2 ]' 20000 \
	"node 0 does not lead two standbys"
for i in 0 1 2; do
	wait_for "wd_lo_is_up $i 2" 20 "node $i does not show node2 up"
done
note "start: node 0 leads two standbys; every pooler shows node2 up"

# detach on a standby: the leader carries it out; nobody undoes it
t0=$(now_ms)
wd_lo_pcp pcp_detach_node 1 -n 2
t1=$(now_ms)
[ "$RC" = 0 ] || fail "pcp_detach_node -n 2 on standby node 1 failed (exit $RC): $OUT"
wd_lo_is_down 1 2 || fail "pcp_detach_node answered before node 1 shows node2 down"
wait_for "wd_lo_all_down 2" 10 "node2 is not down on all three poolers after the detach on node 1"
t2=$(now_ms)
note "pcp_detach_node -n 2 on standby node 1: answered after $((t1 - t0)) ms; down on all three $((t2 - t0)) ms after the request"
watch_for 5000
wd_lo_all_down 2 || fail "5 s later node2 is no longer down on every pooler (states: $(wd_lo_field 0 2 4) $(wd_lo_field 1 2 4) $(wd_lo_field 2 2 4))"
note "5 s later node2 is still down on all three poolers"
grep -q "node 1 forwards pcp_detach_node for backend 2 (request 1); carrying it out for the cluster" \
	"${DIR[0]}/log" || fail "the leader's log does not say it carried out node 1's detach"
grep -q "sending pcp_detach_node for backend 2 to the leader (node 0)" "${DIR[1]}/log" ||
	fail "node 1's watchdog did not send the detach to the leader"
assert_eq 1 "$(wd_lo_lines_of "${DIR[0]}/failover.log")" "failover_command ran once on the leader"
assert_eq "2 127.0.0.1" "$(cut -d' ' -f1-2 "${DIR[0]}/failover.log")" "failover_command's %d %h"
for i in 1 2; do
	assert_eq 0 "$(wd_lo_lines_of "${DIR[i]}/failover.log")" "failover_command did not run on standby $i"
done
note "failover_command ran on the leader only, once: $(cat "${DIR[0]}/failover.log")"

# attach on the other standby
t0=$(now_ms)
wd_lo_pcp pcp_attach_node 2 -n 2
t1=$(now_ms)
[ "$RC" = 0 ] || fail "pcp_attach_node -n 2 on standby node 2 failed (exit $RC): $OUT"
wait_for "wd_lo_all_up 2" 10 "node2 is not up on all three poolers after the attach on node 2"
t2=$(now_ms)
note "pcp_attach_node -n 2 on standby node 2: answered after $((t1 - t0)) ms; up on all three $((t2 - t0)) ms after the request"
watch_for 5000
wd_lo_all_up 2 || fail "5 s later node2 is no longer up on every pooler"
grep -q "node 2 forwards pcp_attach_node for backend 2 (request 1); carrying it out for the cluster" \
	"${DIR[0]}/log" || fail "the leader's log does not say it carried out node 2's attach"
assert_eq 1 "$(wd_lo_lines_of "${DIR[0]}/failback.log")" "failback_command ran once on the leader"
for i in 1 2; do
	assert_eq 0 "$(wd_lo_lines_of "${DIR[i]}/failback.log")" "failback_command did not run on standby $i"
done
assert_eq 1 "$(wd_lo_lines_of "${DIR[0]}/failover.log")" "failover_command did not run again"
note "failback_command ran on the leader only, once"

# no quorum: the survivor refuses
kill_node 0
kill_node 1
watch_until '[ "${TSTATE[2]}" != STANDBY ] && [ "${TSTATE[2]}" != LEADER ]' 15000 \
	"node 2 still takes itself for a standby or leader alone"
sleep 1
wd_lo_pcp pcp_detach_node 2 -n 2
[ "$RC" != 0 ] || fail "pcp_detach_node on the survivor without quorum exited 0: $OUT"
assert_contains "$OUT" "the watchdog cluster has no leader with quorum; node requests are refused" \
	"the refusal says why"
wd_lo_is_up 2 2 || fail "the refused detach changed node2 on the survivor"
note "without quorum (nodes 0 and 1 killed, node 2 ${TSTATE[2]}): pcp_detach_node on node 2 exits $RC: $(printf '%s' "$OUT" | head -1)"
for tool in pcp_attach_node pcp_promote_node; do
	wd_lo_pcp "$tool" 2 -n 1
	[ "$RC" != 0 ] || fail "$tool on the survivor without quorum exited 0: $OUT"
	assert_contains "$OUT" "$tool: the watchdog cluster has no leader with quorum" "$tool's refusal says why"
done
note "pcp_attach_node and pcp_promote_node there are refused likewise"
! grep -q "sending pcp_detach_node" "${DIR[2]}/log" || fail "the survivor sent its refused detach"
kill_node 2
