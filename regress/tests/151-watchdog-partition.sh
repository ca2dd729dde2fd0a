#!/usr/bin/env bash
# Watchdog partitions: three pgpool-ng nodes, each in its own network namespace on a bridge this test
# makes (10.213.151.0/24, nothing routed off it) and always removes. The leader's link is cut: the other
# two elect a leader within wd_heartbeat_deadtime + 2 s, the isolated node steps down, and when the
# link comes back it rejoins as standby. The same cut for each node in turn; then the leader's link
# flaps (down/up every 2 s for 30 s). Every 100 ms: never two nodes that lead with quorum, and the
# built-in VIP 10.213.151.100 in at most one namespace (also between the samples of the test itself).
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/netns.sh"
. "$PGNG_SRC/regress/lib/watchdog.sh"
. "$PGNG_SRC/regress/lib/wd_netns.sh"
require_bin pgpool pg_md5 pcp_watchdog_info
command -v ip >/dev/null || skip "no ip command"

DEADTIME=3
BOUND_MS=$(( (DEADTIME + 2) * 1000 ))
FLAP_S=${PGNG_WD_FLAP_S:-30}
netns_setup 3 10.213.151
wd_pcp_setup

WD_AUTHKEY=regress-151
WD_DEADTIME=$DEADTIME
# the built-in VIP: every sample also checks that at most one namespace holds it
WD_VIP=10.213.151.100
wd_node_extra() { printf '%s\n' "delegate_ip = '$WD_VIP'" "if_up_cmd = ''" "if_down_cmd = ''" "arping_cmd = ''"; }
start_node() { wd_ns_start_node "$1"; }

# cut_and_heal K: cuts node K's link; checks the outcome; heals; waits for one leader again.
cut_and_heal()
{
	local k=$1 before=${LEADERS[0]} cut_at
	cut_at=$(now_ms)
	netns_cut "$k"
	if [ "$k" = "$before" ]; then
		watch_until 'one_leader && [ "${LEADERS[0]}" != "$k" ]' "$BOUND_MS" \
			"no new leader within wd_heartbeat_deadtime + 2 s after the link of leader $k was cut" "$cut_at"
		note "link of leader $k cut: node ${LEADERS[0]} leads $ELAPSED_MS ms later (bound $BOUND_MS ms)"
	else
		watch_for 3000
		assert_eq "$before" "${LEADERS[*]}" "cutting standby $k leaves leader $before in place"
		note "link of standby $k cut: leader $before stays"
	fi
	[ "${TSTATE[k]}" != LEADER ] || fail "isolated node $k leads"
	watch_for 2000
	netns_heal "$k"
	watch_until '[ "${TSTATE[k]}" = STANDBY ] && one_leader' 20000 "node $k does not rejoin as standby"
	note "link of node $k back: standby again after $ELAPSED_MS ms, leader ${LEADERS[0]}"
}

wd_guard_start
for i in 0 1 2; do start_node "$i"; done
watch_until 'one_leader && [ "$(count_state STANDBY)" = 2 ]' 20000 "no single leader with two standbys"
pcp_sample
assert_eq "${LEADERS[0]}" "${PCP_LEADERS[*]}" "PCP: the same node leads with quorum"
for i in 0 1 2; do
	assert_eq 3 "${TOTAL[i]}" "node $i sees 3 nodes"
	assert_eq "QUORUM EXIST" "${QUORUM[i]}" "node $i has quorum"
done
note "start: node ${LEADERS[0]} leads"

# the seed's failure, then the same cut for every node in turn
cut_and_heal "${LEADERS[0]}"
for i in 0 1 2; do cut_and_heal "$i"; done

# the leader's link flaps
L=${LEADERS[0]}
end=$(( $(now_ms) + FLAP_S * 1000 ))
flaps=0
while [ "$(now_ms)" -lt "$end" ]; do
	netns_cut "$L"
	watch_for 2000
	netns_heal "$L"
	watch_for 2000
	flaps=$((flaps + 1))
done
watch_until 'one_leader && [ "$(count_state STANDBY)" = 2 ] && [ "$(vip_holder)" = "${LEADERS[0]}" ]' 20000 \
	"no single leader holding the VIP after the flapping"
note "link of node $L flapped $flaps times (2 s down, 2 s up): never two leaders; node ${LEADERS[0]} leads and holds the VIP after"
pcp_sample
assert_eq "${LEADERS[0]}" "${PCP_LEADERS[*]}" "PCP: the same node leads with quorum after the flapping"
wd_summary
wd_guard_stop
note "VIP samples: $VIP_SAMPLES (ip -n NS addr in each namespace); never two holders"
for i in 0 1 2; do kill_node "$i"; done
