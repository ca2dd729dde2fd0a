# shellcheck shell=bash
# Three pgpool-ng watchdog nodes on 127.0.0.1 in front of the regress cluster (regress 150, 153-155,
# 157-159). Sourced after testlib.sh, pgpool.sh and watchdog.sh; the test sets WD_AUTHKEY and may
# set WD_DEADTIME (default 3):
#   wd_lo_ports             picks free ports: PORT[i] (pgpool), PCP[i], WDP[i] (wd_port), HBP[i]
#                           (heartbeat) and the directory DIR[i] of nodes 0..2; USED lists the ports
#   wd_lo_start_node I [LINE...]
#                           starts node I (its pgpool_status and pid file removed first) with the
#                           watchdog lines for the three nodes, keepalive 1 s, log_min_messages info,
#                           then LINEs (later lines win); sets PID[I], waits for its watchdog process
# Node I's files are in DIR[I] (pgpool.conf, log, pgpool_node_id, pcp.conf).

USED=()
declare -a PORT WDP HBP DIR

wd_lo_ports()
{
	local i
	for i in 0 1 2; do
		PORT[i]=$(free_port "${USED[@]}"); USED+=("${PORT[i]}")
		PCP[i]=$(free_port "${USED[@]}"); USED+=("${PCP[i]}")
		WDP[i]=$(free_port "${USED[@]}"); USED+=("${WDP[i]}")
		HBP[i]=$(free_port "${USED[@]}"); USED+=("${HBP[i]}")
		DIR[i]=$PGNG_TMP/wd$i
	done
}

wd_lo_lines()
{
	local j
	echo "pcp_port = ${PCP[$1]}"
	wd_conf_common
	for j in 0 1 2; do
		echo "hostname$j = '127.0.0.1'"
		echo "wd_port$j = ${WDP[j]}"
		echo "pgpool_port$j = ${PORT[j]}"
		echo "heartbeat_hostname$j = '127.0.0.1'"
		echo "heartbeat_port$j = ${HBP[j]}"
	done
}

wd_lo_start_node()
{
	local node=$1 lines
	shift
	PGPOOL_DIR=${DIR[node]}
	PGPOOL_PORT=${PORT[node]}
	mkdir -p "$PGPOOL_DIR"
	rm -f "$PGPOOL_DIR/pgpool.pid" "$PGPOOL_DIR/pgpool_status"
	mapfile -t lines < <(wd_lo_lines "$node")
	pgpool_write_conf "${lines[@]}" "$@"
	echo "$node" >"$PGPOOL_DIR/pgpool_node_id"
	wd_pcp_conf "$PGPOOL_DIR" "${PCP[node]}"
	pgpool_start
	PID[node]=$PGPOOL_PID
	wd_wait_watchdog "$node"
}
