/*
 * The three requests of the failover process: degenerate a node (and, for the primary, find and
 * follow the new one), fail a node back, promote a node. pgpool's order of steps and script
 * placeholders; every wait bounded.
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "main/failover_follow.h"
#include "main/failover_internal.h"
#include "net/sock.h"

/* search_primary_node_timeout 0 means "for ever" in pgpool; here it means this long. */
#define SEARCH_FOREVER_S 3600

static int64_t
search_deadline(const pool_config *cfg)
{
	int			s = cfg->search_primary_node_timeout > 0 ? cfg->search_primary_node_timeout : SEARCH_FOREVER_S;

	return net_now_ms() + (int64_t) s * 1000;
}

/*
 * After the primary changed: every other live standby is detached, follow_primary_command is run for
 * it, and it is attached again once it streams from the new primary.
 */
static void
follow_new_primary(const pool_config *cfg, int primary, const fo_command_vars *base)
{
	shm_backend_table t;

	if (cfg->follow_primary_command == NULL || cfg->follow_primary_command[0] == '\0' ||
		shm_backends_snapshot(&t) == 0)
		return;
	for (int i = 0; i < t.num_backends; i++)
	{
		fo_command_vars v = *base;

		if (i == primary || cfg->backends[i].port == 0 || t.nodes[i].status == SHM_CON_DOWN)
			continue;
		fo_set_status(cfg, i, SHM_CON_DOWN);
		fo_end_sessions_on(i, false);
		v.node = i;
		fo_run_command(cfg, "follow_primary_command", cfg->follow_primary_command, &v);
		if (fo_wait_streaming(cfg, primary, i, net_now_ms() + FO_FOLLOW_TIMEOUT_MS))
		{
			log_info("failover: node %d streams from the new primary %d; attached", i, primary);
			fo_set_status(cfg, i, SHM_CON_CONNECT_WAIT);
		}
		else
			log_warning("failover: node %d does not stream from the new primary %d; it stays down",
						i, primary);
	}
}

/* The primary went: find the new one and let the others follow it. */
static void
primary_failed(const pool_config *cfg, int node, const fo_command_vars *v)
{
	shm_backend_table t;
	int			primary;

	if (shm_backends_snapshot(&t) == 0)
		return;
	primary = fo_search_primary_with_deadline(cfg, &t, node, search_deadline(cfg));
	if (primary < 0)
	{
		log_error("failover: no new primary found within search_primary_node_timeout (%d s)",
				  cfg->search_primary_node_timeout);
		return;
	}
	log_info("failover: node %d is the new primary", primary);
	fo_set_primary(primary);
	follow_new_primary(cfg, primary, &(fo_command_vars) {
		.node = -1, .new_main = primary, .old_main = v->old_main, .old_primary = v->old_primary
	});
}

static bool
builtin(const pool_config *cfg)
{
	return cfg->builtin_failover && (cfg->failover_command == NULL || cfg->failover_command[0] == '\0');
}

/*
 * A standby watchdog node takes the leader's word that node is down: the leader ran the scripts and
 * promoted; here only the view changes, and the new primary comes in a request of its own.
 */
static void
degenerate_from_leader(const pool_config *cfg, int node, bool was_primary)
{
	fo_set_status(cfg, node, SHM_CON_DOWN);
	fo_end_sessions_on(node, was_primary);
	log_info("failover: node %d (%s:%d) detached: the watchdog leader has it down%s", node,
			 cfg->backends[node].hostname, cfg->backends[node].port,
			 was_primary ? "; it was the primary" : "");
}

void
fo_degenerate(const pool_config *cfg, int node, int new_main, unsigned int flags)
{
	shm_backend_table t;
	fo_command_vars v;

	if (shm_backends_snapshot(&t) == 0)
		return;
	if (t.nodes[node].status == SHM_CON_DOWN)
	{
		log_info("failover: node %d is already down", node);
		return;
	}
	if (flags & SHM_FO_FROM_LEADER)
	{
		degenerate_from_leader(cfg, node, node == t.primary_node_id);
		return;
	}
	if ((cfg_backend_flags(cfg, node) & CFG_BACKEND_DISALLOW_TO_FAILOVER) && !(flags & SHM_FO_SWITCHOVER))
	{
		log_warning("failover: node %d is DISALLOW_TO_FAILOVER; not detached", node);
		return;
	}
	v.node = node;
	v.old_main = t.main_node_id;
	v.old_primary = t.primary_node_id;
	v.new_main = new_main >= 0 ? new_main : fo_first_usable(cfg, &t, node);
	fo_set_status(cfg, node, SHM_CON_DOWN);
	fo_end_sessions_on(node, node == v.old_primary);
	log_info("failover: node %d (%s:%d) detached; old primary %d, new main %d", node,
			 cfg->backends[node].hostname, cfg->backends[node].port, v.old_primary, v.new_main);
	if (node == v.old_primary && builtin(cfg))
		fo_builtin_failover(cfg, node, new_main);
	else
	{
		fo_run_command(cfg, "failover_command", cfg->failover_command, &v);
		if (node == v.old_primary)
			primary_failed(cfg, node, &v);
	}
}

/* Which role an attached node has: asks it, bounded. */
static void
attach_role(const pool_config *cfg, int node)
{
	shm_backend_table t;

	if (shm_backends_snapshot(&t) == 0 || t.primary_node_id >= 0)
		return;
	/* no primary known: the attached node may be it */
	if (fo_search_primary_with_deadline(cfg, &t, -1, net_now_ms() + 2000) == node)
		fo_set_primary(node);
}

void
fo_failback(const pool_config *cfg, int node, unsigned int flags)
{
	shm_backend_table t;
	fo_command_vars v;

	if (shm_backends_snapshot(&t) == 0)
		return;
	v.node = node;
	v.old_main = t.main_node_id;
	v.old_primary = t.primary_node_id;
	v.new_main = t.main_node_id;
	if (t.nodes[node].status == SHM_CON_DOWN || t.nodes[node].status == SHM_CON_UNUSED)
		fo_set_status(cfg, node, SHM_CON_CONNECT_WAIT);
	if (flags & SHM_FO_FROM_LEADER)
	{
		/* the leader ran failback_command and knows the roles; its primary comes separately */
		log_info("failover: node %d attached: the watchdog leader has it up", node);
		return;
	}
	attach_role(cfg, node);
	fo_run_command(cfg, "failback_command", cfg->failback_command, &v);
	log_info("failover: node %d attached", node);
}

/* pcp_promote_node without -s: pgpool's view only; every other node is detached. */
static void
promote_view_only(const pool_config *cfg, int node)
{
	shm_backend_table t;

	if (shm_backends_snapshot(&t) == 0)
		return;
	fo_set_primary(node);
	for (int i = 0; i < t.num_backends; i++)
		if (i != node && cfg->backends[i].port != 0 && t.nodes[i].status != SHM_CON_DOWN)
		{
			fo_set_status(cfg, i, SHM_CON_DOWN);
			fo_end_sessions_on(i, false);
		}
}

void
fo_promote(const pool_config *cfg, int node, unsigned int flags)
{
	shm_backend_table t;

	if (shm_backends_snapshot(&t) == 0)
		return;
	if (flags & SHM_FO_FROM_LEADER)
	{
		/* the leader's primary: nothing is promoted and no other node is detached here */
		if (t.nodes[node].status != SHM_CON_DOWN && t.primary_node_id != node)
		{
			fo_set_primary(node);
			log_info("failover: node %d is the primary: the watchdog leader has it so", node);
		}
		return;
	}
	if (t.nodes[node].status == SHM_CON_DOWN || t.primary_node_id == node)
	{
		log_warning("failover: promote of node %d ignored: it is %s", node,
					t.primary_node_id == node ? "already the primary" : "down");
		return;
	}
	if (!(flags & SHM_FO_SWITCHOVER) || t.primary_node_id < 0)
	{
		promote_view_only(cfg, node);
		return;
	}
	/* switchover: the old primary is detached with node as the new main, whom failover_command promotes */
	fo_degenerate(cfg, t.primary_node_id, node, flags);
}
