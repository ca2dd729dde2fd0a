/*
 * Unit tests for config/ values: booleans, numbers with units and ranges, enums, lists, strings,
 * per-node values, and the two display formats (SHOW pool_status raw, PGPOOL SHOW).
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "config/config.h"
#include "unit/test_config.h"

/* Sets name = value on cfg and returns cfg_set's result; diagnostics go to d. */
static int
set(pool_config *cfg, diag_list *d, const char *name, const char *value)
{
	return cfg_set(cfg, name, value, "x.conf", 7, d);
}

static void
expect_shown(const pool_config *cfg, const char *name, cfg_format fmt, const char *expected)
{
	char	   *v = value_of(cfg, name, fmt);

	if (strcmp(v, expected) != 0)
		fprintf(stderr, "%s shows \"%s\", expected \"%s\"\n", name, v, expected);
	CU_ASSERT_STRING_EQUAL(v, expected);
	free(v);
}

static void
test_bool_words(void)
{
	static const char *const yes[] = {"on", "ON", "true", "t", "TRU", "yes", "Y", "1", NULL};
	static const char *const no[] = {"off", "OF", "false", "f", "no", "N", "0", NULL};
	static const char *const bad[] = {"o", "2", "enable", "onn", "", "yess", NULL};
	bool		b;

	for (int i = 0; yes[i]; i++)
		CU_ASSERT_TRUE(cfg_parse_bool(yes[i], &b) && b);
	for (int i = 0; no[i]; i++)
		CU_ASSERT_TRUE(cfg_parse_bool(no[i], &b) && !b);
	for (int i = 0; bad[i]; i++)
		CU_ASSERT_FALSE(cfg_parse_bool(bad[i], &b));
}

static void
test_bool_param(void)
{
	pool_config *cfg = cfg_create();
	diag_list	d;

	diag_init(&d);
	CU_ASSERT_EQUAL(set(cfg, &d, "load_balance_mode", "off"), CFG_SET_OK);
	CU_ASSERT_FALSE(cfg->load_balance_mode);
	CU_ASSERT_EQUAL(set(cfg, &d, "ssl", "Yes"), CFG_SET_OK);
	CU_ASSERT_TRUE(cfg->ssl);
	expect_shown(cfg, "ssl", CFG_FORMAT_SHOW, "on");
	expect_shown(cfg, "ssl", CFG_FORMAT_RAW, "1");
	expect_shown(cfg, "load_balance_mode", CFG_FORMAT_RAW, "0");
	CU_ASSERT_EQUAL(set(cfg, &d, "ssl", "maybe"), CFG_SET_INVALID);
	CU_ASSERT_TRUE(cfg->ssl);	/* unchanged */
	CU_ASSERT_EQUAL(d.count, 1);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&d, DIAG_ERROR, 7, "\"ssl\": \"maybe\""));
	CU_ASSERT_PTR_NOT_NULL(find_diag(&d, DIAG_ERROR, 7, "on, off, true, false, yes, no"));
	CU_ASSERT_STRING_EQUAL(d.entries[0].file, "x.conf");
	diag_free(&d);
	cfg_destroy(cfg);
}

static void
test_int_range(void)
{
	pool_config *cfg = cfg_create();
	diag_list	d;

	diag_init(&d);
	CU_ASSERT_EQUAL(set(cfg, &d, "port", "5433"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->port, 5433);
	CU_ASSERT_EQUAL(set(cfg, &d, "port", "80"), CFG_SET_INVALID);
	CU_ASSERT_EQUAL(set(cfg, &d, "port", "70000"), CFG_SET_INVALID);
	CU_ASSERT_EQUAL(set(cfg, &d, "port", "99x"), CFG_SET_INVALID);
	CU_ASSERT_EQUAL(set(cfg, &d, "port", "5s"), CFG_SET_INVALID);
	CU_ASSERT_EQUAL(cfg->port, 5433);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&d, DIAG_ERROR, 7, "between 1024 and 65535"));
	CU_ASSERT_PTR_NOT_NULL(find_diag(&d, DIAG_ERROR, 7, "\"port\": \"80\""));
	CU_ASSERT_PTR_NOT_NULL(find_diag(&d, DIAG_ERROR, 7, "takes no unit"));
	CU_ASSERT_EQUAL(set(cfg, &d, "num_init_children", "0"), CFG_SET_INVALID);
	CU_ASSERT_EQUAL(set(cfg, &d, "client_idle_limit_in_recovery", "-1"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->client_idle_limit_in_recovery, -1);
	CU_ASSERT_EQUAL(set(cfg, &d, "log_file_mode", "0640"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->log_file_mode, 0640);
	CU_ASSERT_EQUAL(set(cfg, &d, "max_pool", "0x10"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->max_pool, 16);
	CU_ASSERT_EQUAL(set(cfg, &d, "max_pool", "2.6"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->max_pool, 3);
	CU_ASSERT_EQUAL(set(cfg, &d, "max_pool", "3000000000"), CFG_SET_INVALID);
	CU_ASSERT_EQUAL(set(cfg, &d, "max_pool", ""), CFG_SET_INVALID);
	diag_free(&d);
	cfg_destroy(cfg);
}

static void
test_time_units(void)
{
	pool_config *cfg = cfg_create();
	diag_list	d;

	diag_init(&d);
	CU_ASSERT_EQUAL(set(cfg, &d, "child_life_time", "5min"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->child_life_time, 300);
	CU_ASSERT_EQUAL(set(cfg, &d, "child_life_time", "2h"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->child_life_time, 7200);
	CU_ASSERT_EQUAL(set(cfg, &d, "client_idle_limit", "1d"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->client_idle_limit, 86400);
	CU_ASSERT_EQUAL(set(cfg, &d, "client_idle_limit", "1500ms"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->client_idle_limit, 2);
	CU_ASSERT_EQUAL(set(cfg, &d, "authentication_timeout", "30 s"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->authentication_timeout, 30);
	CU_ASSERT_EQUAL(set(cfg, &d, "connect_timeout", "3s"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->connect_timeout, 3000);
	CU_ASSERT_EQUAL(set(cfg, &d, "log_rotation_age", "2h"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->log_rotation_age, 120);
	CU_ASSERT_EQUAL(d.count, 0);
	CU_ASSERT_EQUAL(set(cfg, &d, "child_life_time", "5 minutes"), CFG_SET_INVALID);
	CU_ASSERT_EQUAL(set(cfg, &d, "child_life_time", "5MB"), CFG_SET_INVALID);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&d, DIAG_ERROR, 7, "ms, s, min, h and d"));
	CU_ASSERT_EQUAL(set(cfg, &d, "log_rotation_age", "5min"), CFG_SET_INVALID);	/* min 10 */
	CU_ASSERT_EQUAL(cfg->child_life_time, 7200);
	diag_free(&d);
	cfg_destroy(cfg);
}

static void
test_memory_units(void)
{
	pool_config *cfg = cfg_create();
	diag_list	d;

	diag_init(&d);
	CU_ASSERT_EQUAL(set(cfg, &d, "memqcache_total_size", "1GB"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->memqcache_total_size, 1073741824LL);
	CU_ASSERT_EQUAL(set(cfg, &d, "memqcache_total_size", "8TB"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->memqcache_total_size, 8796093022208LL);
	CU_ASSERT_EQUAL(set(cfg, &d, "memqcache_maxcache", "512kB"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->memqcache_maxcache, 524288);
	CU_ASSERT_EQUAL(set(cfg, &d, "log_rotation_size", "20MB"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->log_rotation_size, 20480);
	CU_ASSERT_EQUAL(set(cfg, &d, "delay_threshold", "10000000"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->delay_threshold, 10000000);
	CU_ASSERT_EQUAL(d.count, 0);
	CU_ASSERT_EQUAL(set(cfg, &d, "memqcache_maxcache", "4mb"), CFG_SET_INVALID);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&d, DIAG_ERROR, 7, "B, kB, MB, GB and TB"));
	CU_ASSERT_EQUAL(set(cfg, &d, "memqcache_maxcache", "4s"), CFG_SET_INVALID);
	CU_ASSERT_EQUAL(set(cfg, &d, "memqcache_cache_block_size", "100"), CFG_SET_INVALID);
	CU_ASSERT_EQUAL(set(cfg, &d, "memqcache_maxcache", "4GB"), CFG_SET_INVALID);
	diag_free(&d);
	cfg_destroy(cfg);
}

static void
test_double(void)
{
	pool_config *cfg = cfg_create();
	diag_list	d;

	diag_init(&d);
	CU_ASSERT_EQUAL(set(cfg, &d, "backend_weight1", "0.5"), CFG_SET_OK);
	CU_ASSERT_DOUBLE_EQUAL(cfg->backends[1].weight, 0.5, 1e-9);
	expect_shown(cfg, "backend_weight1", CFG_FORMAT_SHOW, "0.5");
	expect_shown(cfg, "backend_weight1", CFG_FORMAT_RAW, "0.500000");
	CU_ASSERT_EQUAL(set(cfg, &d, "backend_weight1", "-1"), CFG_SET_INVALID);
	CU_ASSERT_EQUAL(set(cfg, &d, "backend_weight1", "heavy"), CFG_SET_INVALID);
	CU_ASSERT_EQUAL(set(cfg, &d, "backend_weight1", "1e9"), CFG_SET_INVALID);
	CU_ASSERT_DOUBLE_EQUAL(cfg->backends[1].weight, 0.5, 1e-9);
	diag_free(&d);
	cfg_destroy(cfg);
}

static void
test_enum(void)
{
	pool_config *cfg = cfg_create();
	diag_list	d;
	const diag_entry *e;

	diag_init(&d);
	CU_ASSERT_EQUAL(set(cfg, &d, "backend_clustering_mode", "Native_Replication"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->backend_clustering_mode, CFG_CM_NATIVE_REPLICATION);
	CU_ASSERT_TRUE(cfg->replication_mode);
	expect_shown(cfg, "backend_clustering_mode", CFG_FORMAT_SHOW, "native_replication");
	expect_shown(cfg, "backend_clustering_mode", CFG_FORMAT_RAW, "2");
	CU_ASSERT_EQUAL(set(cfg, &d, "log_min_messages", "DEBUG"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->log_min_messages, CFG_MSG_DEBUG2);
	CU_ASSERT_EQUAL(set(cfg, &d, "syslog_facility", "local3"), CFG_SET_OK);
	expect_shown(cfg, "syslog_facility", CFG_FORMAT_RAW, "LOCAL3");
	CU_ASSERT_EQUAL(set(cfg, &d, "check_temp_table", "off"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->check_temp_table, CFG_TEMP_OFF);
	CU_ASSERT_EQUAL(d.count, 0);
	CU_ASSERT_EQUAL(set(cfg, &d, "wd_lifecheck_method", "ping"), CFG_SET_INVALID);
	CU_ASSERT_EQUAL(cfg->wd_lifecheck_method, CFG_LIFECHECK_HEARTBEAT);
	e = find_diag(&d, DIAG_ERROR, 7, "\"wd_lifecheck_method\": \"ping\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_PTR_NOT_NULL(strstr(e->message, "allowed values: query, heartbeat, external"));
	diag_free(&d);
	cfg_destroy(cfg);
}

static void
test_string_and_list(void)
{
	pool_config *cfg = cfg_create();
	diag_list	d;

	diag_init(&d);
	CU_ASSERT_EQUAL(set(cfg, &d, "reset_query_list", "ABORT; RESET ALL; SET SESSION AUTHORIZATION DEFAULT"),
					CFG_SET_OK);
	CU_ASSERT_EQUAL_FATAL(cfg->reset_query_list.count, 3);
	CU_ASSERT_STRING_EQUAL(cfg->reset_query_list.items[1], "RESET ALL");
	expect_shown(cfg, "reset_query_list", CFG_FORMAT_SHOW,
				 "ABORT; RESET ALL; SET SESSION AUTHORIZATION DEFAULT");
	CU_ASSERT_EQUAL(set(cfg, &d, "write_function_list", "nextval,setval, lock_.*"), CFG_SET_OK);
	CU_ASSERT_EQUAL_FATAL(cfg->write_function_list.count, 3);
	CU_ASSERT_STRING_EQUAL(cfg->write_function_list.items[2], "lock_.*");
	CU_ASSERT_EQUAL(set(cfg, &d, "write_function_list", ""), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->write_function_list.count, 0);
	CU_ASSERT_EQUAL(set(cfg, &d, "pid_file_name", "/run/pgpool/pgpool.pid"), CFG_SET_OK);
	CU_ASSERT_STRING_EQUAL(cfg->pid_file_name, "/run/pgpool/pgpool.pid");
	CU_ASSERT_EQUAL(set(cfg, &d, "log_destination", "stderr,syslog"), CFG_SET_OK);
	CU_ASSERT_EQUAL(set(cfg, &d, "log_destination", "eventlog"), CFG_SET_INVALID);
	CU_ASSERT_STRING_EQUAL(cfg->log_destination, "stderr,syslog");
	expect_shown(cfg, "database_redirect_preference_list", CFG_FORMAT_RAW, "(null)");
	expect_shown(cfg, "database_redirect_preference_list", CFG_FORMAT_SHOW, "");
	diag_free(&d);
	cfg_destroy(cfg);
}

static void
test_backend_flag(void)
{
	pool_config *cfg = cfg_create();
	diag_list	d;

	diag_init(&d);
	CU_ASSERT_EQUAL(set(cfg, &d, "backend_flag0", "ALWAYS_PRIMARY|DISALLOW_TO_FAILOVER"), CFG_SET_OK);
	CU_ASSERT_STRING_EQUAL(cfg->backends[0].flag, "DISALLOW_TO_FAILOVER|ALWAYS_PRIMARY");
	CU_ASSERT_EQUAL(cfg_backend_flags(cfg, 0),
					CFG_BACKEND_DISALLOW_TO_FAILOVER | CFG_BACKEND_ALWAYS_PRIMARY);
	CU_ASSERT_EQUAL(cfg_backend_flags(cfg, 1), 0);
	CU_ASSERT_EQUAL(set(cfg, &d, "backend_flag1", "ALLOW_TO_FAILOVER|DISALLOW_TO_FAILOVER"),
					CFG_SET_INVALID);
	CU_ASSERT_EQUAL(set(cfg, &d, "backend_flag1", "NEVER_FAIL"), CFG_SET_INVALID);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&d, DIAG_ERROR, 7, "unknown flag \"NEVER_FAIL\""));
	CU_ASSERT_STRING_EQUAL(cfg->backends[1].flag, "ALLOW_TO_FAILOVER");
	diag_free(&d);
	cfg_destroy(cfg);
}

/* A node's own health_check_xxxN wins over the global value, whatever the order. */
static void
test_health_check_per_node(void)
{
	pool_config *cfg = cfg_create();
	diag_list	d;

	diag_init(&d);
	CU_ASSERT_EQUAL(set(cfg, &d, "health_check_period1", "7"), CFG_SET_OK);
	CU_ASSERT_EQUAL(set(cfg, &d, "health_check_period", "30"), CFG_SET_OK);
	CU_ASSERT_EQUAL(set(cfg, &d, "health_check_user", "hc"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->health_check_period, 30);
	CU_ASSERT_EQUAL(cfg->health_check_params[0].health_check_period, 30);
	CU_ASSERT_EQUAL(cfg->health_check_params[1].health_check_period, 7);
	CU_ASSERT_EQUAL(cfg->health_check_params[127].health_check_period, 30);
	CU_ASSERT_STRING_EQUAL(cfg->health_check_params[1].health_check_user, "hc");
	CU_ASSERT_EQUAL(set(cfg, &d, "health_check_timeout2", "1min"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->health_check_params[2].health_check_timeout, 60);
	expect_shown(cfg, "health_check_timeout2", CFG_FORMAT_SHOW, "60");
	expect_shown(cfg, "health_check_period", CFG_FORMAT_SHOW, "30");
	expect_shown(cfg, "health_check_password1", CFG_FORMAT_SHOW, "*****");
	CU_ASSERT_EQUAL(d.count, 0);
	diag_free(&d);
	cfg_destroy(cfg);
}

/* PGPOOL SHOW applies units the way pgpool 4.3.5 does (golden pgpool-show-all.txt). */
static void
test_show_format(void)
{
	pool_config *cfg = cfg_create();
	diag_list	d;

	diag_init(&d);
	expect_shown(cfg, "child_life_time", CFG_FORMAT_SHOW, "5min");
	expect_shown(cfg, "child_life_time", CFG_FORMAT_RAW, "300");
	expect_shown(cfg, "memqcache_total_size", CFG_FORMAT_SHOW, "64MB");
	expect_shown(cfg, "memqcache_total_size", CFG_FORMAT_RAW, "67108864");
	expect_shown(cfg, "memqcache_maxcache", CFG_FORMAT_SHOW, "400kB");
	expect_shown(cfg, "memqcache_cache_block_size", CFG_FORMAT_SHOW, "1MB");
	expect_shown(cfg, "log_rotation_age", CFG_FORMAT_SHOW, "1d");
	expect_shown(cfg, "log_rotation_size", CFG_FORMAT_SHOW, "10MB");
	expect_shown(cfg, "authentication_timeout", CFG_FORMAT_SHOW, "1min");
	expect_shown(cfg, "auto_failback_interval", CFG_FORMAT_SHOW, "1min");
	expect_shown(cfg, "wd_heartbeat_keepalive", CFG_FORMAT_SHOW, "2s");
	expect_shown(cfg, "recovery_timeout", CFG_FORMAT_SHOW, "90s");
	expect_shown(cfg, "client_idle_limit", CFG_FORMAT_SHOW, "0");
	expect_shown(cfg, "connect_timeout", CFG_FORMAT_SHOW, "10000");
	expect_shown(cfg, "log_file_mode", CFG_FORMAT_SHOW, "384");
	expect_shown(cfg, "log_min_messages", CFG_FORMAT_SHOW, "warning");
	expect_shown(cfg, "log_min_messages", CFG_FORMAT_RAW, "19");
	expect_shown(cfg, "client_min_messages", CFG_FORMAT_RAW, "18");
	expect_shown(cfg, "log_standby_delay", CFG_FORMAT_RAW, "2");
	expect_shown(cfg, "disable_load_balance_on_write", CFG_FORMAT_RAW, "2");
	expect_shown(cfg, "log_error_verbosity", CFG_FORMAT_RAW, "1");
	expect_shown(cfg, "wd_lifecheck_method", CFG_FORMAT_RAW, "2");
	expect_shown(cfg, "pool_passwd", CFG_FORMAT_SHOW, "*****");
	expect_shown(cfg, "pool_passwd", CFG_FORMAT_RAW, "pool_passwd");
	expect_shown(cfg, "wd_authkey", CFG_FORMAT_SHOW, "");
	expect_shown(cfg, "backend_flag0", CFG_FORMAT_SHOW, "ALLOW_TO_FAILOVER");
	CU_ASSERT_EQUAL(set(cfg, &d, "client_idle_limit", "300"), CFG_SET_OK);
	expect_shown(cfg, "client_idle_limit", CFG_FORMAT_SHOW, "5min");
	CU_ASSERT_EQUAL(set(cfg, &d, "client_idle_limit", "301"), CFG_SET_OK);
	expect_shown(cfg, "client_idle_limit", CFG_FORMAT_SHOW, "301s");
	CU_ASSERT_EQUAL(set(cfg, &d, "memqcache_total_size", "1025kB"), CFG_SET_OK);
	expect_shown(cfg, "memqcache_total_size", CFG_FORMAT_SHOW, "1025kB");
	diag_free(&d);
	cfg_destroy(cfg);
}

static void
test_reset_and_unknown(void)
{
	pool_config *cfg = cfg_create();
	diag_list	d;

	diag_init(&d);
	CU_ASSERT_EQUAL(set(cfg, &d, "client_idle_limit", "60"), CFG_SET_OK);
	cfg_reset_param(cfg, cfg_find("client_idle_limit"), -1);
	CU_ASSERT_EQUAL(cfg->client_idle_limit, 0);
	CU_ASSERT_EQUAL(set(cfg, &d, "no_such_param", "1"), CFG_SET_UNKNOWN);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&d, DIAG_WARNING, 7, "\"no_such_param\""));
	CU_ASSERT_EQUAL(set(cfg, &d, "backend_hostname", "h"), CFG_SET_INVALID);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&d, DIAG_ERROR, 7, "needs a node number"));
	CU_ASSERT_EQUAL(set(cfg, &d, "backend_hostname128", "h"), CFG_SET_INVALID);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&d, DIAG_ERROR, 7, "backend_hostname0 .. backend_hostname127"));
	CU_ASSERT_EQUAL(set(cfg, &d, "backend_port3", "5432"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->num_backends, 4);
	CU_ASSERT_EQUAL(set(cfg, &d, "backend_port3", "0"), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg->num_backends, 0);
	diag_free(&d);
	cfg_destroy(cfg);
}

CU_TestInfo config_value_tests[] = {
	{"boolean words and prefixes", test_bool_words},
	{"boolean parameter: set, show, bad value", test_bool_param},
	{"integer ranges, octal, hex, rounding", test_int_range},
	{"time units", test_time_units},
	{"memory units", test_memory_units},
	{"double (backend_weight)", test_double},
	{"enums: case-insensitive, raw numbers, bad value lists allowed", test_enum},
	{"strings and lists", test_string_and_list},
	{"backend_flag", test_backend_flag},
	{"per-node health check overrides", test_health_check_per_node},
	{"PGPOOL SHOW and pool_status formats", test_show_format},
	{"reset, unknown and numbered names", test_reset_and_unknown},
	CU_TEST_INFO_NULL
};
