# shellcheck shell=bash
# Three pgpool-ng watchdog nodes on 127.0.0.1 in front of the regress cluster (regress 150, 153-155,
# 157-159, 172). Sourced after testlib.sh, pgpool.sh and watchdog.sh; the test sets WD_AUTHKEY and may
# set WD_DEADTIME (default 3):
#   wd_lo_ports             picks free ports: PORT[i] (pgpool), PCP[i], WDP[i] (wd_port), HBP[i]
#                           (heartbeat) and the directory DIR[i] of nodes 0..2; USED lists the ports
#   wd_lo_start_node I [LINE...]
#                           starts node I (its pgpool_status and pid file removed first) with the
#                           watchdog lines for the three nodes, keepalive 1 s, log_min_messages info,
#                           then LINEs (later lines win); sets PID[I], waits for its watchdog process
#   wd_lo_leader_checks I   lines: node 0 leads and alone checks the backends, the others follow it
#   wd_lo_log_args_script   path of a script that logs its arguments (for failover_command and co.)
#   wd_lo_field I B C, wd_lo_is_up/is_down I B, wd_lo_all_up/all_down B
#                           backend B in node I's SHOW pool_nodes (column C: 4 status, 7 role)
#   wd_lo_pcp TOOL I ARGS   a pcp tool against node I (OUT, RC); wd_lo_lines_of FILE
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

# wd_lo_leader_checks I: node 0 leads (wd_priority) and alone runs the health and sr checks; the
# others take its backend status (regress 155, 159, 172). pgpool.conf lines for node I.
wd_lo_leader_checks()
{
	echo "failover_when_quorum_exists = on"
	echo "failover_require_consensus = off"
	if [ "$1" = 0 ]; then
		printf '%s\n' "wd_priority = 10" "sr_check_period = 1" "health_check_period = 1" \
			"health_check_timeout = 5" "health_check_max_retries = 0"
	else
		printf '%s\n' "wd_priority = 1" "sr_check_period = 0" "health_check_period = 0" \
			"failover_on_backend_error = off"
	fi
}

# wd_lo_log_args_script: a script that appends its arguments after the first (a file) to that file,
# for failover_command / failback_command; prints its path.
wd_lo_log_args_script()
{
	local script=$PGNG_TMP/log_args.sh
	printf '#!/bin/sh\nf=$1\nshift\necho "$*" >>"$f"\n' >"$script"
	chmod 755 "$script"
	echo "$script"
}

# wd_lo_field I B C: column C (4 status, 7 role) of backend B in node I's SHOW pool_nodes.
wd_lo_field()
{
	PGCONNECT_TIMEOUT=5 timeout 10 psql -XAtq -h 127.0.0.1 -p "${PORT[$1]}" -U "$PGNG_PG_SUPERUSER" \
		-d postgres -F '|' -c "SHOW pool_nodes" 2>/dev/null |
		awk -F'|' -v b="$2" -v c="$3" '$1 == b { print $c }'
}
wd_lo_is_down() { [ "$(wd_lo_field "$1" "$2" 4)" = down ]; }
wd_lo_is_up() { case $(wd_lo_field "$1" "$2" 4) in up | waiting) return 0 ;; esac; return 1; }
wd_lo_all_down() { wd_lo_is_down 0 "$1" && wd_lo_is_down 1 "$1" && wd_lo_is_down 2 "$1"; }
wd_lo_all_up() { wd_lo_is_up 0 "$1" && wd_lo_is_up 1 "$1" && wd_lo_is_up 2 "$1"; }

# wd_lo_pcp TOOL I ARGS...: pcp TOOL against node I (bounded by WD_LO_PCP_TIMEOUT s, default 60);
# sets OUT (stdout and stderr) and RC.
wd_lo_pcp()
{
	local tool=$1 node=$2
	shift 2
	OUT=$(timeout "${WD_LO_PCP_TIMEOUT:-60}" "$PGNG_BIN/$tool" -h 127.0.0.1 -p "${PCP[node]}" \
		-U "$WD_PCP_USER" -w "$@" 2>&1)
	RC=$?
}

# wd_lo_lines_of FILE: its number of lines, 0 when it does not exist.
wd_lo_lines_of() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
