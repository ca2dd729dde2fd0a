#!/usr/bin/env bash
# pgpool-ng carries real traffic: queries through TCP and the Unix socket, the connection cache
# (the next session of the same user/database reuses the backend process), COPY both ways,
# LISTEN/NOTIFY, cancel, and each stop mode with a session open.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
require_bin pgpool

psql_at "$PGNG_PG_PORT0" "CREATE DATABASE regress_pool" >/dev/null
export PGDATABASE=regress_pool
pgpool_write_conf "num_init_children = 2" "max_pool = 2"
pgpool_start

# queries reach the primary, through TCP and through the Unix socket
assert_eq "f" "$(pool_psql "SELECT pg_is_in_recovery()")" "session lands on the primary"
out=$(PGCONNECT_TIMEOUT=10 "$PGNG_PG_BIN/psql" -XAtq -h "$PGPOOL_DIR" -p "$PGPOOL_PORT" -U "$PGNG_PG_SUPERUSER" -c "SELECT 40+2")
assert_eq "42" "$out" "query through the Unix socket"

# connection cache: two sessions in a row share one backend process (one child serves both:
# with two children, run enough sessions that every child has cached the pair, then compare)
pids=$(for i in 1 2 3 4 5 6; do pool_psql "SELECT pg_backend_pid()"; done | sort -u | wc -l)
[ "$pids" -le 2 ] || fail "6 sessions used $pids backend processes; the cache should hold them to 2"
# and no connection piles up on the primary
conns=$(psql_at "$PGNG_PG_PORT0" "SELECT count(*) FROM pg_stat_activity WHERE datname = 'regress_pool' AND pid <> pg_backend_pid()")
[ "$conns" -le 2 ] || fail "$conns backend connections for 2 children x 1 pair"

# COPY in and out through the pooler
pool_psql "CREATE TABLE t(a int, b text)"
seq 1 5000 | awk '{print $1 "\tv" $1}' >"$PGNG_TMP/in.tsv"
pool_psql "\\copy t FROM '$PGNG_TMP/in.tsv'"
assert_eq "5000" "$(pool_psql "SELECT count(*) FROM t")" "COPY FROM STDIN"
pool_psql "\\copy t TO '$PGNG_TMP/out.tsv'"
assert_eq "5000" "$(wc -l <"$PGNG_TMP/out.tsv")" "COPY TO STDOUT"
# an error during COPY leaves the session usable
out=$(printf '1\tok\nnot-a-number\tbad\n' | pool_psql "COPY t FROM STDIN" 2>&1)
assert_contains "$out" "invalid input syntax" "COPY error reported"
assert_eq "5000" "$(pool_psql "SELECT count(*) FROM t")" "failed COPY adds nothing"

# LISTEN/NOTIFY in one session
out=$(pool_psql "LISTEN ch; NOTIFY ch, 'hello'; SELECT 1" 2>&1)
assert_contains "$out" 'Asynchronous notification "ch" with payload "hello"' "NOTIFY delivered"

# cancel: pg_cancel_backend from another session, and a client's own CancelRequest (psql on SIGINT)
pool_psql "SELECT pg_sleep(30)" >"$PGNG_TMP/sleep1.out" 2>&1 &
sleeper=$!
wait_for "[ \"\$(psql_at $PGNG_PG_PORT0 \"SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'\")\" = 1 ]" 20 "sleeping query visible"
psql_at "$PGNG_PG_PORT0" "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'" >/dev/null
wait "$sleeper"
assert_contains "$(cat "$PGNG_TMP/sleep1.out")" "canceling statement due to user request" "pg_cancel_backend"
setsid "$PGNG_PG_BIN/psql" -X -h 127.0.0.1 -p "$PGPOOL_PORT" -U "$PGNG_PG_SUPERUSER" -c "SELECT pg_sleep(31)" >"$PGNG_TMP/sleep2.out" 2>&1 &
sleeper=$!
wait_for "[ \"\$(psql_at $PGNG_PG_PORT0 \"SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(31)'\")\" = 1 ]" 20 "second sleeping query visible"
kill -INT "$sleeper"
wait "$sleeper"
assert_contains "$(cat "$PGNG_TMP/sleep2.out")" "canceling statement due to user request" "CancelRequest through pgpool-ng"

# a SIGKILLed child is replaced and service goes on
victim=$(pgpool_children | head -1)
kill -KILL "$victim"
wait_for "[ \$(pgpool_children | wc -l) -eq 2 ] && ! pgpool_children | grep -qx $victim" 20 "killed child replaced"
assert_eq "1" "$(pool_psql "SELECT 1")" "served after a child was killed"

# smart stop waits for the open session; fast stop ends it with a FATAL
pool_psql "SELECT pg_sleep(2)" >"$PGNG_TMP/smart.out" 2>&1 &
session=$!
wait_for "[ \"\$(psql_at $PGNG_PG_PORT0 \"SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(2)'\")\" = 1 ]" 20 "session open before smart stop"
pgpool_stop smart
wait "$session" || fail "smart stop cut the session: $(cat "$PGNG_TMP/smart.out")"
pgpool_start
pool_psql "SELECT pg_sleep(20)" >"$PGNG_TMP/fast.out" 2>&1 &
session=$!
wait_for "[ \"\$(psql_at $PGNG_PG_PORT0 \"SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(20)'\")\" = 1 ]" 20 "session open before fast stop"
pgpool_stop fast
wait "$session" && fail "fast stop should end the session"
assert_contains "$(cat "$PGNG_TMP/fast.out")" "terminating connection due to administrator command" "fast stop tells the client"
pgpool_start
pgpool_stop immediate
# nothing is left connected to the primary after the pooler is gone
wait_for "[ \"\$(psql_at $PGNG_PG_PORT0 \"SELECT count(*) FROM pg_stat_activity WHERE datname = 'regress_pool' AND pid <> pg_backend_pid()\")\" = 0 ]" 20 "backend connections closed after stop"
exit 0
