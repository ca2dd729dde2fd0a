/*
 * Unit tests for the load-balance node choice (child/lb_select.c): weights, unusable and lagging
 * nodes, and the app_name/database redirect preference lists.
 */
#include <stdlib.h>
#include <string.h>

#include "child/lb_select.h"
#include "common/util.h"
#include "unit/runner.h"

static pool_config *cfg;
static shm_backend_table table;

/* A deterministic generator, so that a failure reproduces. */
static uint32_t rng_state = 12345;

static uint32_t
next_random(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void
setup_three_nodes(double w0, double w1, double w2)
{
	cfg_destroy(cfg);
	cfg = cfg_create();
	cfg->num_backends = 3;
	cfg->backends[0].weight = w0;
	cfg->backends[1].weight = w1;
	cfg->backends[2].weight = w2;
	memset(&table, 0, sizeof(table));
	table.num_backends = 3;
	table.primary_node_id = 0;
	for (int i = 0; i < 3; i++)
		table.nodes[i].status = SHM_CON_UP;
}

static void
count_choices(const char *db, const char *app, int counts[3], int draws)
{
	memset(counts, 0, 3 * sizeof(int));
	for (int i = 0; i < draws; i++)
	{
		int			n = lb_choose_node(cfg, &table, db, app, next_random(), next_random());

		CU_ASSERT_FATAL(n >= 0 && n < 3);
		counts[n]++;
	}
}

static void
test_weights_spread(void)
{
	int			counts[3];

	setup_three_nodes(1, 1, 1);
	count_choices("db", "app", counts, 30000);
	for (int i = 0; i < 3; i++)
		CU_ASSERT(counts[i] > 9000 && counts[i] < 11000);
	setup_three_nodes(0, 1, 3);
	count_choices("db", "app", counts, 20000);
	CU_ASSERT_EQUAL(counts[0], 0);
	CU_ASSERT(counts[2] > 3 * counts[1] * 0.9 && counts[2] < 3 * counts[1] * 1.1);
}

static void
test_unusable_and_lagging(void)
{
	int			counts[3];

	setup_three_nodes(1, 1, 1);
	table.nodes[1].status = SHM_CON_DOWN;
	count_choices("db", "app", counts, 3000);
	CU_ASSERT_EQUAL(counts[1], 0);
	CU_ASSERT(counts[0] > 0 && counts[2] > 0);
	cfg->delay_threshold = 1000;
	table.nodes[2].replication_delay = 5000;
	count_choices("db", "app", counts, 1000);
	CU_ASSERT_EQUAL(counts[0], 1000);	/* only the primary is left */
	/* pgpool: a lagging draw goes to the primary, or with prefer_lower_delay_standby to the
	 * standby lagging least (within the threshold) */
	table.nodes[1].status = SHM_CON_UP;
	table.nodes[1].replication_delay = 10;
	count_choices("db", "app", counts, 3000);
	CU_ASSERT(counts[0] > 1700 && counts[1] > 800 && counts[2] == 0);
	cfg->prefer_lower_delay_standby = true;
	count_choices("db", "app", counts, 3000);
	CU_ASSERT(counts[0] > 800 && counts[0] < 1200 && counts[1] > 1800 && counts[2] == 0);
	cfg->prefer_lower_delay_standby = false;
	table.nodes[1].replication_delay = 0;
	/* nothing usable at all */
	for (int i = 0; i < 3; i++)
		table.nodes[i].status = SHM_CON_DOWN;
	CU_ASSERT_EQUAL(lb_choose_node(cfg, &table, "db", "app", 1, 2), -1);
}

/* delay_threshold_by_time (ms) replaces delay_threshold (bytes); the sr check then publishes ms. */
static void
test_lagging_by_time(void)
{
	int			counts[3];

	setup_three_nodes(0, 1, 1);
	cfg->delay_threshold = 100;	/* bytes: not used once by time */
	cfg->delay_threshold_by_time = 2000;
	table.nodes[1].replication_delay = 1500;
	table.nodes[2].replication_delay = 2500;
	CU_ASSERT_TRUE(lb_node_may_read(cfg, &table, 1));
	CU_ASSERT_FALSE(lb_node_may_read(cfg, &table, 2));
	count_choices("db", "app", counts, 2000);
	CU_ASSERT_EQUAL(counts[2], 0);
	CU_ASSERT(counts[1] > 0);
	cfg->delay_threshold_by_time = 0;
	CU_ASSERT_FALSE(lb_node_may_read(cfg, &table, 1));	/* 1500 read as bytes is over 100 */
}

/* Once the sr check has looked, a standby that does not stream from the primary gets no reads. */
static void
test_not_streaming(void)
{
	int			counts[3];

	setup_three_nodes(1, 1, 1);
	for (int i = 1; i < 3; i++)
		table.nodes[i].pg_role = SHM_ROLE_STANDBY;
	strcpy(table.nodes[1].replication_state, "streaming");
	strcpy(table.nodes[2].replication_state, "catchup");
	count_choices("db", "app", counts, 2000);
	CU_ASSERT_EQUAL(counts[2], 0);
	CU_ASSERT(counts[0] > 0 && counts[1] > 0);
	CU_ASSERT_TRUE(lb_node_may_read(cfg, &table, 0));
	CU_ASSERT_TRUE(lb_node_may_read(cfg, &table, 1));
	CU_ASSERT_FALSE(lb_node_may_read(cfg, &table, 2));
	cfg->sr_check_period = 0;	/* no sr check: what is shown is stale, pgpool balances */
	CU_ASSERT_TRUE(lb_node_may_read(cfg, &table, 2));
}

static void
test_database_preferences(void)
{
	int			counts[3];

	setup_three_nodes(1, 1, 1);
	cfg->database_redirect_preference_list = xstrdup("postgres:primary, mydb[0-9]:standby,exact:2");
	count_choices("postgres", "app", counts, 1000);
	CU_ASSERT_EQUAL(counts[0], 1000);
	count_choices("mydb7", "app", counts, 2000);
	CU_ASSERT_EQUAL(counts[0], 0);
	CU_ASSERT(counts[1] > 0 && counts[2] > 0);
	count_choices("exact", "app", counts, 500);
	CU_ASSERT_EQUAL(counts[2], 500);
	/* the regex must match the whole name: "post" is not "postgres" */
	count_choices("postgresql", "app", counts, 3000);
	CU_ASSERT(counts[1] > 0 && counts[2] > 0);
}

static void
test_probability_and_app_name(void)
{
	int			counts[3];

	setup_three_nodes(1, 1, 1);
	cfg->database_redirect_preference_list = xstrdup("sales:primary(0.5)");
	count_choices("sales", "app", counts, 20000);
	/* half by preference, the other half by the normal draw (a third of it to the primary) */
	CU_ASSERT(counts[0] > 20000 * 0.62 && counts[0] < 20000 * 0.71);
	cfg->app_name_redirect_preference_list = xstrdup("psql:1");
	count_choices("sales", "psql", counts, 1000);
	CU_ASSERT_EQUAL(counts[1], 1000);	/* app_name wins over the database rule */
	/* a target that is down falls back to the normal draw */
	table.nodes[1].status = SHM_CON_DOWN;
	count_choices("other", "psql", counts, 1000);
	CU_ASSERT_EQUAL(counts[1], 0);
}

static CU_TestInfo lb_tests[] = {
	{"weights spread the choice", test_weights_spread},
	{"down and lagging nodes are left out", test_unusable_and_lagging},
	{"standbys not streaming are left out", test_not_streaming},
	{"delay_threshold_by_time", test_lagging_by_time},
	{"database redirect preferences", test_database_preferences},
	{"probabilities and app_name preferences", test_probability_and_app_name},
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{"load-balance node", NULL, NULL, NULL, NULL, lb_tests},
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	int			rc = unit_run("test_lb_select", suites);

	cfg_destroy(cfg);
	return rc;
}
