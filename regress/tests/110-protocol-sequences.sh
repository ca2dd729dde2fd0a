#!/usr/bin/env bash
# pgpool-ng relays every message sequence PostgreSQL accepts, in order and without deadlock: each
# pqseq scenario (libpq pipelines, COPY, large data, NOTIFY, raw sequences libpq cannot send) must
# print the same transcript directly and through pgpool-ng (twice: new and cached connections);
# then psql's \watch, \copy and an interactive session, and pgbench in every protocol mode.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
require_bin pgpool regress/tools/pqseq
[ -x "$PGNG_PG_BIN/pgbench" ] || skip "pgbench is not installed"

PQSEQ=$PGNG_BIN/regress/tools/pqseq
DB=regress_seq
psql_at "$PGNG_PG_PORT0" "CREATE DATABASE $DB" >/dev/null
export PGDATABASE=$DB
pgpool_write_conf "num_init_children = 4" "max_pool = 2"
pgpool_start

# run_pqseq PORT SCENARIO: the transcript, or the failure with its exit status.
run_pqseq()
{
	timeout 120 "$PQSEQ" 127.0.0.1 "$1" "$PGNG_PG_SUPERUSER" "$DB" "$2" 2>&1 || echo "exit status $?"
}

# run_scenarios LABEL: every scenario directly and twice through pgpool-ng; differences recorded
failed=()
run_scenarios()
{
	local sc t0 direct pooled round
	for sc in $("$PQSEQ" -l); do
		t0=$SECONDS
		direct=$(run_pqseq "$PGNG_PG_PORT0" "$sc")
		assert_contains "$direct" "== $sc: done" "scenario $sc directly against PostgreSQL"
		for round in new cached; do
			pooled=$(run_pqseq "$PGPOOL_PORT" "$sc")
			if [ "$direct" != "$pooled" ]; then
				note "scenario $sc ($1, $round connections) differs through pgpool-ng:"
				diff <(printf '%s\n' "$direct") <(printf '%s\n' "$pooled") | head -40 >&2
				failed+=("$sc/$1/$round")
			fi
		done
		note "scenario $sc ($1): $((SECONDS - t0)) s"
	done
}
run_scenarios primary
# the same with every read routed to a standby, unit by unit (writes and sessions state stay
# right, and read_your_writes keeps each scenario's reads of its own writes exact)
pgpool_stop fast
pgpool_write_conf "num_init_children = 4" "max_pool = 2" "load_balance_mode = on" \
	"backend_weight0 = 0" "statement_level_load_balance = on" "read_your_writes = session"
pgpool_start
run_scenarios balanced
pgpool_stop fast
pgpool_write_conf "num_init_children = 4" "max_pool = 2"
pgpool_start
[ ${#failed[@]} -eq 0 ] || fail "transcripts differ through pgpool-ng: ${failed[*]}"

# psql \watch: several outputs arrive until SIGINT stops it
out=$(timeout -s INT 2 "$PGNG_PG_BIN/psql" -X -At -h 127.0.0.1 -p "$PGPOOL_PORT" -U "$PGNG_PG_SUPERUSER" \
	<<<"SELECT 'tick' \\watch 0.1" 2>&1)
ticks=$(grep -c '^tick$' <<<"$out")
[ "$ticks" -ge 5 ] || fail "\\watch 0.1 for 2 s gave $ticks outputs: $out"
assert_eq "1" "$(pool_psql "SELECT 1")" "served after \\watch was interrupted"

# \copy both ways with a file of several MB
pool_psql "CREATE TABLE wc(a int, b text)"
seq 1 200000 | awk '{print $1 "\tline " $1}' >"$PGNG_TMP/in.tsv"
pool_psql "\\copy wc FROM '$PGNG_TMP/in.tsv'"
pool_psql "\\copy (SELECT * FROM wc ORDER BY a) TO '$PGNG_TMP/out.tsv'"
cmp -s "$PGNG_TMP/in.tsv" "$PGNG_TMP/out.tsv" || fail "\\copy out differs from \\copy in"

# an interactive session from a here-document: statements, a rolled-back transaction, \q
out=$("$PGNG_PG_BIN/psql" -X -At -h 127.0.0.1 -p "$PGPOOL_PORT" -U "$PGNG_PG_SUPERUSER" 2>&1 <<'EOF'
CREATE TABLE hd(a int);
BEGIN;
INSERT INTO hd VALUES (1);
SELECT 'inside ' || count(*) FROM hd;
ROLLBACK;
INSERT INTO hd VALUES (2), (3);
SELECT count(*) || ' rows, sum ' || sum(a) FROM hd;
\q
SELECT 'not reached';
EOF
)
assert_contains "$out" "inside 1" "the transaction saw its row"
assert_contains "$out" "2 rows, sum 5" "ROLLBACK undid the insert, later ones kept"
assert_not_contains "$out" "not reached" "\\q ended the session"

# pgbench: every protocol mode, and a new connection per transaction
pgbench_run()
{
	"$PGNG_PG_BIN/pgbench" -h 127.0.0.1 -p "$PGPOOL_PORT" -U "$PGNG_PG_SUPERUSER" "$@" "$DB" 2>&1
}
out=$(pgbench_run -i -s 1 -q) || fail "pgbench -i through pgpool-ng: $out"
for args in "-M simple" "-M extended" "-M prepared" "-C -M extended" "-C -M prepared"; do
	# shellcheck disable=SC2086 # $args is a list of options
	out=$(pgbench_run -n -c 4 -j 2 -T 3 $args) || fail "pgbench $args: $out"
	assert_contains "$out" "number of failed transactions: 0 " "pgbench $args has no failed transaction"
	processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
	[ "${processed:-0}" -gt 0 ] || fail "pgbench $args processed nothing: $out"
	note "pgbench $args: $processed transactions"
done
pgpool_stop fast
exit 0
