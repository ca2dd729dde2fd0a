/*
 * Unit tests for the answers of child/intercept*.c: every SHOW pool_* row for a known shared-memory
 * state, PGPOOL SHOW's order and formats, and PGPOOL SET / RESET on the session's copy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "pgng_config.h"
#include "shmem/shmem.h"
#include "unit/test_intercept.h"

#define T_CHANGED ((time_t) 1795000000)
#define T_START ((time_t) 1795000100)
#define T_CONNECT ((time_t) 1795000200)
#define T_DISCONNECT ((time_t) 1795000300)

static const char *
at(time_t t)
{
	static char buf[4][32];
	static int	next;
	struct tm	tm;
	char	   *b = buf[next++ % 4];

	localtime_r(&t, &tm);
	strftime(b, 32, "%Y-%m-%d %H:%M:%S", &tm);
	return b;
}

/* rows[i] == expected, printed when not. */
static void
check_row(const answer *a, int i, const char *expected)
{
	CU_ASSERT_FATAL(i < a->nrows);
	if (strcmp(a->rows[i], expected) != 0)
		printf("\n    row %d: got      %s\n    row %d: expected %s\n", i, a->rows[i], i, expected);
	CU_ASSERT_STRING_EQUAL(a->rows[i], expected);
}

static bool
row_starts(const answer *a, int i, const char *prefix)
{
	return i < a->nrows && strncmp(a->rows[i], prefix, strlen(prefix)) == 0;
}

static void
test_pool_nodes(void)
{
	answer		a;
	char		expected[256];

	fixture_backends(T_CHANGED);
	shm_count(1, 0, SHM_CNT_SELECT);
	shm_count(1, 0, SHM_CNT_SELECT);
	shm_count(2, 1, SHM_CNT_SELECT);
	run("SHOW pool_nodes", &a);
	check_header(&a, "node_id|hostname|port|status|pg_status|lb_weight|role|pg_role|select_cnt|"
				 "load_balance_node|replication_delay|replication_state|replication_sync_state|"
				 "last_status_change");
	CU_ASSERT_EQUAL(a.nrows, 3);
	check_tag(&a);
	snprintf(expected, sizeof(expected),
			 "0|127.0.0.1|27432|up|up|0.333333|primary|primary|2|true|0|||%s", at(T_CHANGED));
	check_row(&a, 0, expected);
	snprintf(expected, sizeof(expected),
			 "1|127.0.0.1|27433|up|up|0.333333|standby|standby|1|false|0|streaming|async|%s",
			 at(T_CHANGED));
	check_row(&a, 1, expected);
	snprintf(expected, sizeof(expected),
			 "2|127.0.0.1|27434|up|up|0.333333|standby|standby|0|false|1234|streaming|async|%s",
			 at(T_CHANGED));
	check_row(&a, 2, expected);
	answer_free(&a);
}

static void
test_pool_backend_stats(void)
{
	answer		a;

	fixture_backends(T_CHANGED);
	shm_count(0, 0, SHM_CNT_INSERT);
	shm_count(0, 0, SHM_CNT_DDL);
	shm_count(3, 0, SHM_CNT_OTHER);
	shm_count(3, 2, SHM_CNT_ERROR);
	run("show pool_backend_stats;", &a);
	check_header(&a, "node_id|hostname|port|status|role|select_cnt|insert_cnt|update_cnt|"
				 "delete_cnt|ddl_cnt|other_cnt|panic_cnt|fatal_cnt|error_cnt");
	CU_ASSERT_EQUAL(a.nrows, 3);
	check_tag(&a);
	check_row(&a, 0, "0|127.0.0.1|27432|up|primary|2|1|0|0|1|1|0|0|0");
	check_row(&a, 1, "1|127.0.0.1|27433|up|standby|1|0|0|0|0|0|0|0|0");
	check_row(&a, 2, "2|127.0.0.1|27434|up|standby|0|0|0|0|0|0|0|0|1");
	answer_free(&a);
}

static void
test_pool_health_check_stats(void)
{
	shm_hc_stats n0 = {.total_count = 16, .success_count = 16, .total_duration_ms = 366,
		.max_duration_ms = 51, .min_duration_ms = 9, .last_health_check = T_START,
	.last_successful_health_check = T_START};
	shm_hc_stats n2 = {.total_count = 79, .success_count = 77, .skip_count = 2,
		.total_duration_ms = 1385, .max_duration_ms = 59, .min_duration_ms = 10,
		.last_health_check = T_CONNECT, .last_successful_health_check = T_START,
	.last_skip_health_check = T_CONNECT};
	answer		a;
	char		expected[320];

	fixture_backends(T_CHANGED);
	CU_ASSERT_EQUAL(shm_hc_stats_write(0, &n0), 0);
	CU_ASSERT_EQUAL(shm_hc_stats_write(2, &n2), 0);
	run("SHOW pool_health_check_stats", &a);
	check_header(&a, "node_id|hostname|port|status|role|last_status_change|total_count|"
				 "success_count|fail_count|skip_count|retry_count|average_retry_count|"
				 "max_retry_count|max_duration|min_duration|average_duration|last_health_check|"
				 "last_successful_health_check|last_skip_health_check|last_failed_health_check");
	CU_ASSERT_EQUAL(a.nrows, 3);
	check_tag(&a);
	snprintf(expected, sizeof(expected), "0|127.0.0.1|27432|up|primary|%s|16|16|0|0|0|0.000000|0|51|9|"
			 "22.875000|%s|%s||", at(T_CHANGED), at(T_START), at(T_START));
	check_row(&a, 0, expected);
	snprintf(expected, sizeof(expected), "1|127.0.0.1|27433|up|standby|%s|0|0|0|0|0|0.000000|0|0|0|"
			 "0.000000||||", at(T_CHANGED));
	check_row(&a, 1, expected);
	snprintf(expected, sizeof(expected), "2|127.0.0.1|27434|up|standby|%s|79|77|0|2|0|0.000000|0|59|"
			 "10|17.987013|%s|%s|%s|", at(T_CHANGED), at(T_CONNECT), at(T_START), at(T_CONNECT));
	check_row(&a, 2, expected);
	answer_free(&a);
}

/*
 * Child 0 idle for longer than child_life_time, child 1 runs this session with pool slot 0 in use
 * and slot 1 left by an earlier client, child 2 just began waiting, child 3 has no process.
 */
static void
fixture_children(void)
{
	shm_pool_info used = {.database = "postgres", .username = "alice",
	.client_connection_time = T_CONNECT, .major = 3, .counter = 1};
	shm_pool_info left = {.client_connection_time = T_CONNECT,
	.client_disconnection_time = T_DISCONNECT};

	for (int child = 0; child < 4; child++)
		shm_child_retire(child);
	shm_child_begin(0, 5792, T_START);
	shm_child_set_idle_since(0, time(NULL) - 100000);
	shm_child_begin(1, 5793, T_START);
	shm_child_set_status(1, SHM_CHILD_IDLE);
	for (int i = 0; i < 3; i++)
		shm_child_count_client(1);
	shm_child_set_session(1, "postgres", "alice");
	shm_pool_set(1, 0, &used);
	shm_pool_set(1, 1, &left);
	for (int node = 0; node < 3; node++)
	{
		shm_pool_backend b = {.connection_time = T_CONNECT, .backend_pid = 6500 + node,
		.connected = 1};

		shm_pool_set_backend(1, 0, node, &b);
	}
	shm_child_begin(2, 5794, T_START);
	shm_child_set_idle_since(2, time(NULL) + 100000);
}

static void
test_pool_processes(void)
{
	answer		a;
	char		expected[256];

	fixture_children();
	run("SHOW pool_processes", &a);
	check_header(&a, "pool_pid|start_time|client_connection_count|database|username|"
				 "backend_connection_time|pool_counter|status");
	CU_ASSERT_EQUAL(a.nrows, 4);
	check_tag(&a);
	snprintf(expected, sizeof(expected), "5792|%s (0:00 before process restarting)|0|||||"
			 "Wait for connection", at(T_START));
	check_row(&a, 0, expected);
	snprintf(expected, sizeof(expected), "5793|%s|3|postgres|alice|%s|1|Execute command",
			 at(T_START), at(T_CONNECT));
	check_row(&a, 1, expected);
	snprintf(expected, sizeof(expected), "5794|%s (5:00 before process restarting)|0|||||"
			 "Wait for connection", at(T_START));
	check_row(&a, 2, expected);
	check_row(&a, 3, "0||0|||||Wait for connection");
	answer_free(&a);
	/* "Execute command" while answering (row 1 above), back to idle once answered */
	{
		shm_child_info ci;

		CU_ASSERT_EQUAL(shm_child_read(1, &ci), 0);
		CU_ASSERT_EQUAL(ci.status, SHM_CHILD_IDLE);
	}
}

static void
test_pool_pools(void)
{
	answer		a;
	char		expected[256];

	fixture_children();
	run("SHOW pool_pools", &a);
	check_header(&a, "pool_pid|start_time|client_connection_count|pool_id|backend_id|database|"
				 "username|backend_connection_time|client_connection_time|"
				 "client_disconnection_time|client_idle_duration|majorversion|minorversion|"
				 "pool_counter|pool_backendpid|pool_connected|status");
	CU_ASSERT_EQUAL(a.nrows, 4 * 2 * 3);
	check_tag(&a);
	snprintf(expected, sizeof(expected), "5792|%s (0:00 before process restarting)|0|0|0|||||"
			 "|0|0|0|0|0|0|Wait for connection", at(T_START));
	check_row(&a, 0, expected);
	snprintf(expected, sizeof(expected), "5793|%s|3|0|1|postgres|alice|%s|%s||0|3|0|1|6501|1|"
			 "Execute command", at(T_START), at(T_CONNECT), at(T_CONNECT));
	check_row(&a, 7, expected);
	snprintf(expected, sizeof(expected), "5793|%s|3|1|2|||||%s|0|0|0|0|0|0|Execute command",
			 at(T_START), at(T_DISCONNECT));
	check_row(&a, 11, expected);
	check_row(&a, 23, "0||0|1|2||||||0|0|0|0|0|0|Wait for connection");
	answer_free(&a);
}

static void
test_pool_version_and_cache(void)
{
	answer		a;

	run("SHOW pool_version", &a);
	check_header(&a, "pool_version");
	CU_ASSERT_EQUAL(a.nrows, 1);
	check_tag(&a);
	check_row(&a, 0, PGPOOL_COMPAT_VERSION " (pgpool-ng " PACKAGE_VERSION ")");
	answer_free(&a);
	run("SHOW pool_cache", &a);
	check_header(&a, "num_cache_hits|num_selects|cache_hit_ratio|num_hash_entries|"
				 "used_hash_entries|num_cache_entries|used_cache_entries_size|"
				 "free_cache_entries_size|fragment_cache_entries_size");
	check_tag(&a);
	check_row(&a, 0, "0|0|0.00|0|0|0|0|0|0");
	answer_free(&a);
}

/* Description (third column) of every row at most 79 characters. */
static bool
descriptions_short(const answer *a)
{
	for (int i = 0; i < a->nrows; i++)
	{
		const char *d = strchr(a->rows[i], '|');

		d = d ? strchr(d + 1, '|') : NULL;
		if (!d || strlen(d + 1) > 79)
			return false;
	}
	return true;
}

static void
test_pool_status(void)
{
	answer		a;

	fixture_backends(T_CHANGED);
	run("SHOW pool_status", &a);
	check_header(&a, "item|value|description");
	CU_ASSERT_EQUAL(a.nrows, 160);
	check_tag(&a);
	CU_ASSERT_TRUE(descriptions_short(&a));
	CU_ASSERT_TRUE(row_starts(&a, 0, "backend_clustering_mode|1|"));
	CU_ASSERT_TRUE(row_starts(&a, 2, "port|27999|"));
	CU_ASSERT_TRUE(row_starts(&a, 8, "pool_passwd|pool_passwd|"));
	CU_ASSERT_TRUE(row_starts(&a, 27, "child_life_time|300|"));
	CU_ASSERT_TRUE(row_starts(&a, 34, "client_min_messages|18|"));
	CU_ASSERT_TRUE(row_starts(&a, 43, "syslog_facility|LOCAL0|"));
	CU_ASSERT_TRUE(row_starts(&a, 60, "dml_adaptive_object_relationship_list|(null)|"));
	CU_ASSERT_TRUE(row_starts(&a, 124, "memqcache_total_size|67108864|"));
	CU_ASSERT_TRUE(row_starts(&a, 130, "memqcache_cache_oiddir|/var/log/pgpool/oiddir|"));
	CU_ASSERT_TRUE(row_starts(&a, 131, "memqcache_stats_start_time|"));
	CU_ASSERT_PTR_NULL(strchr(a.rows[131], '\n'));
	CU_ASSERT_TRUE(row_starts(&a, 132, "memqcache_no_cache_hits|0|"));
	CU_ASSERT_TRUE(row_starts(&a, 135, "cache_unsafe_memqcache_table_list||"));
	CU_ASSERT_TRUE(row_starts(&a, 136, "backend_hostname0|127.0.0.1|"));
	CU_ASSERT_TRUE(row_starts(&a, 138, "backend_weight0|0.333333|"));
	CU_ASSERT_TRUE(row_starts(&a, 140, "backend_status0|up|"));
	CU_ASSERT_TRUE(row_starts(&a, 142, "backend_flag0|ALLOW_TO_FAILOVER|"));
	CU_ASSERT_TRUE(row_starts(&a, 157, "standby_delay2|1234|"));
	CU_ASSERT_TRUE(row_starts(&a, 159, "backend_application_name2|node2|"));
	answer_free(&a);
}

CU_TestInfo intercept_show_tests[] = {
	{"SHOW pool_nodes", test_pool_nodes},
	{"SHOW pool_backend_stats", test_pool_backend_stats},
	{"SHOW pool_health_check_stats: averages over checks that ran", test_pool_health_check_stats},
	{"SHOW pool_processes: restart countdown", test_pool_processes},
	{"SHOW pool_pools: used and unused slots", test_pool_pools},
	{"SHOW pool_version (one RowDescription), pool_cache", test_pool_version_and_cache},
	{"SHOW pool_status: pgpool's items, raw values", test_pool_status},
	CU_TEST_INFO_NULL
};
