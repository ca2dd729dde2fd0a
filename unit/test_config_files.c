/*
 * Unit tests for config/ files: syntax, quoting, comments, diagnostics with lines, duplicates,
 * start-up checks, pgpool 3.x names, the seed 3.5 fixture and Debian's sample.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "unit/runner.h"
#include "unit/test_config.h"

#ifndef PGNG_SRCDIR
#define PGNG_SRCDIR "."
#endif
#define SEED_FIXTURE PGNG_SRCDIR "/config/testdata/seed-3.5-pgpool.conf"
#define DEBIAN_SAMPLE "/usr/share/doc/pgpool2/examples/pgpool.conf.sample"

static void
test_syntax_forms(void)
{
	loaded		l;

	load_text(&l,
			  "# comment line\n"
			  "\n"
			  "   port = 5433\n"
			  "pcp_port 9000\n"
			  "num_init_children=8   # trailing comment\n"
			  "listen_addresses = '*'\t\n"
			  "log_line_prefix = '%t: pid %p: # not a comment'\n"
			  "wd_authkey = 'it''s \\'quoted\\''\n"
			  "if_up_cmd = 'a\\tb\\nc\\101\\\\'\n"
			  "lobj_lock_table = ''\n"
			  "load_balance_mode = OFF\r\n"
			  "hostname0 = 'node3'     ##设置本节点的节点名\n"
			  "# 中文注释 with UTF-8\n");
	CU_ASSERT_EQUAL(l.rc, 0);
	CU_ASSERT_EQUAL(l.diags.count, 0);
	CU_ASSERT_EQUAL(l.cfg->port, 5433);
	CU_ASSERT_EQUAL(l.cfg->pcp_port, 9000);
	CU_ASSERT_EQUAL(l.cfg->num_init_children, 8);
	CU_ASSERT_STRING_EQUAL(l.cfg->listen_addresses, "*");
	CU_ASSERT_STRING_EQUAL(l.cfg->log_line_prefix, "%t: pid %p: # not a comment");
	CU_ASSERT_STRING_EQUAL(l.cfg->wd_authkey, "it's 'quoted'");
	CU_ASSERT_STRING_EQUAL(l.cfg->if_up_cmd, "a\tb\ncA\\");
	CU_ASSERT_STRING_EQUAL(l.cfg->lobj_lock_table, "");
	CU_ASSERT_FALSE(l.cfg->load_balance_mode);
	CU_ASSERT_STRING_EQUAL(l.cfg->wd_nodes[0].hostname, "node3");
	loaded_free(&l);
}

static void
test_syntax_errors(void)
{
	loaded		l;

	load_text(&l,
			  "port = 5433\n"
			  "listen_addresses = 'unterminated\n"
			  "num_init_children = 8 9\n"
			  "max_pool =\n"
			  "= 3\n"
			  "pcp_port = 9000\n");
	CU_ASSERT_EQUAL(l.rc, -1);
	CU_ASSERT_EQUAL(l.diags.count, 4);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&l.diags, DIAG_ERROR, 2, "syntax error"));
	CU_ASSERT_PTR_NOT_NULL(find_diag(&l.diags, DIAG_ERROR, 3, "syntax error"));
	CU_ASSERT_PTR_NOT_NULL(find_diag(&l.diags, DIAG_ERROR, 4, "syntax error"));
	CU_ASSERT_PTR_NOT_NULL(find_diag(&l.diags, DIAG_ERROR, 5, "syntax error"));
	/* good lines around the bad ones still apply */
	CU_ASSERT_EQUAL(l.cfg->port, 5433);
	CU_ASSERT_EQUAL(l.cfg->pcp_port, 9000);
	CU_ASSERT_EQUAL(l.cfg->num_init_children, 32);
	loaded_free(&l);
}

static void
test_unknown_and_bad_values(void)
{
	loaded		l;
	const diag_entry *e;

	load_text(&l,
			  "port = 5433\n"
			  "no_such_parameter = 1\n"
			  "backend_clustering_mode = 'streaming'\n"
			  "num_init_children = -4\n"
			  "ssl = sometimes\n");
	CU_ASSERT_EQUAL(l.rc, -1);
	e = find_diag(&l.diags, DIAG_WARNING, 2, "\"no_such_parameter\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_STRING_EQUAL(e->file, l.path);
	e = find_diag(&l.diags, DIAG_ERROR, 3, "\"backend_clustering_mode\": \"streaming\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_STRING_EQUAL(e->file, l.path);
	CU_ASSERT_PTR_NOT_NULL(strstr(e->message, "streaming_replication, native_replication, "
								  "logical_replication, slony, raw, snapshot_isolation"));
	CU_ASSERT_PTR_NOT_NULL(find_diag(&l.diags, DIAG_ERROR, 4, "between 1 and 2147483647"));
	CU_ASSERT_PTR_NOT_NULL(find_diag(&l.diags, DIAG_ERROR, 5, "\"ssl\": \"sometimes\""));
	CU_ASSERT_EQUAL(diag_count(&l.diags, DIAG_ERROR), 3);
	CU_ASSERT_EQUAL(diag_count(&l.diags, DIAG_WARNING), 1);
	CU_ASSERT_EQUAL(l.cfg->backend_clustering_mode, CFG_CM_STREAMING_REPLICATION);
	loaded_free(&l);
}

static void
test_unknown_only_is_not_an_error(void)
{
	loaded		l;

	load_text(&l, "port = 5433\nsome_future_param = on\n");
	CU_ASSERT_EQUAL(l.rc, 0);
	CU_ASSERT_EQUAL(diag_count(&l.diags, DIAG_WARNING), 1);
	CU_ASSERT_EQUAL(l.cfg->port, 5433);
	loaded_free(&l);
}

static void
test_duplicates(void)
{
	loaded		l;
	const diag_entry *e;

	load_text(&l, "port = 5433\nmax_pool = 2\n\nPORT = 5434\n");
	CU_ASSERT_EQUAL(l.rc, 0);
	CU_ASSERT_EQUAL(l.cfg->port, 5434);
	e = find_diag(&l.diags, DIAG_WARNING, 4, "set more than once");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_PTR_NOT_NULL(strstr(e->message, "lines 1 and 4"));
	CU_ASSERT_EQUAL(l.diags.count, 1);
	loaded_free(&l);
}

static void
test_missing_file(void)
{
	pool_config *cfg = cfg_create();
	diag_list	d;

	diag_init(&d);
	CU_ASSERT_EQUAL(cfg_load(cfg, "/nonexistent/pgpool.conf", &d), -1);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&d, DIAG_ERROR, 0, "could not open configuration file"));
	CU_ASSERT_EQUAL(cfg->port, 9999);
	diag_free(&d);
	cfg_destroy(cfg);
}

/* A second file is read over the values of the first. */
static void
test_load_over_current(void)
{
	loaded		l;
	char	   *second = unit_write_temp_file("max_pool = 7\n");
	diag_list	d;

	diag_init(&d);
	load_text(&l, "port = 5433\nmax_pool = 2\n");
	CU_ASSERT_EQUAL(cfg_load(l.cfg, second, &d), 0);
	CU_ASSERT_EQUAL(l.cfg->port, 5433);
	CU_ASSERT_EQUAL(l.cfg->max_pool, 7);
	CU_ASSERT_EQUAL(d.count, 0);
	unlink(second);
	free(second);
	diag_free(&d);
	loaded_free(&l);
}

static void
test_validate(void)
{
	loaded		l;

	load_text(&l, "use_watchdog = on\nhostname0 = 'a'\nwd_port0 = 9000\npgpool_port0 = 9999\n"
			  "backend_hostname0 = 'db'\nbackend_port0 = 5432\n");
	CU_ASSERT_EQUAL(l.rc, 0);
	CU_ASSERT_EQUAL(cfg_validate(l.cfg, &l.diags), -1);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&l.diags, DIAG_ERROR, 0,
									 "invalid watchdog configuration. other pgpools setting is not defined"));
	CU_ASSERT_PTR_NOT_NULL(find_diag(&l.diags, DIAG_ERROR, 0, "no heartbeat destination"));
	loaded_free(&l);

	load_text(&l, "use_watchdog = on\nhostname0 = 'a'\nwd_port0 = 9000\npgpool_port0 = 9999\n"
			  "hostname1 = 'b'\nwd_port1 = 9000\npgpool_port1 = 9999\n"
			  "heartbeat_hostname0 = 'a'\nheartbeat_port0 = 9694\n"
			  "heartbeat_hostname1 = 'b'\nheartbeat_port1 = 9694\n"
			  "backend_hostname0 = 'db'\nbackend_port0 = 5432\n");
	CU_ASSERT_EQUAL(cfg_validate(l.cfg, &l.diags), 0);
	CU_ASSERT_EQUAL(l.diags.count, 0);
	CU_ASSERT_EQUAL(l.cfg->num_wd_nodes, 2);
	CU_ASSERT_EQUAL(l.cfg->num_heartbeats, 2);
	loaded_free(&l);

	load_text(&l, "backend_hostname0 = 'db'\nbackend_port0 = 5432\nbackend_hostname1 = 'x'\n"
			  "recovery_1st_stage_command = 'recover.sh'\n");
	CU_ASSERT_EQUAL(cfg_validate(l.cfg, &l.diags), -1);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&l.diags, DIAG_ERROR, 0, "backend_data_directory0"));
	CU_ASSERT_PTR_NOT_NULL(find_diag(&l.diags, DIAG_WARNING, 0, "backend 1 has no backend_port1"));
	loaded_free(&l);
}

static void
test_seed_fixture(void)
{
	pool_config *cfg;
	diag_list	d;

	if (access(SEED_FIXTURE, R_OK) != 0)
	{
		CU_FAIL("seed fixture " SEED_FIXTURE " is missing");
		return;
	}
	cfg = cfg_create();
	diag_init(&d);
	CU_ASSERT_EQUAL(cfg_load(cfg, SEED_FIXTURE, &d), 0);
	CU_ASSERT_EQUAL(diag_count(&d, DIAG_ERROR), 0);
	/* 3 duplicates (other_pgpool_hostname0/port0/wd_port0), 17 renamed names, 3 clustering */
	CU_ASSERT_EQUAL(diag_count(&d, DIAG_WARNING), 23);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&d, DIAG_WARNING, 90, "lines 87 and 90"));
	CU_ASSERT_PTR_NOT_NULL(find_diag(&d, DIAG_WARNING, 90, "other_pgpool_hostname0"));
	CU_ASSERT_PTR_NOT_NULL(find_diag(&d, DIAG_WARNING, 42, "follow_primary_command"));
	CU_ASSERT_PTR_NOT_NULL(find_diag(&d, DIAG_WARNING, 34, "backend_clustering_mode"));
	CU_ASSERT_EQUAL(cfg->backend_clustering_mode, CFG_CM_STREAMING_REPLICATION);
	CU_ASSERT_EQUAL(cfg->num_backends, 3);
	CU_ASSERT_STRING_EQUAL(cfg->backends[2].hostname, "node3");
	CU_ASSERT_EQUAL(cfg->backends[2].port, 5433);
	CU_ASSERT_EQUAL(cfg->health_check_period, 3);
	CU_ASSERT_EQUAL(cfg->health_check_params[1].health_check_period, 3);
	CU_ASSERT_STRING_EQUAL(cfg->delegate_IP, "192.168.0.220");
	CU_ASSERT_STRING_EQUAL(cfg->wd_nodes[0].hostname, "node3");
	CU_ASSERT_EQUAL(cfg->wd_nodes[0].wd_port, 9000);
	CU_ASSERT_EQUAL(cfg->wd_nodes[0].pgpool_port, 9999);
	CU_ASSERT_STRING_EQUAL(cfg->wd_nodes[1].hostname, "node2");	/* the last duplicate wins */
	CU_ASSERT_EQUAL(cfg->num_wd_nodes, 2);
	CU_ASSERT_EQUAL(cfg->heartbeats[0].port, 9694);
	CU_ASSERT_STRING_EQUAL(cfg->heartbeats[1].hostname, "node1");
	CU_ASSERT_STRING_EQUAL(cfg->heartbeats[2].device, "eno16777736");
	CU_ASSERT_EQUAL(cfg->num_heartbeats, 3);
	CU_ASSERT_TRUE(cfg->failover_on_backend_error);
	CU_ASSERT_EQUAL(cfg_validate(cfg, &d), 0);
	diag_free(&d);
	cfg_destroy(cfg);
}

static void
test_debian_sample(void)
{
	pool_config *cfg;
	diag_list	d;

	if (access(DEBIAN_SAMPLE, R_OK) != 0)
	{
		CU_PASS("Debian's pgpool2 sample is not installed; skipped");
		return;
	}
	cfg = cfg_create();
	diag_init(&d);
	CU_ASSERT_EQUAL(cfg_load(cfg, DEBIAN_SAMPLE, &d), 0);
	CU_ASSERT_EQUAL(d.count, 0);
	diag_print(&d, stderr);
	CU_ASSERT_EQUAL(cfg->backend_clustering_mode, CFG_CM_STREAMING_REPLICATION);
	CU_ASSERT_STRING_EQUAL(cfg->wd_nodes[0].hostname, "");
	/* the sample configures no backend: that is the only remark of the start-up checks */
	CU_ASSERT_EQUAL(cfg_validate(cfg, &d), 0);
	CU_ASSERT_EQUAL(d.count, 1);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&d, DIAG_WARNING, 0, "no backend is configured"));
	diag_free(&d);
	cfg_destroy(cfg);
}

CU_TestInfo config_file_tests[] = {
	{"name = value, name value, quoting, escapes, comments, UTF-8", test_syntax_forms},
	{"syntax errors carry their line", test_syntax_errors},
	{"unknown parameter warns, bad values are errors with allowed values", test_unknown_and_bad_values},
	{"unknown parameter alone is not an error", test_unknown_only_is_not_an_error},
	{"duplicate warns with both lines, last wins", test_duplicates},
	{"missing file", test_missing_file},
	{"a file is read over current values", test_load_over_current},
	{"start-up checks", test_validate},
	{"seed 3.5 fixture", test_seed_fixture},
	{"Debian pgpool.conf.sample", test_debian_sample},
	CU_TEST_INFO_NULL
};

/* Loads text, expects no error, and returns the loaded state for checks. */
static void
load_ok(loaded *l, const char *text)
{
	load_text(l, text);
	CU_ASSERT_EQUAL(l->rc, 0);
	CU_ASSERT_EQUAL(diag_count(&l->diags, DIAG_ERROR), 0);
}

static void
test_simple_renames(void)
{
	loaded		l;

	load_ok(&l, "follow_master_command = 'follow.sh'\n"
			"fail_over_on_backend_error = off\n"
			"white_function_list = 'f1,f2'\n"
			"black_function_list = 'nextval'\n"
			"black_query_pattern_list = 'SELECT 1;'\n"
			"white_memqcache_table_list = 't1'\n"
			"black_memqcache_table_list = 't2'\n"
			"ifconfig_path = '/usr/sbin'\n");
	CU_ASSERT_STRING_EQUAL(l.cfg->follow_primary_command, "follow.sh");
	CU_ASSERT_FALSE(l.cfg->failover_on_backend_error);
	CU_ASSERT_EQUAL(l.cfg->read_only_function_list.count, 2);
	CU_ASSERT_STRING_EQUAL(l.cfg->write_function_list.text, "nextval");
	CU_ASSERT_STRING_EQUAL(l.cfg->primary_routing_query_pattern_list.text, "SELECT 1;");
	CU_ASSERT_STRING_EQUAL(l.cfg->cache_safe_memqcache_table_list.text, "t1");
	CU_ASSERT_STRING_EQUAL(l.cfg->cache_unsafe_memqcache_table_list.text, "t2");
	CU_ASSERT_STRING_EQUAL(l.cfg->if_cmd_path, "/usr/sbin");
	CU_ASSERT_EQUAL(diag_count(&l.diags, DIAG_WARNING), 8);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&l.diags, DIAG_WARNING, 1, "\"follow_primary_command\""));
	CU_ASSERT_PTR_NOT_NULL(find_diag(&l.diags, DIAG_WARNING, 2, "\"failover_on_backend_error\""));
	CU_ASSERT_PTR_NOT_NULL(find_diag(&l.diags, DIAG_WARNING, 3, "\"read_only_function_list\""));
	loaded_free(&l);
}

static void
test_old_and_new_name_duplicate(void)
{
	loaded		l;

	load_ok(&l, "follow_master_command = 'old.sh'\nfollow_primary_command = 'new.sh'\n");
	CU_ASSERT_STRING_EQUAL(l.cfg->follow_primary_command, "new.sh");
	CU_ASSERT_PTR_NOT_NULL(find_diag(&l.diags, DIAG_WARNING, 2, "lines 1 and 2"));
	loaded_free(&l);
}

static void
test_removed(void)
{
	loaded		l;

	load_ok(&l, "parallel_mode = off\nenable_query_cache = off\nsystem_db_hostname = 'x'\n");
	CU_ASSERT_EQUAL(diag_count(&l.diags, DIAG_WARNING), 3);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&l.diags, DIAG_WARNING, 1,
									 "parameter \"parallel_mode\" was removed in pgpool-II 4.x and is ignored"));
	CU_ASSERT_PTR_NULL(find_diag(&l.diags, DIAG_WARNING, 0, "unrecognized"));
	loaded_free(&l);
}

static void
test_watchdog_numbering(void)
{
	loaded		l;

	load_ok(&l, "port = 9999\nwd_hostname = 'me'\nwd_port = 9000\nwd_heartbeat_port = 9694\n"
			"other_pgpool_hostname0 = 'p1'\nother_pgpool_port0 = 9998\nother_wd_port0 = 9001\n"
			"other_pgpool_hostname1 = 'p2'\nother_pgpool_port1 = 9997\nother_wd_port1 = 9002\n"
			"heartbeat_destination0 = 'p1'\nheartbeat_destination_port0 = 9695\n"
			"heartbeat_device0 = 'eth1'\n");
	CU_ASSERT_STRING_EQUAL(l.cfg->wd_nodes[0].hostname, "me");
	CU_ASSERT_EQUAL(l.cfg->wd_nodes[0].wd_port, 9000);
	CU_ASSERT_EQUAL(l.cfg->wd_nodes[0].pgpool_port, 9999);
	CU_ASSERT_STRING_EQUAL(l.cfg->wd_nodes[1].hostname, "p1");
	CU_ASSERT_EQUAL(l.cfg->wd_nodes[1].pgpool_port, 9998);
	CU_ASSERT_EQUAL(l.cfg->wd_nodes[1].wd_port, 9001);
	CU_ASSERT_STRING_EQUAL(l.cfg->wd_nodes[2].hostname, "p2");
	CU_ASSERT_EQUAL(l.cfg->wd_nodes[2].wd_port, 9002);
	CU_ASSERT_EQUAL(l.cfg->num_wd_nodes, 3);
	CU_ASSERT_EQUAL(l.cfg->heartbeats[0].port, 9694);
	CU_ASSERT_STRING_EQUAL(l.cfg->heartbeats[1].hostname, "p1");
	CU_ASSERT_EQUAL(l.cfg->heartbeats[1].port, 9695);
	CU_ASSERT_STRING_EQUAL(l.cfg->heartbeats[1].device, "eth1");
	CU_ASSERT_STRING_EQUAL(l.cfg->heartbeats[0].device, "");
	CU_ASSERT_PTR_NOT_NULL(find_diag(&l.diags, DIAG_WARNING, 5, "\"hostname1\""));
	loaded_free(&l);

	/* in a 4.2+ file heartbeat_deviceN keeps its number */
	load_ok(&l, "heartbeat_device0 = 'eth0'\n");
	CU_ASSERT_STRING_EQUAL(l.cfg->heartbeats[0].device, "eth0");
	CU_ASSERT_EQUAL(l.diags.count, 0);
	loaded_free(&l);
}

/* Loads the 3.x clustering switches and returns the resulting mode. */
static int
mode_of(const char *text, int *warnings)
{
	loaded		l;
	int			mode;

	load_ok(&l, text);
	mode = l.cfg->backend_clustering_mode;
	*warnings = diag_count(&l.diags, DIAG_WARNING);
	loaded_free(&l);
	return mode;
}

static void
test_clustering_switches(void)
{
	int			w;
	loaded		l;

	CU_ASSERT_EQUAL(mode_of("master_slave_mode = on\nmaster_slave_sub_mode = 'stream'\n", &w),
					CFG_CM_STREAMING_REPLICATION);
	CU_ASSERT_EQUAL(w, 2);
	CU_ASSERT_EQUAL(mode_of("master_slave_mode = on\nmaster_slave_sub_mode = 'logical'\n", &w),
					CFG_CM_LOGICAL_REPLICATION);
	CU_ASSERT_EQUAL(mode_of("master_slave_mode = on\nmaster_slave_sub_mode = 'slony'\n", &w),
					CFG_CM_SLONY);
	CU_ASSERT_EQUAL(mode_of("master_slave_mode = on\n", &w), CFG_CM_SLONY);
	CU_ASSERT_EQUAL(mode_of("replication_mode = on\n", &w), CFG_CM_NATIVE_REPLICATION);
	CU_ASSERT_EQUAL(mode_of("replication_mode = off\nmaster_slave_mode = off\n", &w), CFG_CM_RAW);
	CU_ASSERT_EQUAL(mode_of("master_slave_mode = on\nmaster_slave_sub_mode = 'stream'\n"
							"backend_clustering_mode = 'raw'\n", &w), CFG_CM_RAW);

	load_ok(&l, "replication_mode = on\n");
	CU_ASSERT_TRUE(l.cfg->replication_mode);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&l.diags, DIAG_WARNING, 1,
									 "backend_clustering_mode = 'native_replication'"));
	loaded_free(&l);

	load_text(&l, "replication_mode = on\nmaster_slave_mode = on\n");
	CU_ASSERT_EQUAL(l.rc, -1);
	loaded_free(&l);
	load_text(&l, "master_slave_sub_mode = 'paxos'\n");
	CU_ASSERT_EQUAL(l.rc, -1);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&l.diags, DIAG_ERROR, 1, "stream, logical, slony"));
	loaded_free(&l);
}

CU_TestInfo config_alias_tests[] = {
	{"renamed parameters map with a warning naming the new name", test_simple_renames},
	{"old and new name in one file count as a duplicate", test_old_and_new_name_duplicate},
	{"removed parameters are ignored with their own warning", test_removed},
	{"3.x watchdog names: local node 0, other node N -> N+1", test_watchdog_numbering},
	{"master_slave_mode/sub_mode/replication_mode -> backend_clustering_mode", test_clustering_switches},
	CU_TEST_INFO_NULL
};
