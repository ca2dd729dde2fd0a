#!/usr/bin/env bash
# pgpool-ng regress driver: starts a real PostgreSQL 15 cluster (1 primary + 2 streaming standbys) in a
# temporary directory, runs regress/tests/NNN-name.sh in order against it, and always tears it down.
#
#   regress/run.sh [-k] [PATTERN...]
#     -k         keep the temporary directory (cluster data, per-test scratch dirs) for inspection
#     PATTERN    run only tests whose name contains one of the patterns (e.g. 010 or check-config)
#
# Environment: PGNG_BIN (built binaries, default <source>/build), PGNG_PG_BIN, PGNG_TEST_TIMEOUT
# (seconds per test, default 300), PGNG_REGRESS_LOGDIR (default <source>/regress/log), TMPDIR.
# Exit status: 0 when no test failed and at least one ran, 1 otherwise, 130 when interrupted.

set -u

PGNG_SRC=${PGNG_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
PGNG_BIN=${PGNG_BIN:-$PGNG_SRC/build}
PGNG_TEST_TIMEOUT=${PGNG_TEST_TIMEOUT:-300}
export PGNG_SRC PGNG_BIN

# shellcheck source=regress/lib/cluster.sh
. "$PGNG_SRC/regress/lib/cluster.sh"

usage()
{
	sed -n '2,12s/^# \{0,1\}//p' "$0"
}

KEEP=0
while getopts kh opt; do
	case "$opt" in
	k) KEEP=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
PATTERNS=("$@")

selected()
{
	local name=$1 p
	[ ${#PATTERNS[@]} -eq 0 ] && return 0
	for p in "${PATTERNS[@]}"; do
		case "$name" in *"$p"*) return 0 ;; esac
	done
	return 1
}

TESTS=()
for f in "$PGNG_SRC"/regress/tests/[0-9][0-9][0-9]-*.sh; do
	[ -f "$f" ] || continue
	selected "$(basename "$f" .sh)" && TESTS+=("$f")
done
if [ ${#TESTS[@]} -eq 0 ]; then
	echo "regress: no test matches ${PATTERNS[*]:-(any)}" >&2
	echo "regress: 0 passed, 0 failed, 0 skipped"
	exit 1
fi

LOGDIR=${PGNG_REGRESS_LOGDIR:-$PGNG_SRC/regress/log}
if ! mkdir -p "$LOGDIR" 2>/dev/null || [ ! -w "$LOGDIR" ]; then
	LOGDIR=${TMPDIR:-/tmp}/pgng-regress-log-$(id -un)
	mkdir -p "$LOGDIR" || exit 1
fi

TOP=$(mktemp -d "${TMPDIR:-/tmp}/pgng-regress.XXXXXX") || exit 1
chmod 0755 "$TOP"
TEST_PID=""
PIDS_FILE=""
CLEANED=0

# Kills the running test's process group (timeout leads it) and every pid the test registered.
reap_test()
{
	local pid
	if [ -n "$TEST_PID" ]; then
		kill -TERM "$TEST_PID" 2>/dev/null
		cluster_wait 10 sh -c "! kill -0 $TEST_PID" || kill -KILL "$TEST_PID" 2>/dev/null
		kill -KILL -- "-$TEST_PID" 2>/dev/null
		wait "$TEST_PID" 2>/dev/null
		TEST_PID=""
	fi
	if [ -n "$PIDS_FILE" ] && [ -f "$PIDS_FILE" ]; then
		while read -r pid; do
			case "$pid" in '' | *[!0-9]*) continue ;; esac
			kill -TERM "$pid" 2>/dev/null || continue
			cluster_wait 10 sh -c "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null
		done <"$PIDS_FILE"
	fi
	PIDS_FILE=""
}

cleanup()
{
	[ "$CLEANED" -eq 1 ] && return
	CLEANED=1
	reap_test
	cluster_stop immediate
	if [ "$KEEP" -eq 1 ]; then
		echo "regress: kept $TOP" >&2
	else
		rm -rf "$TOP"
	fi
}

on_signal()
{
	echo "regress: interrupted by SIG$1, cleaning up" >&2
	cleanup
	trap - EXIT
	exit 130
}

trap cleanup EXIT
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'on_signal HUP' HUP

start_cluster()
{
	local t0=$SECONDS
	if ! cluster_start "$TOP/cluster"; then
		return 1
	fi
	echo "# cluster up in $((SECONDS - t0)) s: primary 127.0.0.1:$PGNG_PG_PORT0," \
		"standbys :$PGNG_PG_PORT1 :$PGNG_PG_PORT2 (OS user $PGNG_OS_USER)"
}

# A test that leaves the cluster broken must not fail the ones after it: rebuild from scratch.
ensure_cluster()
{
	local i ok=1
	for ((i = 0; i < CLUSTER_NODES; i++)); do
		cluster_node_running "$i" || ok=0
	done
	[ $ok -eq 1 ] && cluster_wait 30 cluster_all_streaming && return 0
	echo "# cluster damaged by the previous test; rebuilding it"
	cluster_stop immediate
	rm -rf "$TOP/cluster"
	start_cluster
}

PASSED=0
FAILED=0
SKIPPED=0

# run_test FILE: runs one test with its environment, a timeout and a log; prints its result line.
run_test()
{
	local file=$1 name rc log tmp reason
	name=$(basename "$file" .sh)
	log="$LOGDIR/$name.log"
	tmp="$TOP/tests/$name"
	mkdir -p "$tmp" "$TOP/pids"
	[ "$(id -u)" -eq 0 ] && chown "$PGNG_OS_USER:" "$tmp"
	PIDS_FILE="$TOP/pids/$name"
	: >"$PIDS_FILE"
	PGNG_TMP="$tmp" PGNG_PIDS_FILE="$PIDS_FILE" PGNG_TEST_NAME="$name" \
		PGHOST=127.0.0.1 PGUSER="$PGNG_PG_SUPERUSER" PGDATABASE=postgres \
		timeout -k 10 "$PGNG_TEST_TIMEOUT" bash "$file" >"$log" 2>&1 </dev/null &
	TEST_PID=$!
	wait "$TEST_PID"
	rc=$?
	reap_test
	case $rc in
	0)
		echo "ok $name"
		PASSED=$((PASSED + 1))
		;;
	77)
		reason=$(sed -n 's/^skip: //p' "$log" | tail -n 1)
		echo "skipped $name (${reason:-no reason given})"
		SKIPPED=$((SKIPPED + 1))
		;;
	*)
		[ $rc -eq 124 ] && echo "timed out after ${PGNG_TEST_TIMEOUT}s" >>"$log"
		echo "FAILED $name (exit $rc; log $log, last lines:)"
		tail -n 40 "$log" | sed 's/^/    /'
		FAILED=$((FAILED + 1))
		;;
	esac
}

export PGNG_TEST_TIMEOUT
if ! start_cluster; then
	rm -rf "$LOGDIR/cluster-start"
	cp -r "$TOP/cluster/log" "$LOGDIR/cluster-start" 2>/dev/null
	echo "FAILED cluster-start (PostgreSQL logs in $LOGDIR/cluster-start)"
	for f in "$LOGDIR"/cluster-start/*.log; do
		[ -f "$f" ] && tail -n 20 "$f" | sed "s|^|    $(basename "$f"): |"
	done
	echo "regress: 0 passed, 1 failed, 0 skipped"
	exit 1
fi

for f in "${TESTS[@]}"; do
	if ! ensure_cluster; then
		echo "FAILED cluster-rebuild"
		FAILED=$((FAILED + 1))
		break
	fi
	run_test "$f"
done

echo "regress: $PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ] && [ $((PASSED + SKIPPED)) -gt 0 ]
