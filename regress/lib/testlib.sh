# shellcheck shell=bash
# Helpers for regress tests: `. "$PGNG_SRC/regress/lib/testlib.sh"` at the top of a test.
# A test exits 0 when it passes, 77 when it is skipped (say why), anything else when it fails.
# The environment a test gets from regress/run.sh is described in regress/README.md.

set -u

# Prints a message on stderr (kept in the test's log).
note()
{
	printf '%s\n' "$*" >&2
}

fail()
{
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

# The reason is shown by the driver as `skipped NNN-name (reason)`.
skip()
{
	printf 'skip: %s\n' "$*" >&2
	exit 77
}

# assert_eq EXPECTED ACTUAL MSG
assert_eq()
{
	if [ "$1" != "$2" ]; then
		printf 'FAIL: %s\n  expected: %s\n  actual:   %s\n' "$3" "$1" "$2" >&2
		exit 1
	fi
}

# assert_contains HAYSTACK NEEDLE MSG (fixed-string match)
assert_contains()
{
	case "$1" in
	*"$2"*) return 0 ;;
	esac
	printf 'FAIL: %s\n  expected to find: %s\n  in:\n%s\n' "$3" "$2" "$1" >&2
	exit 1
}

# assert_not_contains HAYSTACK NEEDLE MSG
assert_not_contains()
{
	case "$1" in
	*"$2"*)
		printf 'FAIL: %s\n  did not expect: %s\n  in:\n%s\n' "$3" "$2" "$1" >&2
		exit 1
		;;
	esac
	return 0
}

# psql_at PORT SQL: runs SQL as the database superuser on 127.0.0.1:PORT, unaligned, tuples only.
psql_at()
{
	PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-10} "$PGNG_PG_BIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 \
		-h "${PGHOST:-127.0.0.1}" -p "$1" -U "$PGNG_PG_SUPERUSER" -d "${PGDATABASE:-postgres}" -c "$2"
}

# wait_for CMD TIMEOUT_S MSG: evaluates the shell command CMD every 0.2 s until it succeeds; fails
# the test with MSG after TIMEOUT_S seconds.
wait_for()
{
	local deadline
	deadline=$(($(date +%s) + $2))
	until eval "$1" >/dev/null 2>&1; do
		if [ "$(date +%s)" -ge "$deadline" ]; then
			fail "$3 (waited $2 s for: $1)"
		fi
		sleep 0.2
	done
}

# run_as_os_user CMD...: runs a command as the OS user that runs the PostgreSQL servers (for
# programs that refuse root, or to reproduce an unprivileged deployment).
run_as_os_user()
{
	(
		cd "$PGNG_TMP" 2>/dev/null || cd /
		if [ "$(id -u)" -eq 0 ] && [ "$PGNG_OS_USER" != root ]; then
			exec runuser -u "$PGNG_OS_USER" -- "$@"
		else
			exec "$@"
		fi
	)
}

# free_port: prints a TCP port nobody uses now (and not one of the cluster's).
free_port()
{
	cluster_free_port "$PGNG_PG_PORT0" "$PGNG_PG_PORT1" "$PGNG_PG_PORT2" "$@"
}

# register_pid PID...: the driver kills these processes (by pid) when the test ends, however it ends.
register_pid()
{
	local pid
	for pid in "$@"; do
		echo "$pid" >>"$PGNG_PIDS_FILE"
	done
}

# require_bin NAME...: skips the test unless $PGNG_BIN/NAME exists for every NAME.
require_bin()
{
	local name
	for name in "$@"; do
		[ -x "$PGNG_BIN/$name" ] || skip "$PGNG_BIN/$name is not built"
	done
}

# require_cmd NAME...: skips the test unless every command is on PATH.
require_cmd()
{
	local name
	for name in "$@"; do
		command -v "$name" >/dev/null 2>&1 || skip "command $name is not installed"
	done
}

# cluster_free_port and friends.
# shellcheck source=regress/lib/cluster.sh
. "$PGNG_SRC/regress/lib/cluster.sh"
