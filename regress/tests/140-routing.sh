#!/usr/bin/env bash
# Where statements run with load balancing on, proven by inet_server_port(): writes, DDL,
# SELECT ... FOR UPDATE, nextval, writable CTEs, functions in write_function_list (or volatile ones
# when no list is set), temporary tables and hinted statements on the primary; plain reads on the
# load-balance node; reads after a write in a transaction on the primary; each
# disable_load_balance_on_write mode; statement_level_load_balance; named statements and
# pipelines over two nodes; and plain SELECTs spread over the three nodes in proportion to
# backend_weightN over 3,000 sessions.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
require_bin pgpool regress/tools/routeprobe

DB=regress_route
P0=$PGNG_PG_PORT0
P1=$PGNG_PG_PORT1
psql_at "$P0" "DROP DATABASE IF EXISTS $DB" >/dev/null
psql_at "$P0" "CREATE DATABASE $DB" >/dev/null
export PGDATABASE=$DB
psql_at "$P0" "CREATE TABLE rt(id serial PRIMARY KEY, v int); CREATE TABLE other(a int);
	CREATE SEQUENCE rs; CREATE FUNCTION w_audit(int) RETURNS int LANGUAGE sql VOLATILE AS 'SELECT \$1';
	CREATE FUNCTION quiet(int) RETURNS int LANGUAGE sql STABLE AS 'SELECT \$1';
	CREATE VIEW rt_view AS SELECT * FROM rt" >/dev/null
for port in "$PGNG_PG_PORT1" "$PGNG_PG_PORT2"; do
	wait_for "psql_at $port 'SELECT 1 FROM rt_view LIMIT 1; SELECT 1'" 30 "the schema did not reach the standby on port $port"
done

# start_pool LINE...: pgpool-ng with load balancing on, reads to node 1 unless LINEs say otherwise
start_pool()
{
	[ -z "$PGPOOL_PID" ] || pgpool_stop fast
	pgpool_write_conf "num_init_children = 4" "max_pool = 2" "load_balance_mode = on" \
		"backend_weight0 = 0" "backend_weight1 = 1" "backend_weight2 = 0" "$@"
	pgpool_start
}

# pool_script SQL: psql reads SQL from its input, so each statement is a Query of its own
pool_script()
{
	PGCONNECT_TIMEOUT=10 "$PGNG_PG_BIN/psql" -X -A -t -q -F ' ' -v ON_ERROR_STOP=1 -h 127.0.0.1 \
		-p "$PGPOOL_PORT" -U "$PGNG_PG_SUPERUSER" -d "$DB" -f - <<<"$1" 2>&1
}

# check_ports SCRIPT EXPECT...: runs the psql SCRIPT (lines "SELECT 'label', inet_server_port() ...")
# in one session and requires each EXPECT "label=port".
check_ports()
{
	local out expect label port got
	out=$(pool_script "$1") || fail "script failed: $out"
	shift
	for expect in "$@"; do
		label=${expect%%=*}
		port=${expect#*=}
		got=$(awk -v l="$label" '$1 == l {print $2}' <<<"$out" | sort -u | tr '\n' ' ')
		assert_eq "$port " "$got" "$label runs on port $port"
	done
}

start_pool "write_function_list = 'w_audit'"
check_ports "SELECT 'plain', inet_server_port();
	INSERT INTO rt(v) VALUES (1) RETURNING 'insert', inet_server_port();
	SELECT 'forupdate', inet_server_port() FROM (SELECT 1) x FOR UPDATE;
	SELECT 'nextval', inet_server_port(), nextval('rs');
	WITH w AS (INSERT INTO rt(v) VALUES (2) RETURNING id) SELECT 'cte', inet_server_port() FROM w;
	SELECT 'writefn', inet_server_port(), w_audit(1);
	SELECT 'readfn', inet_server_port(), quiet(1);
	CREATE TABLE ddl_probe AS SELECT inet_server_port() AS port;
	/*NO LOAD BALANCE*/ SELECT 'hint', inet_server_port();
	CREATE TEMP TABLE tmp_probe(a int);
	SELECT 'temp', inet_server_port() FROM (SELECT count(*) FROM tmp_probe) x;
	SELECT 'view', inet_server_port() FROM (SELECT count(*) FROM rt_view) x;
	SET application_name = 'routed';
	SELECT 'after-set', inet_server_port(), current_setting('application_name');
	BEGIN;
	SELECT 'tx-before-write', inet_server_port();
	UPDATE rt SET v = v + 1 WHERE id = 1;
	SELECT 'tx-after-write', inet_server_port();
	COMMIT;
	SELECT 'after-commit', inet_server_port();" \
	plain="$P1" insert="$P0" forupdate="$P0" nextval="$P0" cte="$P0" writefn="$P0" readfn="$P1" \
	hint="$P0" temp="$P0" view="$P1" after-set="$P1" tx-before-write="$P1" \
	tx-after-write="$P0" after-commit="$P1"
out=$(pool_script "SET application_name = 'routed';
	SELECT current_setting('application_name') || '@' || inet_server_port();")
assert_eq "routed@$P1" "$out" "a SET reaches the load-balance node before its next read"
assert_eq "$P0" "$(psql_at "$P0" "SELECT port FROM ddl_probe")" "CREATE TABLE AS ran on the primary"
pool_psql "DROP TABLE ddl_probe" >/dev/null

# with no function list, the catalog decides: volatile functions (random, w_audit) on the primary
start_pool
check_ports "SELECT 'volatile', inet_server_port(), random() >= 0;
	SELECT 'uservolatile', inet_server_port(), w_audit(2);
	SELECT 'stable', inet_server_port(), now() IS NOT NULL, quiet(2);
	SELECT 'pattern', inet_server_port();" \
	volatile="$P0" uservolatile="$P0" stable="$P1" pattern="$P1"
start_pool "primary_routing_query_pattern_list = '.*''pattern''.*'"
check_ports "SELECT 'pattern', inet_server_port(); SELECT 'other', inet_server_port();" \
	pattern="$P0" other="$P1"

# named statements and pipelines: prepared on one node, run on another after a write
out=$("$PGNG_BIN/regress/tools/routeprobe" \
	"host=127.0.0.1 port=$PGPOOL_PORT user=$PGNG_PG_SUPERUSER dbname=$DB connect_timeout=10" rt 2>&1) ||
	fail "routeprobe: $out"
for expect in prepared-outside="$P1" prepared-tx-before-write="$P1" prepared-tx-after-write="$P0" \
	prepared-after-commit="$P1" prepared-again="$P1" pipeline-read="$P1" pipeline-write="$P0" \
	pipeline-read-after="$P1"; do
	assert_contains "$out" "${expect%%=*} ${expect#*=}" "routeprobe: ${expect%%=*} on ${expect#*=}"
done

# disable_load_balance_on_write, each mode: reads in a transaction after a write, reads in the
# next transaction, reads outside a transaction after it
MODE_SCRIPT="BEGIN; UPDATE rt SET v = v + 1 WHERE id = 1;
	SELECT 'same-tx', inet_server_port() FROM (SELECT count(*) FROM other) x;
	SELECT 'same-tx-other-table', inet_server_port() FROM (SELECT 1) x;
	COMMIT;
	BEGIN; SELECT 'next-tx', inet_server_port(); COMMIT;
	SELECT 'outside', inet_server_port();"
start_pool "disable_load_balance_on_write = 'transaction'"
check_ports "$MODE_SCRIPT" same-tx="$P0" same-tx-other-table="$P0" next-tx="$P1" outside="$P1"
start_pool "disable_load_balance_on_write = 'trans_transaction'"
check_ports "$MODE_SCRIPT" same-tx="$P0" next-tx="$P0" outside="$P1"
start_pool "disable_load_balance_on_write = 'always'"
check_ports "$MODE_SCRIPT" same-tx="$P0" next-tx="$P0" outside="$P0"
start_pool "disable_load_balance_on_write = 'off'"
check_ports "$MODE_SCRIPT" same-tx="$P1" next-tx="$P1" outside="$P1"
start_pool "disable_load_balance_on_write = 'dml_adaptive'" \
	"dml_adaptive_object_relationship_list = 'rt:other'"
check_ports "$MODE_SCRIPT" same-tx="$P0" same-tx-other-table="$P1" next-tx="$P1" outside="$P1"

# statement_level_load_balance: one session's reads are drawn again statement by statement
start_pool "statement_level_load_balance = on" "backend_weight2 = 1"
out=$(pool_script "$(for _ in $(seq 1 40); do echo "SELECT 'stmt', inet_server_port();"; done)") ||
	fail "statement-level session: $out"
ports=$(awk '$1 == "stmt" {print $2}' <<<"$out" | sort -u | tr '\n' ' ')
assert_eq "$(printf '%s\n' "$P1" "$PGNG_PG_PORT2" | sort | tr '\n' ' ')" "$ports" \
	"statement_level_load_balance: 40 reads of one session spread over both standbys"

# redirect preference lists choose the load-balance node by application name or database
start_pool "app_name_redirect_preference_list = 'reporting:2'" \
	"database_redirect_preference_list = '$DB:primary'"
out=$(PGAPPNAME=reporting pool_psql "SELECT inet_server_port()")
assert_eq "$PGNG_PG_PORT2" "$out" "app_name_redirect_preference_list sends application reporting to node 2"
out=$(PGAPPNAME=other pool_psql "SELECT inet_server_port()")
assert_eq "$P0" "$out" "database_redirect_preference_list sends database $DB to the primary"

# 3,000 sessions, weights 1:1:2: each node's share of the plain SELECTs within 10% of its weight's
start_pool "backend_weight0 = 1" "backend_weight1 = 1" "backend_weight2 = 2"
script=$PGNG_TMP/sessions.sql
for _ in $(seq 1 3000); do
	printf '\\connect\nSELECT inet_server_port();\n'
done >"$script"
out=$(PGCONNECT_TIMEOUT=10 "$PGNG_PG_BIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPOOL_PORT" \
	-U "$PGNG_PG_SUPERUSER" -d "$DB" -f "$script" 2>&1) || fail "3,000 sessions: $(tail -3 <<<"$out")"
total=$(grep -c '^[0-9]' <<<"$out")
assert_eq 3000 "$total" "every session answered"
for spec in "$PGNG_PG_PORT0:750" "$PGNG_PG_PORT1:750" "$PGNG_PG_PORT2:1500"; do
	port=${spec%%:*}
	want=${spec#*:}
	got=$(grep -c "^$port\$" <<<"$out")
	note "port $port: $got sessions (expected $want)"
	[ $((got * 10)) -ge $((want * 9)) ] && [ $((got * 10)) -le $((want * 11)) ] ||
		fail "node on port $port got $got of 3000 sessions, expected $want +- 10%"
done
pgpool_stop fast
psql_at "$PGNG_PG_PORT0" "DROP DATABASE $DB" >/dev/null 2>&1 || true
exit 0
