/*
 * Names from pgpool-II 3.x .. 4.1 configuration files: renamed ones are mapped to their 4.3 name
 * with a warning, removed ones are ignored with a warning, and the 3.x clustering switches
 * (master_slave_mode, master_slave_sub_mode, replication_mode) become backend_clustering_mode.
 *
 * Watchdog node numbering (pgpool-II 4.2 changed it): 3.x/4.1 files describe the local pgpool with
 * wd_hostname/port/wd_port/wd_heartbeat_port and the OTHER pgpools as other_pgpool_hostnameN,
 * other_pgpool_portN, other_wd_portN, heartbeat_destinationN, heartbeat_destination_portN and
 * heartbeat_deviceN. 4.2+ lists every pgpool, the local one included, as hostnameN/wd_portN/
 * pgpool_portN and heartbeat_hostnameN/heartbeat_portN/heartbeat_deviceN, and learns which one it
 * is from the pgpool_node_id file. We map the local node to number 0 and other node N to N+1, so a
 * converted cluster needs pgpool_node_id 0 on every host (each host's file describes itself as the
 * local node). heartbeat_deviceN is a valid 4.3 name, so it is shifted only when the file also uses
 * one of the 3.x-only names (other_pgpool_*, heartbeat_destination*).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "config/load_internal.h"
#include "config/params_internal.h"

typedef struct rename_rule
{
	const char *old_name;
	const char *new_name;
} rename_rule;

static const rename_rule renamed[] = {
	{"follow_master_command", "follow_primary_command"},
	{"fail_over_on_backend_error", "failover_on_backend_error"},
	{"white_function_list", "read_only_function_list"},
	{"black_function_list", "write_function_list"},
	{"black_query_pattern_list", "primary_routing_query_pattern_list"},
	{"white_memqcache_table_list", "cache_safe_memqcache_table_list"},
	{"black_memqcache_table_list", "cache_unsafe_memqcache_table_list"},
	{"ifconfig_path", "if_cmd_path"},
	{"wd_hostname", "hostname0"},
	{"wd_port", "wd_port0"},
	{"wd_heartbeat_port", "heartbeat_port0"},
	{NULL, NULL}
};

/* Numbered 3.x names of the other pgpools: old prefix N -> new prefix N+1. */
static const rename_rule renamed_numbered[] = {
	{"other_pgpool_hostname", "hostname"},
	{"other_pgpool_port", "pgpool_port"},
	{"other_wd_port", "wd_port"},
	{"heartbeat_destination_port", "heartbeat_port"},
	{"heartbeat_destination", "heartbeat_hostname"},
	{NULL, NULL}
};

static const char *const removed[] = {
	"parallel_mode", "enable_query_cache", "pgpool2_hostname", "system_db_hostname",
	"system_db_port", "system_db_dbname", "system_db_schema", "system_db_user",
	"system_db_password", "debug_level", "print_timestamp", "backend_socket_dir",
	"pcp_timeout", "replication_timeout",
	NULL
};

/* The node number after prefix, or -1 when name is not prefix followed by digits only. */
static int
numbered(const char *name, const char *prefix)
{
	size_t		len = strlen(prefix);
	const char *p = name + len;

	if (strncasecmp(name, prefix, len) != 0 || *p == '\0' || strlen(p) > 6)
		return -1;
	for (const char *q = p; *q; q++)
		if (!isdigit((unsigned char) *q))
			return -1;
	return atoi(p);
}

bool
cfg_alias_detect_legacy(const cfg_entry *entries, int count)
{
	for (int i = 0; i < count; i++)
		for (const rename_rule *r = renamed_numbered; r->old_name; r++)
			if (numbered(entries[i].name, r->old_name) >= 0)
				return true;
	return false;
}

static void
map_to(cfg_load_state *st, const cfg_entry *e, const char *new_name)
{
	diag_add(st->diags, DIAG_WARNING, st->file, e->line,
			 "parameter \"%s\" is a pgpool-II 3.x/4.1 name; its value is used for \"%s\"",
			 e->name, new_name);
	cfg_load_set(st, new_name, e->value, e->line, e->name);
}

static bool
apply_numbered(cfg_load_state *st, const cfg_entry *e)
{
	int			n;

	for (const rename_rule *r = renamed_numbered; r->old_name; r++)
	{
		if ((n = numbered(e->name, r->old_name)) >= 0)
		{
			char	   *target = xasprintf("%s%d", r->new_name, n + 1);

			map_to(st, e, target);
			free(target);
			return true;
		}
	}
	if (st->legacy_watchdog && (n = numbered(e->name, "heartbeat_device")) >= 0)
	{
		char	   *target = xasprintf("heartbeat_device%d", n + 1);

		map_to(st, e, target);
		free(target);
		return true;
	}
	return false;
}

/* master_slave_mode, master_slave_sub_mode, replication_mode: kept until the end of the file. */
static bool
record_clustering(cfg_load_state *st, const cfg_entry *e)
{
	bool		on;
	bool		is_ms = strcasecmp(e->name, "master_slave_mode") == 0;

	if (strcasecmp(e->name, "master_slave_sub_mode") == 0)
	{
		if (strcasecmp(e->value, "stream") != 0 && strcasecmp(e->value, "logical") != 0 &&
			strcasecmp(e->value, "slony") != 0)
			diag_add(st->diags, DIAG_ERROR, st->file, e->line,
					 "invalid value for parameter \"%s\": \"%s\": allowed values: "
					 "stream, logical, slony", e->name, e->value);
		else
		{
			free(st->master_slave_sub_mode);
			st->master_slave_sub_mode = xstrdup(e->value);
			st->sub_mode_line = e->line;
		}
		return true;
	}
	if (!is_ms && strcasecmp(e->name, "replication_mode") != 0)
		return false;
	if (!cfg_parse_bool(e->value, &on))
	{
		diag_add(st->diags, DIAG_ERROR, st->file, e->line,
				 "invalid value for parameter \"%s\": \"%s\": must be a boolean: on, off, "
				 "true, false, yes, no, 1 or 0", e->name, e->value);
		return true;
	}
	*(is_ms ? &st->master_slave_mode : &st->replication_mode) = on;
	*(is_ms ? &st->master_slave_line : &st->replication_line) = e->line;
	return true;
}

bool
cfg_alias_apply(cfg_load_state *st, const cfg_entry *e)
{
	for (const char *const *r = removed; *r; r++)
	{
		if (strcasecmp(e->name, *r) == 0)
		{
			diag_add(st->diags, DIAG_WARNING, st->file, e->line,
					 "parameter \"%s\" was removed in pgpool-II 4.x and is ignored", e->name);
			return true;
		}
	}
	for (const rename_rule *r = renamed; r->old_name; r++)
	{
		if (strcasecmp(e->name, r->old_name) == 0)
		{
			map_to(st, e, r->new_name);
			return true;
		}
	}
	if (apply_numbered(st, e) || record_clustering(st, e))
		return true;
	/* 3.x: "port" was also the local pgpool's port in the watchdog cluster */
	if (st->legacy_watchdog && strcasecmp(e->name, "port") == 0)
	{
		cfg_load_set(st, "port", e->value, e->line, NULL);
		cfg_load_set(st, "pgpool_port0", e->value, e->line, e->name);
		return true;
	}
	return false;
}

static const char *
legacy_mode(const cfg_load_state *st)
{
	const char *sub = st->master_slave_sub_mode ? st->master_slave_sub_mode : "slony";

	if (st->replication_mode == 1)
		return "native_replication";
	if (st->master_slave_mode != 1)
		return "raw";
	if (strcasecmp(sub, "stream") == 0)
		return "streaming_replication";
	if (strcasecmp(sub, "logical") == 0)
		return "logical_replication";
	return "slony";
}

static void
warn_switch(cfg_load_state *st, const char *name, int line, const char *mode)
{
	if (line == 0)
		return;
	if (st->clustering_mode_given)
		diag_add(st->diags, DIAG_WARNING, st->file, line,
				 "parameter \"%s\" is ignored: backend_clustering_mode is set", name);
	else
		diag_add(st->diags, DIAG_WARNING, st->file, line,
				 "parameter \"%s\" is a pgpool-II 3.x name; using backend_clustering_mode = '%s'",
				 name, mode);
}

void
cfg_alias_finish(cfg_load_state *st)
{
	const char *mode = legacy_mode(st);
	struct
	{
		const char *name;
		int			line;
	}			given[] = {
		{"master_slave_mode", st->master_slave_line},
		{"master_slave_sub_mode", st->sub_mode_line},
		{"replication_mode", st->replication_line}
	};
	int			first = 0;

	if (st->master_slave_mode < 0 && st->replication_mode < 0 && !st->master_slave_sub_mode)
		return;
	if (st->master_slave_mode == 1 && st->replication_mode == 1)
	{
		diag_add(st->diags, DIAG_ERROR, st->file, st->replication_line,
				 "replication_mode and master_slave_mode cannot both be on");
		return;
	}
	/* warn in file order */
	for (int done = 0; done < 3; done++)
	{
		int			next = -1;

		for (int i = 0; i < 3; i++)
			if (given[i].line > 0 && (next < 0 || given[i].line < given[next].line))
				next = i;
		if (next < 0)
			break;
		if (first == 0)
			first = given[next].line;
		warn_switch(st, given[next].name, given[next].line, mode);
		given[next].line = 0;
	}
	if (!st->clustering_mode_given)
		cfg_set(st->cfg, "backend_clustering_mode", mode, st->file, first, st->diags);
}
