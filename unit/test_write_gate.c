/*
 * Unit tests for the write gate (child/write_gate.c): when a watchdog node has quorum to write, and
 * which units count as writes.
 */
#include <string.h>

#include "child/route.h"
#include "child/write_gate.h"
#include "protocol/message.h"
#include "unit/runner.h"

static pool_config cfg;
static shm_wd_view view;

static void
setup(int quorum_status, int64_t published_ms)
{
	memset(&cfg, 0, sizeof(cfg));
	memset(&view, 0, sizeof(view));
	cfg.use_watchdog = true;
	cfg.wd_heartbeat_deadtime = 3;
	view.num_nodes = 3;
	view.quorum_status = quorum_status;
	view.published_ms = published_ms;
}

static void
test_quorum(void)
{
	setup(1, 10000);
	CU_ASSERT_TRUE(write_gate_quorum_ok(&cfg, &view, 10100));
	view.quorum_status = -1;
	CU_ASSERT_FALSE(write_gate_quorum_ok(&cfg, &view, 10100));
	/* on the edge: published only with enable_consensus_with_half_votes, where it is quorum */
	view.quorum_status = 0;
	CU_ASSERT_TRUE(write_gate_quorum_ok(&cfg, &view, 10100));
}

static void
test_missing_or_stale(void)
{
	setup(1, 10000);
	CU_ASSERT_FALSE(write_gate_quorum_ok(&cfg, NULL, 10000));
	view.num_nodes = 0;
	CU_ASSERT_FALSE(write_gate_quorum_ok(&cfg, &view, 10000));
	view.num_nodes = 3;
	CU_ASSERT_TRUE(write_gate_quorum_ok(&cfg, &view, 19000));	/* 3 x deadtime 3 s */
	CU_ASSERT_FALSE(write_gate_quorum_ok(&cfg, &view, 19001));
	cfg.wd_heartbeat_deadtime = 0;	/* never below 3 s */
	CU_ASSERT_TRUE(write_gate_quorum_ok(&cfg, &view, 13000));
	CU_ASSERT_FALSE(write_gate_quorum_ok(&cfg, &view, 13001));
}

static void
test_without_watchdog(void)
{
	setup(-1, 0);
	cfg.use_watchdog = false;
	CU_ASSERT_TRUE(write_gate_quorum_ok(&cfg, NULL, 100000));
	CU_ASSERT_TRUE(write_gate_writes_allowed(&cfg));
}

/* The plan of one simple Query. */
static bool
query_writes(const char *sql)
{
	static route_state st;
	static route_plan plan;
	static pool_config rcfg;
	route_hooks hooks = {0};
	pq_out		out;
	bool		writes;

	route_init(&st, &rcfg, &hooks, 0, 0, 1);
	pq_out_init(&out);
	pq_put_query(&out, sql);
	route_plan_unit(&st, out.data, out.len, 65536, &plan);
	writes = write_gate_unit_writes(&plan);
	pq_out_free(&out);
	route_free(&st);
	return writes;
}

static void
test_unit_writes(void)
{
	CU_ASSERT_TRUE(query_writes("INSERT INTO t VALUES (1)"));
	CU_ASSERT_TRUE(query_writes("UPDATE t SET a = 1"));
	CU_ASSERT_TRUE(query_writes("DELETE FROM t"));
	CU_ASSERT_TRUE(query_writes("CREATE TABLE t (a int)"));
	CU_ASSERT_TRUE(query_writes("COPY t FROM STDIN"));
	CU_ASSERT_TRUE(query_writes("SELECT nextval('s')"));
	CU_ASSERT_TRUE(query_writes("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x"));
	CU_ASSERT_TRUE(query_writes("SELECT 1; INSERT INTO t VALUES (1)"));
	CU_ASSERT_FALSE(query_writes("SELECT * FROM t"));
	CU_ASSERT_FALSE(query_writes("BEGIN"));
	CU_ASSERT_FALSE(query_writes("COMMIT"));
	CU_ASSERT_FALSE(query_writes("ROLLBACK"));
	CU_ASSERT_FALSE(query_writes("SET search_path = x"));
	CU_ASSERT_FALSE(query_writes("SHOW search_path"));
	CU_ASSERT_FALSE(query_writes("COPY t TO STDOUT"));
}

static CU_TestInfo gate_tests[] = {
	{"quorum, absent, on the edge", test_quorum},
	{"a missing or stale view is no quorum", test_missing_or_stale},
	{"without the watchdog writes are allowed", test_without_watchdog},
	{"which units are writes", test_unit_writes},
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{"write gate", NULL, NULL, NULL, NULL, gate_tests},
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return unit_run("test_write_gate", suites);
}
