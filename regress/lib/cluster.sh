# shellcheck shell=bash
# A real PostgreSQL 15 cluster for tests and the demo: one primary and two streaming standbys on
# 127.0.0.1, free ports, run as an unprivileged OS user. Sourced by regress/run.sh and scripts/demo.sh.
#
# Every wait is bounded and polls a condition; the machine running this may be shared and slow.
# The cluster's facts are written to $CLUSTER_DIR/cluster.env so that another shell can find and stop it.

: "${PGNG_PG_BIN:=/usr/lib/postgresql/15/bin}"
: "${PGNG_PG_SUPERUSER:=postgres}"
: "${PGNG_CLUSTER_START_TIMEOUT:=120}"
: "${PGNG_CLUSTER_STREAM_TIMEOUT:=60}"
CLUSTER_NODES=3

cluster_log()
{
	printf '%s\n' "cluster: $*" >&2
}

# The OS user that owns and runs the servers: PostgreSQL refuses to run as root.
# Sets PGNG_OS_USER. As root: $PGNG_OS_USER if set, else `postgres` if it exists, else a system user
# `pgpoolng` created here. As anybody else: that user.
cluster_pick_os_user()
{
	if [ "$(id -u)" -ne 0 ]; then
		PGNG_OS_USER=$(id -un)
	elif [ -z "${PGNG_OS_USER:-}" ]; then
		if id -u postgres >/dev/null 2>&1; then
			PGNG_OS_USER=postgres
		else
			if ! id -u pgpoolng >/dev/null 2>&1; then
				useradd --system --no-create-home --home-dir /nonexistent \
					--shell /usr/sbin/nologin pgpoolng || return 1
			fi
			PGNG_OS_USER=pgpoolng
		fi
	fi
	if [ "$(id -u)" -eq 0 ] && [ "$(id -u "$PGNG_OS_USER")" -eq 0 ]; then
		cluster_log "PGNG_OS_USER=$PGNG_OS_USER is root; PostgreSQL will not run as root"
		return 1
	fi
	export PGNG_OS_USER
}

# Runs a command as PGNG_OS_USER (directly when we already are that user). Starts from a directory
# the user can read, so that tools do not complain about an inaccessible working directory.
cluster_as_user()
{
	(
		cd "${CLUSTER_DIR:-/}" 2>/dev/null || cd /
		if [ "$(id -u)" -eq 0 ]; then
			exec runuser -u "$PGNG_OS_USER" -- "$@"
		else
			exec "$@"
		fi
	)
}

# True when something on this host holds TCP port $1 (any state, IPv4 or IPv6).
cluster_port_in_use()
{
	local hex
	hex=$(printf '%04X' "$1")
	# Column 2 is local_address as HEXIP:HEXPORT.
	awk -v p=":$hex" 'NR > 1 && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Prints a TCP port that is free now and not in the list of ports given as arguments. Starts at a
# random place in 15000-29999 (below Linux's ephemeral range) so parallel runs rarely collide; a
# collision that still happens is caught when the server fails to bind, and the caller retries.
cluster_free_port()
{
	local port tries=0 taken p
	port=$((15000 + RANDOM % 15000))
	while [ $tries -lt 15000 ]; do
		taken=0
		for p in "$@"; do
			[ "$p" = "$port" ] && taken=1
		done
		if [ $taken -eq 0 ] && ! cluster_port_in_use "$port"; then
			echo "$port"
			return 0
		fi
		port=$((port + 1))
		[ $port -ge 30000 ] && port=15000
		tries=$((tries + 1))
	done
	cluster_log "no free TCP port found"
	return 1
}

# Polls until command "$@" succeeds, at most $1 seconds (checked every 0.2 s).
cluster_wait()
{
	local limit=$1 deadline
	shift
	deadline=$(($(date +%s) + limit))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.2
	done
	return 0
}

cluster_psql()
{
	local port=$1
	shift
	PGCONNECT_TIMEOUT=10 "$PGNG_PG_BIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 \
		-h 127.0.0.1 -p "$port" -U "$PGNG_PG_SUPERUSER" -d postgres -c "$1"
}

cluster_ready()
{
	"$PGNG_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -U "$PGNG_PG_SUPERUSER" -t 5
}

cluster_node_log()
{
	echo "$CLUSTER_DIR/log/node$1.log"
}

# Starts node $1 whose data directory exists, on a free port (rewritten into its configuration).
# Retries on another port when the chosen one was taken meanwhile.
cluster_start_node()
{
	local i=$1 data="$CLUSTER_DIR/data$1" attempt port others
	local log
	log=$(cluster_node_log "$i")
	for attempt in 1 2 3 4 5; do
		others="${PGNG_PG_PORT0:-} ${PGNG_PG_PORT1:-} ${PGNG_PG_PORT2:-}"
		# shellcheck disable=SC2086 # word splitting of the port list is intended
		port=$(cluster_free_port $others) || return 1
		cluster_as_user sh -c "echo 'port = $port' >> '$data/postgresql.conf'"
		if cluster_as_user "$PGNG_PG_BIN/pg_ctl" start -w -t "$PGNG_CLUSTER_START_TIMEOUT" \
			-D "$data" -l "$log" >/dev/null; then
			if cluster_wait "$PGNG_CLUSTER_START_TIMEOUT" cluster_ready "$port"; then
				eval "PGNG_PG_PORT$i=$port"
				export "PGNG_PG_PORT$i"
				return 0
			fi
			cluster_log "node$i started but does not accept connections on port $port"
			tail -n 20 "$log" >&2
			return 1
		fi
		if grep -q -e 'could not bind' -e 'Address already in use' "$log" 2>/dev/null; then
			cluster_log "node$i: port $port was taken meanwhile, retrying (attempt $attempt)"
			continue
		fi
		cluster_log "node$i failed to start; the end of $log:"
		tail -n 20 "$log" >&2
		return 1
	done
	return 1
}

# Starts node $1 again on the port already in its configuration (used by the demo after a reboot).
cluster_restart_node()
{
	local i=$1 port
	port=$(eval "echo \${PGNG_PG_PORT$i:-}")
	cluster_as_user "$PGNG_PG_BIN/pg_ctl" start -w -t "$PGNG_CLUSTER_START_TIMEOUT" \
		-D "$CLUSTER_DIR/data$i" -l "$(cluster_node_log "$i")" >/dev/null &&
		cluster_wait "$PGNG_CLUSTER_START_TIMEOUT" cluster_ready "$port"
}

cluster_write_primary_conf()
{
	local data=$1
	cluster_as_user sh -c "cat >> '$data/postgresql.conf'" <<EOF

# --- pgpool-ng regress cluster ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$CLUSTER_DIR/sock'
max_connections = 100
shared_buffers = 16MB
fsync = off
synchronous_commit = on
full_page_writes = off
wal_level = replica
max_wal_senders = 10
wal_keep_size = 64MB
hot_standby = on
synchronous_standby_names = 'ANY 1 (node1, node2)'
logging_collector = off
log_line_prefix = '%m [%p] %q%a '
log_connections = off
EOF
}

cluster_init_primary()
{
	local data="$CLUSTER_DIR/data0"
	if ! cluster_as_user "$PGNG_PG_BIN/initdb" -D "$data" -U "$PGNG_PG_SUPERUSER" \
		--auth-local=trust --auth-host=trust --no-sync -E UTF8 --locale=C \
		>"$CLUSTER_DIR/log/initdb.log" 2>&1; then
		cluster_log "initdb failed:"
		tail -n 20 "$CLUSTER_DIR/log/initdb.log" >&2
		return 1
	fi
	cluster_write_primary_conf "$data"
	cluster_start_node 0
}

# Clones standby $1 from the primary and starts it streaming under application_name node$1.
cluster_add_standby()
{
	local i=$1 data="$CLUSTER_DIR/data$1"
	if ! cluster_as_user "$PGNG_PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PGNG_PG_PORT0" \
		-U "$PGNG_PG_SUPERUSER" -D "$data" -R -X stream --checkpoint=fast --no-sync \
		>"$CLUSTER_DIR/log/basebackup$i.log" 2>&1; then
		cluster_log "pg_basebackup for node$i failed:"
		tail -n 20 "$CLUSTER_DIR/log/basebackup$i.log" >&2
		return 1
	fi
	cluster_as_user sh -c "cat >> '$data/postgresql.auto.conf'" <<EOF
primary_conninfo = 'host=127.0.0.1 port=$PGNG_PG_PORT0 user=$PGNG_PG_SUPERUSER application_name=node$i'
EOF
	cluster_start_node "$i"
}

cluster_streaming_count()
{
	cluster_psql "$PGNG_PG_PORT0" \
		"SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"
}

cluster_all_streaming()
{
	[ "$(cluster_streaming_count 2>/dev/null)" = "$((CLUSTER_NODES - 1))" ]
}

# Waits until every standby streams from the primary.
cluster_wait_streaming()
{
	local limit=${1:-$PGNG_CLUSTER_STREAM_TIMEOUT}
	if ! cluster_wait "$limit" cluster_all_streaming; then
		cluster_log "standbys not streaming after ${limit}s; pg_stat_replication:"
		cluster_psql "$PGNG_PG_PORT0" "SELECT application_name, state, sync_state FROM pg_stat_replication" >&2
		return 1
	fi
}

cluster_write_env()
{
	local i
	{
		echo "PGNG_CLUSTER_DIR='$CLUSTER_DIR'"
		echo "PGNG_OS_USER='$PGNG_OS_USER'"
		echo "PGNG_PG_BIN='$PGNG_PG_BIN'"
		echo "PGNG_PG_SUPERUSER='$PGNG_PG_SUPERUSER'"
		echo "PGNG_PG_SOCKDIR='$CLUSTER_DIR/sock'"
		for ((i = 0; i < CLUSTER_NODES; i++)); do
			echo "PGNG_PG_PORT$i='$(eval "echo \${PGNG_PG_PORT$i:-}")'"
			echo "PGNG_PG_DATA$i='$CLUSTER_DIR/data$i'"
		done
	} >"$CLUSTER_DIR/cluster.env"
}

# Exports what tests and the demo need to know about the cluster in $CLUSTER_DIR.
cluster_export_env()
{
	local i
	export PGNG_CLUSTER_DIR="$CLUSTER_DIR" PGNG_PG_BIN PGNG_PG_SUPERUSER PGNG_OS_USER
	export PGNG_PG_SOCKDIR="$CLUSTER_DIR/sock"
	for ((i = 0; i < CLUSTER_NODES; i++)); do
		export "PGNG_PG_DATA$i=$CLUSTER_DIR/data$i"
		export "PGNG_PG_PORT$i"
	done
}

# cluster_start DIR: creates and starts the whole cluster in DIR (which must not hold one yet) and
# waits until both standbys stream. DIR is created if needed and handed to the OS user.
cluster_start()
{
	local i
	CLUSTER_DIR=$1
	unset PGNG_PG_PORT0 PGNG_PG_PORT1 PGNG_PG_PORT2
	if [ ! -x "$PGNG_PG_BIN/initdb" ]; then
		cluster_log "PostgreSQL binaries not found in $PGNG_PG_BIN (apt-get install postgresql-15)"
		return 1
	fi
	cluster_pick_os_user || return 1
	mkdir -p "$CLUSTER_DIR/log" "$CLUSTER_DIR/sock" || return 1
	if [ "$(id -u)" -eq 0 ]; then
		chown "$PGNG_OS_USER:" "$CLUSTER_DIR" "$CLUSTER_DIR/log" "$CLUSTER_DIR/sock" || return 1
	fi
	chmod 0755 "$CLUSTER_DIR"
	if ! cluster_as_user test -w "$CLUSTER_DIR/log"; then
		cluster_log "user $PGNG_OS_USER cannot write in $CLUSTER_DIR; is a parent directory private?" \
			"(set TMPDIR to a directory it can reach, e.g. /tmp)"
		return 1
	fi
	cluster_init_primary || return 1
	cluster_write_env
	for ((i = 1; i < CLUSTER_NODES; i++)); do
		cluster_add_standby "$i" || return 1
		cluster_write_env
	done
	cluster_wait_streaming "$PGNG_CLUSTER_STREAM_TIMEOUT" || return 1
	cluster_export_env
}

# cluster_load DIR: reads the facts of an existing cluster (for stop or restart from another shell).
cluster_load()
{
	CLUSTER_DIR=$1
	[ -f "$CLUSTER_DIR/cluster.env" ] || return 1
	# shellcheck disable=SC1091
	. "$CLUSTER_DIR/cluster.env"
	cluster_export_env
}

# Is node $1 of the loaded cluster running?
cluster_node_running()
{
	local pidfile="$CLUSTER_DIR/data$1/postmaster.pid" pid
	[ -r "$pidfile" ] || return 1
	pid=$(head -n 1 "$pidfile" 2>/dev/null)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# cluster_stop [MODE]: stops every node of the loaded cluster (default mode immediate) and then kills
# by pid whatever of its processes is still alive. Safe to call on a half-built cluster.
cluster_stop()
{
	local mode=${1:-immediate} i data pid pids=""
	[ -n "${CLUSTER_DIR:-}" ] || return 0
	for ((i = CLUSTER_NODES - 1; i >= 0; i--)); do
		data="$CLUSTER_DIR/data$i"
		[ -f "$data/postmaster.pid" ] || continue
		pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null)
		case "$pid" in '' | *[!0-9]*) continue ;; esac
		pids="$pids $pid $(pgrep -P "$pid" 2>/dev/null | tr '\n' ' ')"
		cluster_as_user "$PGNG_PG_BIN/pg_ctl" stop -m "$mode" -w -t 60 -D "$data" >/dev/null 2>&1 || true
	done
	for pid in $pids; do
		cluster_wait 10 sh -c "! ps -o stat= -p $pid | grep -qv '^Z'" || true
		if cluster_pid_is_postgres "$pid"; then
			cluster_log "killing leftover process $pid"
			kill -KILL "$pid" 2>/dev/null
		fi
	done
	return 0
}

# A live (not zombie) postgres process: a pid from a stale file may belong to someone else by now.
cluster_pid_is_postgres()
{
	local out
	out=$(ps -o stat=,comm= -p "$1" 2>/dev/null) || return 1
	case "$out" in
	Z*) return 1 ;;
	*postgres*) return 0 ;;
	esac
	return 1
}
