/*
 * Checks across parameters that pgpool makes when it starts (watchdog and heartbeat membership,
 * backends, recovery, query cache). Each problem is one diagnostic, not tied to a line.
 */
#include <string.h>

#include "config/params_internal.h"

static bool
is_set(const char *s)
{
	return s && *s;
}

static void
check_watchdog(const pool_config *cfg, diag_list *diags, const char *file)
{
	int			local = cfg->pgpool_node_id;

	if (!cfg->use_watchdog)
		return;
	if (local < 0 || local >= CFG_MAX_WD_NODES || cfg->wd_nodes[local].wd_port <= 0)
		diag_add(diags, DIAG_ERROR, file, 0,
				 "invalid watchdog configuration. no watchdog configuration for local pgpool "
				 "node (pgpool node id %d): set hostname%d and wd_port%d", local, local, local);
	if (cfg->num_wd_nodes < 2)
		diag_add(diags, DIAG_ERROR, file, 0,
				 "invalid watchdog configuration. other pgpools setting is not defined");
	for (int i = 0; i < cfg->num_wd_nodes; i++)
	{
		const cfg_wd_node *n = &cfg->wd_nodes[i];

		if (!is_set(n->hostname) || n->wd_port <= 0 || n->pgpool_port <= 0)
			diag_add(diags, DIAG_ERROR, file, 0,
					 "invalid watchdog configuration. watchdog node %d needs hostname%d, "
					 "wd_port%d and pgpool_port%d", i, i, i, i);
	}
}

static void
check_heartbeat(const pool_config *cfg, diag_list *diags, const char *file)
{
	int			destinations = 0;

	if (!cfg->use_watchdog || cfg->wd_lifecheck_method != CFG_LIFECHECK_HEARTBEAT)
		return;
	for (int i = 0; i < cfg->num_heartbeats; i++)
	{
		if (i == cfg->pgpool_node_id || cfg->heartbeats[i].port == 0)
			continue;
		if (!is_set(cfg->heartbeats[i].hostname))
			diag_add(diags, DIAG_ERROR, file, 0,
					 "invalid watchdog configuration. heartbeat_hostname%d is not defined", i);
		else
			destinations++;
	}
	if (destinations == 0)
		diag_add(diags, DIAG_ERROR, file, 0,
				 "invalid watchdog configuration. wd_lifecheck_method is heartbeat but no "
				 "heartbeat destination is defined (heartbeat_hostnameN/heartbeat_portN of "
				 "the other pgpools)");
}

static void
check_backends(const pool_config *cfg, diag_list *diags, const char *file)
{
	bool		recovery = is_set(cfg->recovery_1st_stage_command) ||
		is_set(cfg->recovery_2nd_stage_command);

	if (cfg->num_backends == 0)
		diag_add(diags, DIAG_WARNING, file, 0,
				 "no backend is configured (set backend_hostname0 and backend_port0)");
	for (int i = 0; i < CFG_MAX_BACKENDS; i++)
	{
		const cfg_backend *b = &cfg->backends[i];

		if (b->port == 0 && (is_set(b->hostname) || is_set(b->data_directory)))
			diag_add(diags, DIAG_WARNING, file, 0,
					 "backend %d has no backend_port%d and is not used", i, i);
		if (b->port != 0 && recovery && !is_set(b->data_directory))
			diag_add(diags, DIAG_ERROR, file, 0,
					 "recovery_1st_stage_command and recovery_2nd_stage_command need "
					 "backend_data_directory%d to be set", i);
	}
}

static void
check_cache(const pool_config *cfg, diag_list *diags, const char *file)
{
	if (!cfg->memory_cache_enabled || cfg->memqcache_method != CFG_MEMQCACHE_SHMEM)
		return;
	if (cfg->memqcache_maxcache > cfg->memqcache_cache_block_size)
		diag_add(diags, DIAG_ERROR, file, 0,
				 "memqcache_maxcache (%d) must not be larger than memqcache_cache_block_size (%d)",
				 cfg->memqcache_maxcache, cfg->memqcache_cache_block_size);
}

int
cfg_validate(const pool_config *cfg, diag_list *diags)
{
	int			before = diag_count(diags, DIAG_ERROR);

	check_watchdog(cfg, diags, NULL);
	check_heartbeat(cfg, diags, NULL);
	check_backends(cfg, diags, NULL);
	check_cache(cfg, diags, NULL);
	return diag_count(diags, DIAG_ERROR) > before ? -1 : 0;
}
