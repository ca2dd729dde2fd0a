#!/usr/bin/env bash
# Failover time, measured: kill -9 of every process of the primary under a write load (one INSERT
# per connection through the pooler), on a fresh cluster each run. A benchmark, not a test: it prints
# a table and never fails on slow numbers.
#
#   bench/failover.sh [-r RUNS] [-t TARGETS] [-k]
#     -r RUNS      runs per target (default 3); the table shows best, median and worst, and a
#                  line per target lists every run's write downtime, sorted
#     -t LIST      comma-separated (default all available): ng-builtin (pgpool-ng, builtin_failover),
#                  ng-scripts (pgpool-ng, sample failover.sh + follow_primary.sh),
#                  ii-scripts (pgpool-II 4.3 from /usr/sbin/pgpool, the same scripts; needs pgpool2)
#     -k           keep the temporary directory
#
# Columns (seconds after the kill): detect = the pooler shows node0 down (pcp_node_info, polled);
# promote = a standby answers pg_is_in_recovery() = false; follow = the new primary's
# pg_stat_replication shows the other standby streaming; writes = the first INSERT begun after the
# kill is committed. Counts per run: failed INSERTs, and lost = INSERTs the client saw committed that
# are missing on the new primary. Every server started is stopped by pid however it ends.
# Environment: PGNG_BIN (default <source>/build), PGNG_PG_BIN, TMPDIR.

set -u
export LC_ALL=C
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
PGNG_SRC=$(cd "$BENCH_DIR/.." && pwd)
PGNG_BIN=${PGNG_BIN:-$PGNG_SRC/build}
export PGNG_SRC PGNG_BIN
# shellcheck source=regress/lib/cluster.sh
. "$PGNG_SRC/regress/lib/cluster.sh"

RUNS=3
TARGETS=""
KEEP=0
POOL_PID=""
LOAD_PID=""
WATCH_PIDS=""
while getopts r:t:kh opt; do
	case "$opt" in
	r) RUNS=$OPTARG ;;
	t) TARGETS=$OPTARG ;;
	k) KEEP=1 ;;
	*) sed -n '2,19s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
if [ -z "$TARGETS" ]; then
	TARGETS=ng-builtin,ng-scripts
	[ -x /usr/sbin/pgpool ] && TARGETS=$TARGETS,ii-scripts
fi
TOP=$(mktemp -d "${TMPDIR:-/tmp}/pgng-failover-bench.XXXXXX") || exit 1
chmod 0755 "$TOP"

log()
{
	echo "bench: $*" >&2
}

stop_pool()
{
	[ -n "$POOL_PID" ] || return 0
	kill -INT "$POOL_PID" 2>/dev/null
	cluster_wait 20 sh -c "! kill -0 $POOL_PID" || kill -KILL "$POOL_PID" 2>/dev/null
	POOL_PID=""
}

cleanup()
{
	[ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null
	# shellcheck disable=SC2086
	[ -n "$WATCH_PIDS" ] && kill $WATCH_PIDS 2>/dev/null
	stop_pool
	cluster_stop immediate
	if [ "$KEEP" -eq 1 ]; then log "kept $TOP"; else rm -rf "$TOP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

now()
{
	date +%s.%N
}

# pool_conf DIR TARGET PORT PCP_PORT: pgpool.conf (the same for pgpool-ng and pgpool-II).
pool_conf()
{
	local dir=$1 t=$2 i run="$1/run.sh"
	{
		echo "backend_clustering_mode = 'streaming_replication'"
		echo "listen_addresses = '127.0.0.1'"
		echo "port = $3"
		echo "pcp_listen_addresses = '127.0.0.1'"
		echo "pcp_port = $4"
		echo "socket_dir = '$dir'"
		echo "pcp_socket_dir = '$dir'"
		echo "wd_ipc_socket_dir = '$dir'"
		echo "pid_file_name = '$dir/pgpool.pid'"
		echo "logdir = '$dir'"
		echo "num_init_children = 8"
		echo "max_pool = 2"
		echo "load_balance_mode = off"
		echo "enable_pool_hba = off"
		echo "pool_passwd = 'pool_passwd'"
		echo "sr_check_period = 1"
		echo "sr_check_user = '$PGNG_PG_SUPERUSER'"
		echo "health_check_period = 1"
		echo "health_check_timeout = 10"
		echo "health_check_max_retries = 0"
		echo "health_check_user = '$PGNG_PG_SUPERUSER'"
		echo "connect_timeout = 10000"
		echo "search_primary_node_timeout = 60"
		echo "log_min_messages = warning"
		for ((i = 0; i < CLUSTER_NODES; i++)); do
			echo "backend_hostname$i = '127.0.0.1'"
			echo "backend_port$i = $(eval "echo \$PGNG_PG_PORT$i")"
			echo "backend_data_directory$i = '$CLUSTER_DIR/data$i'"
			echo "backend_application_name$i = 'node$i'"
			echo "backend_flag$i = 'ALLOW_TO_FAILOVER'"
		done
		if [ "$t" = ng-builtin ]; then
			echo "builtin_failover = on"
		else
			echo "failover_command = '$run failover %d %h %p %D %m %H %M %P %r %R %N %S'"
			echo "follow_primary_command = '$run follow_primary %d %h %p %D %m %H %M %P %r %R'"
		fi
	} >"$dir/pgpool.conf"
	printf 'host all all 127.0.0.1/32 trust\n' >"$dir/pool_hba.conf"
	: >"$dir/pool_passwd"
	printf 'pcpadmin:%s\n' "$(printf 'bench' | md5sum | cut -d' ' -f1)" >"$dir/pcp.conf"
	printf '127.0.0.1:%s:pcpadmin:bench\n' "$4" >"$dir/pcppass"
	chmod 0600 "$dir/pcppass"
	cp "$PGNG_SRC/sample-configs/failover.sh.sample" "$dir/failover.sh"
	cp "$PGNG_SRC/sample-configs/follow_primary.sh.sample" "$dir/follow_primary.sh"
	# pgpool-II attaches followed standbys through pcp; pgpool-ng attaches them itself
	local pcp_user=pcpadmin
	[ "$t" = ii-scripts ] || pcp_user=
	cat >"$run" <<EOS
#!/bin/bash
what=\$1; shift
export PGBIN='$PGNG_PG_BIN' PROMOTE_USER='$PGNG_PG_SUPERUSER' SUPERUSER='$PGNG_PG_SUPERUSER'
export REPL_USER='$PGNG_PG_SUPERUSER' PCP_USER='$pcp_user' PCP_HOST=127.0.0.1 PCP_PORT=$4
export PCPPASSFILE='$dir/pcppass' PCP_ATTACH=/usr/sbin/pcp_attach_node FOLLOW_WAIT=30
exec "$dir/\$what.sh" "\$@" >>"$dir/\$what.out" 2>&1
EOS
	chmod 0755 "$run" "$dir/failover.sh" "$dir/follow_primary.sh"
	[ "$(id -u)" -eq 0 ] && chown -R "$PGNG_OS_USER:" "$dir"
	return 0
}

pool_start()
{
	local dir=$1 t=$2 bin=$PGNG_BIN/pgpool
	[ "$t" = ii-scripts ] && bin=/usr/sbin/pgpool
	if [ "$(id -u)" -eq 0 ]; then
		(cd "$dir" && exec setsid setpriv --reuid="$PGNG_OS_USER" --regid="$(id -g "$PGNG_OS_USER")" \
			--init-groups -- "$bin" -n -D -f "$dir/pgpool.conf" -a "$dir/pool_hba.conf" -F "$dir/pcp.conf") \
			>"$dir/pgpool.log" 2>&1 </dev/null &
	else
		(cd "$dir" && exec setsid "$bin" -n -D -f "$dir/pgpool.conf" -a "$dir/pool_hba.conf" -F "$dir/pcp.conf") \
			>"$dir/pgpool.log" 2>&1 </dev/null &
	fi
	POOL_PID=$!
	cluster_wait 60 cluster_psql "$POOL_PORT" "SELECT 1"
}

load()
{
	local i=0 t0 r
	while [ ! -f "$RUN_DIR/stop" ]; do
		i=$((i + 1))
		t0=$(now)
		if cluster_psql "$POOL_PORT" "INSERT INTO bench_failover VALUES ($i)" >/dev/null 2>&1; then r=ok; else r=fail; fi
		echo "$i $r $t0 $(now)"
	done >"$RUN_DIR/load.log"
}

# watch NAME CMD...: in the background, records in $RUN_DIR/NAME.at the time CMD first succeeds
# (every 20 ms until the stop file appears). Each milestone has its own loop, so that a probe that
# blocks (a session through the pooler while it switches) delays no other measurement.
watch()
{
	local name=$1
	shift
	(
		while [ ! -f "$RUN_DIR/stop" ]; do
			if "$@" >/dev/null 2>&1; then
				now >"$RUN_DIR/$name.at"
				exit 0
			fi
			sleep 0.02
		done
	) &
	WATCH_PIDS="$WATCH_PIDS $!"
}

# Node 0 shown down, asked over PCP (which a switching pooler still answers).
shows_down()
{
	PCPPASSFILE="$RUN_DIR/pool/pcppass" timeout 5 "$PGNG_BIN/pcp_node_info" -h 127.0.0.1 -p "$PCP_PORT" \
		-U pcpadmin -w -n 0 | awk '{ exit !($3 == 3) }'
}

# is_primary N: node N answers pg_is_in_recovery() = false (asked directly).
is_primary()
{
	[ "$(cluster_psql "$(eval "echo \$PGNG_PG_PORT$1")" "SELECT pg_is_in_recovery()")" = f ]
}

# streams_from N M: node M streams from node N (pg_stat_replication on N).
streams_from()
{
	[ "$(cluster_psql "$(eval "echo \$PGNG_PG_PORT$1")" "SELECT count(*) FROM pg_stat_replication
		WHERE application_name = 'node$2' AND state = 'streaming'")" = 1 ]
}

# One run: prints "detect promote follow writes failed lost".
run_one()
{
	local t=$1 kill_at pm new='' deadline
	cluster_start "$RUN_DIR/cluster" >/dev/null 2>&1 || { log "cluster did not start"; return 1; }
	POOL_PORT=$(cluster_free_port "$PGNG_PG_PORT0" "$PGNG_PG_PORT1" "$PGNG_PG_PORT2")
	PCP_PORT=$(cluster_free_port "$PGNG_PG_PORT0" "$PGNG_PG_PORT1" "$PGNG_PG_PORT2" "$POOL_PORT")
	mkdir -p "$RUN_DIR/pool" && pool_conf "$RUN_DIR/pool" "$t" "$POOL_PORT" "$PCP_PORT"
	pool_start "$RUN_DIR/pool" "$t" || { log "$t did not start"; return 1; }
	cluster_psql "$POOL_PORT" "CREATE TABLE bench_failover (id int primary key)" >/dev/null
	load &
	LOAD_PID=$!
	cluster_wait 30 sh -c "[ \$(grep -c ' ok ' '$RUN_DIR/load.log' 2>/dev/null) -ge 20 ]"
	pm=$(head -n 1 "$CLUSTER_DIR/data0/postmaster.pid")
	kids=$(pgrep -P "$pm" | tr '\n' ' ')
	WATCH_PIDS=""
	# shellcheck disable=SC2086
	kill -9 "$pm" $kids
	kill_at=$(now)
	watch detect shows_down
	watch promote1 is_primary 1
	watch promote2 is_primary 2
	watch follow1 streams_from 1 2
	watch follow2 streams_from 2 1
	deadline=$(($(date +%s) + 90))
	while [ "$(date +%s)" -lt "$deadline" ]; do
		[ -z "$new" ] && { [ -f "$RUN_DIR/promote1.at" ] && new=1; [ -f "$RUN_DIR/promote2.at" ] && new=2; }
		[ -n "$new" ] && [ -f "$RUN_DIR/detect.at" ] && [ -f "$RUN_DIR/follow$new.at" ] &&
			awk -v t="$kill_at" '$3 > t && $2 == "ok" { f = 1 } END { exit !f }' "$RUN_DIR/load.log" && break
		sleep 0.1
	done
	touch "$RUN_DIR/stop"
	# shellcheck disable=SC2086
	wait "$LOAD_PID" $WATCH_PIDS 2>/dev/null
	LOAD_PID=""
	local failed lost w
	failed=$(awk -v t="$kill_at" '$2 == "fail" && $4 > t' "$RUN_DIR/load.log" | wc -l)
	w=$(awk -v t="$kill_at" '$3 > t && $2 == "ok" { print $4; exit }' "$RUN_DIR/load.log")
	lost='?'
	[ -n "$new" ] && lost=$(comm -23 <(grep ' ok ' "$RUN_DIR/load.log" | cut -d' ' -f1 | sort) \
		<(cluster_psql "$(eval "echo \$PGNG_PG_PORT$new")" "SELECT id FROM bench_failover" | sort) | wc -l)
	stop_pool
	cluster_stop immediate
	since()
	{
		[ -n "$1" ] && echo "$1 - $kill_at" | bc | awk '{ printf "%.2f", $1 }' || echo '-'
	}
	at()
	{
		[ -f "$RUN_DIR/$1.at" ] && cat "$RUN_DIR/$1.at"
	}
	echo "$(since "$(at detect)") $(since "$(at "promote$new")") $(since "$(at "follow$new")") $(since "$w") $failed $lost"
}

# stats COLUMN FILE: "best/median/worst" of a column (a '-', never reached, counts as worst)
stats()
{
	awk -v c="$1" '{ print ($c == "-" ? 1e9 : $c) }' "$2" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		for (i = 1; i <= NR; i++) if (v[i] == 1e9) v[i] = "-"
		printf "%s/%s/%s", v[1], v[int((NR + 1) / 2)], v[NR] }'
}

printf '%-11s %5s  %-16s %-16s %-16s %-16s %-7s %s\n' target runs detect promote follow writes failed lost
for t in ${TARGETS//,/ }; do
	res=$TOP/$t.results
	: >"$res"
	for ((r = 1; r <= RUNS; r++)); do
		RUN_DIR=$TOP/$t-$r
		mkdir -p "$RUN_DIR" && chmod 0755 "$RUN_DIR"
		line=$(run_one "$t") && echo "$line" >>"$res"
		log "$t run $r: ${line:-failed}"
	done
	printf '%-11s %5s  %-16s %-16s %-16s %-16s %-7s %s\n' "$t" "$(wc -l <"$res")" "$(stats 1 "$res")" \
		"$(stats 2 "$res")" "$(stats 3 "$res")" "$(stats 4 "$res")" \
		"$(awk '{ s += $5 } END { print s + 0 }' "$res")" "$(awk '{ s += $6 } END { print s + 0 }' "$res")"
done
echo "(seconds after kill -9 of the primary, best/median/worst; failed and lost summed over the runs)"
for t in ${TARGETS//,/ }; do
	echo "$t writes per run: $(awk '{ print $4 }' "$TOP/$t.results" | sort -g | tr '\n' ' ')"
done
