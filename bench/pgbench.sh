#!/usr/bin/env bash
# pgbench through pgpool-ng, pgpool-II 4.3 and PgBouncer, against PostgreSQL directly. A benchmark,
# not a test: it prints a table of median TPS and latency, and never fails on slow numbers.
#
#   bench/pgbench.sh [-T SECONDS] [-r REPS] [-w SECONDS] [-s SCENARIOS] [-t TARGETS] [-k]
#     -T SECONDS    length of each measured pgbench run (default 15)
#     -r REPS       repetitions (default 3); the table shows the median of the runs
#     -w SECONDS    warm-up run with the same options before each measured one (default 2, 0: none)
#     -s LIST       comma-separated scenarios (default all): select-simple, select-prepared,
#                   select-connect, tpcb-prepared, select-c64, select-lb (-S simple with
#                   load_balance_mode on in both pgpools; SHOW pool_nodes select_cnt is logged)
#     -t LIST       comma-separated targets (default all): direct, pgpool-ng, pgpool-II, pgbouncer
#     -k            keep the temporary directory (cluster data, configurations, logs)
#
# It starts a PostgreSQL 15 cluster (regress/lib/cluster.sh: 1 primary + 2 sync standbys on 127.0.0.1),
# creates database `bench` with `pgbench -i -s 10`, then runs, for each repetition, for each
# scenario, every target in turn (the first target rotates with the repetition), so that machine
# noise hits all targets alike. Results: the table on stdout and bench/results/pgbench-STAMP.txt;
# every run in bench/results/pgbench-STAMP.csv; idle children's memory in ...-rss.csv.
# Every server it starts (PostgreSQL, pgpool-ng, pgpool-II, PgBouncer) is stopped by pid when it
# ends, however it ends. A target that cannot start (today pgpool-ng: "cannot serve clients yet")
# is reported as "not runnable" and the others are measured.
# Environment: PGNG_BIN (default <source>/build), PGNG_PG_BIN, PGNG_BENCH_SCALE (default 10), TMPDIR.

set -u
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
PGNG_SRC=$(cd "$BENCH_DIR/.." && pwd)
PGNG_BIN=${PGNG_BIN:-$PGNG_SRC/build}
export PGNG_SRC PGNG_BIN
# shellcheck source=regress/lib/cluster.sh
. "$PGNG_SRC/regress/lib/cluster.sh"

PGPOOL_NG_BIN=$PGNG_BIN/pgpool
PGPOOL_II_BIN=/usr/sbin/pgpool
PGBOUNCER_BIN=/usr/sbin/pgbouncer
PGBENCH=$PGNG_PG_BIN/pgbench
DB=bench
SCALE=${PGNG_BENCH_SCALE:-10}
START_TIMEOUT=60

ALL_SCENARIOS=(select-simple select-prepared select-connect tpcb-prepared select-c64 select-lb)
ALL_TARGETS=(direct pgpool-ng pgpool-II pgbouncer)

usage()
{
	sed -n '2,24s/^# \{0,1\}//p' "$0"
}

# pgbench options of a scenario (without -T, host, port, user, database).
scenario_args()
{
	case "$1" in
	select-simple) echo "-S -M simple -c 8 -j 2" ;;
	select-prepared) echo "-S -M prepared -c 8 -j 2" ;;
	select-connect) echo "-S -C -c 8 -j 2" ;;
	tpcb-prepared) echo "-M prepared -c 8 -j 2" ;;
	select-c64) echo "-S -c 64 -j 2" ;;
	select-lb) echo "-S -M simple -c 8 -j 2" ;;
	*) return 1 ;;
	esac
}

# What pgpool-ng and pgpool-II run with in a scenario: num_init_children (more than its clients)
# and load_balance_mode.
scenario_children()
{
	case "$1" in
	select-c64) echo "72 off" ;;
	select-lb) echo "32 on" ;;
	*) echo "32 off" ;;
	esac
}

# Messages go to the script's own stderr (fd 3), also from a trap that runs while a command's
# output is redirected to a file.
exec 3>&2
log()
{
	printf '%s\n' "bench: $*" >&3
}

die()
{
	log "$*"
	exit 1
}

DURATION=15
REPS=3
WARMUP=2
KEEP=0
SCENARIOS=("${ALL_SCENARIOS[@]}")
TARGETS=("${ALL_TARGETS[@]}")

# pick_list KIND VALUE ALLOWED...: prints the comma-separated VALUE's items one a line, in the order
# of ALLOWED (case-insensitive), or fails on an unknown one.
pick_list()
{
	local kind=$1 value=$2 item a found
	shift 2
	local -a items
	IFS=, read -r -a items <<<"$value"
	for item in "${items[@]}"; do
		found=0
		for a in "$@"; do
			[ "${item,,}" = "${a,,}" ] && found=1
		done
		[ $found -eq 1 ] || die "unknown $kind '$item' (one of: $*)"
	done
	for a in "$@"; do
		for item in "${items[@]}"; do
			if [ "${item,,}" = "${a,,}" ]; then
				echo "$a"
				break
			fi
		done
	done
}

positive_int()
{
	case "$2" in
	'' | *[!0-9]*) die "$1 must be a whole number, not '$2'" ;;
	esac
}

while getopts T:r:w:s:t:kh opt; do
	case "$opt" in
	T) positive_int -T "$OPTARG"; DURATION=$OPTARG ;;
	r) positive_int -r "$OPTARG"; REPS=$OPTARG ;;
	w) positive_int -w "$OPTARG"; WARMUP=$OPTARG ;;
	s) mapfile -t SCENARIOS < <(pick_list scenario "$OPTARG" "${ALL_SCENARIOS[@]}") ;;
	t) mapfile -t TARGETS < <(pick_list target "$OPTARG" "${ALL_TARGETS[@]}") ;;
	k) KEEP=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { usage >&2; exit 2; }
[ "$DURATION" -ge 1 ] || die "-T must be at least 1"
[ "$REPS" -ge 1 ] || die "-r must be at least 1"
# pick_list died in a process substitution: an empty list is what is left of it.
[ ${#SCENARIOS[@]} -gt 0 ] || die "no scenario selected"
[ ${#TARGETS[@]} -gt 0 ] || die "no target selected"

# ---------------------------------------------------------------------------------------------------
# Packages

pkg_installed()
{
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# Stops the service a package runs by itself (the bench starts its own servers on other ports).
stop_packaged_service()
{
	local svc=$1
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
		if systemctl is-active --quiet "$svc" 2>/dev/null; then
			log "stopping the packaged $svc service"
			systemctl stop "$svc" >/dev/null 2>&1 || true
		fi
	elif [ -x "/etc/init.d/$svc" ]; then
		if "/etc/init.d/$svc" status >/dev/null 2>&1; then
			log "stopping the packaged $svc service"
			"/etc/init.d/$svc" stop >/dev/null 2>&1 || true
		fi
	fi
}

# ensure_package PKG SERVICE: installs PKG when missing (as root, without starting its service) and
# makes sure its packaged service does not run. Fails when it is missing and cannot be installed.
ensure_package()
{
	local pkg=$1 svc=$2 policy=/usr/sbin/policy-rc.d own_policy=0 rc=0 out
	if ! pkg_installed "$pkg"; then
		if [ "$(id -u)" -ne 0 ]; then
			log "package $pkg is not installed (as root: apt-get install $pkg)"
			return 1
		fi
		log "installing $pkg"
		if [ ! -e "$policy" ]; then
			printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy" && own_policy=1
		fi
		out=$(mktemp "${TMPDIR:-/tmp}/pgng-bench-apt.XXXXXX")
		if ! DEBIAN_FRONTEND=noninteractive apt-get -y -qq -o Dpkg::Use-Pty=0 \
			--no-install-recommends install "$pkg" >"$out" 2>&1; then
			# The package lists may be missing or stale.
			DEBIAN_FRONTEND=noninteractive apt-get -qq update >>"$out" 2>&1
			DEBIAN_FRONTEND=noninteractive apt-get -y -qq -o Dpkg::Use-Pty=0 \
				--no-install-recommends install "$pkg" >>"$out" 2>&1 || rc=1
		fi
		[ $own_policy -eq 1 ] && rm -f "$policy"
		if [ $rc -ne 0 ]; then
			log "apt-get install $pkg failed:"
			tail -n 20 "$out" >&3
			rm -f "$out"
			return 1
		fi
		rm -f "$out"
	fi
	[ "$(id -u)" -eq 0 ] && stop_packaged_service "$svc"
	return 0
}

# ---------------------------------------------------------------------------------------------------
# State and cleanup

TOP=""
CLEANED=0
RUNNING_PID="" # the pgbench (under timeout) now running, killed on interruption
declare -A SRV_PID=()      # target -> pid of its server (pgpool main process, pgbouncer)
declare -A SRV_PORT=()     # target -> TCP port
declare -A SRV_CHILDREN=() # target -> num_init_children it was started with
declare -A UNUSABLE=()     # target -> why it cannot be measured
USED_PORTS=()

# A live, not zombie, process.
alive()
{
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case "$st" in
	Z*) return 1 ;;
	esac
	return 0
}

# stop_server TARGET: stops the pooler of TARGET and whatever of its children is left, by pid.
stop_server()
{
	local t=$1 pid sig kids k
	pid=${SRV_PID[$t]:-}
	[ -n "$pid" ] || return 0
	SRV_PID[$t]=""
	kids=$(pgrep -P "$pid" 2>/dev/null | tr '\n' ' ')
	case "$t" in
	pgbouncer) sig=TERM ;; # PgBouncer 1.18: SIGTERM is the immediate shutdown
	*) sig=INT ;;          # pgpool: SIGINT is the fast shutdown
	esac
	if alive "$pid"; then
		kill -"$sig" "$pid" 2>/dev/null
		if ! cluster_wait 20 sh -c "! ps -o stat= -p $pid | grep -qv '^Z'"; then
			log "$t (pid $pid) did not stop in 20 s; killing it"
			kill -KILL "$pid" 2>/dev/null
		fi
	fi
	wait "$pid" 2>/dev/null
	for k in $kids; do
		cluster_wait 5 sh -c "! ps -o stat= -p $k | grep -qv '^Z'" && continue
		case "$(ps -o comm= -p "$k" 2>/dev/null)" in
		pgpool* | pgbouncer*)
			log "killing leftover $t child $k"
			kill -KILL "$k" 2>/dev/null
			;;
		esac
	done
}

cleanup()
{
	local t
	[ "$CLEANED" -eq 1 ] && return
	CLEANED=1
	if [ -n "$RUNNING_PID" ]; then
		kill -TERM "$RUNNING_PID" 2>/dev/null
		wait "$RUNNING_PID" 2>/dev/null
		RUNNING_PID=""
	fi
	for t in pgpool-ng pgpool-II pgbouncer; do
		stop_server "$t"
	done
	cluster_stop immediate
	if [ -n "$TOP" ] && [ -d "$TOP" ]; then
		if [ "$KEEP" -eq 1 ]; then
			log "kept $TOP"
		else
			rm -rf "$TOP"
		fi
	fi
}

on_signal()
{
	log "interrupted by SIG$1, cleaning up"
	cleanup
	trap - EXIT
	exit 130
}

trap cleanup EXIT
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'on_signal HUP' HUP

# ---------------------------------------------------------------------------------------------------
# Helpers

# psql_db PORT DB SQL...: each SQL as its own command (so that VACUUM works), as the superuser.
psql_db()
{
	local port=$1 db=$2 a
	shift 2
	local -a cmds=()
	for a in "$@"; do
		cmds+=(-c "$a")
	done
	PGCONNECT_TIMEOUT=10 "$PGNG_PG_BIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 \
		-h 127.0.0.1 -p "$port" -U "$PGNG_PG_SUPERUSER" -d "$db" "${cmds[@]}"
}

new_port()
{
	local p
	p=$(cluster_free_port "$PGNG_PG_PORT0" "$PGNG_PG_PORT1" "$PGNG_PG_PORT2" "${USED_PORTS[@]}") || return 1
	USED_PORTS+=("$p")
	echo "$p"
}

# A directory owned by the servers' OS user.
user_dir()
{
	mkdir -p "$1" || return 1
	[ "$(id -u)" -eq 0 ] && chown "$PGNG_OS_USER:" "$1"
	chmod 0755 "$1"
}

# start_bg LOG CMD...: starts CMD as the servers' OS user in a session of its own (so that a Ctrl-C
# on the terminal reaches the bench's cleanup, not the server), output to LOG. Sets BG_PID: with
# setsid and setpriv exec'ing in place, it is the server's own pid.
BG_PID=""
start_bg()
{
	local out=$1
	shift
	if [ "$(id -u)" -eq 0 ]; then
		(
			cd "$TOP" || exit 1
			exec setsid setpriv --reuid="$PGNG_OS_USER" --regid="$(id -g "$PGNG_OS_USER")" \
				--init-groups -- "$@"
		) >"$out" 2>&1 </dev/null 3>&- &
	else
		(
			cd "$TOP" || exit 1
			exec setsid "$@"
		) >"$out" 2>&1 </dev/null 3>&- &
	fi
	BG_PID=$!
}

# True when PID has exited or a server answers on PORT for database $DB.
settled()
{
	! alive "$1" || "$PGNG_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$2" -d "$DB" \
		-U "$PGNG_PG_SUPERUSER" -t 2
}

# wait_server TARGET PID PORT LOG: waits until it answers (0), or says why not and stops it (1).
wait_server()
{
	local t=$1 pid=$2 port=$3 out=$4 why
	cluster_wait "$START_TIMEOUT" settled "$pid" "$port"
	if ! alive "$pid"; then
		wait "$pid" 2>/dev/null
		# The last message, without the log line prefix (time, process, level).
		why=$(grep -v '^[[:space:]]*$' "$out" | tail -n 1 |
			sed -E 's/^.*(FATAL|ERROR|PANIC|WARNING|LOG) *: +//' | cut -c 1-300)
		UNUSABLE[$t]="not runnable: exited at start${why:+: $why}"
		return 1
	fi
	SRV_PID[$t]=$pid
	if ! psql_db "$port" "$DB" "SELECT 1" >/dev/null 2>"$out.check"; then
		why=$(head -n 1 "$out.check" | cut -c 1-200)
		UNUSABLE[$t]="not runnable: does not serve 'SELECT 1' within ${START_TIMEOUT} s${why:+: $why}"
		stop_server "$t"
		return 1
	fi
	return 0
}

# ---------------------------------------------------------------------------------------------------
# Servers

# write_pgpool_conf DIR PORT PCP_PORT "CHILDREN LB": the same settings for pgpool-ng and pgpool-II.
write_pgpool_conf()
{
	local dir=$1 port=$2 pcp_port=$3 children=${4% *} lb=${4#* } i
	{
		cat <<EOF
# Written by bench/pgbench.sh. The same file is used for pgpool-ng and pgpool-II (only
# ports and directories differ).
backend_clustering_mode = 'streaming_replication'
listen_addresses = '127.0.0.1'
port = $port
socket_dir = '$dir'
pcp_listen_addresses = '127.0.0.1'
pcp_port = $pcp_port
pcp_socket_dir = '$dir'
wd_ipc_socket_dir = '$dir'
pid_file_name = '$dir/pgpool.pid'
logdir = '$dir'
EOF
		for ((i = 0; i < CLUSTER_NODES; i++)); do
			cat <<EOF
backend_hostname$i = '127.0.0.1'
backend_port$i = $(eval "echo \$PGNG_PG_PORT$i")
backend_weight$i = 1
backend_data_directory$i = '$CLUSTER_DIR/data$i'
backend_flag$i = 'ALLOW_TO_FAILOVER'
backend_application_name$i = 'node$i'
EOF
		done
		cat <<EOF
num_init_children = $children
max_pool = 4
connection_cache = on
load_balance_mode = $lb
enable_pool_hba = off
pool_passwd = 'pool_passwd'
sr_check_period = 0
sr_check_user = '$PGNG_PG_SUPERUSER'
sr_check_database = 'postgres'
health_check_period = 0
failover_on_backend_error = off
use_watchdog = off
memory_cache_enabled = off
log_destination = 'stderr'
logging_collector = off
log_min_messages = warning
log_connections = off
log_disconnections = off
log_statement = off
log_per_node_statement = off
EOF
	} >"$dir/pgpool.conf"
	printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$dir/pool_hba.conf"
	printf 'bench:%s\n' "$(printf 'bench' | md5sum | cut -d' ' -f1)" >"$dir/pcp.conf"
	: >"$dir/pool_passwd"
	chmod 0644 "$dir/pgpool.conf" "$dir/pool_hba.conf"
	chmod 0600 "$dir/pcp.conf" "$dir/pool_passwd"
	[ "$(id -u)" -eq 0 ] && chown "$PGNG_OS_USER:" "$dir/pcp.conf" "$dir/pool_passwd"
	return 0
}

# start_pgpool TARGET CHILDREN: pgpool-ng or pgpool-II with CHILDREN children.
start_pgpool()
{
	local t=$1 children=$2 bin dir port pcp_port attempt out
	case "$t" in
	pgpool-ng) bin=$PGPOOL_NG_BIN ;;
	*) bin=$PGPOOL_II_BIN ;;
	esac
	dir=$TOP/$t
	user_dir "$dir" || return 1
	out=$dir/pgpool.log
	for attempt in 1 2 3; do
		port=$(new_port) && pcp_port=$(new_port) || return 1
		write_pgpool_conf "$dir" "$port" "$pcp_port" "$children"
		rm -f "$dir/pgpool.pid"
		local -a args=(-f "$dir/pgpool.conf" -a "$dir/pool_hba.conf" -F "$dir/pcp.conf")
		if [ "$t" = pgpool-ng ] && ! "$bin" --check-config "${args[@]}" >"$dir/check-config.out" 2>&1; then
			UNUSABLE[$t]="not runnable: --check-config rejects the bench's pgpool.conf: $(grep -m 1 error: "$dir/check-config.out" | cut -c 1-200)"
			return 1
		fi
		start_bg "$out" "$bin" -n -D "${args[@]}"
		if wait_server "$t" "$BG_PID" "$port" "$out"; then
			SRV_PORT[$t]=$port
			SRV_CHILDREN[$t]=$children
			log "$t started: pid ${SRV_PID[$t]}, port $port, children and load balancing: $children"
			return 0
		fi
		grep -q -i -e 'address already in use' -e 'could not bind' "$out" || break
		log "$t: port $port or $pcp_port was taken meanwhile; retrying (attempt $attempt)"
		unset 'UNUSABLE[$t]'
	done
	log "$t: ${UNUSABLE[$t]:-did not start} (log: $out)"
	return 1
}

start_pgbouncer()
{
	local t=pgbouncer dir=$TOP/pgbouncer port attempt out
	user_dir "$dir" || return 1
	out=$dir/pgbouncer.log
	for attempt in 1 2 3; do
		port=$(new_port) || return 1
		cat >"$dir/pgbouncer.ini" <<EOF
; Written by bench/pgbench.sh.
[databases]
$DB = host=127.0.0.1 port=$PGNG_PG_PORT0 dbname=$DB

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir = $dir
pidfile = $dir/pgbouncer.pid
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = session
max_client_conn = 100
default_pool_size = 80
ignore_startup_parameters = extra_float_digits
log_connections = 0
log_disconnections = 0
log_pooler_errors = 1
EOF
		printf '"%s" ""\n' "$PGNG_PG_SUPERUSER" >"$dir/userlist.txt"
		chmod 0644 "$dir/pgbouncer.ini" "$dir/userlist.txt"
		rm -f "$dir/pgbouncer.pid"
		start_bg "$out" "$PGBOUNCER_BIN" "$dir/pgbouncer.ini"
		if wait_server "$t" "$BG_PID" "$port" "$out"; then
			SRV_PORT[$t]=$port
			log "$t started: pid ${SRV_PID[$t]}, port $port"
			return 0
		fi
		grep -q -i -e 'address already in use' -e 'could not bind' "$out" || break
		log "$t: port $port was taken meanwhile; retrying (attempt $attempt)"
		unset 'UNUSABLE[$t]'
	done
	log "$t: ${UNUSABLE[$t]:-did not start} (log: $out)"
	return 1
}

# ensure_target TARGET SCENARIO: the target is up with the settings the scenario needs (pgpool-ng
# and pgpool-II are restarted when num_init_children changes). Fails when it cannot be measured.
ensure_target()
{
	local t=$1 s=$2 children
	[ -z "${UNUSABLE[$t]:-}" ] || return 1
	case "$t" in
	direct)
		SRV_PORT[$t]=$PGNG_PG_PORT0
		return 0
		;;
	pgbouncer)
		[ -n "${SRV_PID[$t]:-}" ] && alive "${SRV_PID[$t]}" && return 0
		[ -n "${SRV_PID[$t]:-}" ] && log "$t died; starting it again" && stop_server "$t"
		start_pgbouncer
		;;
	*)
		children=$(scenario_children "$s")
		if [ -n "${SRV_PID[$t]:-}" ]; then
			if ! alive "${SRV_PID[$t]}"; then
				log "$t died; starting it again"
			elif [ "${SRV_CHILDREN[$t]}" = "$children" ]; then
				return 0
			fi
			stop_server "$t"
		fi
		start_pgpool "$t" "$children"
		;;
	esac
}

# ---------------------------------------------------------------------------------------------------
# Cluster

# Extra settings for every node (appended after cluster.sh's; the standbys copy postgresql.conf
# with the base backup): room for every pooler's cached connections at once, and a buffer cache
# that holds the whole scale-10 database.
eval "cluster_write_primary_conf_base()
$(declare -f cluster_write_primary_conf | tail -n +2)"
cluster_write_primary_conf()
{
	cluster_write_primary_conf_base "$@" || return 1
	cluster_as_user sh -c "cat >> '$1/postgresql.conf'" <<EOF

# --- bench/pgbench.sh ---
max_connections = 400
shared_buffers = 256MB
EOF
}

standbys_caught_up()
{
	local n
	n=$(psql_db "$PGNG_PG_PORT0" postgres "SELECT count(*) FROM pg_stat_replication
		WHERE replay_lsn >= pg_current_wal_lsn()") || return 1
	[ "$n" = $((CLUSTER_NODES - 1)) ]
}

# bounded SECONDS OUT CMD...: runs CMD, output to file OUT, at most SECONDS, in the background so
# that a signal reaches the trap at once.
bounded()
{
	local limit=$1 out=$2
	shift 2
	timeout -k 5 "$limit" "$@" >"$out" 2>&1 3>&- &
	RUNNING_PID=$!
	wait "$RUNNING_PID"
	local rc=$?
	RUNNING_PID=""
	return $rc
}

# ---------------------------------------------------------------------------------------------------
# Runs

CSV=""

# run_one REP SCENARIO TARGET: a warm-up and a measured run; one line in the CSV.
run_one()
{
	local rep=$1 s=$2 t=$3 port out rc tps lat xacts failed status load started
	local -a args
	read -r -a args <<<"$(scenario_args "$s")"
	port=${SRV_PORT[$t]}
	if [ "$s" = tpcb-prepared ]; then
		# What pgbench does before a run unless -n, done directly so that no pooler pays for it.
		psql_db "$PGNG_PG_PORT0" "$DB" "VACUUM pgbench_branches, pgbench_tellers" \
			"TRUNCATE pgbench_history" >/dev/null 2>&1 || log "vacuum before $s failed"
	fi
	local -a common=(-n -h 127.0.0.1 -p "$port" -U "$PGNG_PG_SUPERUSER" "$DB")
	if [ "$WARMUP" -gt 0 ]; then
		bounded $((WARMUP + 60)) /dev/null "$PGBENCH" "${args[@]}" -T "$WARMUP" "${common[@]}"
	fi
	out=$TOP/runs/$rep-$s-$t.out
	load=$(cut -d ' ' -f 1 /proc/loadavg)
	started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	bounded $((DURATION + 60)) "$out" "$PGBENCH" "${args[@]}" -T "$DURATION" "${common[@]}"
	rc=$?
	tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$out" | head -n 1)
	lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$out" | head -n 1)
	xacts=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out" | head -n 1)
	failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out" | head -n 1)
	if [ $rc -eq 0 ] && [ -n "$tps" ] && [ -n "$lat" ]; then
		status=ok
		log "rep $rep/$REPS $s $t: $(printf '%.0f' "$tps") tps, $lat ms"
		if [ "$s" = select-lb ] && [ "$t" != direct ] && [ "$t" != pgbouncer ]; then
			log "  $t select_cnt per node (SHOW pool_nodes): $(psql_db "$port" "$DB" "SHOW pool_nodes" |
				cut -d'|' -f1,9 | tr '\n' ' ')"
		fi
	else
		status=error
		log "rep $rep/$REPS $s $t: pgbench failed (exit $rc); the end of its output:"
		tail -n 5 "$out" | sed 's/^/    /' >&3
		cp "$out" "$RESULTS_DIR/pgbench-$STAMP-$rep-$s-$t.failed.out" 2>/dev/null
	fi
	printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,"%s"\n' "$started" "$rep" "$s" "$t" "$status" \
		"${tps:-}" "${lat:-}" "${xacts:-}" "${failed:-}" "$DURATION" "$load" "${args[*]}" >>"$CSV"
}

# ---------------------------------------------------------------------------------------------------
# Report

# Median of the numbers on stdin (empty when none).
median()
{
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# values SCENARIO TARGET COLUMN: that column of the successful runs.
values()
{
	awk -F , -v s="$1" -v t="$2" -v c="$3" 'NR > 1 && $3 == s && $4 == t && $5 == "ok" { print $c }' "$CSV"
}

ratio()
{
	if [ -n "$1" ] && [ -n "$2" ]; then
		awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'
	else
		printf -- '-'
	fi
}

# Range of the TPS of the repetitions, so that noise can be judged next to the medians.
print_spread()
{
	local s t hdr sep row r
	hdr="| scenario |"
	sep="|---|"
	for t in "${TARGETS[@]}"; do
		hdr="$hdr $t tps min-max |"
		sep="$sep---:|"
	done
	echo "$hdr"
	echo "$sep"
	for s in "${SCENARIOS[@]}"; do
		row="| $s |"
		for t in "${TARGETS[@]}"; do
			r=$(values "$s" "$t" 6 | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 }
				END { if (NR) printf "%.0f-%.0f (%d)", lo, hi, NR; else printf "-" }')
			row="$row $r |"
		done
		echo "$row"
	done
}

selected_target()
{
	local x
	for x in "${TARGETS[@]}"; do
		[ "$x" = "$1" ] && return 0
	done
	return 1
}

print_table()
{
	local s t hdr sep row tps lat direct_tps n
	declare -A med=()
	hdr="| scenario | pgbench options |"
	sep="|---|---|"
	for t in "${TARGETS[@]}"; do
		hdr="$hdr $t tps | $t ms |"
		sep="$sep---:|---:|"
		if [ "$t" != direct ] && selected_target direct; then
			hdr="$hdr $t / direct |"
			sep="$sep---:|"
		fi
	done
	if selected_target pgpool-ng && selected_target pgpool-II; then
		hdr="$hdr pgpool-ng / pgpool-II |"
		sep="$sep---:|"
	fi
	echo "$hdr"
	echo "$sep"
	for s in "${SCENARIOS[@]}"; do
		row="| $s | \`$(scenario_args "$s")\` |"
		for t in "${TARGETS[@]}"; do
			tps=$(values "$s" "$t" 6 | median)
			lat=$(values "$s" "$t" 7 | median)
			n=$(values "$s" "$t" 6 | wc -l)
			med[$t]=$tps
			if [ -n "$tps" ]; then
				row="$row $(printf '%.0f' "$tps")$([ "$n" -lt "$REPS" ] && echo " ($n/$REPS runs)") | $(printf '%.3f' "$lat") |"
			elif [ -n "${UNUSABLE[$t]:-}" ]; then
				row="$row not runnable | - |"
			else
				row="$row failed | - |"
			fi
			if [ "$t" != direct ] && selected_target direct; then
				direct_tps=${med[direct]:-}
				row="$row $(ratio "$tps" "$direct_tps") |"
			fi
		done
		if selected_target pgpool-ng && selected_target pgpool-II; then
			row="$row $(ratio "${med[pgpool-ng]:-}" "${med[pgpool-II]:-}") |"
		fi
		echo "$row"
	done
}

RSS_CSV=""
declare -A RSS_LINE=()

# measure_rss TARGET: private memory (Private_Clean + Private_Dirty of smaps_rollup) of each idle
# child of a running pgpool, after the runs. Fills RSS_LINE and RSS_CSV.
measure_rss()
{
	local t=$1 pid k cmd kb
	local -a sizes=()
	pid=${SRV_PID[$t]:-}
	if [ -z "$pid" ] || ! alive "$pid"; then
		RSS_LINE[$t]="not measured: $t is not running${UNUSABLE[$t]:+ (${UNUSABLE[$t]%%:*})}"
		return
	fi
	for k in $(pgrep -P "$pid"); do
		cmd=$(tr '\0' ' ' <"/proc/$k/cmdline" 2>/dev/null | sed 's/ *$//')
		# Not connection children: PCP, worker (sr check), health check, watchdog, logger.
		case "$cmd" in
		*PCP* | *worker* | *health\ check* | *watchdog* | *lifecheck* | *logger*) continue ;;
		esac
		kb=$(awk '/^Private_(Clean|Dirty):/ { s += $2 } END { if (NR) print s }' "/proc/$k/smaps_rollup" 2>/dev/null)
		[ -n "$kb" ] || continue
		sizes+=("$kb")
		printf '%s,%s,%s,%s,"%s"\n' "$t" "${SRV_CHILDREN[$t]}" "$k" "$kb" "$cmd" >>"$RSS_CSV"
	done
	if [ ${#sizes[@]} -eq 0 ]; then
		RSS_LINE[$t]="no children found"
		return
	fi
	RSS_LINE[$t]=$(printf '%s\n' "${sizes[@]}" | sort -n | awk -v n=${#sizes[@]} -v c="${SRV_CHILDREN[$t]}" '
		{ v[NR] = $1 }
		END {
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%d children (num_init_children %s): median %.0f kB, max %d kB, min %d kB", n, c, m, v[NR], v[1]
		}')
}

versions()
{
	local v
	echo "- PostgreSQL: $("$PGNG_PG_BIN/postgres" --version 2>/dev/null | head -n 1)"
	if selected_target pgpool-ng; then
		v=$(cd "$PGNG_SRC" && git rev-parse --short HEAD 2>/dev/null)
		echo "- pgpool-ng: $PGPOOL_NG_BIN (commit ${v:-?})"
	fi
	if selected_target pgpool-II; then
		echo "- pgpool-II: $(dpkg-query -W -f='${Version}' pgpool2 2>/dev/null) ($PGPOOL_II_BIN)"
	fi
	if selected_target pgbouncer; then
		echo "- PgBouncer: $(dpkg-query -W -f='${Version}' pgbouncer 2>/dev/null) ($PGBOUNCER_BIN)"
	fi
}

# ---------------------------------------------------------------------------------------------------
# Main

RESULTS_DIR=$BENCH_DIR/results
mkdir -p "$RESULTS_DIR" || die "cannot create $RESULTS_DIR"
STAMP=$(date +%Y%m%d-%H%M%S)
CSV=$RESULTS_DIR/pgbench-$STAMP.csv
RSS_CSV=$RESULTS_DIR/pgbench-$STAMP-rss.csv
REPORT=$RESULTS_DIR/pgbench-$STAMP.txt
LOAD_START=$(uptime)
T_START=$SECONDS

if [ ! -x "$PGBENCH" ] || [ ! -x "$PGNG_PG_BIN/initdb" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		"$PGNG_SRC/scripts/deps.sh" || die "scripts/deps.sh failed"
	fi
	[ -x "$PGBENCH" ] || die "$PGBENCH not found (apt-get install postgresql-15)"
fi
command -v setpriv >/dev/null 2>&1 || [ "$(id -u)" -ne 0 ] || die "setpriv (util-linux) not found"
for t in "${TARGETS[@]}"; do
	case "$t" in
	pgpool-ng)
		[ -x "$PGPOOL_NG_BIN" ] || UNUSABLE[$t]="not runnable: $PGPOOL_NG_BIN is not built (scripts/build.sh)"
		;;
	pgpool-II)
		ensure_package pgpool2 pgpool2 || UNUSABLE[$t]="not runnable: package pgpool2 missing"
		[ -x "$PGPOOL_II_BIN" ] || UNUSABLE[$t]="not runnable: $PGPOOL_II_BIN not found"
		;;
	pgbouncer)
		ensure_package pgbouncer pgbouncer || UNUSABLE[$t]="not runnable: package pgbouncer missing"
		[ -x "$PGBOUNCER_BIN" ] || UNUSABLE[$t]="not runnable: $PGBOUNCER_BIN not found"
		;;
	esac
done

TOP=$(mktemp -d "${TMPDIR:-/tmp}/pgng-bench.XXXXXX") || die "mktemp failed"
chmod 0755 "$TOP"
mkdir -p "$TOP/runs"
log "temporary directory $TOP; results in $RESULTS_DIR/pgbench-$STAMP.*"
log "load at start: $LOAD_START"

t0=$SECONDS
cluster_start "$TOP/cluster" || die "the cluster did not start; logs in $TOP/cluster/log (-k keeps them)"
log "cluster up in $((SECONDS - t0)) s: primary :$PGNG_PG_PORT0, standbys :$PGNG_PG_PORT1 :$PGNG_PG_PORT2 (OS user $PGNG_OS_USER)"
USED_PORTS=("$PGNG_PG_PORT0" "$PGNG_PG_PORT1" "$PGNG_PG_PORT2")

t0=$SECONDS
psql_db "$PGNG_PG_PORT0" postgres "CREATE DATABASE $DB" >/dev/null || die "CREATE DATABASE $DB failed"
bounded 900 "$TOP/pgbench-init.out" \
	"$PGBENCH" -i -q -s "$SCALE" -h 127.0.0.1 -p "$PGNG_PG_PORT0" -U "$PGNG_PG_SUPERUSER" "$DB" || {
	tail -n 20 "$TOP/pgbench-init.out" >&3
	die "pgbench -i failed"
}
psql_db "$PGNG_PG_PORT0" "$DB" "CHECKPOINT" >/dev/null
cluster_wait 300 standbys_caught_up || die "the standbys did not replay the pgbench data in 300 s"
log "database $DB at scale $SCALE ready in $((SECONDS - t0)) s"

echo "started,rep,scenario,target,status,tps,latency_ms,transactions,failed,duration_s,load1,pgbench_options" >"$CSV"
echo "target,num_init_children,pid,private_kb,cmdline" >"$RSS_CSV"

ntargets=${#TARGETS[@]}
for ((rep = 1; rep <= REPS; rep++)); do
	for s in "${SCENARIOS[@]}"; do
		for ((i = 0; i < ntargets; i++)); do
			# Rotate the first target with the repetition so that none always runs first.
			t=${TARGETS[$(((i + rep - 1) % ntargets))]}
			ensure_target "$t" "$s" || continue
			run_one "$rep" "$s" "$t"
		done
	done
done

# No pgbench is connected any more: the poolers' children are idle.
for t in pgpool-ng pgpool-II; do
	selected_target "$t" && measure_rss "$t"
done
LOAD_END=$(uptime)

{
	echo "# pgbench: direct vs pgpool-ng vs pgpool-II vs PgBouncer"
	echo
	echo "- $(date -u '+%Y-%m-%d %H:%M UTC'), host $(hostname), $(nproc) CPUs, $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
	versions
	echo "- cluster: primary + 2 streaming standbys (synchronous, ANY 1) on 127.0.0.1, fsync off, shared_buffers 256MB; database $DB, pgbench -i -s $SCALE"
	echo "- pgpool-ng and pgpool-II: streaming_replication, 3 backends, num_init_children 32 (72 for select-c64), max_pool 4, load_balance_mode off (on in select-lb, backend_weight 1:1:1), connection_cache on, no health/sr check, no pool_hba, trust"
	echo "- PgBouncer: pool_mode session, default_pool_size 80, max_client_conn 100 (primary only)"
	echo "- each run: $DURATION s (after a ${WARMUP} s warm-up), $REPS repetitions, interleaved; medians shown; ratios are of TPS"
	echo "- load at start: ${LOAD_START# }"
	echo "- load at end:   ${LOAD_END# }"
	echo
	print_table
	echo
	if [ "$REPS" -gt 1 ]; then
		echo "Spread of the repetitions (number of successful runs in parentheses):"
		echo
		print_spread
		echo
	fi
	for t in "${TARGETS[@]}"; do
		[ -n "${UNUSABLE[$t]:-}" ] && echo "- $t: ${UNUSABLE[$t]}"
	done
	for t in pgpool-ng pgpool-II; do
		selected_target "$t" || continue
		echo "- idle $t child, private memory (Private_Clean + Private_Dirty): ${RSS_LINE[$t]:-not measured}"
	done
	echo
	echo "Raw runs: $CSV"
	if selected_target pgpool-ng || selected_target pgpool-II; then
		echo "Children's memory: $RSS_CSV"
	fi
	echo "Elapsed: $((SECONDS - T_START)) s"
} >"$REPORT"
cat "$REPORT"
