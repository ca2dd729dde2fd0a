/*
 * Unit tests for config/: the parameter table and defaults, plus the shared helpers and main.
 * Value parsing is in test_config_values.c, files and 3.x names in test_config_files.c.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "config/config.h"
#include "unit/runner.h"
#include "unit/test_config.h"

void
load_text(loaded *l, const char *text)
{
	l->cfg = cfg_create();
	diag_init(&l->diags);
	l->path = unit_write_temp_file(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l->path);
	l->rc = cfg_load(l->cfg, l->path, &l->diags);
}

void
loaded_free(loaded *l)
{
	if (l->path)
		unlink(l->path);
	free(l->path);
	cfg_destroy(l->cfg);
	diag_free(&l->diags);
}

const diag_entry *
find_diag(const diag_list *d, diag_severity sev, int line, const char *needle)
{
	for (int i = 0; i < d->count; i++)
	{
		const diag_entry *e = &d->entries[i];

		if (e->severity == sev && (line == 0 || e->line == line) &&
			strstr(e->message, needle) != NULL)
			return e;
	}
	return NULL;
}

char *
value_of(const pool_config *cfg, const char *name, cfg_format fmt)
{
	int			index;
	const cfg_param *p = cfg_find_indexed(name, &index);

	return p ? cfg_format_value(cfg, p, index, fmt) : xstrdup("");
}

#define CHECK_VALUE(cfg, name, fmt, expected) \
	do { \
		char *v_ = value_of(cfg, name, fmt); \
		CU_ASSERT_STRING_EQUAL(v_, expected); \
		free(v_); \
	} while (0)

static void
test_defaults(void)
{
	pool_config *cfg = cfg_create();

	CU_ASSERT_EQUAL(cfg->port, 9999);
	CU_ASSERT_EQUAL(cfg->pcp_port, 9898);
	CU_ASSERT_EQUAL(cfg->num_init_children, 32);
	CU_ASSERT_EQUAL(cfg->max_pool, 4);
	CU_ASSERT_EQUAL(cfg->child_life_time, 300);
	CU_ASSERT_EQUAL(cfg->backend_clustering_mode, CFG_CM_STREAMING_REPLICATION);
	CU_ASSERT_EQUAL(cfg->log_min_messages, CFG_MSG_WARNING);
	CU_ASSERT_EQUAL(cfg->memqcache_total_size, 67108864);
	CU_ASSERT_EQUAL(cfg->memqcache_maxcache, 409600);
	CU_ASSERT_EQUAL(cfg->log_rotation_age, 1440);
	CU_ASSERT_EQUAL(cfg->log_file_mode, 0600);
	CU_ASSERT_EQUAL(cfg->connect_timeout, 10000);
	CU_ASSERT_EQUAL(cfg->health_check_params[5].health_check_timeout, 20);
	CU_ASSERT_STRING_EQUAL(cfg->pool_passwd, "pool_passwd");
	CU_ASSERT_STRING_EQUAL(cfg->backends[3].flag, "ALLOW_TO_FAILOVER");
	CU_ASSERT_STRING_EQUAL(cfg->reset_query_list.text, "ABORT;DISCARD ALL");
	CU_ASSERT_EQUAL(cfg->reset_query_list.count, 2);
	CU_ASSERT_TRUE(cfg->load_balance_mode);
	CU_ASSERT_FALSE(cfg->use_watchdog);
	CU_ASSERT_FALSE(cfg->replication_mode);
	CU_ASSERT_PTR_NULL(cfg->database_redirect_preference_list);
	CU_ASSERT_EQUAL(cfg->num_backends, 0);
	CU_ASSERT_EQUAL(cfg->num_wd_nodes, 0);
	cfg_destroy(cfg);
}

/* Every row's default must be accepted by the row's own parser, for every node number. */
static void
test_every_default_parses(void)
{
	pool_config *cfg = cfg_create();
	diag_list	d;
	int			n = cfg_param_count();

	diag_init(&d);
	CU_ASSERT_TRUE(n > 150);
	for (int i = 0; i < n; i++)
	{
		const cfg_param *p = cfg_param_at(i);
		char	   *name = cfg_param_name(p, (p->flags & CFG_INDEXED) ? p->index_count - 1 : -1);

		CU_ASSERT_PTR_NOT_NULL(p->description);
		CU_ASSERT_TRUE(p->description && strlen(p->description) > 5);
		if (p->default_value)
		{
			int			rc = cfg_set(cfg, name, p->default_value, "t", i, &d);

			if (rc != CFG_SET_OK)
				fprintf(stderr, "default of %s does not parse: %s\n", name, p->default_value);
			CU_ASSERT_EQUAL(rc, CFG_SET_OK);
		}
		free(name);
	}
	CU_ASSERT_EQUAL(d.count, 0);
	diag_free(&d);
	cfg_destroy(cfg);
}

/* A default set through cfg_set must show the same as the default from cfg_create. */
static void
test_defaults_round_trip(void)
{
	pool_config *fresh = cfg_create();
	pool_config *cfg = cfg_create();
	diag_list	d;

	diag_init(&d);
	for (int i = 0; i < cfg_param_count(); i++)
	{
		const cfg_param *p = cfg_param_at(i);
		int			index = (p->flags & CFG_INDEXED) && !(p->flags & CFG_INDEX_OPTIONAL) ? 0 : -1;
		char	   *name = cfg_param_name(p, index);
		char	   *shown = cfg_format_value(fresh, p, index, CFG_FORMAT_SHOW);
		char	   *again;

		if (p->default_value && !(p->flags & CFG_SECRET) && strcmp(p->name, "replication_mode"))
		{
			CU_ASSERT_EQUAL(cfg_set(cfg, name, shown, "t", 1, &d), CFG_SET_OK);
			again = cfg_format_value(cfg, p, index, CFG_FORMAT_RAW);
			free(shown);
			shown = cfg_format_value(fresh, p, index, CFG_FORMAT_RAW);
			CU_ASSERT_STRING_EQUAL(again, shown);
			free(again);
		}
		free(shown);
		free(name);
	}
	diag_free(&d);
	cfg_destroy(cfg);
	cfg_destroy(fresh);
}

static void
test_find(void)
{
	int			index;
	const cfg_param *p;

	CU_ASSERT_PTR_NOT_NULL(cfg_find("port"));
	CU_ASSERT_PTR_EQUAL(cfg_find("PORT"), cfg_find("port"));
	CU_ASSERT_PTR_NOT_NULL(cfg_find("delegate_ip"));
	CU_ASSERT_STRING_EQUAL(cfg_find("delegate_ip")->name, "delegate_IP");
	CU_ASSERT_PTR_NULL(cfg_find("no_such_param"));
	CU_ASSERT_PTR_NULL(cfg_find("backend_hostname"));	/* needs a number */
	CU_ASSERT_PTR_NOT_NULL(cfg_find("health_check_period"));	/* global default */

	p = cfg_find_indexed("backend_hostname12", &index);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->name, "backend_hostname");
	CU_ASSERT_EQUAL(index, 12);
	p = cfg_find_indexed("Health_Check_Period3", &index);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(index, 3);
	p = cfg_find_indexed("heartbeat_port127", &index);
	CU_ASSERT_PTR_NOT_NULL(p);
	CU_ASSERT_PTR_NULL(cfg_find_indexed("backend_port128", &index));
	CU_ASSERT_PTR_NULL(cfg_find_indexed("port0", &index));
	p = cfg_find_indexed("wd_port1", &index);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->group, CFG_GROUP_WATCHDOG);
}

/* Names are unique and fields carry exactly the parameter's name (checked by the macros). */
static void
test_table_consistent(void)
{
	int			n = cfg_param_count();

	for (int i = 0; i < n; i++)
	{
		const cfg_param *a = cfg_param_at(i);

		for (int j = i + 1; j < n; j++)
			CU_ASSERT_NOT_EQUAL(strcasecmp(a->name, cfg_param_at(j)->name), 0);
		if (a->type == CFG_TYPE_ENUM)
			CU_ASSERT_PTR_NOT_NULL(a->options);
		if (a->type == CFG_TYPE_STRING_LIST)
			CU_ASSERT_PTR_NOT_NULL(a->separator);
		if (a->type == CFG_TYPE_INT || a->type == CFG_TYPE_INT64 || a->type == CFG_TYPE_DOUBLE)
			CU_ASSERT_TRUE(a->min <= a->max);
	}
	CU_ASSERT_EQUAL(cfg_find("client_idle_limit")->context, CFG_CONTEXT_SESSION);
	CU_ASSERT_EQUAL(cfg_find("port")->context, CFG_CONTEXT_INIT);
	CU_ASSERT_EQUAL(cfg_find("load_balance_mode")->context, CFG_CONTEXT_INIT);
	CU_ASSERT_EQUAL(cfg_find("failover_command")->context, CFG_CONTEXT_RELOAD);
	CU_ASSERT_TRUE(cfg_find("pool_passwd")->flags & CFG_SECRET);
	CU_ASSERT_TRUE(cfg_find("recovery_password")->flags & CFG_SECRET);
	CU_ASSERT_FALSE(cfg_find("wd_authkey")->flags & CFG_SECRET);
}

/* The plain names pgpool-II 4.3.5 lists in PGPOOL SHOW ALL (golden/pgpool-show-all.txt). */
static const char golden_names[] =
	"allow_clear_text_frontend_auth allow_multiple_failover_requests_from_node allow_sql_comments "
	"app_name_redirect_preference_list arping_cmd arping_path authentication_timeout auto_failback "
	"auto_failback_interval backend_clustering_mode cache_safe_memqcache_table_list "
	"cache_unsafe_memqcache_table_list check_temp_table check_unlogged_table child_life_time "
	"child_max_connections clear_memqcache_on_escalation client_idle_limit "
	"client_idle_limit_in_recovery client_min_messages connect_timeout connection_cache "
	"connection_life_time database_redirect_preference_list delay_threshold delegate_IP "
	"detach_false_primary disable_load_balance_on_write dml_adaptive_object_relationship_list "
	"enable_consensus_with_half_votes enable_pool_hba enable_shared_relcache failback_command "
	"failover_command failover_if_affected_tuples_mismatch failover_on_backend_error "
	"failover_on_backend_shutdown failover_require_consensus failover_when_quorum_exists "
	"follow_primary_command health_check_database health_check_max_retries health_check_password "
	"health_check_period health_check_retry_delay health_check_test health_check_timeout "
	"health_check_user if_cmd_path if_down_cmd if_up_cmd ignore_leading_white_space insert_lock "
	"listen_addresses listen_backlog_multiplier load_balance_mode lobj_lock_table "
	"log_client_messages log_connections log_destination log_directory log_disconnections "
	"log_error_verbosity log_file_mode log_filename log_hostname log_line_prefix log_min_messages "
	"log_per_node_statement log_rotation_age log_rotation_size log_standby_delay log_statement "
	"log_truncate_on_rotation logdir logging_collector max_pool memory_cache_enabled "
	"memqcache_auto_cache_invalidation memqcache_cache_block_size memqcache_expire "
	"memqcache_max_num_cache memqcache_maxcache memqcache_memcached_host memqcache_memcached_port "
	"memqcache_method memqcache_oiddir memqcache_total_size num_init_children pcp_listen_addresses "
	"pcp_port pcp_socket_dir pid_file_name ping_path pool_passwd port prefer_lower_delay_standby "
	"primary_routing_query_pattern_list read_only_function_list recovery_1st_stage_command "
	"recovery_2nd_stage_command recovery_password recovery_timeout recovery_user relcache_expire "
	"relcache_query_target relcache_size replicate_select replication_mode "
	"replication_stop_on_mismatch reserved_connections reset_query_list search_primary_node_timeout "
	"serialize_accept socket_dir sr_check_database sr_check_password sr_check_period sr_check_user "
	"ssl ssl_ca_cert ssl_ca_cert_dir ssl_cert ssl_ciphers ssl_crl_file ssl_dh_params_file "
	"ssl_ecdh_curve ssl_key ssl_passphrase_command ssl_prefer_server_ciphers "
	"statement_level_load_balance syslog_facility syslog_ident trusted_servers use_watchdog "
	"wd_authkey wd_de_escalation_command wd_escalation_command wd_heartbeat_deadtime "
	"wd_heartbeat_keepalive wd_interval wd_ipc_socket_dir wd_life_point wd_lifecheck_dbname "
	"wd_lifecheck_method wd_lifecheck_password wd_lifecheck_query wd_lifecheck_user "
	"wd_lost_node_removal_timeout wd_monitoring_interfaces_list wd_no_show_node_removal_timeout "
	"wd_priority wd_remove_shutdown_nodes write_function_list ";

/* The table has exactly pgpool 4.3's plain parameters: none missing, none invented (pgpool-ng's own,
 * flagged CFG_NG_ONLY, aside). */
static void
test_names_match_pgpool_43(void)
{
	char	   *copy = strdup(golden_names);
	char	   *save = NULL;
	int			golden = 0;
	int			plain = 0;

	for (char *name = strtok_r(copy, " ", &save); name; name = strtok_r(NULL, " ", &save))
	{
		const cfg_param *p = cfg_find(name);

		if (!p || strcmp(p->name, name) != 0)
			fprintf(stderr, "missing parameter %s\n", name);
		CU_ASSERT_PTR_NOT_NULL(p);
		golden++;
	}
	for (int i = 0; i < cfg_param_count(); i++)
		if ((!(cfg_param_at(i)->flags & CFG_INDEXED) || (cfg_param_at(i)->flags & CFG_INDEX_OPTIONAL)) &&
			!(cfg_param_at(i)->flags & CFG_NG_ONLY))
			plain++;
	CU_ASSERT_EQUAL(golden, 154);
	CU_ASSERT_EQUAL(plain, golden);
	free(copy);
}

static CU_TestInfo table_tests[] = {
	{"names match pgpool 4.3.5's PGPOOL SHOW ALL", test_names_match_pgpool_43},
	{"defaults", test_defaults},
	{"every default parses with its own parser", test_every_default_parses},
	{"shown defaults read back to the same value", test_defaults_round_trip},
	{"lookup plain and numbered names", test_find},
	{"table is consistent", test_table_consistent},
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{"config table", NULL, NULL, NULL, NULL, table_tests},
	{"config values", NULL, NULL, NULL, NULL, config_value_tests},
	{"config files", NULL, NULL, NULL, NULL, config_file_tests},
	{"config 3.x names", NULL, NULL, NULL, NULL, config_alias_tests},
	{"config reload", NULL, NULL, NULL, NULL, config_reload_tests},
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return unit_run("test_config", suites);
}
