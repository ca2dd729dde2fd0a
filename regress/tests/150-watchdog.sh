#!/usr/bin/env bash
# Watchdog: three pgpool-ng nodes on 127.0.0.1 (distinct ports) in front of the regress cluster.
# Every 100 ms each watchdog's own word (its process title) is read, and at each milestone every node
# is asked over PCP (pcp_watchdog_info -v -n 0): never may two nodes lead with quorum. Start: one
# leader, 3 nodes, quorum, output equal to pgpool-II's pcp_watchdog_info. kill -9 of every process of
# the leader's pgpool-ng: another leader within wd_heartbeat_deadtime + 2 s; the killed node restarts
# and rejoins as standby without taking over. Two of three gone: the survivor steps down and reports
# no quorum.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/watchdog.sh"
. "$PGNG_SRC/regress/lib/wd_loopback.sh"
require_bin pgpool pg_md5 pcp_watchdog_info

DEADTIME=3
BOUND_MS=$(( (DEADTIME + 2) * 1000 ))
wd_pcp_setup

WD_AUTHKEY=regress-150
WD_DEADTIME=$DEADTIME
wd_lo_ports

# start_node I: node I, its escalation commands logging to DIR[I]/escalations.
start_node()
{
	rm -f "${DIR[$1]}/escalations"
	wd_lo_start_node "$1" "wd_escalation_command = 'echo up >>${DIR[$1]}/escalations'" \
		"wd_de_escalation_command = 'echo down >>${DIR[$1]}/escalations'"
}

# ---- start: one leader, 3 nodes, quorum ----
T0=$(now_ms)
for i in 0 1 2; do start_node "$i"; done
watch_until 'one_leader && [ "$(count_state STANDBY)" = 2 ]' 20000 "no single leader with two standbys"
L=${LEADERS[0]}
note "start: leader is node $L, $(( $(now_ms) - T0 )) ms after the first node was started"
pcp_sample
assert_eq "$L" "${PCP_LEADERS[*]}" "PCP: node $L alone leads with quorum"
for i in 0 1 2; do
	assert_eq 3 "${TOTAL[i]}" "node $i sees 3 nodes"
	assert_eq "QUORUM EXIST" "${QUORUM[i]}" "node $i has quorum"
	assert_eq "${NAME[L]}" "${LEADERNAME[i]}" "node $i names the leader"
done
watch_for 3000
assert_eq "$L" "${LEADERS[*]}" "the leader stays the leader"
escalations() { { tr '\n' ' ' <"${DIR[$1]}/escalations"; } 2>/dev/null; }
wait_for '[ "$(escalations "$L")" = "up " ]' 10 "wd_escalation_command ran on leader $L: '$(escalations "$L")'"
for i in 0 1 2; do
	[ "$i" = "$L" ] || assert_eq "" "$(escalations "$i")" "no escalation on standby $i"
done

# the JSON our PCP server sends reads the same with pgpool-II's own pcp_watchdog_info
DEBIAN_TOOL=/usr/sbin/pcp_watchdog_info
if [ -x "$DEBIAN_TOOL" ]; then
	for i in 0 1 2; do
		for args in "" "-v" "-n 1" "-v -n 2" "-n 5"; do
			# shellcheck disable=SC2086
			ours=$(wd_tool "$i" $args 2>&1)
			# shellcheck disable=SC2086
			theirs=$(WD_TOOL=$DEBIAN_TOOL wd_tool "$i" $args 2>&1 | tr -d '\0')
			assert_eq "$theirs" "$ours" "node $i: pcp_watchdog_info $args prints what pgpool-II's does"
		done
	done
	note "pcp_watchdog_info output equals pgpool-II's tool's on all three nodes"
else
	note "no $DEBIAN_TOOL: output not compared with pgpool-II's tool"
fi

# ---- kill -9 of the leader's pgpool-ng ----
kill_node "$L"
watch_until 'one_leader && [ "${LEADERS[0]}" != "$L" ]' "$BOUND_MS" \
	"no new leader within wd_heartbeat_deadtime + 2 s after kill -9 of leader $L" "$KILLED_AT"
NEW=${LEADERS[0]}
note "kill -9 of leader $L: node $NEW leads $ELAPSED_MS ms after the kill (bound $BOUND_MS ms)"
watch_for 3000
assert_eq "$NEW" "${LEADERS[*]}" "the new leader stays"
pcp_sample
assert_eq "$NEW" "${PCP_LEADERS[*]}" "PCP: node $NEW alone leads with quorum"

# ---- the killed node comes back: standby, no second leader, no takeover ----
start_node "$L"
watch_until '[ "${TSTATE[L]}" = STANDBY ]' 20000 "restarted node $L does not become standby"
note "node $L rejoined as standby after $ELAPSED_MS ms"
watch_for 3000
assert_eq "$NEW" "${LEADERS[*]}" "the returning node does not take over"
pcp_sample
assert_eq STANDBY "${STATE[L]}" "PCP: node $L is a standby"
assert_eq "${NAME[NEW]}" "${LEADERNAME[L]}" "PCP: node $L names node $NEW as leader"

# ---- the leader's watchdog process is stopped (SIGSTOP), then continued ----
W=${WDPID[NEW]}
kill -STOP "$W"
STOP_AT=$(now_ms)
watch_until 'one_leader && [ "${LEADERS[0]}" != "$NEW" ]' "$BOUND_MS" \
	"no new leader within wd_heartbeat_deadtime + 2 s while leader $NEW's watchdog is stopped" "$STOP_AT"
NEXT=${LEADERS[0]}
note "watchdog of leader $NEW stopped: node $NEXT leads $ELAPSED_MS ms later"
watch_until 'out=$(wd_tool "$NEW" 2>&1); [[ $out == *"has not updated its view"* ]]' 10000 \
	"PCP of node $NEW does not say that its watchdog view is stale" "$STOP_AT"
note "PCP of node $NEW answers that the view is stale $ELAPSED_MS ms after the stop"
kill -CONT "$W"
watch_until '[ "${TSTATE[NEW]}" = STANDBY ]' 20000 "node $NEW does not come back as standby after SIGCONT"
note "watchdog of node $NEW continued: standby after $ELAPSED_MS ms, never two leaders"
assert_eq "$NEXT" "${LEADERS[*]}" "the continued node does not take over"
wait_for '[ "$(escalations "$NEW")" = "up down " ]' 10 \
	"escalation then de-escalation on node $NEW: '$(escalations "$NEW")'"
wait_for '[ "$(escalations "$NEXT")" = "up " ]' 10 "escalation on node $NEXT: '$(escalations "$NEXT")'"
note "wd_escalation_command / wd_de_escalation_command ran where and when leadership came and went"
NEW=$NEXT
L=$(( (NEW + 1) % 3 ))

# ---- two of three gone: the survivor steps down and has no quorum ----
S=$L
for i in 0 1 2; do [ "$i" = "$S" ] || kill_node "$i"; done
watch_until '[ "${TSTATE[S]}" != LEADER ]' "$BOUND_MS" "survivor $S still leads" "$KILLED_AT"
note "two of three killed: survivor $S is not leader $ELAPSED_MS ms after the second kill (${TSTATE[S]})"
watch_until 'pcp_sample; [ "${QUORUM[S]}" = "QUORUM ABSENT" ]' "$BOUND_MS" \
	"survivor $S still reports quorum" "$KILLED_AT"
note "survivor $S reports QUORUM ABSENT $ELAPSED_MS ms after the second kill"
watch_for 4000
[ "${TSTATE[S]}" != LEADER ] || fail "survivor became leader without quorum"
pcp_sample
[ "${STATE[S]}" != LEADER ] || fail "PCP: survivor says it leads without quorum"
wd_summary
PGPOOL_PID=${PID[S]}; PGPOOL_DIR=${DIR[S]}
pgpool_stop fast
