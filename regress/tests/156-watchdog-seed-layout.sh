#!/usr/bin/env bash
# The seed's layout: three hosts (network namespaces on a private bridge this test makes,
# 10.213.156.0/24, nothing routed off it), each running one PostgreSQL node and one pgpool-ng node
# with the watchdog, the VIP 10.213.156.100 built in, builtin_failover, consensus on. Node 0 holds
# the primary and, by priority, the watchdog leader. Every 100 ms: the VIP in at most one namespace,
# never two leaders. Scenarios:
# - start: one leader with quorum, 3 nodes in pcp_watchdog_info, the VIP on the leader;
# - the seed's failure: the leader's host (with the primary) is cut off the bridge under writes
#   through the other two poolers and through the VIP. The others elect a leader and bring the VIP
#   up within wd_heartbeat_deadtime + 2 s, fail the primary over once, and no client on an intact
#   path waits longer than 10 s; no acknowledged commit is lost. The isolated node drops the VIP and
#   refuses writes. When the link comes back it rejoins as standby, takes the cluster's view, and its
#   old primary is fenced (read-only, reported for recovery);
# - the primary's PostgreSQL dies while all three poolers run: exactly one failover, and all three
#   poolers agree on the new primary;
# - two of three poolers die: the survivor gives the VIP up and fails no backend over.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/netns.sh"
. "$PGNG_SRC/regress/lib/watchdog.sh"
. "$PGNG_SRC/regress/lib/netns_pg.sh"
. "$PGNG_SRC/regress/lib/wd_netns.sh"
require_bin pgpool pg_md5 pcp_watchdog_info pcp_attach_node

WD_AUTHKEY=regress-156
WD_DEADTIME=3
BOUND_MS=$(( (WD_DEADTIME + 2) * 1000 ))	# by the new holder's log
WATCH_MS=$(( BOUND_MS + 2000 ))	# how long the sampler looks, a busy machine's delays included
CLIENT_LIMIT_S=10
netns_setup 3 10.213.156
VIP=10.213.156.100
nspg_setup
wd_pcp_setup

wd_node_extra()
{
	local j
	echo "delegate_ip = '$VIP'"
	echo "if_up_cmd = ''"
	echo "if_down_cmd = ''"
	echo "arping_cmd = ''"
	[ "$1" = 0 ] && echo "wd_priority = 2"
	echo "builtin_failover = on"
	echo "failover_command = ''"
	echo "follow_primary_command = ''"
	echo "failover_require_consensus = on"
	echo "failover_when_quorum_exists = on"
	echo "health_check_period = 1"
	echo "health_check_timeout = 3"
	echo "health_check_max_retries = 0"
	echo "sr_check_period = 1"
	echo "num_init_children = 8"
	for j in 0 1 2; do
		echo "backend_hostname$j = '${NETNS_IP[j]}'"
		echo "backend_port$j = $NSPG_PORT"
		echo "backend_data_directory$j = '$(nspg_data "$j")'"
	done
}

# pool_view I: "primary node, down nodes" as node I's pgpool-ng shows them (SHOW pool_nodes).
pool_view()
{
	wd_ns_psql "$1" "SHOW pool_nodes" 2>/dev/null |
		awk -F'|' '$7 == "primary" && $4 != "down" { p = $1 } $4 == "down" { d = d $1 } END { print p "," d }'
}
agree() { local v; v=$(pool_view 0); [ "$v" = "$(pool_view 1)" ] && [ "$v" = "$(pool_view 2)" ] && [ "$v" = "$1" ]; }

# load_in NAME NS HOST: one INSERT per connection from namespace NS through HOST:9999 (ids end in the
# load's number, so that loads never collide), each attempt
# logged to $PGNG_TMP/load-NAME as "<id> ok|fail <start epoch s> <duration s>" (attempts bounded by
# 30 s, so that a blocked one shows as a long one).
load_in()
{
	local name=$1 ns=$2 host=$3 log=$PGNG_TMP/load-$1 slot=${#LOAD_PIDS[@]}
	rm -f "$PGNG_TMP/load.stop"
	ip netns exec "${NETNS[ns]}" bash -c '
		i=0
		while [ ! -f "$1/load.stop" ] && [ $i -lt 100000 ]; do
			i=$((i + 1))
			id=$((i * 10 + $4))
			t0=$(date +%s.%N)
			if PGCONNECT_TIMEOUT=30 timeout 30 "$2/psql" -XAtq -h "$3" -p 9999 -U "$5" -d postgres \
				-c "INSERT INTO seed VALUES ($id)" >/dev/null 2>&1; then r=ok; else r=fail; fi
			echo "$id $r $t0 $(echo "$(date +%s.%N) - $t0" | bc)"
			[ $r = ok ] || sleep 0.05
		done' _ "$PGNG_TMP" "$PGNG_PG_BIN" "$host" "$slot" "$PGNG_PG_SUPERUSER" >"$log" 2>&1 &
	register_pid $!
	LOAD_PIDS+=("$!")
	wait_for "[ \$(grep -c ' ok ' $log) -ge 5 ]" 30 "write load $name runs"
}
LOAD_PIDS=()

# session_in NAME NS HOST: long-lived sessions from namespace NS through HOST:9999 (the seed's hang
# was a session whose backend was on the isolated host). Each sends an INSERT ... RETURNING every
# 100 ms; every answer (an id, an error) and every session start and end is logged with its time
# to $PGNG_TMP/session-NAME as "<epoch s> <text>". When a session ends, the next one starts.
session_in()
{
	local name=$1 ns=$2 host=$3 log=$PGNG_TMP/session-$1 slot=${#LOAD_PIDS[@]}
	ip netns exec "${NETNS[ns]}" bash -c '
		n=0
		while [ ! -f "$1/load.stop" ] && [ $n -lt 1000 ]; do
			n=$((n + 1))
			echo "$(date +%s.%N) start"
			i=0
			while [ ! -f "$1/load.stop" ] && [ $i -lt 100000 ]; do
				i=$((i + 1))
				echo "INSERT INTO seed VALUES ($(( (n * 100000 + i) * 10 + $4 ))) RETURNING id;"
				sleep 0.1
			done | PGCONNECT_TIMEOUT=30 "$2/psql" -XAtq -h "$3" -p 9999 -U "$5" -d postgres 2>&1 |
				while IFS= read -r line; do echo "$(date +%s.%N) $line"; done
			echo "$(date +%s.%N) end"
		done' _ "$PGNG_TMP" "$PGNG_PG_BIN" "$host" "$slot" "$PGNG_PG_SUPERUSER" >"$log" 2>&1 &
	register_pid $!
	LOAD_PIDS+=("$!")
	wait_for "[ \$(grep -cE '^[0-9.]+ [0-9]+\$' $log) -ge 5 ]" 30 "session load $name runs"
}
# session_gap NAME T: the longest time after epoch T that a session client heard nothing (no answer,
# no error, no end); session_back NAME T: seconds from T to the first commit after the first error
# or session end after T.
session_gap() { awk -v t="$2" '{ if (p && $1 > t && $1 - (p > t ? p : t) > m) m = $1 - (p > t ? p : t); p = $1 } END { printf "%.2f\n", m }' "$PGNG_TMP/session-$1"; }
session_back() { awk -v t="$2" '$1 > t && $2 !~ /^[0-9]+$/ { broke = 1 } $1 > t && broke && $2 ~ /^[0-9]+$/ { printf "%.2f\n", $1 - t; exit }' "$PGNG_TMP/session-$1"; }
load_stop_all() { touch "$PGNG_TMP/load.stop"; wait_for "! kill -0 ${LOAD_PIDS[*]} 2>/dev/null" 40 "write load stops"; LOAD_PIDS=(); }
# ok_after NAME T: an attempt begun after epoch T committed
ok_after() { awk -v t="$2" '$3 > t && $2 == "ok" { f = 1 } END { exit !f }' "$PGNG_TMP/load-$1"; }
longest_after() { awk -v t="$2" '$3 + $4 > t && $4 > m { m = $4 } END { printf "%.2f\n", m }' "$PGNG_TMP/load-$1"; }
back_after() { awk -v t="$2" '$3 > t && $2 == "ok" { printf "%.2f\n", $3 + $4 - t; exit }' "$PGNG_TMP/load-$1"; }

holds() { [ "$(vip_holder)" = "$1" ]; }
leader_holds() { one_leader && holds "${LEADERS[0]}"; }

WD_VIP=$VIP
wd_guard_start
for i in 0 1 2; do wd_ns_start_node "$i"; done
watch_until 'leader_holds && [ "$(count_state STANDBY)" = 2 ]' 30000 "no leader holding the VIP with two standbys"
L=${LEADERS[0]}
assert_eq 0 "$L" "node 0 (wd_priority 2) leads"
pcp_sample
assert_eq "3 3 3" "${TOTAL[*]}" "pcp_watchdog_info: 3 nodes on every node"
assert_eq "QUORUM EXIST QUORUM EXIST QUORUM EXIST" "${QUORUM[*]}" "quorum on every node"
assert_eq 0 "${PCP_LEADERS[*]}" "pcp_watchdog_info: node 0 leads with quorum"
wait_for "agree 0," 30 "the three poolers see node 0 as the primary, nothing down"
note "start: node 0 leads with quorum and holds $VIP; three poolers agree on primary 0"

# --- the seed's failure: the leader's host, which holds the primary, loses its network ---
wd_ns_psql 0 "CREATE TABLE seed (id bigint PRIMARY KEY)" || fail "create table"
load_in pooler1 1 127.0.0.1
load_in pooler2 2 127.0.0.1
load_in vip 2 "$VIP"
session_in session1 1 127.0.0.1
session_in session2 2 127.0.0.1
cut_ms=$(now_ms)
cut_s=$(echo "scale=3; $cut_ms / 1000" | bc)
netns_cut 0
watch_until 'leader_holds && [ "${LEADERS[0]}" != 0 ]' "$WATCH_MS" "no other node leads and holds the VIP" "$cut_ms"
N=${LEADERS[0]}
up=$(wd_vip_up_ms "$N" "$cut_ms" "$VIP")
[ -n "$up" ] || fail "node $N holds the VIP but its log does not say when it brought it up"
[ $((up - cut_ms)) -le "$BOUND_MS" ] || fail "node $N brought the VIP up $((up - cut_ms)) ms after the cut (bound $BOUND_MS ms)"
note "cut of leader 0 (primary host): node $N leads and holds the VIP $((up - cut_ms)) ms later" \
	"(bound $BOUND_MS ms; the sampler saw it after $ELAPSED_MS ms)"
# the isolated node: no VIP (the sampler shows it on $N only), not leading, refuses writes
[ "${TSTATE[0]}" != LEADER ] || fail "isolated node 0 still leads"
out=$(wd_ns_psql 0 "INSERT INTO seed VALUES (-1)" 2>&1) && fail "isolated node 0 took a write"
assert_contains "$out" "quorum" "isolated node 0 refuses writes for lack of quorum"
note "isolated node 0 refuses writes: $(printf '%s' "$out" | head -1)"
for name in pooler1 pooler2 vip; do
	watch_until "ok_after $name $cut_s" 30000 "writes through $name do not come back"
done
for name in session1 session2; do
	watch_until "[ -n \"\$(session_back $name $cut_s)\" ]" 30000 "sessions through $name do not commit again"
done
load_stop_all
P=$(pool_view "$N" | cut -d, -f1)
[ "$P" = 1 ] || [ "$P" = 2 ] || fail "no new primary in node $N's view: $(pool_view "$N")"
for name in pooler1 pooler2 vip; do
	longest=$(longest_after "$name" "$cut_s")
	note "$name: writes back $(back_after "$name" "$cut_s") s after the cut; longest attempt $longest s;" \
		"$(grep -c ' fail ' "$PGNG_TMP/load-$name") failed, $(grep -c ' ok ' "$PGNG_TMP/load-$name") committed"
	[ "$(echo "$longest <= $CLIENT_LIMIT_S" | bc)" = 1 ] || fail "a client through $name waited $longest s (limit $CLIENT_LIMIT_S s)"
done
for name in session1 session2; do
	gap=$(session_gap "$name" "$cut_s")
	note "$name: $(awk -v t="$cut_s" '$1 > t && $2 !~ /^[0-9]+$/ { $1 = ""; print substr($0, 2); exit }' "$PGNG_TMP/session-$name");" \
		"a new session commits $(session_back "$name" "$cut_s") s after the cut; longest silence $gap s;" \
		"$(grep -c ' start$' "$PGNG_TMP/session-$name") sessions, $(grep -cE '^[0-9.]+ [0-9]+$' "$PGNG_TMP/session-$name") commits"
	[ "$(echo "$gap <= $CLIENT_LIMIT_S" | bc)" = 1 ] || fail "a session through $name heard nothing for $gap s (limit $CLIENT_LIMIT_S s)"
	grep -q "pgpool-ng: backend node 0 (${NETNS_IP[0]}:$NSPG_PORT) \(is being failed over\|was detached\)" \
		"$PGNG_TMP/session-$name" || fail "no session through $name was told that node 0 is failed over"
done
lost=$(comm -23 <( (awk '$2 == "ok" { print $1 }' "$PGNG_TMP"/load-*; awk '$2 ~ /^[0-9]+$/ { print $2 }' "$PGNG_TMP"/session-*) | sort) \
	<(nspg_psql "$P" "SELECT id FROM seed" | sort) | tr '\n' ' ')
assert_eq "" "$lost" "acknowledged commits missing on the new primary $P"
promotions=$(cat "$PGNG_TMP"/wd*/log | grep -c "builtin failover: node [0-9] is the new primary")
assert_eq 1 "$promotions" "exactly one promotion during the cut"
wait_for "[ \"\$(pool_view 1)\" = \"$P,0\" ] && [ \"\$(pool_view 2)\" = \"$P,0\" ]" 20 "both surviving poolers have primary $P, node 0 down"

# --- the link comes back ---
heal_ms=$(now_ms)
netns_heal 0
watch_until '[ "${TSTATE[0]}" = STANDBY ] && leader_holds && [ "${LEADERS[0]}" = '"$N"' ]' 20000 \
	"node 0 does not rejoin as standby under leader $N"
note "link of node 0 back: standby after $(( $(now_ms) - heal_ms )) ms, the VIP stays on node $N"
wait_for "agree $P,0" 20 "the three poolers agree: primary $P, node 0 down"
wait_for "[ \"\$(nspg_try 0 'SHOW default_transaction_read_only')\" = on ]" 20 "the old primary on node 0 is not fenced"
out=$(nspg_try 0 "INSERT INTO seed VALUES (-2)")
assert_contains "$out" "read-only transaction" "a direct write on the fenced old primary fails"
grep -h "pcp_recovery_node -n 0" "$PGNG_TMP"/wd*/log >/dev/null || fail "the old primary is not reported for recovery"
note "node 0's old primary fenced $(( $(now_ms) - heal_ms )) ms after the heal (default_transaction_read_only on)"

# node 0 rebuilt as a standby of the new primary, attached through the leader
nspg_as 0 "$PGNG_PG_BIN/pg_ctl" stop -m fast -w -t 30 -D "$(nspg_data 0)" >/dev/null || fail "stop old primary"
rm -rf "$(nspg_data 0)"
NSPG_SOURCE=$P nspg_add_standby 0
wait_for "[ \"\$(nspg_psql $P \"SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'\")\" = 2 ]" 60 \
	"node 0 does not stream from the new primary $P"
wd_tool "$N" -n 0 >/dev/null 2>&1
ip netns exec "${NETNS[N]}" timeout 30 "$PGNG_BIN/pcp_attach_node" -h 127.0.0.1 -p 9898 -U "$WD_PCP_USER" -w -n 0 >/dev/null ||
	fail "pcp_attach_node -n 0 on leader $N"
wait_for "agree $P," 30 "the three poolers do not agree on node 0 attached"
note "node 0 rebuilt from node $P and attached: the three poolers agree"

# --- the primary's PostgreSQL dies while all three poolers run ---
before=$(cat "$PGNG_TMP"/wd*/log | grep -c "builtin failover: node [0-9] is the new primary")
nspg_kill "$P"
wait_for "[ -n \"\$(pool_view $N | cut -d, -f1)\" ] && [ \"\$(pool_view $N | cut -d, -f1)\" != $P ]" 30 \
	"no new primary after node $P's PostgreSQL died"
Q=$(pool_view "$N" | cut -d, -f1)
wait_for "agree $Q,$P" 30 "the three poolers do not agree on primary $Q with node $P down"
note "PostgreSQL of primary $P killed: the three poolers agree on primary $Q $(( $(date +%s%3N) - NSPG_KILLED_AT )) ms later"
watch_for 3000
after=$(cat "$PGNG_TMP"/wd*/log | grep -c "builtin failover: node [0-9] is the new primary")
assert_eq 1 $((after - before)) "exactly one failover for the dead primary (three poolers)"
for i in 0 1 2; do
	[ "$i" = "$P" ] && continue
	r=$(nspg_psql "$i" "SELECT pg_is_in_recovery()")
	if [ "$i" = "$Q" ]; then assert_eq f "$r" "node $Q is the primary"; else assert_eq t "$r" "node $i is a standby"; fi
done
wd_ns_psql "$N" "INSERT INTO seed VALUES (-3)" || fail "a write through leader $N after the failover"

# --- two of three poolers die: the survivor has no quorum, gives the VIP up, fails nothing over ---
S=$N
for i in 0 1 2; do [ "$i" = "$S" ] || kill_node "$i"; done
watch_until '[ -z "$(vip_holder)" ] && [ "${TSTATE[S]}" != LEADER ]' "$WATCH_MS" \
	"the lone survivor $S keeps the VIP without quorum" "$KILLED_AT"
note "two of three poolers killed: the survivor $S gave the VIP up $ELAPSED_MS ms later"
view=$(pool_view "$S")
for i in 0 1 2; do [ "$i" = "$Q" ] || [ "$i" = "$P" ] || O=$i; done
nspg_kill "$O"
watch_for 6000
assert_eq "$view" "$(pool_view "$S")" "the survivor without quorum failed node $O over"
grep -q "node $O" "$PGNG_TMP/wd$S/log" || fail "no trace of node $O's health check failing on the survivor"
wd_summary
wd_guard_stop
note "VIP samples: $VIP_SAMPLES (ip -n NS addr in each namespace); never two holders"
kill_node "$S"
