#!/usr/bin/env bash
# The read-after-write oracle: sessions commit a row and at once read it back through pgpool-ng
# with its reads balanced to the standbys. With read_your_writes = session no read may miss the
# row; with it off the misses are counted (pgpool-II's behaviour), and pgpool-II's own count too when
# Debian's pgpool2 is installed. Each run lasts PGNG_RYW_SECONDS (default 60).
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
require_bin pgpool
[ -x "$PGNG_PG_BIN/pgbench" ] || skip "pgbench is not installed"

SECONDS_PER_RUN=${PGNG_RYW_SECONDS:-60}
DB=regress_ryw
psql_at "$PGNG_PG_PORT0" "DROP DATABASE IF EXISTS $DB" >/dev/null
psql_at "$PGNG_PG_PORT0" "CREATE DATABASE $DB" >/dev/null
export PGDATABASE=$DB
psql_at "$PGNG_PG_PORT0" "CREATE TABLE ryw(id bigint); CREATE INDEX ON ryw(id); CREATE TABLE ryw_stale(id bigint)" >/dev/null
for port in "$PGNG_PG_PORT1" "$PGNG_PG_PORT2"; do
	wait_for "psql_at $port 'SELECT 1 FROM ryw_stale LIMIT 1; SELECT 1'" 30 "the tables did not reach port $port"
done

# Each transaction: commit a row, read it back at once (a standby's answer), record a miss on the
# primary. The read counts the row where it runs.
cat >"$PGNG_TMP/oracle.sql" <<'EOF'
\set id random(1, 9000000000000000000)
INSERT INTO ryw(id) VALUES (:id);
SELECT count(*) AS seen FROM ryw WHERE id = :id \gset
\if :seen = 0
INSERT INTO ryw_stale(id) VALUES (:id);
\endif
EOF

# oracle PORT LABEL: runs the oracle through PORT; prints "transactions stale"
oracle()
{
	local out tx stale
	psql_at "$PGNG_PG_PORT0" "TRUNCATE ryw, ryw_stale" >/dev/null
	out=$("$PGNG_PG_BIN/pgbench" -h 127.0.0.1 -p "$1" -U "$PGNG_PG_SUPERUSER" -n -c 4 -j 2 \
		-T "$SECONDS_PER_RUN" -f "$PGNG_TMP/oracle.sql" "$DB" 2>&1) || fail "$2: pgbench failed: $out"
	assert_contains "$out" "number of failed transactions: 0 " "$2: no failed transaction"
	tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
	stale=$(psql_at "$PGNG_PG_PORT0" "SELECT count(*) FROM ryw_stale")
	[ "${tx:-0}" -gt 0 ] || fail "$2: no transaction ran: $out"
	note "$2: $tx commits read back, $stale stale reads"
	echo "$tx $stale"
}

LB=("load_balance_mode = on" "backend_weight0 = 0" "backend_weight1 = 1" "backend_weight2 = 1")
pgpool_write_conf "num_init_children = 8" "max_pool = 1" "${LB[@]}" "read_your_writes = session"
pgpool_start
read -r tx stale <<<"$(oracle "$PGPOOL_PORT" "pgpool-ng, read_your_writes = session")"
assert_eq 0 "$stale" "read_your_writes = session: no read misses the session's own commit ($tx commits)"
reads=$(pool_psql "SHOW pool_nodes" | awk -F'|' '$1 != 0 {s += $9} END {print s + 0}')
note "SELECTs counted on the standbys: $reads"
[ "$reads" -gt 0 ] || fail "no read was balanced to a standby: the oracle proved nothing"
pgpool_stop fast

pgpool_write_conf "num_init_children = 8" "max_pool = 1" "${LB[@]}" "read_your_writes = off"
pgpool_start
read -r tx stale <<<"$(oracle "$PGPOOL_PORT" "pgpool-ng, read_your_writes = off")"
note "RESULT read_your_writes=off: $stale stale of $tx"
if [ -x "$PGPOOL_II" ]; then
	pgpool2_start
	read -r tx stale <<<"$(oracle "$II_PORT" "pgpool-II")"
	note "RESULT pgpool-II: $stale stale of $tx"
	pgpool2_stop
else
	note "pgpool-II comparison skipped: $PGPOOL_II is not installed (Debian package pgpool2)"
fi
pgpool_stop fast
psql_at "$PGNG_PG_PORT0" "DROP DATABASE $DB" >/dev/null 2>&1 || true
exit 0
