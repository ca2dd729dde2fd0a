/*
 * Table rows for the backends: clustering mode, replication, load balancing, streaming
 * replication checks, health checks, failover and online recovery, and the backend_*N family.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "config/params_internal.h"

static const cfg_enum_option clustering_mode_options[] = {
	{"streaming_replication", CFG_CM_STREAMING_REPLICATION},
	{"native_replication", CFG_CM_NATIVE_REPLICATION},
	{"logical_replication", CFG_CM_LOGICAL_REPLICATION},
	{"slony", CFG_CM_SLONY},
	{"raw", CFG_CM_RAW},
	{"snapshot_isolation", CFG_CM_SNAPSHOT_ISOLATION},
	{NULL, 0}
};

static const cfg_enum_option ryw_options[] = {
	{"off", CFG_RYW_OFF},
	{"session", CFG_RYW_SESSION},
	{NULL, 0}
};

static const cfg_enum_option dlbow_options[] = {
	{"off", CFG_DLBOW_OFF},
	{"transaction", CFG_DLBOW_TRANSACTION},
	{"trans_transaction", CFG_DLBOW_TRANS_TRANSACTION},
	{"always", CFG_DLBOW_ALWAYS},
	{"dml_adaptive", CFG_DLBOW_DML_ADAPTIVE},
	{NULL, 0}
};

/*
 * backend_flag: '|'-separated ALLOW_TO_FAILOVER, DISALLOW_TO_FAILOVER (not both) and ALWAYS_PRIMARY.
 * The stored text is normalised the way pgpool shows it.
 */
static char *
check_backend_flag(const char *value, char **normalised)
{
	char	   *copy = xstrdup(value);
	char	   *save = NULL;
	char	   *err = NULL;
	bool		allow = false,
				disallow = false,
				primary = false;

	for (char *tok = strtok_r(copy, "|", &save); tok && !err; tok = strtok_r(NULL, "|", &save))
	{
		str_trim(tok);
		if (strcmp(tok, "ALLOW_TO_FAILOVER") == 0)
			allow = true;
		else if (strcmp(tok, "DISALLOW_TO_FAILOVER") == 0)
			disallow = true;
		else if (strcmp(tok, "ALWAYS_PRIMARY") == 0)
			primary = true;
		else
			err = xasprintf("unknown flag \"%s\"; allowed: ALLOW_TO_FAILOVER, "
							"DISALLOW_TO_FAILOVER, ALWAYS_PRIMARY, joined by |", tok);
	}
	free(copy);
	if (!err && allow && disallow)
		err = xstrdup("ALLOW_TO_FAILOVER and DISALLOW_TO_FAILOVER cannot be set together");
	if (err)
		return err;
	*normalised = xasprintf("%s%s%s", disallow ? "DISALLOW_TO_FAILOVER" : "ALLOW_TO_FAILOVER",
							primary ? "|" : "", primary ? "ALWAYS_PRIMARY" : "");
	return NULL;
}

#define C_INIT CFG_CONTEXT_INIT
#define C_RELOAD CFG_CONTEXT_RELOAD
#define C_SESSION CFG_CONTEXT_SESSION

#define BACKEND_ROW(nm, ty, f, def, lo, hi, fl, chk, desc) \
	{ .name = nm, .type = ty, .context = C_RELOAD, .group = CFG_GROUP_BACKEND, \
	  .flags = CFG_INDEXED | (fl), .default_value = def, .min = lo, .max = hi, \
	  .store = CFG_STORE_BACKEND, .offset = offsetof(cfg_backend, f), \
	  .index_count = CFG_MAX_BACKENDS, .check = chk, .description = desc }

/* health_check_xxx (global default) and health_check_xxxN (one node) share one row. */
#define HC_ROW(f, ty, def, lo, hi, fl, desc) \
	{ .name = #f, .type = ty, .context = C_RELOAD, .group = CFG_GROUP_HEALTH_CHECK, \
	  .flags = CFG_INDEXED | CFG_INDEX_OPTIONAL | CFG_SHOW_PLAIN | (fl), .default_value = def, \
	  .min = lo, .max = hi, .store = CFG_STORE_HEALTH_CHECK, \
	  .offset = offsetof(cfg_health_check, f), .global_offset = offsetof(pool_config, f), \
	  .index_count = CFG_MAX_BACKENDS, .description = desc }

const cfg_param cfg_params_cluster[] = {
	/* backend_*N, in PGPOOL SHOW order */
	BACKEND_ROW("backend_hostname", CFG_TYPE_STRING, hostname, "", 0, 0, 0, NULL,
				"Host name, address or socket directory of the PostgreSQL node."),
	BACKEND_ROW("backend_port", CFG_TYPE_INT, port, "0", 1024, 65535, CFG_ZERO_IS_UNSET, NULL,
				"Port of the PostgreSQL node; a node without port is not used."),
	BACKEND_ROW("backend_weight", CFG_TYPE_DOUBLE, weight, "1", 0.0, 100000000.0, 0, NULL,
				"Share of read queries the node receives, relative to the others."),
	BACKEND_ROW("backend_data_directory", CFG_TYPE_STRING, data_directory, "", 0, 0, 0, NULL,
				"Data directory of the node, used by online recovery."),
	BACKEND_ROW("backend_application_name", CFG_TYPE_STRING, application_name, "", 0, 0, 0,
				NULL, "Name the node's standby uses as application_name."),
	BACKEND_ROW("backend_flag", CFG_TYPE_STRING, flag, "ALLOW_TO_FAILOVER", 0, 0, 0,
				check_backend_flag, "Failover behaviour of the node."),

	/* health check */
	HC_ROW(health_check_period, CFG_TYPE_INT, "0", 0, INT_MAX, CFG_UNIT_S,
		   "Seconds between health checks (0: no health check)."),
	HC_ROW(health_check_timeout, CFG_TYPE_INT, "20", 0, INT_MAX, CFG_UNIT_S,
		   "Seconds a health check may take before it counts as failed."),
	HC_ROW(health_check_user, CFG_TYPE_STRING, "nobody", 0, 0, 0,
		   "User the health check connects as."),
	HC_ROW(health_check_password, CFG_TYPE_STRING, "", 0, 0, CFG_SECRET,
		   "Password of the health check user (empty: look in pool_passwd)."),
	HC_ROW(health_check_database, CFG_TYPE_STRING, "postgres", 0, 0, 0,
		   "Database the health check connects to."),
	HC_ROW(health_check_max_retries, CFG_TYPE_INT, "0", 0, INT_MAX, 0,
		   "Retries of a failed health check before the node is failed over."),
	HC_ROW(health_check_retry_delay, CFG_TYPE_INT, "1", 0, INT_MAX, CFG_UNIT_S,
		   "Seconds between health check retries."),
	HC_ROW(connect_timeout, CFG_TYPE_INT, "10000", 0, INT_MAX, CFG_UNIT_MS,
		   "Milliseconds allowed for connecting to a backend (0: no limit)."),
	CFG_BOOL(health_check_test, C_INIT, "off", "Testing aid: simulate health check failures."),

	/* clustering mode and replication */
	CFG_ENUM(backend_clustering_mode, C_INIT, "streaming_replication", clustering_mode_options,
			 "How the backends keep their data in step."),
	CFG_BOOL(replication_mode, C_INIT, "off",
			 "Read-only: on when backend_clustering_mode is native_replication."),
	CFG_BOOL(replicate_select, C_RELOAD, "off",
			 "Native replication: send SELECTs to every node when not load balancing."),
	CFG_BOOL(insert_lock, C_RELOAD, "on",
			 "Native replication: lock the table before INSERT to keep serials equal."),
	CFG_STRING(lobj_lock_table, C_RELOAD, "", 0,
			   "Native replication: table locked around large object creation."),
	CFG_BOOL(replication_stop_on_mismatch, C_RELOAD, "off",
			 "Native replication: detach nodes whose answers differ from the main node."),
	CFG_BOOL(failover_if_affected_tuples_mismatch, C_RELOAD, "off",
			 "Native replication: detach nodes whose row counts differ from the majority."),

	/* load balancing */
	CFG_BOOL(load_balance_mode, C_INIT, "on", "Spread read queries over the nodes."),
	CFG_BOOL(ignore_leading_white_space, C_RELOAD, "on",
			 "Skip leading blanks when deciding whether a query can be balanced."),
	CFG_LIST(read_only_function_list, C_RELOAD, "", ",",
			 "Functions (regular expressions) known not to write."),
	CFG_LIST(write_function_list, C_RELOAD, "", ",",
			 "Functions (regular expressions) known to write; queries using them go to the primary."),
	CFG_LIST(primary_routing_query_pattern_list, C_RELOAD, "", ";",
			 "Query patterns (regular expressions) always sent to the primary."),
	CFG_STRING(database_redirect_preference_list, C_RELOAD, NULL, 0,
			   "database:node pairs choosing the load balance node per database."),
	CFG_STRING(app_name_redirect_preference_list, C_RELOAD, NULL, 0,
			   "application:node pairs choosing the load balance node per application."),
	CFG_BOOL(allow_sql_comments, C_SESSION, "off",
			 "Ignore SQL comments when deciding about load balancing and caching."),
	CFG_ENUM(disable_load_balance_on_write, C_RELOAD, "transaction", dlbow_options,
			 "Where reads go after a write."),
	CFG_STRING(dml_adaptive_object_relationship_list, C_RELOAD, NULL, 0,
			   "object:object pairs, for dml_adaptive: writing one taints the other."),
	CFG_BOOL(statement_level_load_balance, C_RELOAD, "off",
			 "Choose the load balance node per statement instead of per session."),
	{.name = "read_your_writes", .type = CFG_TYPE_ENUM, .context = C_RELOAD, .flags = CFG_NG_ONLY,
	 .default_value = "off", .store = CFG_STORE_GLOBAL, .offset = offsetof(pool_config, read_your_writes),
	 .options = ryw_options,
	 .description = "pgpool-ng: session = after a commit, reads go to a standby only once it shows the commit."},

	/* streaming replication checks */
	CFG_INT(sr_check_period, C_RELOAD, "10", 0, INT_MAX, CFG_UNIT_S,
			"Seconds between replication delay checks (0: none)."),
	CFG_STRING(sr_check_user, C_RELOAD, "nobody", 0, "User the replication check connects as."),
	CFG_STRING(sr_check_password, C_RELOAD, "", CFG_SECRET,
			   "Password of the replication check user."),
	CFG_STRING(sr_check_database, C_RELOAD, "postgres", 0,
			   "Database the replication check connects to."),
	CFG_INT64(delay_threshold, C_RELOAD, "0", 0, (double) INT64_MAX, CFG_UNIT_BYTE,
			  "Replication lag in bytes above which a standby gets no reads (0: no limit)."),
	CFG_INT(delay_threshold_by_time, C_RELOAD, "0", 0, INT_MAX, CFG_NG_ONLY | CFG_UNIT_MS,
			"pgpool-II 4.4: replay lag in ms (pg_stat_replication.replay_lag) above which a standby "
			"gets no reads; when set, delay_threshold is not used (0: bytes and delay_threshold)."),
	CFG_BOOL(prefer_lower_delay_standby, C_RELOAD, "off",
			 "When a standby lags, balance to the standby with the least delay."),
	CFG_STRING(follow_primary_command, C_RELOAD, "", 0,
			   "Command run for each standby after a primary failover."),

	/* failover */
	CFG_STRING(failover_command, C_RELOAD, "", 0, "Command run when a node is detached."),
	CFG_STRING(failback_command, C_RELOAD, "", 0, "Command run when a node is attached."),
	CFG_BOOL(failover_on_backend_error, C_RELOAD, "on",
			 "Detach a node when reading from or writing to it fails."),
	CFG_BOOL(failover_on_backend_shutdown, C_RELOAD, "on",
			 "Detach a node when it reports that it is shutting down."),
	CFG_BOOL(detach_false_primary, C_RELOAD, "off",
			 "Detach a primary that is not the real one (streaming replication)."),
	CFG_INT(search_primary_node_timeout, C_RELOAD, "300", 0, INT_MAX, CFG_UNIT_S,
			"How long to look for a new primary after failover (0: forever)."),
	CFG_BOOL(auto_failback, C_RELOAD, "off",
			 "Reattach a detached standby that streams from the primary again."),
	CFG_INT(auto_failback_interval, C_RELOAD, "60", 0, INT_MAX, CFG_UNIT_S,
			"Least time between two automatic failbacks."),
	{.name = "builtin_failover", .type = CFG_TYPE_BOOL, .context = C_RELOAD, .flags = CFG_NG_ONLY,
	 .default_value = "off", .store = CFG_STORE_GLOBAL, .offset = offsetof(pool_config, builtin_failover),
	 .description = "pgpool-ng: with no failover_command, promote and re-point the standbys itself."},

	/* online recovery */
	CFG_STRING(recovery_user, C_RELOAD, "", 0, "User online recovery connects as."),
	CFG_STRING(recovery_password, C_RELOAD, "", CFG_SECRET,
			   "Password of the online recovery user."),
	CFG_STRING(recovery_1st_stage_command, C_RELOAD, "", 0,
			   "Script run on the primary for the first recovery stage."),
	CFG_STRING(recovery_2nd_stage_command, C_RELOAD, "", 0,
			   "Script run on the primary for the second recovery stage."),
	CFG_INT(recovery_timeout, C_RELOAD, "90", 0, INT_MAX, CFG_UNIT_S,
			"How long to wait for the recovered node to start."),
	CFG_INT(client_idle_limit_in_recovery, C_SESSION, "0", -1, INT_MAX, CFG_UNIT_S,
			"Idle clients are disconnected after this long during recovery (-1: at once)."),
	{.name = NULL}
};
