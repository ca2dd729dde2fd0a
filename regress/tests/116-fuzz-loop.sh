#!/usr/bin/env bash
# 10,000 mutated protocol sequences (bit flips, truncation, corrupted lengths, random types,
# duplication) against pgpool-ng, as a non-superuser, in a bounded time: a normal client is served
# after every 500, no pgpool-ng process dies by a signal, and the backend connections return to
# their baseline. The seed is printed; PGNG_FUZZ_SEED=N reruns the same cases.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
require_bin pgpool regress/tools/fuzzclient

CHILDREN=8
CASES=${PGNG_FUZZ_CASES:-10000}
SEED=${PGNG_FUZZ_SEED:-$(date +%s)}
psql_at "$PGNG_PG_PORT0" "CREATE ROLE fuzzer LOGIN" >/dev/null
psql_at "$PGNG_PG_PORT0" "CREATE DATABASE regress_fuzz OWNER fuzzer" >/dev/null
pgpool_write_conf "num_init_children = $CHILDREN" "max_pool = 2" "client_idle_limit = 2"
pgpool_start

backends()
{
	psql_at "$PGNG_PG_PORT0" "SELECT count(*) FROM pg_stat_activity WHERE datname = 'regress_fuzz'"
}
BASELINE=$(backends)

note "fuzz seed $SEED (rerun with PGNG_FUZZ_SEED=$SEED; one case: fuzzclient ... -only CASE)"
t0=$SECONDS
timeout 150 "$PGNG_BIN/regress/tools/fuzzclient" 127.0.0.1 "$PGPOOL_PORT" fuzzer regress_fuzz \
	"$SEED" "$CASES" 90 500 >"$PGNG_TMP/fuzz.out" 2>&1
rc=$?
cat "$PGNG_TMP/fuzz.out" >&2
[ $rc -eq 0 ] || fail "fuzzclient failed (exit $rc, seed $SEED)"
done_cases=$(awk '/cases$/ {n += $3} END {print n + 0}' "$PGNG_TMP/fuzz.out")
note "$done_cases cases in $((SECONDS - t0)) s"
[ "$done_cases" -ge "$CASES" ] || note "time bound reached before all $CASES cases"

if grep -q "by signal" "$PGPOOL_DIR/log"; then
	fail "a pgpool-ng process was killed by a signal: $(grep "by signal" "$PGPOOL_DIR/log" | head -3)"
fi
assert_eq "1" "$(pool_psql "SELECT 1")" "served after the fuzzing"
# a reset that times out held its child for the reset's whole bound
# PostgreSQL ends some sessions without a word on bad input ("invalid message length"): that is no
# node failure, and no client may fail a node over
if grep -q "failover of the node requested\|failover: request" "$PGPOOL_DIR/log"; then
	fail "the fuzzing failed a node over: $(grep "failover of the node requested\|failover: request" "$PGPOOL_DIR/log" | head -3)"
fi
if grep -q "resetting backend connection failed" "$PGPOOL_DIR/log"; then
	fail "a connection was returned to the cache unsettled: $(grep "resetting backend" "$PGPOOL_DIR/log" | head -3)"
fi
# cached connections stay (at most one set per pool slot); all go when pgpool-ng stops
wait_for "[ \"\$(backends)\" -le $((BASELINE + CHILDREN * 2)) ]" 30 "backend connections within the cache's size"
pgpool_stop fast
note "what pgpool-ng logged, by kind:"
sed 's/[0-9]\{1,\}/N/g' "$PGPOOL_DIR/log" | sort | uniq -c | sort -rn | head -20 >&2
wait_for "[ \"\$(backends)\" -le $BASELINE ]" 30 "backend connections back to $BASELINE after stop"
exit 0
