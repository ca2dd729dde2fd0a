/*
 * Text rows from shared memory for SHOW pool_* and PCP (see report.h): health-check statistics,
 * pool slots, and the pool_status list.
 */
#include "shmem/report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* pgpool truncates pool_status descriptions to this many characters. */
#define STATUS_DESCRIPTION_MAX 79

#define LENGTH(a) (sizeof(a) / sizeof((a)[0]))

/* The items SHOW pool_status lists before the per-backend rows, in pgpool-II 4.3's order. */
static const char *const status_items[] = {
	"backend_clustering_mode", "listen_addresses", "port", "socket_dir", "pcp_listen_addresses",
	"pcp_port", "pcp_socket_dir", "enable_pool_hba", "pool_passwd", "authentication_timeout",
	"allow_clear_text_frontend_auth", "ssl", "ssl_key", "ssl_cert", "ssl_ca_cert",
	"ssl_ca_cert_dir", "ssl_crl_file", "ssl_ciphers", "ssl_prefer_server_ciphers",
	"ssl_ecdh_curve", "ssl_dh_params_file", "ssl_passphrase_command", "num_init_children",
	"listen_backlog_multiplier", "serialize_accept", "reserved_connections", "max_pool",
	"child_life_time", "child_max_connections", "connection_life_time", "client_idle_limit",
	"log_destination", "log_line_prefix", "log_error_verbosity", "client_min_messages",
	"log_min_messages", "log_connections", "log_disconnections", "log_hostname", "log_statement",
	"log_per_node_statement", "log_client_messages", "log_standby_delay", "syslog_facility",
	"syslog_ident", "pid_file_name", "logdir", "connection_cache", "reset_query_list",
	"replicate_select", "insert_lock", "lobj_lock_table", "replication_stop_on_mismatch",
	"failover_if_affected_tuples_mismatch", "load_balance_mode", "ignore_leading_white_space",
	"read_only_function_list", "write_function_list", "primary_routing_query_pattern_list",
	"disable_load_balance_on_write", "dml_adaptive_object_relationship_list",
	"statement_level_load_balance", "sr_check_period", "sr_check_user", "sr_check_database",
	"delay_threshold", "prefer_lower_delay_standby", "follow_primary_command",
	"database_redirect_preference_list", "app_name_redirect_preference_list", "allow_sql_comments",
	"health_check_period", "health_check_timeout", "health_check_user", "health_check_database",
	"health_check_max_retries", "health_check_retry_delay", "connect_timeout", "failover_command",
	"failback_command", "failover_on_backend_error", "failover_on_backend_shutdown",
	"detach_false_primary", "auto_failback", "auto_failback_interval", "recovery_user",
	"recovery_1st_stage_command", "recovery_2nd_stage_command", "recovery_timeout",
	"search_primary_node_timeout", "client_idle_limit_in_recovery", "relcache_expire",
	"relcache_size", "check_temp_table", "check_unlogged_table", "enable_shared_relcache",
	"relcache_query_target", "use_watchdog", "wd_ipc_socket_dir", "wd_lifecheck_method",
	"clear_memqcache_on_escalation", "wd_escalation_command", "wd_de_escalation_command",
	"trusted_servers", "delegate_IP", "wd_priority", "wd_interval", "ping_path", "if_cmd_path",
	"if_up_cmd", "if_down_cmd", "arping_path", "arping_cmd", "wd_heartbeat_keepalive",
	"wd_heartbeat_deadtime", "wd_life_point", "wd_lifecheck_query", "wd_lifecheck_dbname",
	"wd_lifecheck_user", "wd_monitoring_interfaces_list", "memory_cache_enabled",
	"memqcache_method", "memqcache_memcached_host", "memqcache_memcached_port",
	"memqcache_total_size", "memqcache_max_num_cache", "memqcache_expire",
	"memqcache_auto_cache_invalidation", "memqcache_maxcache", "memqcache_cache_block_size",
	"memqcache_cache_oiddir", "memqcache_stats_start_time", "memqcache_no_cache_hits",
	"memqcache_cache_hits", "cache_safe_memqcache_table_list", "cache_unsafe_memqcache_table_list"
};

char *
report_format_time(time_t t, char *buf, size_t size)
{
	struct tm	tm;

	buf[0] = '\0';
	if (t != 0 && localtime_r(&t, &tm))
		strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

const char *
report_node_hostname(const pool_config *cfg, int node)
{
	const char *h = node >= 0 && node < CFG_MAX_BACKENDS ? cfg->backends[node].hostname : NULL;

	return h ? h : "";
}

int
report_node_port(const pool_config *cfg, int node)
{
	return node >= 0 && node < CFG_MAX_BACKENDS ? cfg->backends[node].port : 0;
}

/* ---- health-check statistics ---- */

/* Averages are over the checks that ran: skipped ones are neither retried nor timed. */
static void
format_hc_stats(const shm_hc_stats *h, int64_t last_change, report_hc_row *x)
{
	uint64_t	ran = h->total_count - h->skip_count;
	const uint64_t counts[] = {h->total_count, h->success_count, h->fail_count, h->skip_count,
	h->retry_count};

	for (int i = 0; i < 5; i++)
		snprintf(x->num[i], REPORT_NUM_SIZE, "%" PRIu64, counts[i]);
	snprintf(x->num[5], REPORT_NUM_SIZE, "%f", ran ? (double) h->retry_count / (double) ran : 0.0);
	snprintf(x->num[6], REPORT_NUM_SIZE, "%" PRIu64, h->max_retry_count);
	snprintf(x->num[7], REPORT_NUM_SIZE, "%" PRIu64, h->max_duration_ms);
	snprintf(x->num[8], REPORT_NUM_SIZE, "%" PRIu64, h->min_duration_ms);
	snprintf(x->num[9], REPORT_NUM_SIZE, "%f",
			 ran ? (double) h->total_duration_ms / (double) ran : 0.0);
	report_format_time((time_t) last_change, x->times[0], REPORT_TIME_SIZE);
	report_format_time((time_t) h->last_health_check, x->times[1], REPORT_TIME_SIZE);
	report_format_time((time_t) h->last_successful_health_check, x->times[2], REPORT_TIME_SIZE);
	report_format_time((time_t) h->last_skip_health_check, x->times[3], REPORT_TIME_SIZE);
	report_format_time((time_t) h->last_failed_health_check, x->times[4], REPORT_TIME_SIZE);
}

void
report_hc_row_fill(const pool_config *cfg, const shm_backend_table *t, int node,
				   report_hc_row *row)
{
	shm_hc_stats h;

	if (shm_hc_stats_read(node, &h) != 0)
		memset(&h, 0, sizeof(h));
	format_hc_stats(&h, t->nodes[node].last_status_change, row);
	snprintf(row->id, sizeof(row->id), "%d", node);
	snprintf(row->port, sizeof(row->port), "%d", report_node_port(cfg, node));
	row->values[0] = row->id;
	row->values[1] = report_node_hostname(cfg, node);
	row->values[2] = row->port;
	row->values[3] = shm_backend_status_name(t->nodes[node].status);
	row->values[4] = shm_role_name(t->nodes[node].role);
	row->values[5] = row->times[0];
	for (int i = 0; i < 10; i++)
		row->values[6 + i] = row->num[i];
	for (int i = 1; i < 5; i++)
		row->values[15 + i] = row->times[i];
}

/* ---- children and pool slots ---- */

char *
report_child_start_time(const shm_child_info *ci, int life_time, time_t now, char *buf,
						size_t size)
{
	char		started[REPORT_TIME_SIZE];
	long		left;

	report_format_time((time_t) ci->start_time, started, sizeof(started));
	if (ci->pid == 0 || ci->status != SHM_CHILD_WAIT_FOR_CONNECTION || life_time <= 0)
	{
		str_copy(buf, started, size);
		return buf;
	}
	left = (long) life_time - (long) (now - (time_t) ci->idle_since);
	if (left < 0)
		left = 0;
	if (left > life_time)
		left = life_time;
	snprintf(buf, size, "%s (%ld:%02ld before process restarting)", started, left / 60, left % 60);
	return buf;
}

void
report_read_child(int child, shm_child_info *ci)
{
	if (shm_child_read(child, ci) != 0)
		memset(ci, 0, sizeof(*ci));
}

/* An unused slot (no database) shows only its last disconnection time; its numbers are 0. */
static void
format_pool_row(const shm_pool_row *row, int pool, int node, report_pool_row *x)
{
	bool		used = row->info.database[0] != '\0';
	const int64_t nums[] = {pool, node, used ? row->info.client_idle_duration : 0,
		used ? row->info.major : 0, used ? row->info.minor : 0, used ? row->info.counter : 0,
	used ? row->backend.backend_pid : 0, used ? row->backend.connected : 0};

	for (size_t i = 0; i < LENGTH(nums); i++)
		snprintf(x->num[i], REPORT_NUM_SIZE, "%" PRId64, nums[i]);
	report_format_time(used ? (time_t) row->backend.connection_time : 0, x->times[0],
					   REPORT_TIME_SIZE);
	report_format_time(used ? (time_t) row->info.client_connection_time : 0, x->times[1],
					   REPORT_TIME_SIZE);
	report_format_time((time_t) row->info.client_disconnection_time, x->times[2],
					   REPORT_TIME_SIZE);
}

void
report_pool_row_fill(const shm_child_info *ci, const char *start, int child, int pool, int node,
					 report_pool_row *x)
{
	if (shm_pool_read(child, pool, node, &x->row) != 0)
		memset(&x->row, 0, sizeof(x->row));
	format_pool_row(&x->row, pool, node, x);
	snprintf(x->pid, sizeof(x->pid), "%d", (int) ci->pid);
	snprintf(x->count, sizeof(x->count), "%d", (int) ci->client_connection_count);
	x->values[0] = x->pid;
	x->values[1] = start;
	x->values[2] = x->count;
	x->values[3] = x->num[0];
	x->values[4] = x->num[1];
	x->values[5] = x->row.info.database;
	x->values[6] = x->row.info.username;
	x->values[7] = x->times[0];
	x->values[8] = x->times[1];
	x->values[9] = x->times[2];
	for (int i = 0; i < 6; i++)
		x->values[10 + i] = x->num[2 + i];
	x->values[16] = shm_child_status_name(ci->status);
}

/* ---- pool_status ---- */

static void
status_row(report_status_fn emit, void *arg, const char *item, const char *value,
		   const char *description)
{
	char		shortened[STATUS_DESCRIPTION_MAX + 1];

	str_copy(shortened, description ? description : "", sizeof(shortened));
	emit(arg, item, value, shortened);
}

/* A plain parameter's raw value, under the name pool_status gives it. */
static void
status_param_row(report_status_fn emit, void *arg, const pool_config *cfg, const char *item,
				 const char *param_name)
{
	const cfg_param *p = cfg_find(param_name);
	char	   *value;

	if (!p)
		return;
	value = cfg_format_value(cfg, p, -1, CFG_FORMAT_RAW);
	status_row(emit, arg, item, value, p->description);
	free(value);
}

/* The raw value of <base>N. */
static void
status_node_param_row(report_status_fn emit, void *arg, const pool_config *cfg, const char *base,
					  int node)
{
	char		item[64];
	int			index;
	const cfg_param *p;
	char	   *value;

	snprintf(item, sizeof(item), "%s%d", base, node);
	p = cfg_find_indexed(item, &index);
	if (!p)
		return;
	value = cfg_format_value(cfg, p, index, CFG_FORMAT_RAW);
	status_row(emit, arg, item, value, p->description);
	free(value);
}

/* The query cache statistics pgpool lists among the parameters; no cache yet, so nothing counted. */
static bool
status_special_row(report_status_fn emit, void *arg, const char *item)
{
	char		started[64] = "";
	time_t		t = shm_created_at();

	if (strcmp(item, "memqcache_stats_start_time") == 0)
	{
		struct tm	tm;

		if (t != 0 && localtime_r(&t, &tm))
			strftime(started, sizeof(started), "%a %b %e %H:%M:%S %Y", &tm);
		status_row(emit, arg, item, started, "When the query cache statistics started.");
	}
	else if (strcmp(item, "memqcache_no_cache_hits") == 0)
		status_row(emit, arg, item, "0", "SELECTs the query cache could not answer.");
	else if (strcmp(item, "memqcache_cache_hits") == 0)
		status_row(emit, arg, item, "0", "SELECTs answered from the query cache.");
	else
		return false;
	return true;
}

/* The eight rows of one backend: configured values, and its live weight, status and delay. */
static void
status_backend_rows(report_status_fn emit, void *arg, const pool_config *cfg,
					const shm_backend *b, int node)
{
	char		item[64], value[64];

	status_node_param_row(emit, arg, cfg, "backend_hostname", node);
	status_node_param_row(emit, arg, cfg, "backend_port", node);
	snprintf(item, sizeof(item), "backend_weight%d", node);
	snprintf(value, sizeof(value), "%f", b->weight);
	status_row(emit, arg, item, value,
			   "Share of read queries the node receives, normalised to a sum of 1.");
	status_node_param_row(emit, arg, cfg, "backend_data_directory", node);
	snprintf(item, sizeof(item), "backend_status%d", node);
	status_row(emit, arg, item, shm_backend_status_name(b->status),
			   "Status of the node as pgpool-ng sees it.");
	snprintf(item, sizeof(item), "standby_delay%d", node);
	snprintf(value, sizeof(value), "%" PRId64, b->replication_delay);
	status_row(emit, arg, item, value, "Replication delay of the node, in bytes.");
	status_node_param_row(emit, arg, cfg, "backend_flag", node);
	status_node_param_row(emit, arg, cfg, "backend_application_name", node);
}

void
report_pool_status(const pool_config *cfg, const shm_backend_table *t, report_status_fn emit,
				   void *arg)
{
	for (size_t i = 0; i < LENGTH(status_items); i++)
	{
		const char *item = status_items[i];

		if (!status_special_row(emit, arg, item))
			status_param_row(emit, arg, cfg, item, strcmp(item, "memqcache_cache_oiddir") == 0 ?
							 "memqcache_oiddir" : item);
	}
	for (int node = 0; node < t->num_backends; node++)
		status_backend_rows(emit, arg, cfg, &t->nodes[node], node);
}
