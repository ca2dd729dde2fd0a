#!/usr/bin/env bash
# Standby watchdog nodes take the backend status from the leader. Three pgpool-ng nodes on 127.0.0.1
# in front of the regress cluster; node 0 leads (wd_priority) and is the only one with health and sr
# checks and builtin_failover; nodes 1 and 2 check nothing themselves, so all they know of the
# backends comes from the leader's heartbeats:
#   - kill -9 of standby node2's PostgreSQL: the leader fails it over, both standby poolers show it
#     down within a few seconds, without running anything;
#   - kill -9 of the primary: the leader promotes node1 (builtin_failover); the standby poolers show
#     node0 down and node1 the primary, and promote nothing themselves.
# The driver rebuilds the PostgreSQL cluster afterwards.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/watchdog.sh"
. "$PGNG_SRC/regress/lib/wd_loopback.sh"
require_bin pgpool pg_md5 pcp_watchdog_info

WD_AUTHKEY=regress-155
wd_lo_ports
wd_pcp_setup

# start_node I: node 0 leads (priority) and alone checks and fails over; 1 and 2 take its status.
start_node()
{
	local lines=("failover_command = ''" "follow_primary_command = ''" "failback_command = ''")
	mapfile -t -O "${#lines[@]}" lines < <(wd_lo_leader_checks "$1")
	if [ "$1" = 0 ]; then lines+=("builtin_failover = on"); else lines+=("builtin_failover = off"); fi
	wd_lo_start_node "$1" "${lines[@]}"
}

shows() { [ "$(wd_lo_field "$1" "$2" "$3")" = "$4" ]; }
standbys_show() { shows 1 "$1" "$2" "$3" && shows 2 "$1" "$2" "$3"; }

# pg_kill9 N: kill -9 of PostgreSQL node N (postmaster first, then its children).
pg_kill9()
{
	local data_var="PGNG_PG_DATA$1" pm
	pm=$(head -n 1 "${!data_var}/postmaster.pid")
	kill -9 "$pm" $(pgrep -P "$pm") 2>/dev/null
}

start_node 0
start_node 1
start_node 2
watch_until 'one_leader && [ "${TSTATE[0]}" = LEADER ] && [ "$(count_state STANDBY)" = 2 ]' 20000 \
	"node 0 does not lead two standbys"
for i in 0 1 2; do
	wait_for "shows $i 0 7 primary && shows $i 2 4 up || shows $i 2 4 waiting" 20 \
		"node $i does not show node0 the primary and node2 up"
done
note "start: node 0 leads; every pooler shows node0 the primary and node2 up"

# a standby's PostgreSQL dies: only the leader's health check sees it
pg_kill9 2
t0=$(now_ms)
wait_for "shows 0 2 4 down" 30 "the leader did not fail node2 over"
t1=$(now_ms)
wait_for "standbys_show 2 4 down" 15 "the standby poolers do not show node2 down"
t2=$(now_ms)
note "standby node2 killed: leader detached it after $((t1 - t0)) ms; standby poolers show it down $((t2 - t1)) ms later"
for i in 1 2; do
	grep -q "the leader (node 0) has backend 2 down; taking its status" "${DIR[i]}/log" ||
		fail "node $i's log does not say it took the leader's status"
	grep -q "node 2 (127.0.0.1:.*) detached: the watchdog leader has it down" "${DIR[i]}/log" ||
		fail "node $i's failover process did not detach node2 as the leader's status"
	shows "$i" 0 7 primary || fail "node $i no longer shows node0 the primary"
done

# the primary dies: the leader promotes node1; the standby poolers take the new primary
pg_kill9 0
t0=$(now_ms)
wait_for "shows 0 0 4 down && shows 0 1 7 primary" 90 "the leader did not fail the primary over to node1"
t1=$(now_ms)
wait_for "standbys_show 0 4 down && standbys_show 1 7 primary" 15 \
	"the standby poolers do not show node0 down and node1 the primary"
t2=$(now_ms)
note "primary killed: the leader had node1 promoted after $((t1 - t0)) ms; standby poolers show it $((t2 - t1)) ms later"
for i in 1 2; do
	grep -q "the leader (node 0) has backend 1 the primary; taking its status" "${DIR[i]}/log" ||
		fail "node $i's log does not say it took the leader's primary"
	! grep -q "builtin failover\|failover_command\|no new primary found" "${DIR[i]}/log" ||
		fail "standby pooler $i ran a failover step of its own"
done
grep -q "builtin failover: promoting node 1" "${DIR[0]}/log" || fail "the leader did not promote node1"
[ "$(PGCONNECT_TIMEOUT=5 psql -XAtq -h 127.0.0.1 -p "${PORT[1]}" -U "$PGNG_PG_SUPERUSER" -d postgres \
	-c "SELECT pg_is_in_recovery()")" = f ] || fail "a session through standby pooler 1 is not on the new primary"
note "a session through standby pooler 1 reaches the new primary"
for i in 0 1 2; do kill_node "$i"; done
