/*
 * Table rows for the watchdog (its node list, life check and heartbeat families) and for the
 * relation and query caches.
 */
#include "config/params_internal.h"

static const cfg_enum_option lifecheck_options[] = {
	{"query", CFG_LIFECHECK_QUERY},
	{"heartbeat", CFG_LIFECHECK_HEARTBEAT},
	{"external", CFG_LIFECHECK_EXTERNAL},
	{NULL, 0}
};

static const cfg_enum_option check_temp_table_options[] = {
	{"catalog", CFG_TEMP_CATALOG},
	{"trace", CFG_TEMP_TRACE},
	{"none", CFG_TEMP_NONE},
	{"on", CFG_TEMP_ON},
	{"off", CFG_TEMP_OFF},
	{NULL, 0}
};

static const cfg_enum_option relcache_target_options[] = {
	{"primary", CFG_RELQ_PRIMARY},
	{"load_balance_node", CFG_RELQ_LOAD_BALANCE_NODE},
	{NULL, 0}
};

static const cfg_enum_option memqcache_method_options[] = {
	{"shmem", CFG_MEMQCACHE_SHMEM},
	{"memcached", CFG_MEMQCACHE_MEMCACHED},
	{NULL, 0}
};

#define C_INIT CFG_CONTEXT_INIT
#define C_RELOAD CFG_CONTEXT_RELOAD
#define C_SESSION CFG_CONTEXT_SESSION

#define NODE_ROW(nm, ty, st, strct, f, grp, n, def, fl, desc) \
	{ .name = nm, .type = ty, .context = C_RELOAD, .group = grp, \
	  .flags = CFG_INDEXED | (fl), .default_value = def, .min = 1024, .max = 65535, \
	  .store = st, .offset = offsetof(strct, f), .index_count = n, .description = desc }
#define WD_ROW(nm, ty, f, def, fl, desc) \
	NODE_ROW(nm, ty, CFG_STORE_WD_NODE, cfg_wd_node, f, CFG_GROUP_WATCHDOG, \
			 CFG_MAX_WD_NODES, def, fl, desc)
#define HB_ROW(nm, ty, f, def, fl, desc) \
	NODE_ROW(nm, ty, CFG_STORE_HEARTBEAT, cfg_heartbeat, f, CFG_GROUP_HEARTBEAT, \
			 CFG_MAX_HEARTBEATS, def, fl, desc)

const cfg_param cfg_params_watchdog[] = {
	/* watchdog nodes: N numbers every pgpool of the cluster, this one included */
	WD_ROW("hostname", CFG_TYPE_STRING, hostname, "", 0,
		   "Host name or address of watchdog node N."),
	WD_ROW("pgpool_port", CFG_TYPE_INT, pgpool_port, "0", CFG_ZERO_IS_UNSET,
		   "pgpool client port of watchdog node N."),
	WD_ROW("wd_port", CFG_TYPE_INT, wd_port, "0", CFG_ZERO_IS_UNSET,
		   "Watchdog port of watchdog node N."),

	/* heartbeat: where node N receives heartbeat signals */
	HB_ROW("heartbeat_hostname", CFG_TYPE_STRING, hostname, "", 0,
		   "Address(es) of node N for heartbeat signals, separated by ';'."),
	HB_ROW("heartbeat_port", CFG_TYPE_INT, port, "0", CFG_ZERO_IS_UNSET,
		   "UDP port of node N for heartbeat signals."),
	HB_ROW("heartbeat_device", CFG_TYPE_STRING, device, "", 0,
		   "Network device(s) used to send heartbeats to node N."),

	/* watchdog */
	CFG_BOOL(use_watchdog, C_INIT, "off", "Run the watchdog to cluster several pgpools."),
	CFG_STRING(trusted_servers, C_INIT, "", 0,
			   "Hosts pinged to tell a network failure from a pgpool failure."),
	CFG_STRING(ping_path, C_INIT, "/bin", 0, "Directory of the ping command."),
	CFG_INT(wd_priority, C_INIT, "1", 0, INT_MAX, 0,
			"Leader election priority of this node (higher wins)."),
	CFG_STRING(wd_authkey, C_RELOAD, "", 0, "Shared key authenticating watchdog messages."),
	CFG_STRING(wd_ipc_socket_dir, C_INIT, "/var/run/postgresql", 0,
			   "Directory of the watchdog's local IPC socket."),
	CFG_STRING(delegate_IP, C_INIT, "", 0, "Virtual IP address held by the leader node."),
	CFG_STRING(if_cmd_path, C_INIT, "/sbin", 0, "Directory of if_up_cmd and if_down_cmd."),
	CFG_STRING(if_up_cmd, C_INIT, "/usr/bin/sudo /sbin/ip addr add $_IP_$/24 dev eth0 label eth0:0",
			   0, "Command that brings the virtual IP up ($_IP_$ is replaced)."),
	CFG_STRING(if_down_cmd, C_INIT, "/usr/bin/sudo /sbin/ip addr del $_IP_$/24 dev eth0", 0,
			   "Command that takes the virtual IP down ($_IP_$ is replaced)."),
	CFG_STRING(arping_path, C_INIT, "/usr/sbin", 0, "Directory of arping_cmd."),
	CFG_STRING(arping_cmd, C_INIT, "/usr/bin/sudo /usr/sbin/arping -U $_IP_$ -w 1 -I eth0", 0,
			   "Command announcing the virtual IP's new owner."),
	CFG_BOOL(clear_memqcache_on_escalation, C_RELOAD, "on",
			 "Empty the shared memory query cache when becoming leader."),
	CFG_STRING(wd_escalation_command, C_RELOAD, "", 0, "Command run when becoming leader."),
	CFG_STRING(wd_de_escalation_command, C_RELOAD, "", 0, "Command run when leaving leadership."),
	CFG_BOOL(failover_when_quorum_exists, C_INIT, "on",
			 "Fail a backend over only while the watchdog cluster has quorum."),
	CFG_BOOL(failover_require_consensus, C_INIT, "on",
			 "Fail a backend over only when most watchdog nodes agree."),
	CFG_BOOL(allow_multiple_failover_requests_from_node, C_INIT, "off",
			 "Let one node vote several times for the same failover."),
	CFG_BOOL(enable_consensus_with_half_votes, C_INIT, "off",
			 "With an even number of nodes, half of the votes is enough."),
	CFG_BOOL(wd_remove_shutdown_nodes, C_INIT, "off",
			 "Drop nodes that shut down from the cluster membership."),
	CFG_INT(wd_lost_node_removal_timeout, C_INIT, "0", 0, INT_MAX, CFG_UNIT_S,
			"Drop a lost node from the membership after this long (0: never)."),
	CFG_INT(wd_no_show_node_removal_timeout, C_INIT, "0", 0, INT_MAX, CFG_UNIT_S,
			"Drop a node that never showed up after this long (0: never)."),
	CFG_LIST(wd_monitoring_interfaces_list, C_INIT, "", ",",
			 "Network interfaces whose link loss makes this node resign."),
	CFG_ENUM(wd_lifecheck_method, C_INIT, "heartbeat", lifecheck_options,
			 "How the watchdog checks that the other pgpools are alive."),
	CFG_INT(wd_interval, C_INIT, "10", 0, INT_MAX, CFG_UNIT_S, "Seconds between life checks."),
	CFG_INT(wd_heartbeat_keepalive, C_INIT, "2", 1, INT_MAX, CFG_UNIT_S,
			"Seconds between heartbeat signals."),
	CFG_INT(wd_heartbeat_deadtime, C_INIT, "30", 1, INT_MAX, CFG_UNIT_S,
			"A node silent for this long is considered dead."),
	CFG_INT(wd_life_point, C_INIT, "3", 0, INT_MAX, 0,
			"Query life check retries before a node is considered dead."),
	CFG_STRING(wd_lifecheck_query, C_INIT, "SELECT 1", 0, "Query used by the query life check."),
	CFG_STRING(wd_lifecheck_dbname, C_RELOAD, "template1", 0,
			   "Database the query life check connects to."),
	CFG_STRING(wd_lifecheck_user, C_RELOAD, "nobody", 0, "User the query life check connects as."),
	CFG_STRING(wd_lifecheck_password, C_RELOAD, "", CFG_SECRET,
			   "Password of the query life check user."),

	/* relation cache */
	CFG_INT64(relcache_expire, C_INIT, "0", 0, (double) INT64_MAX, CFG_UNIT_S,
			  "Lifetime of relation cache entries (0: forever)."),
	CFG_INT(relcache_size, C_INIT, "256", 0, INT_MAX, 0, "Entries in the relation cache."),
	CFG_ENUM(check_temp_table, C_RELOAD, "catalog", check_temp_table_options,
			 "How to find out whether a table is temporary."),
	CFG_BOOL(check_unlogged_table, C_SESSION, "on",
			 "Look up whether tables are unlogged (they are never balanced)."),
	CFG_BOOL(enable_shared_relcache, C_INIT, "on",
			 "Share the relation cache between children through the query cache."),
	CFG_ENUM(relcache_query_target, C_RELOAD, "primary", relcache_target_options,
			 "Node that answers relation cache queries."),

	/* query cache */
	CFG_BOOL(memory_cache_enabled, C_INIT, "off", "Cache SELECT results."),
	CFG_ENUM(memqcache_method, C_INIT, "shmem", memqcache_method_options,
			 "Where cached results are kept."),
	CFG_STRING(memqcache_memcached_host, C_INIT, "localhost", 0, "memcached host."),
	CFG_INT(memqcache_memcached_port, C_INIT, "11211", 0, INT_MAX, 0, "memcached port."),
	CFG_INT64(memqcache_total_size, C_INIT, "64MB", 0, (double) INT64_MAX, CFG_UNIT_BYTE,
			  "Shared memory given to the query cache."),
	CFG_INT(memqcache_max_num_cache, C_INIT, "1000000", 0, INT_MAX, 0,
			"Most results the shared memory cache holds."),
	CFG_INT(memqcache_expire, C_INIT, "0", 0, INT_MAX, CFG_UNIT_S,
			"Lifetime of cached results (0: until invalidated)."),
	CFG_BOOL(memqcache_auto_cache_invalidation, C_RELOAD, "on",
			 "Drop cached results of tables that are written."),
	CFG_INT(memqcache_maxcache, C_INIT, "400kB", 0, INT_MAX, CFG_UNIT_BYTE,
			"Largest result that is cached."),
	CFG_INT(memqcache_cache_block_size, C_INIT, "1MB", 512, INT_MAX, CFG_UNIT_BYTE,
			"Size of a shared memory cache block."),
	CFG_STRING(memqcache_oiddir, C_INIT, "/var/log/pgpool/oiddir", 0,
			   "Directory recording which tables each cached result used."),
	CFG_LIST(cache_safe_memqcache_table_list, C_RELOAD, "", ",",
			 "Tables (regular expressions) whose results may be cached."),
	CFG_LIST(cache_unsafe_memqcache_table_list, C_RELOAD, "", ",",
			 "Tables (regular expressions) whose results are never cached."),
	{.name = NULL}
};
