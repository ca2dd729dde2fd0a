#!/usr/bin/env bash
# failover_on_backend_error under failover consensus: three pgpool-ng nodes on 127.0.0.1 with the
# watchdog, failover_require_consensus = on, and no health check or sr check, so that only the
# children's backend errors vote. Standby node2's PostgreSQL is stopped; a session through a
# pooler then fails to connect to it (load balancing connects every node) and that child's request
# is one vote, held for 15 s (WD_MIN_VOTE_HOLD_MS, no health-check timings):
#   - sessions through one non-leader pooler only: 1 vote of 2 needed, node2 stays up everywhere;
#   - then a session through the other non-leader: 2 votes, the leader fails node2 over once (it
#     never saw the error itself), and the other two poolers take its status;
#   - node2 back and attached, then stopped again: votes of the two non-leaders further apart than
#     the hold are counted one at a time, and nothing fails over;
#   - two poolers killed: a backend error on the survivor (the leader) is refused for want of
#     quorum and fails nothing over.
# A session through a pooler votes as soon as it opens, so while only one pooler may have voted the
# others' status is read over PCP, never with a session. PostgreSQL node2 runs again at the end.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/watchdog.sh"
. "$PGNG_SRC/regress/lib/wd_loopback.sh"
require_bin pgpool pg_md5 pcp_watchdog_info pcp_node_info pcp_attach_node

[ "$(id -u)" -eq 0 ] && chown "$PGNG_OS_USER:" "$PGNG_TMP"
HOLD_MS=15000
QUEUED="failover of the node requested (failover_on_backend_error)"
VOTED="failover of node 2 is decided by the watchdog leader: this node voted for it (failover_require_consensus = on)"
WD_AUTHKEY=regress-158
wd_lo_ports
wd_pcp_setup

start_node()
{
	wd_lo_start_node "$1" "failover_when_quorum_exists = on" "failover_require_consensus = on" \
		"health_check_period = 0" "sr_check_period = 0" "failover_on_backend_error = on" \
		"load_balance_mode = on" "connection_cache = off" "num_init_children = 2" \
		"failover_command = ''" "follow_primary_command = ''" "failback_command = ''"
}

# session I: one session through node I (a read; it also connects the standbys).
session()
{
	PGCONNECT_TIMEOUT=5 timeout 15 "$PGNG_PG_BIN/psql" -XAtq -h 127.0.0.1 -p "${PORT[$1]}" -U "$PGNG_PG_SUPERUSER" \
		-d postgres -c "SELECT 1" >/dev/null 2>&1
}

# show_status I B: backend B's status through node I's SHOW pool_nodes (a session: it votes).
show_status()
{
	PGCONNECT_TIMEOUT=5 timeout 15 "$PGNG_PG_BIN/psql" -XAtq -h 127.0.0.1 -p "${PORT[$1]}" -U "$PGNG_PG_SUPERUSER" \
		-d postgres -F '|' -c "SHOW pool_nodes" 2>/dev/null | awk -F'|' -v b="$2" '$1 == b { print $4 }'
}

# pcp_status I B: backend B's status as node I's PCP server reports it (no session, no vote).
pcp_status()
{
	timeout 10 "$PGNG_BIN/pcp_node_info" -h 127.0.0.1 -p "${PCP[$1]}" -U "$WD_PCP_USER" -w -n "$2" \
		2>/dev/null | awk '{ print $5 }'
}
is_up() { case $1 in up | waiting) return 0 ;; esac; return 1; }
log_has() { grep -q "$2" "${DIR[$1]}/log"; }
log_count() { grep -c "$2" "${DIR[$1]}/log"; }

# pg_node2 start|stop: PostgreSQL standby node2 (start waits until it streams from node0).
pg_node2()
{
	if [ "$1" = stop ]; then
		run_as_os_user "$PGNG_PG_BIN/pg_ctl" -D "$PGNG_PG_DATA2" -m fast -w -t 60 stop >/dev/null ||
			fail "PostgreSQL node2 did not stop"
		return
	fi
	run_as_os_user "$PGNG_PG_BIN/pg_ctl" -D "$PGNG_PG_DATA2" -l "$PGNG_TMP/node2.log" -w -t 60 start >/dev/null ||
		fail "PostgreSQL node2 did not start: $(tail -5 "$PGNG_TMP/node2.log" 2>/dev/null)"
	wait_for "psql_at $PGNG_PG_PORT0 \"SELECT 1 FROM pg_stat_replication WHERE application_name = 'node2' AND state = 'streaming'\" | grep -q 1" 60 \
		"PostgreSQL node2 streams again"
}

# vote_through I: sessions through node I until its log says it voted once more; sets VOTE_MS.
vote_through()
{
	local before
	before=$(log_count "$1" "$VOTED")
	wait_for "session $1; [ \$(log_count $1 '$VOTED') -gt $before ] || log_has $1 '$QUEUED'" 20 \
		"node $1 saw no backend error of node2"
	VOTE_MS=$(now_ms)
	! log_has "$1" "$QUEUED" || fail "node $1 bypassed the consensus: $(grep "$QUEUED" "${DIR[$1]}/log" | head -1)"
	grep "backend node 2 (127.0.0.1:$PGNG_PG_PORT2) failed" "${DIR[$1]}/log" | grep -q "$VOTED" ||
		fail "node $1's log does not tie its vote to the failed connection to node2"
}

start_node 0
start_node 1
start_node 2
watch_until 'one_leader && [ "$(count_state STANDBY)" = 2 ]' 30000 "no single leader with two standbys"
L=${LEADERS[0]}
X=$(( (L + 1) % 3 ))
Y=$(( (L + 2) % 3 ))
note "start: node $L leads; nodes $X and $Y are standbys; no health check, no sr check"

# --- one pooler sees the backend error: one vote of two needed, nothing fails over ---------------
pg_node2 stop
vote_through "$X"
VOTE_X_MS=$VOTE_MS
wait_for "log_has $L 'backend 2: 1 of 3 watchdog nodes vote to fail it over'" 15 \
	"leader $L did not count node $X's vote"
watch_for $(( VOTE_X_MS + 6000 > $(now_ms) ? VOTE_X_MS + 6000 - $(now_ms) : 0 ))
st=$(show_status "$X" 2)
is_up "$st" || fail "one vote: backend 2 is '$st' through node $X's SHOW pool_nodes, not up"
for i in "$L" "$Y"; do
	st=$(pcp_status "$i" 2)
	is_up "$st" || fail "one vote: backend 2 is '$st' on node $i (PCP), not up"
done
for i in 0 1 2; do
	! log_has "$i" "failover: request" || fail "one vote: node $i queued a failover: $(grep 'failover: request' "${DIR[i]}/log")"
done
for i in "$L" "$Y"; do
	! log_has "$i" "backend node 2 .* failed" || fail "node $i saw node2 fail too: more than one voter"
done
! log_has "$L" "failover of backend 2 requested" || fail "leader $L failed over on one vote"
log_has "$L" "backend 2: 1 of 3 watchdog nodes vote to fail it over (2 needed)" ||
	fail "leader $L does not need 2 votes: $(grep 'backend 2: ' "${DIR[L]}/log")"
note "one vote (node $X): backend 2 up on all three poolers $(( $(now_ms) - VOTE_X_MS )) ms after it; the leader counted 1 of 2 needed"

# --- a second pooler sees it: two votes, the leader fails node2 over once ------------------------
[ $(( $(now_ms) - VOTE_X_MS )) -lt $(( HOLD_MS - 5000 )) ] ||
	fail "too slow to test: node $X's vote is $(( $(now_ms) - VOTE_X_MS )) ms old, held $HOLD_MS ms"
vote_through "$Y"
VOTE_Y_MS=$VOTE_MS
wait_for "[ \"\$(pcp_status $L 2)\" = down ]" 30 "two votes: leader $L did not fail backend 2 over"
note "two votes (nodes $X, $Y, $(( VOTE_Y_MS - VOTE_X_MS )) ms apart): leader $L had node2 down $(( $(now_ms) - VOTE_Y_MS )) ms after the second vote"
log_has "$L" "backend 2: 2 of 3 watchdog nodes vote to fail it over (2 needed)" ||
	fail "the leader's log does not count two votes"
log_has "$L" "failover of backend 2 requested: 2 watchdog nodes found it down (2 needed)" ||
	fail "the leader's log does not name the consensus"
! log_has "$L" "backend node 2 .* failed" || fail "the leader saw node2 fail itself: it was to decide on votes only"
for i in "$X" "$Y"; do
	wait_for "[ \"\$(pcp_status $i 2)\" = down ]" 15 "standby $i does not show backend 2 down as the leader does"
done
for i in 0 1 2; do
	st=$(show_status "$i" 2)
	[ "$st" = down ] || fail "two votes: backend 2 is '$st' through node $i's SHOW pool_nodes, not down"
done
watch_for 3000
assert_eq 1 "$(log_count "$L" "failover of backend 2 requested")" "the leader requested node2's failover once"
assert_eq 1 "$(log_count "$L" "failover: request .* node 2 ")" "the leader carried out one failover of node2"
grep "failover: request .* node 2 " "${DIR[L]}/log" | grep -q "(flags 0x104," ||
	fail "the leader's failover is not its consensus request: $(grep 'failover: request' "${DIR[L]}/log")"
for i in "$X" "$Y"; do
	! grep "failover: request" "${DIR[i]}/log" | grep -qv "(flags 0x10," ||
		fail "standby $i ran a failover itself: $(grep 'failover: request' "${DIR[i]}/log")"
	log_has "$i" "the leader (node $L) has backend 2 down; taking its status" ||
		fail "standby $i did not take the leader's status"
done
note "exactly one failover (on leader $L, flags 0x104); standbys $X and $Y took its status"

# --- votes are held, not kept: node2 back and attached, then two votes further apart than the hold
pg_node2 start
timeout 30 "$PGNG_BIN/pcp_attach_node" -h 127.0.0.1 -p "${PCP[L]}" -U "$WD_PCP_USER" -w -n 2 >/dev/null ||
	fail "pcp_attach_node -n 2 on leader $L failed"
for i in 0 1 2; do
	wait_for "is_up \"\$(pcp_status $i 2)\"" 30 "node $i does not show node2 up again after the attach"
done
ONE="backend 2: 1 of 3 watchdog nodes vote"
ones=$(log_count "$L" "$ONE")
pg_node2 stop
vote_through "$X"
VOTE_X_MS=$VOTE_MS
wait_for "[ \$(log_count $L '$ONE') -gt $ones ]" 15 "leader $L did not count node $X's new vote"
# the leader's heartbeat view of node X loses the vote HOLD_MS after it, plus a heartbeat or two
watch_for $(( VOTE_X_MS + HOLD_MS + 3000 - $(now_ms) ))
vote_through "$Y"
VOTE_Y_MS=$VOTE_MS
wait_for "[ \$(log_count $L '$ONE') -gt $(( ones + 1 )) ]" 15 \
	"leader $L did not count node $Y's vote as the only one"
watch_for 5000
assert_eq 1 "$(log_count "$L" "backend 2: 2 of 3 watchdog nodes vote")" "votes $(( VOTE_Y_MS - VOTE_X_MS )) ms apart were counted together"
assert_eq 1 "$(log_count "$L" "failover of backend 2 requested")" "the leader failed over on votes $(( VOTE_Y_MS - VOTE_X_MS )) ms apart"
for i in "$L" "$X" "$Y"; do
	st=$(pcp_status "$i" 2)
	is_up "$st" || fail "expired vote: backend 2 is '$st' on node $i, not up"
done
note "votes of nodes $X and $Y $(( VOTE_Y_MS - VOTE_X_MS )) ms apart (hold $HOLD_MS ms): counted 1 at a time, node2 up on all three"

# --- no quorum: two poolers killed; a backend error on the survivor -----------------------------
kill_node "$X"
kill_node "$Y"
# not leading is not enough: the quorum goes only when the peers' deadtime has passed
watch_until '[ "${TSTATE[L]}" != LEADER ] && pcp_sample && [ "${QUORUM[L]}" = "QUORUM ABSENT" ]' 20000 \
	"node $L alone still leads or has quorum"
note "two poolers killed: node $L without quorum $(( $(now_ms) - KILLED_AT )) ms after the second kill"
from=$(( $(wc -l <"${DIR[L]}/log") + 1 ))
new_log_has() { tail -n +"$from" "${DIR[L]}/log" | grep -q "$1"; }
t0=$(now_ms)
wait_for "session $L; new_log_has 'backend node 2 .* failed'" 20 "the lone node $L saw no backend error of node2"
! new_log_has "failover: request" || fail "the lone node $L failed over without quorum: $(grep 'failover: request' "${DIR[L]}/log" | tail -1)"
new_log_has "failover of node 2 refused: the watchdog cluster has no quorum" ||
	fail "the lone node did not refuse node2's failover for want of quorum: $(grep 'backend node 2 .* failed' "${DIR[L]}/log" | tail -1)"
new_log_has "backend node 2 (127.0.0.1:$PGNG_PG_PORT2) failed" || fail "the survivor's refusal is not a backend error"
watch_for 5000
st=$(show_status "$L" 2)
is_up "$st" || fail "no quorum: backend 2 is '$st' on the lone node $L, not up"
! new_log_has "failover: request" || fail "the lone node $L failed over without quorum"
! new_log_has "voted for it" || fail "the lone node $L voted without quorum"
note "no quorum (node $L alone): the backend error refused $(( $(now_ms) - t0 )) ms ago, node2 still up, nothing failed over"
pg_node2 start
kill_node "$L"
exit 0
