#!/usr/bin/env bash
# Statement counters of SHOW pool_backend_stats / SHOW pool_nodes: simple queries, prepared
# statements (counted at each Execute from their Parse) and backend errors are counted on the
# node that ran them.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
require_bin pgpool

psql_at "$PGNG_PG_PORT0" "CREATE DATABASE regress_counters" >/dev/null
export PGDATABASE=regress_counters
pgpool_write_conf "num_init_children = 2"
pgpool_start
pool_psql "CREATE TABLE c(a int)"

# node0's counters: select insert update delete ddl other panic fatal error
counters()
{
	pool_psql "SHOW pool_backend_stats" | awk -F'|' '$1 == 0 {print $6, $7, $8, $9, $10, $11, $12, $13, $14}'
}

before=$(counters)
for i in 1 2 3 4 5; do pool_psql "SELECT $i" >/dev/null; done
pool_psql "INSERT INTO c VALUES (1); INSERT INTO c VALUES (2)"
pool_psql "UPDATE c SET a = a + 1"
pool_psql "DELETE FROM c WHERE a = 3"
pool_psql "SELECT 1/0" >/dev/null 2>&1 && fail "division by zero succeeded"
# prepared: one Parse, seven Executes of a SELECT (pgbench -M prepared style, through libpq)
"$PGNG_PG_BIN/pgbench" -n -h 127.0.0.1 -p "$PGPOOL_PORT" -U "$PGNG_PG_SUPERUSER" -M prepared -c 1 -t 7 \
	-f <(echo "SELECT 42;") regress_counters >/dev/null 2>&1 || fail "pgbench -M prepared failed"
after=$(counters)
read -r s0 i0 u0 d0 ddl0 o0 p0 f0 e0 <<<"$before"
read -r s1 i1 u1 d1 ddl1 o1 p1 f1 e1 <<<"$after"
note "before: $before / after: $after"
# 5 simple SELECTs + the failing SELECT + 7 prepared executions (pgbench's own set-up queries aside)
[ $((s1 - s0)) -ge 13 ] || fail "select_cnt grew by $((s1 - s0)), expected at least 13"
assert_eq 1 $((i1 - i0)) "insert_cnt (a two-INSERT string counts as one query, as its kind is INSERT)"
assert_eq 1 $((u1 - u0)) "update_cnt"
assert_eq 1 $((d1 - d0)) "delete_cnt"
assert_eq 1 $((e1 - e0)) "error_cnt"
assert_eq 0 $((f1 - f0)) "fatal_cnt"
# SHOW pool_nodes shows the same select_cnt for node 0
nodes_select=$(pool_psql "SHOW pool_nodes" | awk -F'|' '$1 == 0 {print $9}')
stats_select=$(counters | cut -d' ' -f1)
assert_eq "$stats_select" "$nodes_select" "select_cnt agrees between pool_nodes and pool_backend_stats"
pgpool_stop fast
exit 0
