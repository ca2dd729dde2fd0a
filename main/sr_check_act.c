/*
 * What the sr check does with a round's answers: record them, log delays, request the detach of a
 * false primary and the failback of a standby that streams again.
 */
#include <inttypes.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "main/failover_request.h"
#include "main/sr_check_internal.h"

typedef struct record_arg
{
	const sr_node *nodes;
	int			n;
	int			primary;
} record_arg;

static void
record_node(shm_backend *b, const sr_node *s, bool is_primary, bool primary_known)
{
	b->pg_role = !s->answered ? SHM_ROLE_UNKNOWN : s->primary ? SHM_ROLE_PRIMARY : SHM_ROLE_STANDBY;
	if (is_primary || !s->answered)
	{
		b->replication_delay = 0;
		b->replication_state[0] = '\0';
		b->replication_sync_state[0] = '\0';
		return;
	}
	if (!primary_known)
		return;
	b->replication_delay = s->delay;
	str_copy(b->replication_state, s->state, sizeof(b->replication_state));
	str_copy(b->replication_sync_state, s->sync_state, sizeof(b->replication_sync_state));
}

void
sr_record(const sr_node *nodes, int n, int primary)
{
	shm_backend_table *t = shm_backends_edit_begin_with_deadline(1000);
	bool		primary_known = primary >= 0 && nodes[primary].answered && nodes[primary].primary;

	if (t == NULL)
		return;
	for (int i = 0; i < n && i < t->num_backends; i++)
	{
		if (t->nodes[i].status == SHM_CON_UNUSED)
			continue;
		record_node(&t->nodes[i], &nodes[i], i == primary, primary_known);
		if (i == primary || !nodes[i].answered)
			shm_backend_set_sr_checked(t, i, false);
		else if (primary_known)
			shm_backend_set_sr_checked(t, i, true);
	}
	shm_backends_edit_commit();
}

void
sr_log_delays(const pool_config *cfg, const shm_backend_table *t, const sr_node *nodes, int primary)
{
	if (cfg->log_standby_delay == CFG_LSD_NONE || primary < 0)
		return;
	for (int i = 0; i < t->num_backends; i++)
	{
		bool		over = cfg->delay_threshold > 0 && nodes[i].delay > cfg->delay_threshold;

		if (i == primary || !nodes[i].answered || nodes[i].primary)
			continue;
		if (cfg->log_standby_delay == CFG_LSD_ALWAYS || over)
			log_info("Replication of node: %d is behind %" PRId64 " bytes from the primary server "
					 "(node: %d)", i, nodes[i].delay, primary);
	}
}

static void
request(const pool_config *cfg, shm_failover_kind kind, int node, unsigned int flags, const char *why)
{
	char		err[256];

	if (failover_request(cfg, kind, node, flags, NULL, err, sizeof(err)) == FO_REQUEST_QUEUED)
		log_info("sr check: %s (node %d)", why, node);
	else
		log_warning("sr check: %s refused for node %d: %s", why, node, err);
}

void
sr_act(const pool_config *cfg, const shm_backend_table *t, const sr_node *nodes, int primary,
	   time_t *last_failback)
{
	bool		primary_ok = primary >= 0 && nodes[primary].answered && nodes[primary].primary &&
		t->nodes[primary].status != SHM_CON_DOWN;

	if (!primary_ok || t->failover.switching)
		return;
	for (int i = 0; i < t->num_backends; i++)
	{
		bool		down = t->nodes[i].status == SHM_CON_DOWN;

		if (i == primary || !nodes[i].answered || t->nodes[i].status == SHM_CON_UNUSED)
			continue;
		if (nodes[i].primary && !down && cfg->detach_false_primary)
			request(cfg, SHM_FO_NODE_DOWN, i, SHM_FO_FALSE_PRIMARY, "detaching false primary");
		else if (!nodes[i].primary && down && cfg->auto_failback &&
				 strcmp(nodes[i].state, "streaming") == 0 &&
				 time(NULL) - last_failback[i] >= cfg->auto_failback_interval)
		{
			last_failback[i] = time(NULL);
			request(cfg, SHM_FO_NODE_UP, i, 0, "auto_failback: standby streams from the primary");
		}
	}
}
