#!/usr/bin/env bash
# Virtual IP: three pgpool-ng nodes, each in its own network namespace on a private bridge this test
# makes (10.213.152.0/24, nothing routed off it), delegate_ip 10.213.152.100. Built in (if_up_cmd
# empty): the leader's address has a 2 s lifetime that it renews. Every 100 ms `ip -n NS addr` must
# show the VIP in at most one namespace. Scenarios: start; kill -9 of the leader (its VIP runs out by
# itself, the new leader announces the VIP by gratuitous ARP, the restarted node holds none); the
# leader's link cut and healed; the leader's watchdog SIGSTOPped and resumed; its link flapping; two
# of three nodes killed (the survivor gives the VIP up). Then pgpool's
# if_up_cmd/if_down_cmd/arping_cmd: start, a link cut, and a restart that removes a leftover VIP.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/netns.sh"
. "$PGNG_SRC/regress/lib/watchdog.sh"
. "$PGNG_SRC/regress/lib/wd_netns.sh"
require_bin pgpool pg_md5 pcp_watchdog_info
command -v ip >/dev/null || skip "no ip command"
IP_CMD=$(command -v ip)

DEADTIME=3
BOUND_MS=$(( (DEADTIME + 2) * 1000 ))	# detection + the new leader's wait for an old lease
WATCH_MS=$(( BOUND_MS + 2000 ))	# how long the sampler looks, a busy machine's delays included
netns_setup 3 10.213.152
VIP=10.213.152.100
WD_VIP=$VIP
MODE=builtin
wd_pcp_setup

WD_AUTHKEY=regress-152
WD_DEADTIME=$DEADTIME
# wd_node_extra I: the VIP lines of node I; MODE builtin or commands.
wd_node_extra()
{
	local dev=vn${NETNS_TAG}$1
	echo "delegate_ip = '$VIP'"
	if [ "$MODE" = builtin ]; then
		echo "if_up_cmd = ''"
		echo "if_down_cmd = ''"
		echo "arping_cmd = ''"
	else
		echo "if_cmd_path = '$(dirname "$IP_CMD")'"
		echo "if_up_cmd = 'ip addr add \$_IP_\$/24 dev $dev'"
		echo "if_down_cmd = 'ip addr del \$_IP_\$/24 dev $dev'"
		echo "arping_cmd = '/bin/echo \$_IP_\$ >>$PGNG_TMP/wd$1/arping.log'"
	fi
}
start_node() { wd_ns_start_node "$1"; }

holds() { [ "$(vip_holder)" = "$1" ]; }
leader_holds() { one_leader && holds "${LEADERS[0]}"; }
mac_of() { ip -n "${NETNS[$1]}" -o link show "vn${NETNS_TAG}$1" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }
neigh_mac() { ip -n "${NETNS[$1]}" neigh show "$WD_VIP" | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p'; }

# takeover_after WHAT OLD: waits for a leader other than OLD that holds the VIP; notes the time.
# The time is the new holder's own (its log says when it added the address); it must be within
# BOUND_MS; the sampler, which may lag on a busy machine, only has to see it within WATCH_MS.
takeover_after()
{
	local what=$1 old=$2 since=$3 up took
	watch_until "leader_holds && [ \"\${LEADERS[0]}\" != $old ]" "$WATCH_MS" \
		"no other node holds the VIP within $WATCH_MS ms after $what of leader $old" "$since"
	# with if_up_cmd the line comes once the watchdog has seen the command end
	wait_for "[ -n \"\$(wd_vip_up_ms ${LEADERS[0]} $since $VIP)\" ]" 5 \
		"$what of leader $old: node ${LEADERS[0]} holds the VIP but does not log it"
	up=$(wd_vip_up_ms "${LEADERS[0]}" "$since" "$VIP")
	[ -n "$up" ] || fail "$what of leader $old: node ${LEADERS[0]} holds the VIP but its log does not say when it brought it up"
	took=$((up - since))
	[ "$took" -le "$BOUND_MS" ] || fail "$what of leader $old: node ${LEADERS[0]} brought the VIP up $took ms later (bound $BOUND_MS ms)"
	note "$what of leader $old: node ${LEADERS[0]} leads and holds the VIP $took ms later (bound $BOUND_MS ms; the sampler saw it after $ELAPSED_MS ms)"
}

for i in 0 1 2; do start_node "$i"; done
watch_until 'leader_holds && [ "$(count_state STANDBY)" = 2 ]' 20000 "no leader holding the VIP with two standbys"
note "start: node ${LEADERS[0]} leads and holds $WD_VIP"

# kill -9 of the leader; a third node watches the VIP's ARP entry
L=${LEADERS[0]}
O=$(( (L + 2) % 3 ))
# a TCP connection to the VIP's pgpool port makes node O resolve the VIP by ARP
ip netns exec "${NETNS[O]}" timeout 5 bash -c "exec 3<>/dev/tcp/$WD_VIP/9999" || fail "node $O cannot reach the VIP"
assert_eq "$(mac_of "$L")" "$(neigh_mac "$O")" "node $O reaches the VIP at leader $L's MAC"
kill_node "$L"
killed=$KILLED_AT
watch_until "! holds $L" "$WATCH_MS" "the killed leader's VIP does not run out" "$killed"
note "kill -9 of leader $L: its VIP ran out by itself $ELAPSED_MS ms later"
takeover_after "kill -9" "$L" "$killed"
N=${LEADERS[0]}
if [ "$N" != "$O" ]; then
	watch_until "[ \"\$(neigh_mac $O)\" = \"$(mac_of "$N")\" ]" 2000 "no gratuitous ARP: node $O still has $(neigh_mac "$O") for the VIP"
	note "node $O's ARP entry for the VIP moved to node $N's MAC without asking (gratuitous ARP)"
fi
ip netns exec "${NETNS[O]}" timeout 5 bash -c "exec 3<>/dev/tcp/$WD_VIP/9999" ||
	fail "node $O cannot reach the VIP on its new holder $N"
start_node "$L"
watch_until "[ \"\${TSTATE[$L]}\" = STANDBY ]" 20000 "restarted node $L does not rejoin as standby"
watch_for 3000
holds "$N" || fail "after node $L restarted the VIP is not (only) on leader $N: ${VIPHOLDERS[*]}"
note "node $L restarted: standby, holds no VIP"

# the leader's link is cut, then healed
L=${LEADERS[0]}
cut_at=$(now_ms)
netns_cut "$L"
takeover_after "link cut" "$L" "$cut_at"
grep -q "delegate_ip $WD_VIP is down" "$PGNG_TMP/wd$L/log" || fail "isolated node $L did not give the VIP up"
netns_heal "$L"
watch_until "[ \"\${TSTATE[$L]}\" = STANDBY ] && leader_holds" 20000 "node $L does not rejoin as standby"
note "link of node $L back: standby, the VIP stays on node ${LEADERS[0]}"

# the leader's watchdog is stopped, then resumed
L=${LEADERS[0]}
stop_at=$(now_ms)
kill -STOP "${WDPID[L]}"
takeover_after "SIGSTOP of the watchdog" "$L" "$stop_at"
kill -CONT "${WDPID[L]}"
watch_until "[ \"\${TSTATE[$L]}\" = STANDBY ] && leader_holds" 20000 "node $L does not come back as standby"
watch_for 2000
note "watchdog of node $L resumed: standby, the VIP stays on node ${LEADERS[0]}"
# the leader's link flaps
L=${LEADERS[0]}
end=$(( $(now_ms) + 12000 ))
while [ "$(now_ms)" -lt "$end" ]; do
	netns_cut "$L"
	watch_for 2000
	netns_heal "$L"
	watch_for 2000
done
watch_until 'leader_holds && [ "$(count_state STANDBY)" = 2 ]' 20000 "no single VIP holder after the flapping"
note "link of node $L flapped for 12 s (2 s down, 2 s up): node ${LEADERS[0]} holds the VIP after"

# two of three killed: the surviving leader has no quorum and gives the VIP up
S=${LEADERS[0]}
for i in 0 1 2; do [ "$i" = "$S" ] || kill_node "$i"; done
watch_until '[ -z "$(vip_holder)" ] && [ "${TSTATE[S]}" != LEADER ]' "$WATCH_MS" \
	"the lone survivor $S keeps the VIP without quorum" "$KILLED_AT"
note "two of three killed: the survivor $S gave the VIP up $ELAPSED_MS ms later"
wd_summary
note "VIP samples: $VIP_SAMPLES (ip -n NS addr in each namespace); never two holders"
kill_node "$S"

# pgpool's commands
MODE=commands
for i in 0 1 2; do start_node "$i"; done
watch_until 'leader_holds && [ "$(count_state STANDBY)" = 2 ]' 20000 "commands: no leader holding the VIP"
L=${LEADERS[0]}
wait_for "grep -q '^$WD_VIP\$' '$PGNG_TMP/wd$L/arping.log'" 10 "commands: arping_cmd did not run on leader $L"
note "commands: node $L ran if_up_cmd and arping_cmd"
cut_at=$(now_ms)
netns_cut "$L"
takeover_after "commands: link cut" "$L" "$cut_at"
netns_heal "$L"
watch_until "[ \"\${TSTATE[$L]}\" = STANDBY ] && leader_holds" 20000 "commands: node $L does not rejoin as standby"
grep -q "if_down_cmd succeeded" "$PGNG_TMP/wd$L/log" || fail "commands: node $L did not run if_down_cmd"
# kill -9 leaves the VIP behind (pgpool's behaviour with commands); a restart removes it
# (the same leader holding it for 2 s first: a leader that blinked would run if_down_cmd meanwhile)
watch_for 2000
watch_until 'leader_holds' 5000 "commands: no leader holding the VIP before the kill"
L=${LEADERS[0]}
downs=$(grep -c "given up (if_down_cmd" "$PGNG_TMP/wd$L/log")
WD_VIP=	# two holders for a while now: the sampler would fail the test
kill_node "$L"
ns_holds() { ip -n "${NETNS[$1]}" -o -4 addr show | grep -q " inet $VIP/"; }
ns_holds "$L" || fail "commands: the killed leader $L lost its VIP (if_down_cmd ran" \
	"$(( $(grep -c "given up (if_down_cmd" "$PGNG_TMP/wd$L/log") - downs )) times since the last sample);" \
	"its log ends: $(tail -n 8 "$PGNG_TMP/wd$L/log")"
start_node "$L"
wait_for "! ns_holds $L" 15 "commands: restarted node $L keeps the leftover VIP"
grep -q "is on this host at start; running if_down_cmd" "$PGNG_TMP/wd$L/log" || fail "commands: no leftover removal logged"
WD_VIP=$VIP
watch_until "[ \"\${TSTATE[$L]}\" = STANDBY ] && leader_holds" 20000 "commands: one VIP holder after node $L restarted"
watch_for 2000
note "commands: kill -9 of leader $L left its VIP (as pgpool); restarted, the node removed it at start"
for i in 0 1 2; do kill_node "$i"; done
