/*
 * pgpool.conf: the parameter table, the in-memory configuration (struct pool_config) and the
 * functions that read a file into it, check it, set one parameter and format values for SHOW.
 */
#ifndef PGNG_CONFIG_H
#define PGNG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/diag.h"

/* Sizes of the per-node families (pgpool-II 4.3 allows node numbers 0..127). */
#define CFG_MAX_BACKENDS 128
#define CFG_MAX_WD_NODES 128
#define CFG_MAX_HEARTBEATS 128

/* backend_clustering_mode; numbers are pgpool's, as SHOW pool_status prints them. */
enum
{
	CFG_CM_STREAMING_REPLICATION = 1,
	CFG_CM_NATIVE_REPLICATION,
	CFG_CM_LOGICAL_REPLICATION,
	CFG_CM_SLONY,
	CFG_CM_RAW,
	CFG_CM_SNAPSHOT_ISOLATION
};

/* log_error_verbosity */
enum
{
	CFG_ERRV_TERSE = 0,
	CFG_ERRV_DEFAULT,
	CFG_ERRV_VERBOSE
};

/* client_min_messages / log_min_messages: PostgreSQL's elog level numbers. */
enum
{
	CFG_MSG_DEBUG5 = 10,
	CFG_MSG_DEBUG4 = 11,
	CFG_MSG_DEBUG3 = 12,
	CFG_MSG_DEBUG2 = 13,
	CFG_MSG_DEBUG1 = 14,
	CFG_MSG_LOG = 15,
	CFG_MSG_INFO = 17,
	CFG_MSG_NOTICE = 18,
	CFG_MSG_WARNING = 19,
	CFG_MSG_ERROR = 20,
	CFG_MSG_FATAL = 21,
	CFG_MSG_PANIC = 22
};

/* log_standby_delay */
enum
{
	CFG_LSD_ALWAYS = 1,
	CFG_LSD_IF_OVER_THRESHOLD,
	CFG_LSD_NONE
};

/* syslog_facility: LOCAL0..LOCAL7 as 0..7 (callers map to LOG_LOCALn). */
enum
{
	CFG_SYSLOG_LOCAL0 = 0
};

/* disable_load_balance_on_write */
enum
{
	CFG_DLBOW_OFF = 1,
	CFG_DLBOW_TRANSACTION,
	CFG_DLBOW_TRANS_TRANSACTION,
	CFG_DLBOW_ALWAYS,
	CFG_DLBOW_DML_ADAPTIVE
};

/* read_your_writes (pgpool-ng) */
enum
{
	CFG_RYW_OFF = 0,
	CFG_RYW_SESSION
};

/* relcache_query_target */
enum
{
	CFG_RELQ_PRIMARY = 1,
	CFG_RELQ_LOAD_BALANCE_NODE
};

/* check_temp_table ("on"/"off" are accepted as the old spellings of catalog/none) */
enum
{
	CFG_TEMP_CATALOG = 1,
	CFG_TEMP_TRACE,
	CFG_TEMP_NONE,
	CFG_TEMP_ON,
	CFG_TEMP_OFF
};

/* wd_lifecheck_method */
enum
{
	CFG_LIFECHECK_QUERY = 1,
	CFG_LIFECHECK_HEARTBEAT,
	CFG_LIFECHECK_EXTERNAL
};

/* memqcache_method */
enum
{
	CFG_MEMQCACHE_SHMEM = 1,
	CFG_MEMQCACHE_MEMCACHED
};

/* Bits of cfg_backend_flags() */
#define CFG_BACKEND_DISALLOW_TO_FAILOVER 0x1
#define CFG_BACKEND_ALWAYS_PRIMARY 0x2

/* A ';' or ',' separated list parameter: the text as written and its trimmed items. */
typedef struct cfg_string_list
{
	char	   *text;
	int			count;
	char	  **items;
} cfg_string_list;

/* backend_*N. A slot is in use when its port is not 0 (pgpool's rule). */
typedef struct cfg_backend
{
	char	   *hostname;
	int			port;
	double		weight;			/* as written; SHOW pool_status normalises */
	char	   *data_directory;
	char	   *flag;			/* normalised text, e.g. "ALLOW_TO_FAILOVER|ALWAYS_PRIMARY" */
	char	   *application_name;
} cfg_backend;

/* health_check_*N overrides; a field not set for the node follows the global value. */
typedef struct cfg_health_check
{
	int			health_check_period;
	int			health_check_timeout;
	char	   *health_check_user;
	char	   *health_check_password;
	char	   *health_check_database;
	int			health_check_max_retries;
	int			health_check_retry_delay;
	int			connect_timeout;
	unsigned int explicit_mask; /* bit per field set by its per-node name */
} cfg_health_check;

/* hostnameN / wd_portN / pgpool_portN: every pgpool of the watchdog cluster, local one included. */
typedef struct cfg_wd_node
{
	char	   *hostname;
	int			wd_port;
	int			pgpool_port;
} cfg_wd_node;

/* heartbeat_hostnameN / heartbeat_portN / heartbeat_deviceN */
typedef struct cfg_heartbeat
{
	char	   *hostname;
	int			port;
	char	   *device;
} cfg_heartbeat;

/*
 * The whole configuration. Scalar fields are named exactly like their parameter. Strings are never
 * NULL except the three redirect/relationship lists, whose pgpool default is "no value".
 */
typedef struct pool_config
{
	/* connections */
	char	   *listen_addresses;
	int			port;
	char	   *socket_dir;
	int			reserved_connections;
	char	   *pcp_listen_addresses;
	int			pcp_port;
	char	   *pcp_socket_dir;
	int			listen_backlog_multiplier;
	bool		serialize_accept;

	/* authentication and SSL */
	bool		enable_pool_hba;
	char	   *pool_passwd;
	int			authentication_timeout;
	bool		allow_clear_text_frontend_auth;
	bool		ssl;
	char	   *ssl_key;
	char	   *ssl_cert;
	char	   *ssl_ca_cert;
	char	   *ssl_ca_cert_dir;
	char	   *ssl_crl_file;
	char	   *ssl_ciphers;
	bool		ssl_prefer_server_ciphers;
	char	   *ssl_ecdh_curve;
	char	   *ssl_dh_params_file;
	char	   *ssl_passphrase_command;

	/* pools */
	int			num_init_children;
	int			max_pool;
	int			child_life_time;
	int			child_max_connections;
	int			connection_life_time;
	int			client_idle_limit;
	bool		connection_cache;
	cfg_string_list reset_query_list;

	/* logging */
	char	   *log_destination;
	char	   *log_line_prefix;
	bool		log_connections;
	bool		log_disconnections;
	bool		log_hostname;
	bool		log_statement;
	bool		log_per_node_statement;
	bool		log_client_messages;
	int			log_standby_delay;
	int			syslog_facility;
	char	   *syslog_ident;
	int			log_error_verbosity;
	int			client_min_messages;
	int			log_min_messages;
	bool		logging_collector;
	char	   *log_directory;
	char	   *log_filename;
	int			log_file_mode;
	bool		log_truncate_on_rotation;
	int			log_rotation_age;	/* minutes */
	int			log_rotation_size;	/* kB */
	char	   *pid_file_name;
	char	   *logdir;

	/* replication and load balancing */
	int			backend_clustering_mode;
	bool		replication_mode;	/* derived: true in native replication mode */
	bool		replicate_select;
	bool		insert_lock;
	char	   *lobj_lock_table;
	bool		replication_stop_on_mismatch;
	bool		failover_if_affected_tuples_mismatch;
	bool		load_balance_mode;
	bool		ignore_leading_white_space;
	cfg_string_list read_only_function_list;
	cfg_string_list write_function_list;
	cfg_string_list primary_routing_query_pattern_list;
	char	   *database_redirect_preference_list;
	char	   *app_name_redirect_preference_list;
	bool		allow_sql_comments;
	int			disable_load_balance_on_write;
	char	   *dml_adaptive_object_relationship_list;
	bool		statement_level_load_balance;
	int			read_your_writes;	/* pgpool-ng: CFG_RYW_*, reads after a session's commit */
	int			sr_check_period;
	char	   *sr_check_user;
	char	   *sr_check_password;
	char	   *sr_check_database;
	int64_t		delay_threshold;	/* bytes */
	int			delay_threshold_by_time;	/* ms (pgpool 4.4); > 0: replication_delay is in ms */
	bool		prefer_lower_delay_standby;
	char	   *follow_primary_command;

	/* health check (global values; per-node values in health_check_params) */
	int			health_check_period;
	int			health_check_timeout;
	char	   *health_check_user;
	char	   *health_check_password;
	char	   *health_check_database;
	int			health_check_max_retries;
	int			health_check_retry_delay;
	int			connect_timeout;	/* milliseconds */
	bool		health_check_test;

	/* failover and recovery */
	char	   *failover_command;
	char	   *failback_command;
	bool		failover_on_backend_error;
	bool		failover_on_backend_shutdown;
	bool		detach_false_primary;
	int			search_primary_node_timeout;
	bool		auto_failback;
	int			auto_failback_interval;
	bool		builtin_failover;	/* pgpool-ng: promote and follow over libpq, no scripts */
	char	   *recovery_user;
	char	   *recovery_password;
	char	   *recovery_1st_stage_command;
	char	   *recovery_2nd_stage_command;
	int			recovery_timeout;
	int			client_idle_limit_in_recovery;

	/* watchdog */
	bool		use_watchdog;
	char	   *trusted_servers;
	char	   *ping_path;
	int			wd_priority;
	char	   *wd_authkey;
	char	   *wd_ipc_socket_dir;
	char	   *delegate_IP;
	char	   *if_cmd_path;
	char	   *if_up_cmd;
	char	   *if_down_cmd;
	char	   *arping_path;
	char	   *arping_cmd;
	bool		clear_memqcache_on_escalation;
	char	   *wd_escalation_command;
	char	   *wd_de_escalation_command;
	bool		failover_when_quorum_exists;
	bool		failover_require_consensus;
	bool		allow_multiple_failover_requests_from_node;
	bool		enable_consensus_with_half_votes;
	bool		wd_remove_shutdown_nodes;
	int			wd_lost_node_removal_timeout;
	int			wd_no_show_node_removal_timeout;
	cfg_string_list wd_monitoring_interfaces_list;
	int			wd_lifecheck_method;
	int			wd_interval;
	int			wd_heartbeat_keepalive;
	int			wd_heartbeat_deadtime;
	int			wd_life_point;
	char	   *wd_lifecheck_query;
	char	   *wd_lifecheck_dbname;
	char	   *wd_lifecheck_user;
	char	   *wd_lifecheck_password;

	/* caches */
	int64_t		relcache_expire;	/* seconds */
	int			relcache_size;
	int			check_temp_table;
	bool		check_unlogged_table;
	bool		enable_shared_relcache;
	int			relcache_query_target;
	bool		memory_cache_enabled;
	int			memqcache_method;
	char	   *memqcache_memcached_host;
	int			memqcache_memcached_port;
	int64_t		memqcache_total_size;	/* bytes */
	int			memqcache_max_num_cache;
	int			memqcache_expire;
	bool		memqcache_auto_cache_invalidation;
	int			memqcache_maxcache; /* bytes */
	int			memqcache_cache_block_size; /* bytes */
	char	   *memqcache_oiddir;
	cfg_string_list cache_safe_memqcache_table_list;
	cfg_string_list cache_unsafe_memqcache_table_list;

	/* per-node families */
	cfg_backend backends[CFG_MAX_BACKENDS];
	int			num_backends;	/* highest N with backend_portN != 0, plus 1 */
	cfg_health_check health_check_params[CFG_MAX_BACKENDS];
	cfg_wd_node wd_nodes[CFG_MAX_WD_NODES];
	int			num_wd_nodes;	/* highest N with hostnameN or wd_portN set, plus 1 */
	cfg_heartbeat heartbeats[CFG_MAX_HEARTBEATS];
	int			num_heartbeats; /* highest N with heartbeat_portN != 0, plus 1 */

	/* Not a parameter: this pgpool's watchdog node id (pgpool_node_id file, read by main/). */
	int			pgpool_node_id;
} pool_config;

/* ---- the parameter table ---- */

typedef enum
{
	CFG_TYPE_BOOL,
	CFG_TYPE_INT,
	CFG_TYPE_INT64,
	CFG_TYPE_DOUBLE,
	CFG_TYPE_STRING,
	CFG_TYPE_ENUM,
	CFG_TYPE_STRING_LIST
} cfg_type;

/* When a parameter may change: INIT = restart only, RELOAD = also on reload, SESSION = also PGPOOL SET. */
typedef enum
{
	CFG_CONTEXT_INIT,
	CFG_CONTEXT_RELOAD,
	CFG_CONTEXT_SESSION
} cfg_context;

/* Where a parameter's value lives. */
typedef enum
{
	CFG_STORE_GLOBAL,			/* a field of pool_config */
	CFG_STORE_BACKEND,			/* backends[N] */
	CFG_STORE_HEALTH_CHECK,		/* global field, and health_check_params[N] with an index */
	CFG_STORE_WD_NODE,			/* wd_nodes[N] */
	CFG_STORE_HEARTBEAT			/* heartbeats[N] */
} cfg_store;

/* Groups, as PGPOOL SHOW <group> names them. */
typedef enum
{
	CFG_GROUP_GENERAL,
	CFG_GROUP_BACKEND,
	CFG_GROUP_HEALTH_CHECK,
	CFG_GROUP_WATCHDOG,
	CFG_GROUP_HEARTBEAT
} cfg_group;

/* flags */
#define CFG_UNIT_MS 0x01
#define CFG_UNIT_S 0x02
#define CFG_UNIT_MIN 0x04
#define CFG_UNIT_BYTE 0x08
#define CFG_UNIT_KB 0x10
#define CFG_UNITS_TIME (CFG_UNIT_MS | CFG_UNIT_S | CFG_UNIT_MIN)
#define CFG_UNITS_MEMORY (CFG_UNIT_BYTE | CFG_UNIT_KB)
#define CFG_SECRET 0x20			/* PGPOOL SHOW prints ***** */
#define CFG_SHOW_PLAIN 0x40		/* PGPOOL SHOW prints the bare number, no unit */
#define CFG_INDEXED 0x80		/* name is followed by a node number */
#define CFG_INDEX_OPTIONAL 0x100	/* with CFG_INDEXED: the bare name is the global default */
#define CFG_ZERO_IS_UNSET 0x200	/* 0 is accepted besides the range: "slot not used" */
#define CFG_RAW_AS_NAME 0x400	/* enum shown by name even in SHOW pool_status */
#define CFG_NG_ONLY 0x800		/* pgpool-ng's own: left out of PGPOOL SHOW ALL (pgpool-II's list) */

typedef struct cfg_enum_option
{
	const char *name;
	int			value;
} cfg_enum_option;

typedef struct cfg_param
{
	const char *name;			/* for CFG_INDEXED, the name without its number */
	cfg_type	type;
	cfg_context context;
	cfg_group	group;
	unsigned int flags;
	const char *default_value;	/* text, read by the parameter's own parser; NULL = no value */
	double		min;			/* numbers only */
	double		max;
	const cfg_enum_option *options; /* enums; NULL-name terminated */
	const char *separator;		/* string lists */
	cfg_store	store;
	size_t		offset;			/* into pool_config or into the node struct */
	size_t		global_offset;	/* CFG_STORE_HEALTH_CHECK: the global field in pool_config */
	int			index_count;	/* CFG_INDEXED: number of nodes */
	/* optional check of a string value; returns a malloc'd error detail or NULL, may normalise */
	char	   *(*check) (const char *value, char **normalised);
	const char *description;
} cfg_param;

typedef enum
{
	CFG_FORMAT_RAW,				/* SHOW pool_status: 0/1, enum numbers, base units */
	CFG_FORMAT_SHOW				/* PGPOOL SHOW: on/off, enum names, units, ***** for secrets */
} cfg_format;

/* cfg_set results */
#define CFG_SET_OK 0
#define CFG_SET_INVALID (-1)
#define CFG_SET_UNKNOWN (-2)

/* ---- API ---- */

pool_config *cfg_create(void);
void		cfg_destroy(pool_config *cfg);

/* A deep copy (PGPOOL SET works on a session's own copy); free it with cfg_destroy. */
pool_config *cfg_copy(const pool_config *src);

/* Copies one slot's value from src to dst (PGPOOL RESET name: back to the file's value). */
void		cfg_copy_param(pool_config *dst, const pool_config *src, const cfg_param *param, int index);

/* Reads path over the current values. 0 when no error was found (warnings allowed), else -1. */
int			cfg_load(pool_config *cfg, const char *path, diag_list *diags);

/* Cross-parameter checks made at start. 0 when no error, else -1. */
int			cfg_validate(const pool_config *cfg, diag_list *diags);

/*
 * Sets one parameter by its 4.3 name ("port", "backend_hostname2"). file/line only label the
 * diagnostics (NULL/0 for PGPOOL SET). Returns CFG_SET_OK, CFG_SET_INVALID (bad value: an error is
 * added) or CFG_SET_UNKNOWN (a warning is added). Context is not checked: callers compare
 * param->context with what they are doing.
 */
int			cfg_set(pool_config *cfg, const char *name, const char *value,
					const char *file, int line, diag_list *diags);

/* Sets a parameter back to its default (PGPOOL RESET). index is -1 for non-indexed names. */
void		cfg_reset_param(pool_config *cfg, const cfg_param *param, int index);

/* Case-insensitive table lookup of a plain name ("port", "health_check_period"). */
const cfg_param *cfg_find(const char *name);

/* Like cfg_find, but also resolves numbered names; *index is the node number or -1. */
const cfg_param *cfg_find_indexed(const char *name, int *index);

/* The table, in a fixed order (by group, as the files list them). */
/*
 * Reload: parameters of newcfg that need a restart are set back to oldcfg's running values, with a
 * warning for each that the file had changed. Returns how many were kept.
 */
int			cfg_keep_restart_only(pool_config *newcfg, const pool_config *oldcfg, diag_list *diags);

int			cfg_param_count(void);
const cfg_param *cfg_param_at(int i);

/* The name of one slot: "backend_port2", or the plain name when index < 0. malloc'd. */
char	   *cfg_param_name(const cfg_param *param, int index);

/* A parameter's current value as text (malloc'd); index -1 for plain names. */
char	   *cfg_format_value(const pool_config *cfg, const cfg_param *param, int index, cfg_format fmt);

const char *cfg_group_name(cfg_group group);
const char *cfg_context_name(cfg_context context);

/* A boolean as PostgreSQL reads it: on/off, true/false, yes/no, 1/0 and their prefixes. */
bool		cfg_parse_bool(const char *text, bool *out);

/* backends[i].flag as CFG_BACKEND_* bits. */
unsigned int cfg_backend_flags(const pool_config *cfg, int i);

#endif
