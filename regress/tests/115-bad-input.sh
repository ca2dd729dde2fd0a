#!/usr/bin/env bash
# pgpool-ng survives bad clients: broken start-up packets, impossible message lengths, garbage,
# clients leaving mid-result or mid-COPY, stalling mid-message or never reading. After each, the
# client got an error or was disconnected, others are served (a burst of num_init_children
# sessions), and the backend connections return to their baseline. client_idle_limit = 2 bounds
# the stalls (the relay applies it to a client silent mid-message or not reading).
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
require_bin pgpool regress/tools/badclient

BAD=$PGNG_BIN/regress/tools/badclient
CHILDREN=4
pgpool_write_conf "num_init_children = $CHILDREN" "max_pool = 2" "client_idle_limit = 2"
pgpool_start

# Sessions to the postgres database are never cached, so the baseline is what exists without us.
backends()
{
	psql_at "$PGNG_PG_PORT0" "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'
		AND datname = 'postgres' AND pid <> pg_backend_pid()"
}
BASELINE=$(backends)

bad()
{
	timeout 60 "$BAD" "$1" 127.0.0.1 "$2" "$PGNG_PG_SUPERUSER" postgres "${@:3}" 2>&1
}

# healthy CASE: a normal query works, a burst of num_init_children parallel sessions all succeed
# (no child is left hanging), and no backend connection is left behind.
healthy()
{
	local pids=() i
	assert_eq "1" "$(pool_psql "SELECT 1")" "served after $1"
	for ((i = 0; i < CHILDREN; i++)); do
		pool_psql "SELECT pg_sleep(0.2)" >/dev/null 2>&1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || fail "a session of the burst after $1 failed"
	done
	wait_for "[ \"\$(backends)\" -le $BASELINE ]" 20 "backend connections back to $BASELINE after $1"
}

# expect_refused CASE OUTPUT: an error or a disconnection, never silence.
expect_refused()
{
	case "$2" in
	"E FATAL"* | closed*) note "$1: $(head -1 <<<"$2")" ;;
	*) fail "$1: expected an error or a disconnection, got: $2" ;;
	esac
}

for mode in startup_len3 startup_len20000 startup_v2 startup_key_no_value startup_no_final_nul; do
	note "$mode directly: $(bad "$mode" "$PGNG_PG_PORT0" | head -1)"
	expect_refused "$mode" "$(bad "$mode" "$PGPOOL_PORT")"
	healthy "$mode"
done
out=$(bad startup_v2 "$PGPOOL_PORT")
assert_contains "$out" "0A000" "a v2 start-up packet is an unsupported protocol"

for mode in oversized short_len garbage; do
	note "$mode directly: $(bad "$mode" "$PGNG_PG_PORT0" | head -1)"
	expect_refused "$mode" "$(bad "$mode" "$PGPOOL_PORT")"
	healthy "$mode"
done
# a well-framed but malformed message is PostgreSQL's to judge: the same answer both ways
assert_eq "$(bad query_no_nul "$PGNG_PG_PORT0")" "$(bad query_no_nul "$PGPOOL_PORT")" \
	"a Query without its NUL is answered as PostgreSQL answers it"
healthy query_no_nul
# The error leaves the backend skipping up to a Sync the client never sends: the connection must
# be closed, not cached (its reset would wait 10 s for answers that never come). In a database
# that is cached, so that a reset would be tried.
psql_at "$PGNG_PG_PORT0" "CREATE DATABASE regress_bad" >/dev/null
cached_backends()
{
	psql_at "$PGNG_PG_PORT0" "SELECT count(*) FROM pg_stat_activity WHERE datname = 'regress_bad'"
}
flush_out()
{
	timeout 60 "$BAD" flush_with_body 127.0.0.1 "$1" "$PGNG_PG_SUPERUSER" regress_bad 2>&1
}
assert_eq "$(flush_out "$PGNG_PG_PORT0")" "$(flush_out "$PGPOOL_PORT")" \
	"a Flush with a body is answered as PostgreSQL answers it"
wait_for "[ \"\$(cached_backends)\" -eq 0 ]" 5 "the connection left skipping to a Sync closed, not reset"
healthy flush_with_body

for mode in leave_mid_result leave_mid_copy leave_mid_copy_message; do
	out=$(bad "$mode" "$PGPOOL_PORT")
	assert_not_contains "$out" "failed" "$mode ran"
	healthy "$mode"
done

# half a message, then silence: closed after client_idle_limit, not after the 60 s default
t0=$SECONDS
out=$(bad half_message "$PGPOOL_PORT" 20)
expect_refused "half message" "$out"
[ $((SECONDS - t0)) -le 10 ] || fail "half message: closed only after $((SECONDS - t0)) s"
healthy half_message

# a client that never reads a large result: its child and backend are freed while it still
# holds its socket
bad never_read "$PGPOOL_PORT" 40 >"$PGNG_TMP/never_read.out" &
reader=$!
wait_for "grep -q 'not reading' $PGNG_TMP/never_read.out" 20 "never_read client started"
wait_for "[ \"\$(backends)\" -le $BASELINE ]" 20 "backend of the client that never reads released"
healthy never_read
kill "$reader" 2>/dev/null
wait "$reader" 2>/dev/null

# the backend busy for longer than client_idle_limit while the client pipelines megabytes:
# not a stall, every answer arrives
out=$(bad busy_backend "$PGPOOL_PORT" 4)
assert_eq "ready for query 100001 of 100001" "$out" "pipelined queries behind a slow statement"
healthy busy_backend

# every case above took longer together than a reset's 10 s bound
if grep -q "resetting backend connection failed" "$PGPOOL_DIR/log"; then
	fail "a connection was returned to the cache unsettled: $(grep "resetting backend" "$PGPOOL_DIR/log" | head -3)"
fi
if grep -q "by signal" "$PGPOOL_DIR/log"; then
	fail "a pgpool-ng process was killed by a signal: $(grep "by signal" "$PGPOOL_DIR/log" | head -3)"
fi
pgpool_stop fast
exit 0
