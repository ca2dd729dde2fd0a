# shellcheck shell=bash
# Watching a three-node pgpool-ng watchdog cluster (regress 150-157). A test sources this after
# testlib.sh and pgpool.sh, sets per node i: PID[i] (pgpool-ng's parent), PCP[i] (its PCP port) and,
# when the node runs in a network namespace, NODE_EXEC[i] ("ip netns exec NAME"); then:
#   watch_until COND LIMIT_MS MSG [START_MS]   sample every 100 ms until COND; fail after LIMIT_MS
#   watch_for MS                               sample every 100 ms for MS
#   pcp_sample                                 ask every node over PCP (pcp_watchdog_info -v -n 0)
#   kill_node I                                kill -9 of node I's processes, by pid; sets KILLED_AT
#   WD_VIP=ADDRESS (with lib/netns.sh)         every sample also lists the namespaces holding ADDRESS
#                                              (ip -n NS addr) in VIPHOLDERS; two holders fail at once
# Every sample fails the test at once when two nodes lead. The fast sample reads each watchdog
# process's title ("pgpool: watchdog: LEADER" only while it holds a majority of votes) with shell
# builtins, so that it keeps its 100 ms pace on a loaded machine.

WD_PCP_USER=pcpadmin
WD_AUTHKEY=${WD_AUTHKEY:-regress}
WD_DEADTIME=${WD_DEADTIME:-3}
WD_TOOL=${PGNG_WD_TOOL:-$PGNG_BIN/pcp_watchdog_info}
PID=("" "" ""); PCP=("" "" ""); NODE_EXEC=("" "" ""); WDPID=("" "" "")
TSTATE=("" "" ""); STATE=("" "" ""); QUORUM=("" "" ""); TOTAL=("" "" "")
LEADERNAME=("" "" ""); NAME=("" "" ""); LEADERS=(); PCP_LEADERS=()
SAMPLES=0
WD_VIP=
VIPHOLDERS=()
VIP_SAMPLES=0
WATCHED_MS=0
MAX_GAP_MS=0
LAST_SAMPLE_MS=0
KILLED_AT=0

now_ms() { date +%s%3N; }

# wd_conf_common: the pgpool.conf lines every watchdog test node has (WD_AUTHKEY, WD_DEADTIME).
wd_conf_common()
{
	echo "use_watchdog = on"
	echo "wd_authkey = '$WD_AUTHKEY'"
	echo "wd_lifecheck_method = 'heartbeat'"
	echo "wd_heartbeat_keepalive = 1"
	echo "wd_heartbeat_deadtime = $WD_DEADTIME"
	echo "log_min_messages = info"
}

# wd_pcp_setup: pcp.conf lines for $WD_PCP_USER/secret, and PCPPASSFILE.
wd_pcp_setup()
{
	export PCPPASSFILE=$PGNG_TMP/pcppass
	: >"$PCPPASSFILE"
	chmod 600 "$PCPPASSFILE"
}

# wd_pcp_conf DIR PORT: pcp.conf in DIR, and the password for 127.0.0.1:PORT.
wd_pcp_conf()
{
	echo "$WD_PCP_USER:$("$PGNG_BIN/pg_md5" secret)" >"$1/pcp.conf"
	grep -q "^127.0.0.1:$2:" "$PCPPASSFILE" || echo "127.0.0.1:$2:$WD_PCP_USER:secret" >>"$PCPPASSFILE"
}

# wd_tool I ARGS...: pcp_watchdog_info against node I (bounded).
wd_tool()
{
	local node=$1
	shift
	# shellcheck disable=SC2086
	${NODE_EXEC[node]} timeout 5 "$WD_TOOL" -h 127.0.0.1 -p "${PCP[node]}" -U "$WD_PCP_USER" -w "$@"
}

# watchdog_pid I: the watchdog process of node I, cached until it goes away.
watchdog_pid()
{
	local node=$1 pid title
	if [ -n "${WDPID[node]}" ] && [ -r "/proc/${WDPID[node]}/cmdline" ]; then
		echo "${WDPID[node]}"
		return
	fi
	for pid in $(pgrep -P "${PID[node]}"); do
		IFS= read -r -d '' title 2>/dev/null <"/proc/$pid/cmdline"
		case $title in "pgpool: watchdog"*) WDPID[node]=$pid; echo "$pid"; return ;; esac
	done
}

# wd_wait_watchdog I: waits (bounded) until node I's watchdog process runs.
wd_wait_watchdog()
{
	WDPID[$1]=
	wait_for "[ -n \"\$(watchdog_pid $1)\" ]" 10 "node $1 has no watchdog process"
	watchdog_pid "$1" >/dev/null
}

sample()
{
	local i pid title stat now
	LEADERS=()
	for i in 0 1 2; do
		TSTATE[i]=
		[ -n "${PID[i]}" ] || continue
		pid=${WDPID[i]}
		title=
		stat=
		[ -n "$pid" ] && IFS= read -r -d '' title 2>/dev/null <"/proc/$pid/cmdline"
		[ -n "$pid" ] && read -r stat 2>/dev/null <"/proc/$pid/stat"
		TSTATE[i]=${title#pgpool: watchdog: }
		stat=${stat##*) }
		# a stopped process acts on nothing: its title is what it thought before it was stopped
		[ "${stat%% *}" = T ] && TSTATE[i]=STOPPED
		[ "${TSTATE[i]}" = LEADER ] && LEADERS+=("$i")
	done
	now=$(now_ms)
	if [ "$LAST_SAMPLE_MS" -gt 0 ] && [ $((now - LAST_SAMPLE_MS)) -gt "$MAX_GAP_MS" ]; then
		MAX_GAP_MS=$((now - LAST_SAMPLE_MS))
	fi
	LAST_SAMPLE_MS=$now
	SAMPLES=$((SAMPLES + 1))
	[ ${#LEADERS[@]} -le 1 ] || fail "two nodes lead at once: ${LEADERS[*]} (states: ${TSTATE[*]})"
	[ -z "$WD_VIP" ] || vip_sample
}

# vip_sample: the namespaces whose interfaces carry $WD_VIP now.
vip_sample()
{
	local i out
	VIPHOLDERS=()
	for i in "${!NETNS[@]}"; do
		out=$(ip -n "${NETNS[i]}" -o -4 addr show 2>/dev/null)
		case $out in *" inet $WD_VIP/"*) VIPHOLDERS+=("$i") ;; esac
	done
	VIP_SAMPLES=$((VIP_SAMPLES + 1))
	[ ${#VIPHOLDERS[@]} -le 1 ] || fail "two namespaces hold $WD_VIP at once: ${VIPHOLDERS[*]} (states: ${TSTATE[*]})"
}
vip_holder() { [ ${#VIPHOLDERS[@]} -eq 1 ] && echo "${VIPHOLDERS[0]}"; }

field() { sed -n "s/^$1 *: //p" | head -1; }

pcp_sample()
{
	local i out
	PCP_LEADERS=()
	for i in 0 1 2; do
		STATE[i]=; QUORUM[i]=; TOTAL[i]=; LEADERNAME[i]=; NAME[i]=
		[ -n "${PID[i]}" ] || continue
		out=$(wd_tool "$i" -v -n 0 2>/dev/null)
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

watch_for()
{
	local until=$(( $(now_ms) + $1 ))
	watch_until "[ \$(now_ms) -ge $until ]" $(( $1 + 5000 )) "watch"
}

one_leader() { [ ${#LEADERS[@]} -eq 1 ]; }
count_state() { printf '%s\n' "${TSTATE[@]}" | grep -c "^$1\$"; }

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

# wd_vip_up_ms I SINCE_MS ADDRESS: when node I's log (PGNG_TMP/wdI/log) says it brought ADDRESS up,
# the first time at or after SINCE_MS (epoch ms); nothing when it has not. The log's time is when
# the address was added, free of the sampler's own delays on a busy machine.
wd_vip_up_ms()
{
	local line ts
	while IFS= read -r line; do
		ts=$(date -d "${line:0:23}" +%s%3N 2>/dev/null) || continue
		if [ "$ts" -ge "$2" ]; then
			echo "$ts"
			return
		fi
	done < <(grep -F "delegate_ip $3" "$PGNG_TMP/wd$1/log" 2>/dev/null | grep " is up")
}

wd_summary() { note "samples: $SAMPLES in $WATCHED_MS ms of watching, longest gap between two $MAX_GAP_MS ms; never two leaders"; }

# wd_guard_start / wd_guard_stop (with lib/netns.sh and WD_VIP): a background sampler that runs for
# the whole test, also while the test itself waits on something else. Every 100 ms it counts the
# namespaces holding $WD_VIP and the running watchdog processes titled LEADER; a sample with two of
# either is written to $PGNG_TMP/guard.bad. wd_guard_stop fails the test on any such sample and
# notes the number of samples and the longest gap between two.
wd_guard_start()
{
	local out=$PGNG_TMP/guard
	: >"$out.bad"
	rm -f "$out.stop"
	(
		n=0 last=0 gap=0
		while [ ! -f "$out.stop" ] && [ $n -lt 100000 ]; do
			t=$(date +%s%3N)
			holders=()
			leaders=()
			for ns in "${NETNS[@]}"; do
				case $(ip -n "$ns" -o -4 addr show 2>/dev/null) in *" inet $WD_VIP/"*) holders+=("$ns") ;; esac
				for pid in $(ip netns pids "$ns" 2>/dev/null); do
					title=
					IFS= read -r -d '' title 2>/dev/null <"/proc/$pid/cmdline"
					case $title in "pgpool: watchdog: LEADER"*) ;; *) continue ;; esac
					read -r stat 2>/dev/null <"/proc/$pid/stat" || continue
					stat=${stat##*) }
					[ "${stat%% *}" = T ] || leaders+=("$ns")
				done
			done
			[ ${#holders[@]} -le 1 ] || echo "$t VIP in ${holders[*]}" >>"$out.bad"
			[ ${#leaders[@]} -le 1 ] || echo "$t two LEADER watchdogs: ${leaders[*]}" >>"$out.bad"
			n=$((n + 1))
			[ $last -eq 0 ] || [ $((t - last)) -le $gap ] || gap=$((t - last))
			last=$t
			echo "$n $gap" >"$out.count"
			sleep 0.1
		done
	) &
	WD_GUARD_PID=$!
	register_pid "$WD_GUARD_PID"
}

wd_guard_stop()
{
	local n gap
	touch "$PGNG_TMP/guard.stop"
	wait "$WD_GUARD_PID" 2>/dev/null
	read -r n gap <"$PGNG_TMP/guard.count" || fail "the background sampler took no sample"
	[ ! -s "$PGNG_TMP/guard.bad" ] || fail "background sampler: $(head -3 "$PGNG_TMP/guard.bad")"
	note "background sampler: $n samples of the VIP and the leaders over the whole test (longest gap $gap ms); never two VIP holders, never two leaders"
}
