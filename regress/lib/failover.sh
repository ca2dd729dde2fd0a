# shellcheck shell=bash
# Helpers of the failover tests (sourced after testlib.sh and pgpool.sh):
#   load_start TABLE        one INSERT per connection through pgpool-ng, in the background, each logged
#                           to $LOAD_LOG as "<id> ok|fail <epoch seconds> <duration seconds>"
#   load_stop               stops it (bounded)
#   kill_node SIGNAL N      sends SIGNAL to every process of node N (postmaster and its children);
#                           sets KILL_AT (epoch seconds)
#   back_after              seconds from KILL_AT until the first write begun after it committed ("" if none yet)
#   longest_after           longest attempt (seconds) still running at or begun after KILL_AT
#   lost_commits TABLE PORT ids the client saw committed that are missing on the server at PORT
#   node_field N COLUMN     one column (1-based) of SHOW pool_nodes for node N

LOAD_LOG=$PGNG_TMP/load.log
LOAD_PID=

load_start()
{
	local table=$1
	rm -f "$PGNG_TMP/load.stop"
	(
		i=0
		while [ ! -f "$PGNG_TMP/load.stop" ]; do
			i=$((i + 1))
			t0=$(date +%s.%N)
			if PGCONNECT_TIMEOUT=10 pool_psql "INSERT INTO $table VALUES ($i)" >/dev/null 2>&1; then
				r=ok
			else
				r=fail
			fi
			t1=$(date +%s.%N)
			echo "$i $r $t0 $(echo "$t1 - $t0" | bc)"
		done >"$LOAD_LOG"
	) &
	LOAD_PID=$!
	register_pid "$LOAD_PID"
	wait_for "[ \$(grep -c ' ok ' $LOAD_LOG) -ge 20 ]" 30 "write load runs"
}

load_stop()
{
	touch "$PGNG_TMP/load.stop"
	wait_for "! kill -0 $LOAD_PID 2>/dev/null" 30 "write load stops"
	wait "$LOAD_PID" 2>/dev/null
}

kill_node()
{
	local sig=$1 data_var="PGNG_PG_DATA$2" pm
	pm=$(head -n 1 "${!data_var}/postmaster.pid")
	KILL_NODE_PIDS="$pm $(pgrep -P "$pm" | tr '\n' ' ')"
	KILL_AT=$(date +%s.%N)
	# the postmaster first, so that it starts no new child; a child may be gone by now
	kill "-$sig" "$pm" || fail "kill -$sig node$2"
	# shellcheck disable=SC2086
	kill "-$sig" $KILL_NODE_PIDS 2>/dev/null
}

back_after()
{
	awk -v t="$KILL_AT" '$3 > t && $2 == "ok" { printf "%.3f\n", $3 + $4 - t; exit }' "$LOAD_LOG"
}

longest_after()
{
	awk -v t="$KILL_AT" '$3 + $4 > t && $4 > m { m = $4 } END { printf "%.3f\n", m }' "$LOAD_LOG"
}

lost_commits()
{
	comm -23 <(grep ' ok ' "$LOAD_LOG" | cut -d' ' -f1 | sort) \
		<(psql_at "$2" "SELECT id FROM $1" | sort)
}

node_field()
{
	pool_psql "SHOW pool_nodes" -F '|' | awk -F'|' -v n="$1" -v c="$2" '$1 == n { print $c }'
}
