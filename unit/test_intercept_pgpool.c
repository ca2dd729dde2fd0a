/*
 * Unit tests for PGPOOL SHOW (order of ALL, groups, one parameter, unknown names) and PGPOOL SET /
 * RESET (session-local copy, contexts, errors, RESET ALL and session end).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit/test_intercept.h"

static int
row_index(const answer *a, const char *prefix)
{
	for (int i = 0; i < a->nrows; i++)
		if (strncmp(a->rows[i], prefix, strlen(prefix)) == 0)
			return i;
	return -1;
}

/* Backends, then health check (global, then per node), then the rest, longest names first. */
static void
test_show_all_order(void)
{
	answer		a;

	run("PGPOOL SHOW ALL", &a);
	check_header(&a, "item|value|description");
	check_tag(&a);
	CU_ASSERT_EQUAL(a.nrows, 196);	/* as pgpool-II 4.3.5 with 3 backends, watchdog off */
	CU_ASSERT_EQUAL(row_index(&a, "backend_hostname0|127.0.0.1|"), 0);
	CU_ASSERT_EQUAL(row_index(&a, "backend_weight0|1|"), 2);
	CU_ASSERT_EQUAL(row_index(&a, "backend_application_name0|node0|"), 4);
	CU_ASSERT_EQUAL(row_index(&a, "backend_flag2|ALLOW_TO_FAILOVER|"), 17);
	CU_ASSERT_EQUAL(row_index(&a, "health_check_period|2|"), 18);
	CU_ASSERT_EQUAL(row_index(&a, "health_check_password|*****|"), 21);
	CU_ASSERT_EQUAL(row_index(&a, "connect_timeout|10000|"), 25);
	CU_ASSERT_EQUAL(row_index(&a, "health_check_period0|2|"), 26);
	CU_ASSERT_EQUAL(row_index(&a, "health_check_user2|postgres|"), 44);
	CU_ASSERT_EQUAL(row_index(&a, "connect_timeout2|10000|"), 49);
	CU_ASSERT_EQUAL(row_index(&a, "allow_multiple_failover_requests_from_node|off|"), 50);
	CU_ASSERT_EQUAL(row_index(&a, "disable_load_balance_on_write|transaction|"), 64);
	CU_ASSERT_EQUAL(row_index(&a, "child_life_time|5min|"), 152);
	CU_ASSERT_EQUAL(row_index(&a, "pool_passwd|*****|"), 183);
	CU_ASSERT_EQUAL(row_index(&a, "port|27999|"), 194);
	CU_ASSERT_EQUAL(row_index(&a, "ssl|off|"), 195);
	CU_ASSERT_EQUAL(row_index(&a, "hostname0|"), -1);
	answer_free(&a);
}

static void
test_show_group_and_one(void)
{
	answer		a;

	run("PGPOOL SHOW backend", &a);
	check_header(&a, "item|value|description");
	CU_ASSERT_EQUAL(a.nrows, 18);
	check_tag(&a);
	CU_ASSERT_EQUAL(row_index(&a, "backend_data_directory1|/tmp/cluster/n1|"), 9);
	answer_free(&a);
	run("PGPOOL SHOW health_check", &a);
	CU_ASSERT_EQUAL(a.nrows, 32);
	answer_free(&a);
	run("pgpool show LOAD_BALANCE_MODE;", &a);
	check_header(&a, "load_balance_mode");
	CU_ASSERT_EQUAL(a.nrows, 1);
	check_tag(&a);
	CU_ASSERT_STRING_EQUAL(a.rows[0], "on");
	answer_free(&a);
	run("PGPOOL SHOW backend_hostname0", &a);
	check_header(&a, "backend_hostname0");
	CU_ASSERT_STRING_EQUAL(a.rows[0], "127.0.0.1");
	answer_free(&a);
	run("PGPOOL SHOW health_check_password1", &a);
	CU_ASSERT_STRING_EQUAL(a.rows[0], "*****");
	answer_free(&a);
}

static void
check_error(const char *query, const char *message)
{
	answer		a;

	run(query, &a);
	CU_ASSERT_TRUE(a.error);
	CU_ASSERT_STRING_EQUAL(a.sqlstate, "XX000");
	CU_ASSERT_STRING_EQUAL(a.message, message);
	CU_ASSERT_EQUAL(a.nrows, 0);
	CU_ASSERT_EQUAL(a.row_descriptions, 0);
	CU_ASSERT_STRING_EQUAL(a.tag, "");
	answer_free(&a);
}

static void
test_show_unknown(void)
{
	check_error("PGPOOL SHOW no_such_param", "config variable \"no_such_param\" not found");
	check_error("PGPOOL SHOW backend_hostname", "config variable \"backend_hostname\" not found");
	check_error("PGPOOL SHOW backend_hostname128",
				"config variable \"backend_hostname128\" not found");
}

static void
check_tag_only(const char *query, const char *tag)
{
	answer		a;

	run(query, &a);
	CU_ASSERT_FALSE(a.error);
	CU_ASSERT_STRING_EQUAL(a.tag, tag);
	CU_ASSERT_EQUAL(a.row_descriptions, 0);
	answer_free(&a);
}

static void
check_shown(const char *query, const char *value)
{
	answer		a;

	run(query, &a);
	CU_ASSERT_EQUAL(a.nrows, 1);
	if (a.nrows == 1)
		CU_ASSERT_STRING_EQUAL(a.rows[0], value);
	answer_free(&a);
}

/* golden/pgpool-set-reset.txt, plus what happens to the shared configuration. */
static void
test_set_reset(void)
{
	check_shown("PGPOOL SHOW client_idle_limit", "0");
	check_tag_only("PGPOOL SET client_idle_limit = 300", "SET");
	check_shown("PGPOOL SHOW client_idle_limit", "5min");
	CU_ASSERT_PTR_NOT_NULL(fx_s.session_cfg);
	CU_ASSERT_PTR_EQUAL(fx_s.cfg, fx_s.session_cfg);
	CU_ASSERT_EQUAL(fx_s.cfg->client_idle_limit, 300);
	CU_ASSERT_EQUAL(fx_cfg->client_idle_limit, 0);
	check_tag_only("PGPOOL RESET client_idle_limit", "SET");
	check_shown("PGPOOL SHOW client_idle_limit", "0");
	check_tag_only("PGPOOL SET client_idle_limit TO 5", "SET");
	check_tag_only("PGPOOL SET log_statement = 'on'", "SET");
	check_shown("PGPOOL SHOW log_statement", "on");
	check_tag_only("PGPOOL SET log_statement TO default", "SET");
	check_shown("PGPOOL SHOW log_statement", "off");
	check_shown("PGPOOL SHOW client_idle_limit", "5s");
	check_tag_only("PGPOOL RESET ALL", "RESET");
	CU_ASSERT_PTR_NULL(fx_s.session_cfg);
	CU_ASSERT_PTR_EQUAL(fx_s.cfg, fx_cfg);
	check_shown("PGPOOL SHOW client_idle_limit", "0");
	/* session end drops what is left */
	check_tag_only("PGPOOL SET client_min_messages = 'debug1'", "SET");
	check_shown("PGPOOL SHOW client_min_messages", "debug1");
	intercept_session_end(&fx_s);
	CU_ASSERT_PTR_NULL(fx_s.session_cfg);
	CU_ASSERT_PTR_EQUAL(fx_s.cfg, fx_cfg);
	check_shown("PGPOOL SHOW client_min_messages", "notice");
	intercept_session_end(&fx_s);
}

/* golden/pgpool-set-errors.txt and pgpool-set-load_balance_mode.txt */
static void
test_set_errors(void)
{
	answer		a;

	check_error("PGPOOL SET port = 1234",
				"invalid Context, value for parameter \"port\" cannot be changed");
	check_error("PGPOOL SET load_balance_mode = off",
				"invalid Context, value for parameter \"load_balance_mode\" cannot be changed");
	check_error("PGPOOL SET no_such_param = 1",
				"unrecognized configuration parameter \"no_such_param\"");
	check_error("PGPOOL RESET port",
				"invalid Context, value for parameter \"port\" cannot be changed");
	check_error("PGPOOL RESET no_such_param",
				"unrecognized configuration parameter \"no_such_param\"");
	run("PGPOOL SET client_idle_limit = 'abc'", &a);
	CU_ASSERT_STRING_EQUAL(a.message, "invalid value for parameter \"client_idle_limit\": \"abc\"");
	CU_ASSERT_PTR_NOT_NULL(strstr(a.detail, "between 0 and"));
	answer_free(&a);
	check_shown("PGPOOL SHOW load_balance_mode", "on");
	check_shown("PGPOOL SHOW client_idle_limit", "0");
	intercept_session_end(&fx_s);
}

CU_TestInfo intercept_pgpool_tests[] = {
	{"PGPOOL SHOW ALL: pgpool's row order", test_show_all_order},
	{"PGPOOL SHOW <group> and <parameter>", test_show_group_and_one},
	{"PGPOOL SHOW unknown names", test_show_unknown},
	{"PGPOOL SET / RESET / RESET ALL / session end", test_set_reset},
	{"PGPOOL SET errors", test_set_errors},
	CU_TEST_INFO_NULL
};
