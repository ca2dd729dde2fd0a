#!/usr/bin/env bash
# Watchdog: three pgpool-ng nodes on 127.0.0.1 (distinct ports) in front of the regress cluster.
# Every 100 ms each running watchdog's own word (its process title) is read, and at each milestone every
# node is asked over PCP (pcp_watchdog_info -v -n 0): never may two nodes lead with quorum. Start: one
# leader, 3 nodes, quorum, output equal to pgpool-II's pcp_watchdog_info. kill -9 of every
# process of the leader's pgpool-ng: another leader within wd_heartbeat_deadtime + 2 s; the killed
# node restarts and rejoins as standby without taking over. Two of three gone: the survivor has no
# quorum and is not the leader.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
require_bin pgpool pg_md5 pcp_watchdog_info

DEADTIME=3
BOUND_MS=$(( (DEADTIME + 2) * 1000 ))
PCP_USER=pcpadmin
WD_TOOL=${PGNG_WD_TOOL:-$PGNG_BIN/pcp_watchdog_info}
export PCPPASSFILE=$PGNG_TMP/pcppass
: >"$PCPPASSFILE"
chmod 600 "$PCPPASSFILE"

USED=()
take_port()
{
	local p
	p=$(free_port "${USED[@]}")
	USED+=("$p")
	echo "$p"
}

declare -a PORT PCP WDP HBP DIR
PID=("" "" ""); WDPID=("" "" ""); TSTATE=("" "" ""); PCP_LEADERS=(); STATE=("" "" ""); QUORUM=("" "" ""); TOTAL=("" "" ""); LEADERNAME=("" "" ""); NAME=("" "" ""); LEADERS=()
for i in 0 1 2; do
	PORT[i]=$(take_port); USED+=("${PORT[i]}")
	PCP[i]=$(take_port); USED+=("${PCP[i]}")
	WDP[i]=$(take_port); USED+=("${WDP[i]}")
	HBP[i]=$(take_port); USED+=("${HBP[i]}")
	DIR[i]=$PGNG_TMP/wd$i
done

wd_lines()
{
	local i
	echo "use_watchdog = on"
	echo "wd_authkey = 'regress-150'"
	echo "wd_lifecheck_method = 'heartbeat'"
	echo "wd_heartbeat_keepalive = 1"
	echo "wd_heartbeat_deadtime = $DEADTIME"
	echo "log_min_messages = info"
	for i in 0 1 2; do
		echo "hostname$i = '127.0.0.1'"
		echo "wd_port$i = ${WDP[i]}"
		echo "pgpool_port$i = ${PORT[i]}"
		echo "heartbeat_hostname$i = '127.0.0.1'"
		echo "heartbeat_port$i = ${HBP[i]}"
	done
}

# start_node I: pgpool-ng node I in DIR[I], waits until it serves sessions (bounded).
start_node()
{
	local node=$1 lines
	PGPOOL_DIR=${DIR[node]}
	PGPOOL_PORT=${PORT[node]}
	mkdir -p "$PGPOOL_DIR"
	rm -f "$PGPOOL_DIR/pgpool.pid"
	mapfile -t lines < <(wd_lines)
	# (pgpool_write_conf's loop variable is i: this function uses node)
	pgpool_write_conf "pcp_port = ${PCP[node]}" "${lines[@]}"
	echo "$node" >"$PGPOOL_DIR/pgpool_node_id"
	echo "$PCP_USER:$("$PGNG_BIN/pg_md5" secret)" >"$PGPOOL_DIR/pcp.conf"
	grep -q ":${PCP[node]}:" "$PCPPASSFILE" || echo "127.0.0.1:${PCP[node]}:$PCP_USER:secret" >>"$PCPPASSFILE"
	pgpool_start
	PID[node]=$PGPOOL_PID
	WDPID[node]=
	wait_for "[ -n \"\$(watchdog_pid $node)\" ]" 10 "node $node has no watchdog process"
	watchdog_pid "$node" >/dev/null
}

# kill_node I: kill -9 of the node's parent and every process below it, by pid.
kill_node()
{
	local node=$1 pids=() queue=("${PID[$1]}") p
	while [ ${#queue[@]} -gt 0 ]; do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		pids+=("$p")
		# shellcheck disable=SC2207
		queue+=($(pgrep -P "$p"))
	done
	KILLED_AT=$(now_ms)
	kill -9 "${pids[@]}" 2>/dev/null
	wait "${PID[node]}" 2>/dev/null
	PID[node]=
	WDPID[node]=
	wait_for "! kill -0 ${pids[*]} 2>/dev/null" 10 "processes of node $node did not die"
}

# wd_info I: pcp_watchdog_info -v -n 0 of node I (bounded); empty when it does not answer.
wd_info()
{
	timeout 2 "$WD_TOOL" -h 127.0.0.1 -p "${PCP[$1]}" -U "$PCP_USER" -w -v -n 0 2>/dev/null
}

# watchdog_pid I: the watchdog process of node I (title "pgpool: watchdog..."), cached per start.
watchdog_pid()
{
	local node=$1 pid title
	if [ -n "${WDPID[node]}" ] && [ -r "/proc/${WDPID[node]}/cmdline" ]; then
		echo "${WDPID[node]}"
		return
	fi
	for pid in $(pgrep -P "${PID[node]}"); do
		IFS= read -r -d '' title <"/proc/$pid/cmdline" 2>/dev/null
		case $title in "pgpool: watchdog"*) WDPID[node]=$pid; echo "$pid"; return ;; esac
	done
}

# sample: the fast probe, every 100 ms: each running node's watchdog title says what it believes
# it is ("pgpool: watchdog: LEADER" only while it holds a majority of votes). Sets TSTATE[i] and
# LEADERS; fails at once when two nodes lead. Reads /proc with builtins only, so it stays cheap.
SAMPLES=0
WATCHED_MS=0
MAX_GAP_MS=0
LAST_SAMPLE_MS=0
sample()
{
	local i pid title now
	LEADERS=()
	for i in 0 1 2; do
		TSTATE[i]=
		[ -n "${PID[i]}" ] || continue
		pid=${WDPID[i]}
		title=
		[ -n "$pid" ] && IFS= read -r -d '' title <"/proc/$pid/cmdline" 2>/dev/null
		TSTATE[i]=${title#pgpool: watchdog: }
		[ "${TSTATE[i]}" = LEADER ] && LEADERS+=("$i")
	done
	now=$(now_ms)
	if [ "$LAST_SAMPLE_MS" -gt 0 ] && [ $((now - LAST_SAMPLE_MS)) -gt "$MAX_GAP_MS" ]; then
		MAX_GAP_MS=$((now - LAST_SAMPLE_MS))
	fi
	LAST_SAMPLE_MS=$now
	SAMPLES=$((SAMPLES + 1))
	[ ${#LEADERS[@]} -le 1 ] || fail "two nodes lead at once: ${LEADERS[*]} (states: ${TSTATE[*]})"
}

field() { sed -n "s/^$1 *: //p" | head -1; }

# pcp_sample: the same question through PCP (what users see), for every running node: STATE[i],
# QUORUM[i], TOTAL[i], LEADERNAME[i], NAME[i]; PCP_LEADERS = nodes that say LEADER with quorum.
pcp_sample()
{
	local i out
	PCP_LEADERS=()
	for i in 0 1 2; do
		STATE[i]=; QUORUM[i]=; TOTAL[i]=; LEADERNAME[i]=; NAME[i]=
		[ -n "${PID[i]}" ] || continue
		out=$(wd_info "$i")
		STATE[i]=$(printf '%s\n' "$out" | field "Status Name")
		QUORUM[i]=$(printf '%s\n' "$out" | field "Quorum state")
		TOTAL[i]=$(printf '%s\n' "$out" | field "Total Nodes")
		LEADERNAME[i]=$(printf '%s\n' "$out" | field "Leader Node Name")
		NAME[i]=$(printf '%s\n' "$out" | field "Node Name")
		if [ "${STATE[i]}" = LEADER ] && [ "${QUORUM[i]}" = "QUORUM EXIST" ]; then
			PCP_LEADERS+=("$i")
		fi
	done
	[ ${#PCP_LEADERS[@]} -le 1 ] || fail "PCP: two nodes lead with quorum: ${PCP_LEADERS[*]} (${STATE[*]})"
}

now_ms() { date +%s%3N; }

# watch_until COND LIMIT_MS MSG [START_MS]: samples every 100 ms until COND holds, at most LIMIT_MS
# after START_MS (default: now); sets ELAPSED_MS (since START_MS).
watch_until()
{
	local cond=$1 limit=$2 msg=$3 start=${4:-} next began
	[ -n "$start" ] || start=$(now_ms)
	began=$(now_ms)
	LAST_SAMPLE_MS=0
	while :; do
		next=$(( $(now_ms) + 100 ))
		sample
		if eval "$cond"; then
			ELAPSED_MS=$(( $(now_ms) - start ))
			WATCHED_MS=$(( WATCHED_MS + $(now_ms) - began ))
			return 0
		fi
		[ $(( $(now_ms) - start )) -le "$limit" ] || fail "$msg (after ${limit} ms; states: ${TSTATE[*]})"
		while [ "$(now_ms)" -lt "$next" ]; do sleep 0.01; done
	done
}

# watch_for MS: samples every 100 ms for that long (the two-leader check runs in each sample).
watch_for()
{
	local until=$(( $(now_ms) + $1 ))
	watch_until "[ \$(now_ms) -ge $until ]" $(( $1 + 5000 )) "watch"
}

one_leader() { [ ${#LEADERS[@]} -eq 1 ]; }

# ---- start: one leader, 3 nodes, quorum ----
T0=$(now_ms)
for i in 0 1 2; do start_node "$i"; done
watch_until 'one_leader && [ "$(printf "%s\n" "${TSTATE[@]}" | grep -c "^STANDBY$")" = 2 ]' 20000 \
	"no single leader with two standbys"
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

# the JSON our PCP server sends reads the same with pgpool-II's own pcp_watchdog_info
DEBIAN_TOOL=/usr/sbin/pcp_watchdog_info
if [ -x "$DEBIAN_TOOL" ]; then
	for i in 0 1 2; do
		for args in "" "-v" "-n 1" "-v -n 2" "-n 5"; do
			# shellcheck disable=SC2086
			ours=$(timeout 5 "$PGNG_BIN/pcp_watchdog_info" -h 127.0.0.1 -p "${PCP[i]}" -U "$PCP_USER" -w $args 2>&1)
			# shellcheck disable=SC2086
			theirs=$(timeout 5 "$DEBIAN_TOOL" -h 127.0.0.1 -p "${PCP[i]}" -U "$PCP_USER" -w $args 2>&1 | tr -d '\0')
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

# ---- two of three gone: the survivor steps down and has no quorum ----
S=$L
FIRST_KILL=
for i in 0 1 2; do
	[ "$i" = "$S" ] && continue
	kill_node "$i"
	[ -n "$FIRST_KILL" ] || FIRST_KILL=$KILLED_AT
done
watch_until '[ "${TSTATE[S]}" != LEADER ]' "$BOUND_MS" "survivor $S still leads" "$KILLED_AT"
note "two of three killed: survivor $S is not leader $ELAPSED_MS ms after the second kill (${TSTATE[S]})"
watch_until 'pcp_sample; [ "${QUORUM[S]}" = "QUORUM ABSENT" ]' "$BOUND_MS" \
	"survivor $S still reports quorum" "$KILLED_AT"
note "survivor $S reports QUORUM ABSENT $ELAPSED_MS ms after the second kill"
watch_for 4000
[ "${TSTATE[S]}" != LEADER ] || fail "survivor became leader without quorum"
pcp_sample
[ "${STATE[S]}" != LEADER ] || fail "PCP: survivor says it leads without quorum"
note "samples: $SAMPLES in $WATCHED_MS ms of watching, longest gap between two $MAX_GAP_MS ms; never two leaders"
PGPOOL_PID=${PID[S]}; PGPOOL_DIR=${DIR[S]}
pgpool_stop fast
