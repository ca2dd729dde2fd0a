#!/usr/bin/env bash
# Failover consensus: three pgpool-ng nodes on 127.0.0.1 with the watchdog. backend 2 is the regress
# standby for some nodes and a dead port for others (each node's own health check decides its vote):
#   - one node finds it down: 1 vote of 2 needed, nobody fails it over;
#   - two nodes find it down: the leader fails it over, although its own health check finds it up;
#   - the standbys then take the leader's status of backend 2 (without running a failover);
#   - a lone node without quorum (failover_when_quorum_exists = on) refuses to fail over.
# Only pgpool-ng's view of backend 2 changes; the PostgreSQL cluster is not touched.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/watchdog.sh"
. "$PGNG_SRC/regress/lib/wd_loopback.sh"
require_bin pgpool pg_md5 pcp_watchdog_info

WD_AUTHKEY=regress-153
wd_lo_ports
DEAD_PORT=$(free_port "${USED[@]}")
wd_pcp_setup

# start_node I DEAD: node I; DEAD=1 gives it a backend 2 nobody listens on.
start_node()
{
	local extra=()
	[ "$2" = 1 ] && extra+=("backend_port2 = $DEAD_PORT")
	wd_lo_start_node "$1" "failover_when_quorum_exists = on" "failover_require_consensus = on" \
		"health_check_period = 1" "health_check_timeout = 2" "health_check_max_retries = 0" \
		"sr_check_period = 0" "${extra[@]}"
}

# status I B: backend B's status as node I's pgpool-ng shows it (SHOW pool_nodes).
status()
{
	psql -XAtq -h 127.0.0.1 -p "${PORT[$1]}" -U "$PGNG_PG_SUPERUSER" -d postgres -F '|' \
		-c "SHOW pool_nodes" 2>/dev/null | awk -F'|' -v b="$2" '$1 == b { print $4 }'
}
log_has() { grep -q "$2" "${DIR[$1]}/log"; }

start_node 0 0
start_node 1 0
start_node 2 1
watch_until 'one_leader && [ "$(count_state STANDBY)" = 2 ]' 20000 "no single leader with two standbys"
L=${LEADERS[0]}
note "start: node $L leads; node 2's health check finds backend 2 down"

# one vote of two needed: nobody fails backend 2 over
wait_for "log_has 2 'failover of node 2 is decided by the watchdog leader'" 15 "node 2 did not vote"
watch_for 8000
for i in 0 1 2; do
	st=$(status "$i" 2)
	case $st in up | waiting) ;; *) fail "one vote: backend 2 is '$st' on node $i, not up" ;; esac
done
log_has "$L" "backend 2: 1 of 3 watchdog nodes vote" || fail "leader $L did not count node 2's vote"
! log_has "$L" "failover of backend 2 requested" || fail "leader $L failed over on one vote"
note "one vote (node 2): backend 2 stays up everywhere; the leader counted 1 of 2 needed"

# a second voter: the leader fails backend 2 over
S=1
[ "$L" = 1 ] && S=0
kill_node "$S"
start_node "$S" 1
t0=$(now_ms)
wait_for "[ \"\$(status $L 2)\" = down ]" 30 "two votes: leader $L did not fail backend 2 over"
note "two votes (nodes $S and 2): leader $L failed backend 2 over $(( $(now_ms) - t0 )) ms after node $S restarted"
log_has "$L" "failover of backend 2 requested: 2 watchdog nodes found it down (2 needed)" ||
	fail "the leader's log does not name the consensus"
# the standbys take the leader's status (SHM_FO_FROM_LEADER, flags 0x10), and run nothing else
for i in 0 1 2; do
	[ "$i" = "$L" ] && continue
	wait_for "[ \"\$(status $i 2)\" = down ]" 15 "standby $i does not show backend 2 down as the leader does"
	! grep "failover: request" "${DIR[i]}/log" | grep -qv "(flags 0x10," ||
		fail "standby $i ran a failover itself"
done
note "the standbys show backend 2 down, as the leader does"

# a lone node without quorum refuses (started again: its view of backend 2 is its own once more)
for i in 0 1 2; do kill_node "$i"; done
start_node 2 1
watch_until '[ "${TSTATE[2]}" != LEADER ]' 10000 "the lone node still leads"
from=$(( $(wc -l <"${DIR[2]}/log") + 1 ))
new_log_has() { tail -n +"$from" "${DIR[2]}/log" | grep -q "$1"; }
wait_for "new_log_has 'failover of node 2 refused: the watchdog cluster has no quorum'" 20 \
	"the lone node did not refuse for want of quorum"
! new_log_has "failover: request" || fail "the lone node failed over without quorum"
st=$(status 2 2)
case $st in up | waiting) ;; *) fail "no quorum: backend 2 is '$st' on the lone node, not up" ;; esac
note "lone node 2 without quorum: failover of backend 2 refused (failover_when_quorum_exists = on)"
kill_node 2
