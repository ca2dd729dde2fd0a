#!/usr/bin/env bash
# The pgpool-ng demo: builds pgpool-ng, starts a PostgreSQL 15 cluster (1 primary + 2 streaming
# standbys) in a persistent directory, writes a pgpool.conf for it and checks it with pgpool-ng.
#
#   scripts/demo.sh [start]   build, start (or find running) and print how to connect
#   scripts/demo.sh status    print how to connect, if running
#   scripts/demo.sh stop      stop the servers (data is kept; start again with scripts/demo.sh)
#   scripts/demo.sh clean     stop and remove the demo directory
#
# The directory is $PGNG_DEMO_DIR, default /tmp/pgpool-ng-demo (readable by the unprivileged user
# that runs the PostgreSQL servers, which a checkout under /root would not be).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
DEMO_DIR=${PGNG_DEMO_DIR:-/tmp/pgpool-ng-demo}
PGPOOL="$top/build/pgpool"
PGNG_SRC=$top
export PGNG_SRC
# shellcheck source=regress/lib/cluster.sh
. "$top/regress/lib/cluster.sh"

say()
{
	printf '%s\n' "$*"
}

# Writes pgpool.conf, pool_hba.conf, pcp.conf and pool_passwd for the running cluster (once: the
# ports chosen for pgpool are kept in demo.env so that they do not change between runs).
write_pgpool_config()
{
	local etc="$DEMO_DIR/etc"
	mkdir -p "$etc" "$DEMO_DIR/run" "$DEMO_DIR/log"
	if [ ! -f "$DEMO_DIR/demo.env" ]; then
		PGPOOL_PORT=$(cluster_free_port "$PGNG_PG_PORT0" "$PGNG_PG_PORT1" "$PGNG_PG_PORT2")
		PCP_PORT=$(cluster_free_port "$PGNG_PG_PORT0" "$PGNG_PG_PORT1" "$PGNG_PG_PORT2" "$PGPOOL_PORT")
		printf 'PGPOOL_PORT=%s\nPCP_PORT=%s\n' "$PGPOOL_PORT" "$PCP_PORT" >"$DEMO_DIR/demo.env"
	fi
	# shellcheck disable=SC1091
	. "$DEMO_DIR/demo.env"
	cp "$top/sample-configs/failover.sh.sample" "$etc/failover.sh"
	chmod 0755 "$etc/failover.sh"
	cat >"$etc/pgpool.conf" <<EOF
# pgpool.conf written by scripts/demo.sh for the demo cluster in $DEMO_DIR/cluster.
# A commented sample for real set-ups: sample-configs/pgpool.conf.sample.
backend_clustering_mode = 'streaming_replication'
listen_addresses = '127.0.0.1'
port = $PGPOOL_PORT
socket_dir = '$DEMO_DIR/run'
pcp_listen_addresses = '127.0.0.1'
pcp_port = $PCP_PORT
pcp_socket_dir = '$DEMO_DIR/run'
pid_file_name = '$DEMO_DIR/run/pgpool.pid'
logdir = '$DEMO_DIR/log'

backend_hostname0 = '127.0.0.1'
backend_port0 = $PGNG_PG_PORT0
backend_weight0 = 1
backend_data_directory0 = '$PGNG_PG_DATA0'
backend_flag0 = 'ALLOW_TO_FAILOVER'
backend_application_name0 = 'node0'
backend_hostname1 = '127.0.0.1'
backend_port1 = $PGNG_PG_PORT1
backend_weight1 = 1
backend_data_directory1 = '$PGNG_PG_DATA1'
backend_flag1 = 'ALLOW_TO_FAILOVER'
backend_application_name1 = 'node1'
backend_hostname2 = '127.0.0.1'
backend_port2 = $PGNG_PG_PORT2
backend_weight2 = 1
backend_data_directory2 = '$PGNG_PG_DATA2'
backend_flag2 = 'ALLOW_TO_FAILOVER'
backend_application_name2 = 'node2'

enable_pool_hba = on
pool_passwd = 'pool_passwd'
num_init_children = 8
max_pool = 2
load_balance_mode = on

sr_check_period = 5
sr_check_user = '$PGNG_PG_SUPERUSER'
health_check_period = 5
health_check_timeout = 10
health_check_user = '$PGNG_PG_SUPERUSER'
health_check_max_retries = 2
failover_command = '$etc/failover.sh %d %h %p %D %m %H %M %P %r %R %N %S'

use_watchdog = off
EOF
	cat >"$etc/pool_hba.conf" <<'EOF'
# Demo: everyone on this host is trusted, as in the demo cluster's own pg_hba.conf.
local   all   all                  trust
host    all   all   127.0.0.1/32   trust
EOF
	printf '# Demo PCP user pcpadmin, password "demo".\npcpadmin:%s\n' \
		"$(printf 'demo' | md5sum | cut -d' ' -f1)" >"$etc/pcp.conf"
	printf '%s:md5%s\n' "$PGNG_PG_SUPERUSER" \
		"$(printf 'demo%s' "$PGNG_PG_SUPERUSER" | md5sum | cut -d' ' -f1)" >"$etc/pool_passwd"
	chmod 0600 "$etc/pcp.conf" "$etc/pool_passwd"
}

PGPOOL_ARGS=(-f "$DEMO_DIR/etc/pgpool.conf" -a "$DEMO_DIR/etc/pool_hba.conf" -F "$DEMO_DIR/etc/pcp.conf")

pgpool_running()
{
	local pid
	[ -f "$DEMO_DIR/run/pgpool.demo-pid" ] || return 1
	pid=$(cat "$DEMO_DIR/run/pgpool.demo-pid")
	kill -0 "$pid" 2>/dev/null
}

# Starts pgpool-ng in the foreground (-n) in the background of this shell; reports whether it
# stays up and answers on its port (and if it exits, the log says why).
start_pgpool()
{
	local pid
	pgpool_running && return 0
	setsid "$PGPOOL" -n "${PGPOOL_ARGS[@]}" >"$DEMO_DIR/log/pgpool.log" 2>&1 </dev/null &
	pid=$!
	echo "$pid" >"$DEMO_DIR/run/pgpool.demo-pid"
	# Settled: either it exited (this build says why) or it answers on its port.
	cluster_wait 20 sh -c "! kill -0 $pid 2>/dev/null ||
		'$PGNG_PG_BIN/pg_isready' -q -h 127.0.0.1 -p $PGPOOL_PORT -t 2" || true
	if "$PGNG_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PGPOOL_PORT" -t 2; then
		return 0
	fi
	if kill -0 "$pid" 2>/dev/null; then
		say "pgpool-ng started (pid $pid) but does not answer on port $PGPOOL_PORT; log: $DEMO_DIR/log/pgpool.log"
		return 0
	fi
	rm -f "$DEMO_DIR/run/pgpool.demo-pid"
	return 1
}

stop_pgpool()
{
	local pid
	pgpool_running || { rm -f "$DEMO_DIR/run/pgpool.demo-pid"; return 0; }
	pid=$(cat "$DEMO_DIR/run/pgpool.demo-pid")
	kill -TERM "$pid" 2>/dev/null || true
	cluster_wait 20 sh -c "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null || true
	rm -f "$DEMO_DIR/run/pgpool.demo-pid"
}

print_info()
{
	say ""
	say "pgpool-ng demo in $DEMO_DIR (servers run as OS user $PGNG_OS_USER)"
	say "  primary  node0: psql -h 127.0.0.1 -p $PGNG_PG_PORT0 -U $PGNG_PG_SUPERUSER postgres"
	say "  standby  node1: psql -h 127.0.0.1 -p $PGNG_PG_PORT1 -U $PGNG_PG_SUPERUSER postgres"
	say "  standby  node2: psql -h 127.0.0.1 -p $PGNG_PG_PORT2 -U $PGNG_PG_SUPERUSER postgres"
	say "  replication:    psql -h 127.0.0.1 -p $PGNG_PG_PORT0 -U $PGNG_PG_SUPERUSER -c 'TABLE pg_stat_replication'"
	say "  pgpool config:  $DEMO_DIR/etc/pgpool.conf (pgpool port $PGPOOL_PORT, pcp port $PCP_PORT)"
	say "  check it:       $PGPOOL --check-config ${PGPOOL_ARGS[*]}"
	if pgpool_running; then
		say "  pgpool-ng:      running (pid $(cat "$DEMO_DIR/run/pgpool.demo-pid")):" \
			"psql -h 127.0.0.1 -p $PGPOOL_PORT -U $PGNG_PG_SUPERUSER postgres"
	else
		say "  pgpool-ng:      not running; see $DEMO_DIR/log/pgpool.log"
	fi
	say "Stop it:   scripts/demo.sh stop      (data kept; scripts/demo.sh starts it again)"
	say "Remove it: scripts/demo.sh clean"
}

# Starts the cluster, or finds it running, or restarts a stopped one on its old ports.
bring_up_cluster()
{
	local i
	if cluster_load "$DEMO_DIR/cluster"; then
		for ((i = 0; i < CLUSTER_NODES; i++)); do
			if ! cluster_node_running "$i"; then
				say "demo: starting node$i on port $(eval "echo \$PGNG_PG_PORT$i")"
				cluster_restart_node "$i" || {
					say "demo: node$i does not start; see $(cluster_node_log "$i"), or scripts/demo.sh clean"
					return 1
				}
			fi
		done
		cluster_wait_streaming "$PGNG_CLUSTER_STREAM_TIMEOUT"
	else
		say "demo: creating the cluster in $DEMO_DIR/cluster"
		rm -rf "$DEMO_DIR/cluster" "$DEMO_DIR/demo.env"
		mkdir -p "$DEMO_DIR"
		chmod 0755 "$DEMO_DIR"
		cluster_start "$DEMO_DIR/cluster" || {
			say "demo: the cluster did not start; logs in $DEMO_DIR/cluster/log"
			cluster_stop immediate
			return 1
		}
	fi
}

cmd_start()
{
	local t0=$SECONDS
	"$top/scripts/build.sh"
	bring_up_cluster
	say "demo: build and cluster ready in $((SECONDS - t0)) s"
	write_pgpool_config
	if [ ! -x "$PGPOOL" ]; then
		say "demo: $PGPOOL is not built in this version; configuration not checked"
	elif "$PGPOOL" --check-config "${PGPOOL_ARGS[@]}"; then
		say "demo: pgpool --check-config: configuration OK"
	else
		say "demo: pgpool --check-config reported errors (above)"
	fi
	if [ -x "$PGPOOL" ] && ! start_pgpool; then
		say "demo: pgpool-ng did not start; it said:"
		tail -n 5 "$DEMO_DIR/log/pgpool.log" | sed 's/^/    /'
	fi
	print_info
}

cmd_status()
{
	cluster_load "$DEMO_DIR/cluster" || { say "demo: no demo in $DEMO_DIR"; exit 1; }
	# shellcheck disable=SC1091
	[ -f "$DEMO_DIR/demo.env" ] && . "$DEMO_DIR/demo.env"
	local i
	for ((i = 0; i < CLUSTER_NODES; i++)); do
		if cluster_node_running "$i"; then say "node$i running"; else say "node$i stopped"; fi
	done
	print_info
}

cmd_stop()
{
	stop_pgpool
	if cluster_load "$DEMO_DIR/cluster"; then
		cluster_stop fast
		say "demo: stopped (data kept in $DEMO_DIR)"
	else
		say "demo: no demo in $DEMO_DIR"
	fi
}

case "${1:-start}" in
start) cmd_start ;;
status) cmd_status ;;
stop) cmd_stop ;;
clean)
	cmd_stop
	rm -rf "$DEMO_DIR"
	say "demo: removed $DEMO_DIR"
	;;
*)
	sed -n '2,11s/^# \{0,1\}//p' "$0" >&2
	exit 2
	;;
esac
