# shellcheck shell=bash
# A pgpool-ng watchdog node in each network namespace (regress 151, 152, 156). Sourced after
# testlib.sh, pgpool.sh, netns.sh and watchdog.sh, once netns_setup has run and wd_pcp_setup was
# called. The test sets WD_AUTHKEY and WD_DEADTIME and may define wd_node_extra I, which prints
# more pgpool.conf lines for node I (they win over the ones written here):
#   wd_ns_start_node I      starts pgpool-ng in NETNS[I] (pgpool port 9999, PCP 9898, wd 9000,
#                           heartbeat 9694 in every namespace); sets PID[I], PCP[I], NODE_EXEC[I]
#   wd_ns_psql I SQL        psql through node I's pgpool-ng from inside its namespace (bounded)
# Node I's files are in $PGNG_TMP/wdI (pgpool.conf, log, pgpool_node_id).


wd_ns_conf_lines()
{
	local node=$1 j
	echo "listen_addresses = '*'"
	echo "pcp_listen_addresses = '*'"
	echo "pcp_port = 9898"
	echo "search_primary_node_timeout = 1"
	wd_conf_common
	for j in 0 1 2; do
		echo "hostname$j = '${NETNS_IP[j]}'"
		echo "wd_port$j = 9000"
		echo "pgpool_port$j = 9999"
		echo "heartbeat_hostname$j = '${NETNS_IP[j]}'"
		echo "heartbeat_port$j = 9694"
	done
	if declare -F wd_node_extra >/dev/null; then wd_node_extra "$node"; fi
}

wd_ns_start_node()
{
	local node=$1 dir=$PGNG_TMP/wd$1 lines
	mkdir -p "$dir"
	rm -f "$dir/pgpool.pid"
	PGPOOL_DIR=$dir
	PGPOOL_PORT=9999
	mapfile -t lines < <(wd_ns_conf_lines "$node")
	pgpool_write_conf "${lines[@]}"
	printf 'host all all 127.0.0.1/32 trust\nhost all all %s.0/24 trust\n' "${NETNS_IP[0]%.*}" \
		>"$dir/pool_hba.conf"
	echo "$node" >"$dir/pgpool_node_id"
	PCP[node]=9898
	NODE_EXEC[node]="ip netns exec ${NETNS[node]}"
	wd_pcp_conf "$dir" 9898
	ip netns exec "${NETNS[node]}" "$PGNG_BIN/pgpool" -n -f "$dir/pgpool.conf" -F "$dir/pcp.conf" \
		-a "$dir/pool_hba.conf" >>"$dir/log" 2>&1 &
	PID[node]=$!
	register_pid "${PID[node]}"
	wd_wait_watchdog "$node"
}

# wd_ns_psql I SQL [HOST]: through the pgpool-ng of namespace I (or HOST:9999 from there).
wd_ns_psql()
{
	ip netns exec "${NETNS[$1]}" env PGCONNECT_TIMEOUT=5 timeout 20 "$PGNG_PG_BIN/psql" -X -A -t -q \
		-v ON_ERROR_STOP=1 -h "${3:-127.0.0.1}" -p 9999 -U "$PGNG_PG_SUPERUSER" -d postgres -c "$2"
}
