/*
 * Unit tests for statement routing (child/route.c, child/route_state.c): where units go under
 * each disable_load_balance_on_write mode, temporary tables, named statements, settings to replay,
 * and units too large to look at.
 */
#include <string.h>

#include "child/route.h"
#include "protocol/message.h"
#include "unit/runner.h"

#define PRIMARY 0
#define STANDBY 1

static pool_config *cfg;
static route_state st;
static route_plan plan;
static pq_out unit;

static bool
usable(void *arg, int node)
{
	(void) arg;
	return node >= 0 && node < 3;
}

/* Functions named like "w_..." write, the rest only read (what the lists or the catalog say). */
static int
function_reads_only(void *arg, const sql_name *fn)
{
	(void) arg;
	return fn->name_len >= 2 && strncmp(fn->name, "w_", 2) == 0 ? 0 : 1;
}

static bool
primary_only(void *arg, const char *text, size_t len)
{
	(void) arg;
	return len >= 6 && strncmp(text, "SELECT 'to primary'", 19) == 0;
}

static void
start(int mode)
{
	route_hooks hooks = {.node_usable = usable, .function_reads_only = function_reads_only,
	.primary_only = primary_only};

	route_free(&st);
	cfg_destroy(cfg);
	cfg = cfg_create();
	cfg->num_backends = 3;
	cfg->disable_load_balance_on_write = mode;
	route_init(&st, cfg, &hooks, PRIMARY, STANDBY, 0x7);
	pq_out_reset(&unit);
}

static long syncs;

/* Parses in the unit (each answered by a ParseComplete when the unit succeeds). */
static int
parses_in_unit(void)
{
	int			n = 0;

	for (size_t off = 0; off + 5 <= unit.len; off += 1 + pq_be32_get(unit.data + off + 1))
		if (unit.data[off] == 'P')
			n++;
	return n;
}

/*
 * Plans what is in `unit`, applies it and simulates the answers: ParseComplete for its Parses
 * unless the unit fails (status 'E', or 'F' for an error outside a transaction), then its
 * ReadyForQuery. Returns the node.
 */
static int
run_unit(char status_after)
{
	int			parses = parses_in_unit();

	route_plan_unit(&st, unit.data, unit.len, 65536, &plan);
	CU_ASSERT_FATAL(plan.decided);
	CU_ASSERT_EQUAL(plan.len, unit.len);
	plan.sync = ++syncs;
	route_apply(&st, unit.data, &plan);
	for (int i = 0; i < parses && status_after != 'E' && status_after != 'F'; i++)
		route_parse_complete(&st);
	route_sync_answered(&st, plan.sync);
	route_note_ready(&st, plan.node, status_after == 'F' ? 'I' : status_after);
	pq_out_reset(&unit);
	return plan.node;
}

static int
query(const char *sql, char status_after)
{
	pq_put_query(&unit, sql);
	return run_unit(status_after);
}

static void
put_parse(const char *name, const char *sql)
{
	pq_out_begin(&unit, 'P');
	pq_out_string(&unit, name);
	pq_out_string(&unit, sql);
	pq_out_int16(&unit, 0);
	pq_out_end(&unit);
}

static void
put_bind_execute(const char *name)
{
	pq_out_begin(&unit, 'B');
	pq_out_string(&unit, "");
	pq_out_string(&unit, name);
	pq_out_int16(&unit, 0);
	pq_out_int16(&unit, 0);
	pq_out_int16(&unit, 0);
	pq_out_end(&unit);
	pq_out_begin(&unit, 'E');
	pq_out_string(&unit, "");
	pq_out_int32(&unit, 0);
	pq_out_end(&unit);
}

static void
put_sync(void)
{
	pq_out_begin(&unit, 'S');
	pq_out_end(&unit);
}

static void
put_bind_execute_sync(const char *name)
{
	put_bind_execute(name);
	put_sync();
}

static void
test_reads_and_writes(void)
{
	start(CFG_DLBOW_TRANSACTION);
	CU_ASSERT_EQUAL(query("SELECT 1", 'I'), STANDBY);
	CU_ASSERT_EQUAL(query("INSERT INTO t VALUES (1)", 'I'), PRIMARY);
	CU_ASSERT_EQUAL(query("SELECT * FROM t FOR UPDATE", 'I'), PRIMARY);
	CU_ASSERT_EQUAL(query("SELECT nextval('s')", 'I'), PRIMARY);
	CU_ASSERT_EQUAL(query("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", 'I'), PRIMARY);
	CU_ASSERT_EQUAL(query("CREATE TABLE u (a int)", 'I'), PRIMARY);
	CU_ASSERT_EQUAL(query("SELECT w_audit(1)", 'I'), PRIMARY);
	CU_ASSERT_EQUAL(query("SELECT lower('A')", 'I'), STANDBY);
	CU_ASSERT_EQUAL(query("SELECT 1; UPDATE t SET a = 2", 'I'), PRIMARY);
	CU_ASSERT_EQUAL(query("/*NO LOAD BALANCE*/ SELECT 1", 'I'), PRIMARY);
	CU_ASSERT_EQUAL(query("SELECT 'to primary'", 'I'), PRIMARY);
	CU_ASSERT_EQUAL(query("SELECT 2", 'I'), STANDBY);
	/* allow_sql_comments off (pgpool's default): any leading comment keeps a read on the primary */
	CU_ASSERT_EQUAL(query("/* report */ SELECT 3", 'I'), PRIMARY);
	CU_ASSERT_EQUAL(query("-- report\nSELECT 3", 'I'), PRIMARY);
	CU_ASSERT_EQUAL(query("SELECT 3 /* trailing */", 'I'), STANDBY);
	cfg->allow_sql_comments = true;
	CU_ASSERT_EQUAL(query("/* report */ SELECT 3", 'I'), STANDBY);
	CU_ASSERT_EQUAL(query("/*NO LOAD BALANCE*/ SELECT 3", 'I'), PRIMARY);
}

static void
test_transaction_mode(void)
{
	start(CFG_DLBOW_TRANSACTION);
	CU_ASSERT_EQUAL(query("BEGIN", 'T'), PRIMARY);
	CU_ASSERT_EQUAL(query("SELECT 1", 'T'), STANDBY);	/* before the first write */
	CU_ASSERT_EQUAL(query("INSERT INTO t VALUES (1)", 'T'), PRIMARY);
	CU_ASSERT_EQUAL(query("SELECT * FROM t", 'T'), PRIMARY);	/* after it */
	CU_ASSERT_EQUAL(query("COMMIT", 'I'), PRIMARY);
	CU_ASSERT_EQUAL(query("SELECT * FROM t", 'I'), STANDBY);
	CU_ASSERT_EQUAL(query("BEGIN", 'T'), PRIMARY);
	CU_ASSERT_EQUAL(query("SELECT * FROM t", 'T'), STANDBY);	/* a new transaction starts clean */
	CU_ASSERT_EQUAL(query("ROLLBACK", 'I'), PRIMARY);
	/* the same in one string: the whole unit is the primary's */
	CU_ASSERT_EQUAL(query("BEGIN; INSERT INTO t VALUES (2); COMMIT", 'I'), PRIMARY);
	CU_ASSERT_EQUAL(query("SELECT 3", 'I'), STANDBY);
}

static void
test_other_modes(void)
{
	start(CFG_DLBOW_TRANS_TRANSACTION);
	query("BEGIN", 'T');
	query("UPDATE t SET a = 1", 'T');
	query("COMMIT", 'I');
	CU_ASSERT_EQUAL(query("SELECT 1", 'I'), STANDBY);	/* outside a transaction: balanced */
	query("BEGIN", 'T');
	CU_ASSERT_EQUAL(query("SELECT 1", 'T'), PRIMARY);	/* later transactions: not */
	query("COMMIT", 'I');

	start(CFG_DLBOW_ALWAYS);
	CU_ASSERT_EQUAL(query("SELECT 1", 'I'), STANDBY);
	query("DELETE FROM t", 'I');
	CU_ASSERT_EQUAL(query("SELECT 1", 'I'), PRIMARY);

	start(CFG_DLBOW_OFF);
	query("BEGIN", 'T');
	query("INSERT INTO t VALUES (1)", 'T');
	CU_ASSERT_EQUAL(query("SELECT * FROM t", 'T'), STANDBY);
	query("COMMIT", 'I');
}

static void
test_dml_adaptive(void)
{
	start(CFG_DLBOW_DML_ADAPTIVE);
	cfg->dml_adaptive_object_relationship_list = "t1:v1, t1:f1()";
	query("BEGIN", 'T');
	query("INSERT INTO t1 VALUES (1)", 'T');
	CU_ASSERT_EQUAL(query("SELECT * FROM t2", 'T'), STANDBY);
	CU_ASSERT_EQUAL(query("SELECT * FROM T1", 'T'), PRIMARY);
	CU_ASSERT_EQUAL(query("SELECT * FROM v1", 'T'), PRIMARY);
	CU_ASSERT_EQUAL(query("SELECT f1()", 'T'), PRIMARY);
	query("COMMIT", 'I');
	CU_ASSERT_EQUAL(query("SELECT * FROM t1", 'I'), STANDBY);
	cfg->dml_adaptive_object_relationship_list = NULL;	/* not owned by cfg */
}

static void
test_pinned_transactions(void)
{
	start(CFG_DLBOW_TRANSACTION);
	query("BEGIN ISOLATION LEVEL SERIALIZABLE", 'T');
	CU_ASSERT_EQUAL(query("SELECT 1", 'T'), PRIMARY);
	query("COMMIT", 'I');
	query("BEGIN", 'T');
	query("SAVEPOINT a", 'T');
	CU_ASSERT_EQUAL(query("SELECT 1", 'T'), PRIMARY);
	query("COMMIT", 'I');
	CU_ASSERT_EQUAL(query("SELECT 1", 'I'), STANDBY);
	/* a transaction that failed on the standby is answered there until it ends */
	query("BEGIN", 'T');
	CU_ASSERT_EQUAL(query("SELECT 1/0", 'E'), STANDBY);
	CU_ASSERT_EQUAL(query("INSERT INTO t VALUES (1)", 'E'), STANDBY);
	CU_ASSERT_EQUAL(query("ROLLBACK", 'I'), STANDBY);
	CU_ASSERT_EQUAL(query("INSERT INTO t VALUES (1)", 'I'), PRIMARY);
}

static void
test_temp_tables(void)
{
	start(CFG_DLBOW_TRANSACTION);
	CU_ASSERT_EQUAL(query("CREATE TEMP TABLE tt (a int)", 'I'), PRIMARY);
	CU_ASSERT_EQUAL(query("SELECT * FROM tt", 'I'), PRIMARY);
	CU_ASSERT_EQUAL(query("SELECT * FROM pg_temp.tt", 'I'), PRIMARY);
	CU_ASSERT_EQUAL(query("SELECT * FROM other", 'I'), STANDBY);
	query("DROP TABLE tt", 'I');
	CU_ASSERT_EQUAL(query("SELECT * FROM tt", 'I'), STANDBY);
	query("BEGIN", 'T');
	query("CREATE TEMP TABLE gone (a int) ON COMMIT DROP", 'T');
	CU_ASSERT_EQUAL(query("SELECT * FROM gone", 'T'), PRIMARY);
	query("COMMIT", 'I');
	CU_ASSERT_EQUAL(query("SELECT * FROM gone", 'I'), STANDBY);
}

static void
test_named_statements(void)
{
	route_named *n;

	start(CFG_DLBOW_TRANSACTION);
	put_parse("r1", "SELECT * FROM t WHERE a = $1");
	put_bind_execute_sync("r1");
	CU_ASSERT_EQUAL(run_unit('I'), STANDBY);
	put_parse("w1", "UPDATE t SET a = $1");
	put_bind_execute_sync("w1");
	CU_ASSERT_EQUAL(run_unit('I'), PRIMARY);
	put_bind_execute_sync("r1");
	CU_ASSERT_EQUAL(run_unit('I'), STANDBY);
	put_bind_execute_sync("w1");
	CU_ASSERT_EQUAL(run_unit('I'), PRIMARY);
	put_bind_execute_sync("unknown");
	CU_ASSERT_EQUAL(run_unit('I'), PRIMARY);
	n = route_find(st.statements, st.statement_count, "r1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_EQUAL(n->nodes, 1u << STANDBY);
	CU_ASSERT_EQUAL(n->pending, 0);
	CU_ASSERT_PTR_NOT_NULL(n->parse);
	/*
	 * A Parse skipped after an error in its pipeline never existed: it is not made elsewhere. The
	 * unnamed Parses before the error were answered; the named one after it was not.
	 */
	put_parse("", "SELECT 1");
	put_bind_execute("");
	put_parse("", "SELECT 1/0");
	put_bind_execute("");
	put_parse("never", "SELECT 3");
	put_sync();
	route_plan_unit(&st, unit.data, unit.len, 65536, &plan);
	plan.sync = ++syncs;
	route_apply(&st, unit.data, &plan);
	route_parse_complete(&st);
	route_parse_complete(&st);
	route_sync_answered(&st, plan.sync);
	route_note_ready(&st, plan.node, 'I');
	pq_out_reset(&unit);
	CU_ASSERT_PTR_NULL(route_find(st.statements, st.statement_count, "never"));
	put_bind_execute_sync("never");
	CU_ASSERT_EQUAL(run_unit('F'), PRIMARY);
	/* after a write in a transaction the read statement runs on the primary */
	query("BEGIN", 'T');
	query("INSERT INTO t VALUES (1)", 'T');
	put_bind_execute_sync("r1");
	CU_ASSERT_EQUAL(run_unit('T'), PRIMARY);
	query("COMMIT", 'I');
	/* DISCARD ALL forgets them, and is kept to be replayed on the other nodes */
	query("DISCARD ALL", 'I');
	CU_ASSERT_EQUAL(st.statement_count, 0);
	CU_ASSERT_EQUAL(st.replay_count, 1);
	CU_ASSERT_EQUAL(st.replayed[PRIMARY], 1);
	CU_ASSERT_EQUAL(st.replayed[STANDBY], 0);
}

static void
test_settings(void)
{
	start(CFG_DLBOW_TRANSACTION);
	CU_ASSERT_EQUAL(query("SET search_path = a, public", 'I'), PRIMARY);
	CU_ASSERT_EQUAL(st.replay_count, 1);
	CU_ASSERT_STRING_EQUAL(st.replay[0], "SET search_path = a, public");
	CU_ASSERT_FALSE(st.lb_off);
	CU_ASSERT_EQUAL(query("SELECT 1", 'I'), STANDBY);
	/* a setting inside a transaction could be rolled back: balancing stops */
	query("BEGIN", 'T');
	query("SET work_mem = '8MB'", 'T');
	query("COMMIT", 'I');
	CU_ASSERT_TRUE(st.lb_off);
	CU_ASSERT_EQUAL(query("SELECT 1", 'I'), PRIMARY);
	/* LISTEN keeps the session on the primary, where notifications arrive */
	start(CFG_DLBOW_TRANSACTION);
	query("LISTEN ch", 'I');
	CU_ASSERT_EQUAL(query("SELECT 1", 'I'), PRIMARY);
}

static void
test_incomplete_units(void)
{
	start(CFG_DLBOW_TRANSACTION);
	put_parse("", "SELECT 1");
	route_plan_unit(&st, unit.data, unit.len, 65536, &plan);
	CU_ASSERT_FALSE(plan.decided);	/* no Sync yet: wait for it */
	route_plan_unit(&st, unit.data, 3, 65536, &plan);
	CU_ASSERT_FALSE(plan.decided);
	/* a unit that can never fit in the buffer goes to the primary unseen */
	route_plan_unit(&st, unit.data, unit.len, unit.len, &plan);
	CU_ASSERT_TRUE(plan.decided);
	CU_ASSERT_FALSE(plan.complete);
	CU_ASSERT_EQUAL(plan.node, PRIMARY);
	pq_out_reset(&unit);
	/* a Sync alone, or a Close, only follows the current node */
	put_sync();
	route_plan_unit(&st, unit.data, unit.len, 65536, &plan);
	CU_ASSERT_TRUE(plan.decided && plan.trivial);
	pq_out_reset(&unit);
}

/* A batch longer than what is classified runs on the primary and keeps balancing unless it changes
 * the session. */
static void
test_long_batches(void)
{
	start(CFG_DLBOW_TRANSACTION);
	for (int i = 0; i < ROUTE_MAX_STATEMENTS + 4; i++)
	{
		put_parse("", "INSERT INTO t VALUES (1)");
		put_bind_execute("");
	}
	put_sync();
	CU_ASSERT_EQUAL(run_unit('I'), PRIMARY);
	CU_ASSERT_TRUE(plan.overflow);
	CU_ASSERT_FALSE(st.lb_off);
	CU_ASSERT_EQUAL(query("SELECT 1", 'I'), STANDBY);
	for (int i = 0; i < ROUTE_MAX_STATEMENTS; i++)
	{
		put_parse("", "INSERT INTO t VALUES (1)");
		put_bind_execute("");
	}
	put_parse("", "CREATE TEMP TABLE hidden (a int)");
	put_sync();
	CU_ASSERT_EQUAL(run_unit('I'), PRIMARY);
	CU_ASSERT_TRUE(st.lb_off);
	CU_ASSERT_EQUAL(query("SELECT * FROM hidden", 'I'), PRIMARY);
}

static CU_TestInfo route_tests[] = {
	{"reads, writes, functions, hints", test_reads_and_writes},
	{"disable_load_balance_on_write = transaction", test_transaction_mode},
	{"trans_transaction, always, off", test_other_modes},
	{"dml_adaptive and its relationship list", test_dml_adaptive},
	{"serializable, savepoints, failed transactions", test_pinned_transactions},
	{"temporary tables", test_temp_tables},
	{"named statements", test_named_statements},
	{"settings replayed, LISTEN", test_settings},
	{"incomplete and oversized units", test_incomplete_units},
	{"batches longer than classified", test_long_batches},
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{"routing", NULL, NULL, NULL, NULL, route_tests},
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	int			rc;

	pq_out_init(&unit);
	rc = unit_run("test_route", suites);
	route_free(&st);
	cfg_destroy(cfg);
	pq_out_free(&unit);
	return rc;
}
