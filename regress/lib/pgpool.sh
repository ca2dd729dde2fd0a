# shellcheck shell=bash
# Starting pgpool-ng in front of the regress cluster. A test sources this after testlib.sh:
#   . "$PGNG_SRC/regress/lib/pgpool.sh"
#   pgpool_write_conf "num_init_children = 4" "enable_pool_hba = on"   # extra lines win
#   pgpool_start                       # waits until it answers; sets PGPOOL_PORT, PGPOOL_DIR
#   pool_psql "SELECT 1"               # psql -XAtq through pgpool-ng as the superuser
#   pgpool_stop fast
# Files live in $PGNG_TMP/pgpool (pgpool.conf, pcp.conf, pool_hba.conf, pool_passwd, log).

PGPOOL_DIR=$PGNG_TMP/pgpool
PGPOOL_PORT=
PGPOOL_PID=

# pgpool_write_conf [LINE...]: a pgpool.conf for the three nodes; each LINE is appended (later
# settings win in pgpool.conf, so LINEs override the defaults written here).
pgpool_write_conf()
{
	local line
	mkdir -p "$PGPOOL_DIR"
	[ -n "$PGPOOL_PORT" ] || PGPOOL_PORT=$(free_port)
	{
		echo "listen_addresses = '127.0.0.1'"
		echo "port = $PGPOOL_PORT"
		echo "socket_dir = '$PGPOOL_DIR'"
		echo "pcp_socket_dir = '$PGPOOL_DIR'"
		echo "pcp_port = $(free_port "$PGPOOL_PORT")"
		echo "pid_file_name = '$PGPOOL_DIR/pgpool.pid'"
		echo "logdir = '$PGPOOL_DIR'"
		echo "num_init_children = 4"
		echo "max_pool = 2"
		echo "log_min_messages = warning"
		echo "sr_check_user = '$PGNG_PG_SUPERUSER'"
		echo "health_check_user = '$PGNG_PG_SUPERUSER'"
		echo "connect_timeout = 10000"
		# sessions stay on the primary unless a test is about routing (and turns this on)
		echo "load_balance_mode = off"
		for i in 0 1 2; do
			local port_var="PGNG_PG_PORT$i" data_var="PGNG_PG_DATA$i"
			echo "backend_hostname$i = '127.0.0.1'"
			echo "backend_port$i = ${!port_var}"
			echo "backend_data_directory$i = '${!data_var}'"
			echo "backend_application_name$i = 'node$i'"
		done
		for line in "$@"; do
			echo "$line"
		done
	} >"$PGPOOL_DIR/pgpool.conf"
	[ -f "$PGPOOL_DIR/pcp.conf" ] || : >"$PGPOOL_DIR/pcp.conf"
	[ -f "$PGPOOL_DIR/pool_hba.conf" ] || echo "host all all 127.0.0.1/32 trust" >"$PGPOOL_DIR/pool_hba.conf"
}

# pgpool_start [ARGS...]: starts pgpool-ng in the foreground (-n) in the background of the test,
# logging to $PGPOOL_DIR/log, and waits until it accepts a session (bounded).
pgpool_start()
{
	[ -f "$PGPOOL_DIR/pgpool.conf" ] || pgpool_write_conf
	"$PGNG_BIN/pgpool" -n -f "$PGPOOL_DIR/pgpool.conf" -F "$PGPOOL_DIR/pcp.conf" \
		-a "$PGPOOL_DIR/pool_hba.conf" "$@" >>"$PGPOOL_DIR/log" 2>&1 &
	PGPOOL_PID=$!
	register_pid "$PGPOOL_PID"
	wait_for "pgpool_answers" 30 "pgpool-ng did not start (log: $(tail -5 "$PGPOOL_DIR/log" 2>/dev/null))"
}

# pgpool_answers: true when a session through pgpool-ng works.
pgpool_answers()
{
	PGCONNECT_TIMEOUT=5 "$PGNG_PG_BIN/psql" -X -A -t -q -h 127.0.0.1 -p "$PGPOOL_PORT" \
		-U "$PGNG_PG_SUPERUSER" -d postgres -c "SELECT 1" >/dev/null 2>&1
}

# pool_psql SQL [PSQL-ARGS...]: runs SQL through pgpool-ng (database $PGDATABASE, default postgres).
pool_psql()
{
	local sql=$1
	shift
	PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-10} "$PGNG_PG_BIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 \
		-h 127.0.0.1 -p "$PGPOOL_PORT" -U "$PGNG_PG_SUPERUSER" -d "${PGDATABASE:-postgres}" "$@" -c "$sql"
}

# pgpool_stop [smart|fast|immediate]: stops it with `pgpool stop` and waits for the process to go.
pgpool_stop()
{
	local mode=${1:-fast}
	[ -n "$PGPOOL_PID" ] || return 0
	"$PGNG_BIN/pgpool" -f "$PGPOOL_DIR/pgpool.conf" -m "$mode" stop >>"$PGPOOL_DIR/log" 2>&1
	wait_for "! kill -0 $PGPOOL_PID" 30 "pgpool-ng (pid $PGPOOL_PID) did not stop"
	wait "$PGPOOL_PID" 2>/dev/null
	PGPOOL_PID=
}

# pgpool_children: pids of the running children (the parent's child processes that serve clients:
# not the PCP server, whose title starts with "pgpool: PCP:", nor the health check, sr check or
# failover processes).
pgpool_children()
{
	local pid
	for pid in $(pgrep -P "$PGPOOL_PID"); do
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null |
			grep -q -E '^pgpool: (PCP:|.*check process|failover process)' || echo "$pid"
	done
}

# pgpool_pcp_pid: pid of the PCP server process (empty when it is not running).
pgpool_pcp_pid()
{
	local pid
	for pid in $(pgrep -P "$PGPOOL_PID"); do
		if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q '^pgpool: PCP:'; then
			echo "$pid"
		fi
	done
}

# pgpool2_start: Debian's pgpool-II (PGPOOL_II, /usr/sbin/pgpool) on the test's pgpool.conf (lines
# naming pgpool-ng's own parameters left out) with its own ports and directory; as the servers' OS
# user when run as root. Sets II_PORT, II_PID, II_DIR and waits until it answers (bounded).
PGPOOL_II=${PGPOOL_II:-/usr/sbin/pgpool}
pgpool2_start()
{
	local pcp_port
	II_DIR=$PGNG_TMP/pgpool-II
	mkdir -p "$II_DIR"
	II_PORT=$(free_port "$PGPOOL_PORT")
	pcp_port=$(free_port "$PGPOOL_PORT" "$II_PORT")
	{
		grep -Ev '^(read_your_writes|builtin_failover)[[:space:]]*=' "$PGPOOL_DIR/pgpool.conf"
		echo "port = $II_PORT"
		echo "pcp_port = $pcp_port"
		echo "socket_dir = '$II_DIR'"
		echo "pcp_socket_dir = '$II_DIR'"
		echo "wd_ipc_socket_dir = '$II_DIR'"
		echo "pid_file_name = '$II_DIR/pgpool.pid'"
		echo "logdir = '$II_DIR'"
	} >"$II_DIR/pgpool.conf"
	cp "$PGPOOL_DIR/pcp.conf" "$PGPOOL_DIR/pool_hba.conf" "$II_DIR/"
	if [ "$(id -u)" -eq 0 ]; then
		chown -R "$PGNG_OS_USER:" "$II_DIR"
		setpriv --reuid="$PGNG_OS_USER" --regid="$(id -g "$PGNG_OS_USER")" --init-groups -- \
			"$PGPOOL_II" -n -D -f "$II_DIR/pgpool.conf" -F "$II_DIR/pcp.conf" -a "$II_DIR/pool_hba.conf" \
			>"$II_DIR/log" 2>&1 </dev/null &
	else
		"$PGPOOL_II" -n -D -f "$II_DIR/pgpool.conf" -F "$II_DIR/pcp.conf" -a "$II_DIR/pool_hba.conf" \
			>"$II_DIR/log" 2>&1 </dev/null &
	fi
	II_PID=$!
	register_pid "$II_PID"
	wait_for "PGCONNECT_TIMEOUT=5 $PGNG_PG_BIN/psql -XAtq -h 127.0.0.1 -p $II_PORT -U $PGNG_PG_SUPERUSER -d postgres -c 'SELECT 1'" 60 \
		"pgpool-II did not start (log: $(tail -5 "$II_DIR/log" 2>/dev/null))"
}

# pgpool2_stop: stops the pgpool-II that pgpool2_start started (bounded).
pgpool2_stop()
{
	kill -INT "$II_PID" 2>/dev/null
	wait_for "! kill -0 $II_PID" 30 "pgpool-II did not stop"
}

# pgpool_aux_pids: pids of the health check, sr check and failover processes.
pgpool_aux_pids()
{
	local pid
	for pid in $(pgrep -P "$PGPOOL_PID"); do
		if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -E '^pgpool: (.*check process|failover process)'; then
			echo "$pid"
		fi
	done
}
