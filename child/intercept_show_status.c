/*
 * SHOW pool_status (its rows come from shmem/report.c) and PGPOOL SHOW ALL | <group> |
 * <parameter> (user-facing values, pgpool's row order).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "child/intercept_internal.h"
#include "common/util.h"
#include "config/config.h"
#include "shmem/report.h"
#include "shmem/shmem.h"

/*
 * PGPOOL SHOW ALL lists the parameters that are neither per-node nor health check in this order
 * (pgpool-II 4.3's, longest names first); any parameter missing here follows, in table order.
 */
static const char *const show_all_order[] = {
	"allow_multiple_failover_requests_from_node", "dml_adaptive_object_relationship_list",
	"failover_if_affected_tuples_mismatch", "primary_routing_query_pattern_list",
	"app_name_redirect_preference_list", "memqcache_auto_cache_invalidation",
	"cache_unsafe_memqcache_table_list", "database_redirect_preference_list",
	"enable_consensus_with_half_votes", "wd_no_show_node_removal_timeout",
	"cache_safe_memqcache_table_list", "allow_clear_text_frontend_auth",
	"clear_memqcache_on_escalation", "client_idle_limit_in_recovery",
	"disable_load_balance_on_write", "wd_monitoring_interfaces_list",
	"statement_level_load_balance", "failover_on_backend_shutdown", "wd_lost_node_removal_timeout",
	"replication_stop_on_mismatch", "failover_when_quorum_exists", "search_primary_node_timeout",
	"recovery_1st_stage_command", "recovery_2nd_stage_command", "ignore_leading_white_space",
	"memqcache_cache_block_size", "prefer_lower_delay_standby", "failover_require_consensus",
	"ssl_prefer_server_ciphers", "failover_on_backend_error", "listen_backlog_multiplier",
	"log_truncate_on_rotation", "wd_remove_shutdown_nodes", "memqcache_memcached_port",
	"wd_de_escalation_command", "memqcache_memcached_host", "memqcache_max_num_cache",
	"read_only_function_list", "backend_clustering_mode", "auto_failback_interval",
	"wd_heartbeat_keepalive", "ssl_passphrase_command", "log_per_node_statement",
	"authentication_timeout", "follow_primary_command", "enable_shared_relcache",
	"relcache_query_target", "wd_heartbeat_deadtime", "wd_escalation_command",
	"child_max_connections", "wd_lifecheck_password", "check_unlogged_table",
	"memqcache_total_size", "reserved_connections", "memory_cache_enabled", "connection_life_time",
	"pcp_listen_addresses", "detach_false_primary", "write_function_list", "client_min_messages",
	"wd_lifecheck_method", "log_client_messages", "wd_lifecheck_dbname", "log_error_verbosity",
	"wd_lifecheck_query", "log_disconnections", "allow_sql_comments", "ssl_dh_params_file",
	"memqcache_maxcache", "log_rotation_size", "recovery_password", "client_idle_limit",
	"health_check_test", "num_init_children", "log_standby_delay", "logging_collector",
	"load_balance_mode", "wd_ipc_socket_dir", "wd_lifecheck_user", "sr_check_password",
	"sr_check_database", "replicate_select", "memqcache_oiddir", "recovery_timeout",
	"listen_addresses", "replication_mode", "log_rotation_age", "log_min_messages",
	"connection_cache", "serialize_accept", "memqcache_method", "failback_command",
	"memqcache_expire", "check_temp_table", "reset_query_list", "failover_command",
	"sr_check_period", "ssl_ca_cert_dir", "log_destination", "log_line_prefix", "lobj_lock_table",
	"log_connections", "child_life_time", "syslog_facility", "trusted_servers", "enable_pool_hba",
	"delay_threshold", "relcache_expire", "pcp_socket_dir", "ssl_ecdh_curve", "recovery_user",
	"auto_failback", "log_directory", "sr_check_user", "log_statement", "relcache_size",
	"log_file_mode", "wd_life_point", "pid_file_name", "ssl_crl_file", "use_watchdog",
	"log_hostname", "log_filename", "syslog_ident", "wd_priority", "wd_interval", "insert_lock",
	"ssl_ca_cert", "delegate_IP", "if_cmd_path", "ssl_ciphers", "if_down_cmd", "arping_path",
	"pool_passwd", "socket_dir", "arping_cmd", "wd_authkey", "ping_path", "if_up_cmd", "max_pool",
	"pcp_port", "ssl_cert", "ssl_key", "logdir", "port", "ssl"
};

#define LENGTH(a) (sizeof(a) / sizeof((a)[0]))

/* ---- SHOW pool_status ---- */

static void
status_row(void *arg, const char *item, const char *value, const char *description)
{
	const char *values[3] = {item, value, description};

	ic_result_row(arg, values);
}

void
ic_show_pool_status(session *s, pq_out *out)
{
	static const char *const columns[] = {"item", "value", "description"};
	shm_backend_table t;
	ic_result	r;

	if (shm_backends_snapshot(&t) == 0)
	{
		ic_error(out, "could not read the backend table from shared memory");
		return;
	}
	ic_result_begin(&r, out, columns, 3);
	report_pool_status(s->cfg, &t, status_row, &r);
	ic_result_end(&r);
}

/* ---- PGPOOL SHOW ---- */

static void
show_param_row(ic_result *r, const pool_config *cfg, const cfg_param *p, int index)
{
	char	   *name = cfg_param_name(p, index);
	char	   *value = cfg_format_value(cfg, p, index, CFG_FORMAT_SHOW);
	const char *values[3] = {name, value, p->description ? p->description : ""};

	ic_result_row(r, values);
	free(name);
	free(value);
}

/* Every parameter of a per-node group, node by node (nodes [0, count)). */
static void
show_node_group(ic_result *r, const pool_config *cfg, cfg_group group, int count)
{
	for (int node = 0; node < count; node++)
		for (int i = 0; i < cfg_param_count(); i++)
		{
			const cfg_param *p = cfg_param_at(i);

			if (p->group == group && (p->flags & CFG_INDEXED))
				show_param_row(r, cfg, p, node);
		}
}

/* The global health check values, then each backend's. */
static void
show_health_check(ic_result *r, const pool_config *cfg)
{
	for (int node = -1; node < cfg->num_backends; node++)
		for (int i = 0; i < cfg_param_count(); i++)
		{
			const cfg_param *p = cfg_param_at(i);

			if (p->store == CFG_STORE_HEALTH_CHECK)
				show_param_row(r, cfg, p, node);
		}
}

static bool
in_show_all_order(const char *name)
{
	for (size_t i = 0; i < LENGTH(show_all_order); i++)
		if (strcmp(show_all_order[i], name) == 0)
			return true;
	return false;
}

/* The plain parameters: pgpool's order first, then any it does not list. */
static void
show_plain(ic_result *r, const pool_config *cfg)
{
	for (size_t i = 0; i < LENGTH(show_all_order); i++)
	{
		const cfg_param *p = cfg_find(show_all_order[i]);

		if (p && !(p->flags & CFG_INDEXED))
			show_param_row(r, cfg, p, -1);
	}
	for (int i = 0; i < cfg_param_count(); i++)
	{
		const cfg_param *p = cfg_param_at(i);

		if (!(p->flags & (CFG_INDEXED | CFG_NG_ONLY)) && !in_show_all_order(p->name))
			show_param_row(r, cfg, p, -1);
	}
}

/* The groups PGPOOL SHOW accepts by name, and how many nodes each has. */
static bool
show_group(ic_result *r, const pool_config *cfg, cfg_group group)
{
	switch (group)
	{
		case CFG_GROUP_BACKEND:
			show_node_group(r, cfg, group, cfg->num_backends);
			return true;
		case CFG_GROUP_HEALTH_CHECK:
			show_health_check(r, cfg);
			return true;
		case CFG_GROUP_WATCHDOG:
			show_node_group(r, cfg, group, cfg->num_wd_nodes);
			return true;
		case CFG_GROUP_HEARTBEAT:
			show_node_group(r, cfg, group, cfg->num_heartbeats);
			return true;
		case CFG_GROUP_GENERAL:
			break;
	}
	return false;
}

/* Backends, health check, the watchdog's node families when it is on, then everything else. */
static void
show_all(ic_result *r, const pool_config *cfg)
{
	show_group(r, cfg, CFG_GROUP_BACKEND);
	show_group(r, cfg, CFG_GROUP_HEALTH_CHECK);
	if (cfg->use_watchdog)
	{
		show_group(r, cfg, CFG_GROUP_WATCHDOG);
		show_group(r, cfg, CFG_GROUP_HEARTBEAT);
	}
	show_plain(r, cfg);
}

/* PGPOOL SHOW <parameter>: one column named after it. */
static void
show_one(const pool_config *cfg, const char *what, pq_out *out)
{
	int			index;
	const cfg_param *p = cfg_find_indexed(what, &index);
	char	   *name;
	char	   *value;
	ic_result	r;

	if (!p)
	{
		ic_error(out, "config variable \"%s\" not found", what);
		return;
	}
	name = cfg_param_name(p, index);
	value = cfg_format_value(cfg, p, index, CFG_FORMAT_SHOW);
	ic_result_begin(&r, out, (const char *const *) &name, 1);
	ic_result_row(&r, (const char *const *) &value);
	ic_result_end(&r);
	free(name);
	free(value);
}

void
ic_pgpool_show(session *s, const char *what, pq_out *out)
{
	static const char *const columns[] = {"item", "value", "description"};
	static const cfg_group groups[] = {
		CFG_GROUP_BACKEND, CFG_GROUP_HEALTH_CHECK, CFG_GROUP_WATCHDOG, CFG_GROUP_HEARTBEAT
	};
	ic_result	r;

	if (strcasecmp(what, "all") == 0)
	{
		ic_result_begin(&r, out, columns, 3);
		show_all(&r, s->cfg);
		ic_result_end(&r);
		return;
	}
	for (size_t i = 0; i < LENGTH(groups); i++)
	{
		if (strcasecmp(what, cfg_group_name(groups[i])) == 0)
		{
			ic_result_begin(&r, out, columns, 3);
			show_group(&r, s->cfg, groups[i]);
			ic_result_end(&r);
			return;
		}
	}
	show_one(s->cfg, what, out);
}
