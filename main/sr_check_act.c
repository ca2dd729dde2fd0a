/*
 * What the sr check does with a round's answers: record them, log delays, request the detach of a
 * false primary and the failback of a standby that streams again; fence a detached second primary
 * (fence.c).
 */
#include <inttypes.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "main/failover_request.h"
#include "main/fence.h"
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
		bool		by_time = cfg->delay_threshold_by_time > 0;
		int64_t		limit = by_time ? cfg->delay_threshold_by_time : cfg->delay_threshold;
		bool		over = limit > 0 && nodes[i].delay > limit;

		if (i == primary || !nodes[i].answered || nodes[i].primary)
			continue;
		if ((cfg->log_standby_delay == CFG_LSD_ALWAYS || over) && by_time)
			log_info("Replication of node: %d is behind %.3f second(s) from the primary server "
					 "(node: %d)", i, (double) nodes[i].delay / 1000.0, primary);
		else if (cfg->log_standby_delay == CFG_LSD_ALWAYS || over)
			log_info("Replication of node: %d is behind %" PRId64 " bytes from the primary server "
					 "(node: %d)", i, nodes[i].delay, primary);
	}
}

/* Whether node may be taken as the primary: attached, and it says it is not in recovery. */
static bool
may_adopt(const shm_backend *b, const sr_node *s)
{
	return s->answered && s->primary && b->status != SHM_CON_DOWN && b->status != SHM_CON_UNUSED;
}

typedef struct adopt_arg
{
	int			node;
	bool		done;
} adopt_arg;

/* Under the table's lock, and only if still nobody else set a primary or runs a failover. */
static void
set_adopted(shm_backend_table *t, adopt_arg *a)
{
	if (t->primary_node_id >= 0 || t->failover.switching || t->nodes[a->node].status == SHM_CON_DOWN)
		return;
	t->primary_node_id = a->node;
	t->main_node_id = a->node;
	/* sessions that began without a primary may sit on a standby: they end, as after a failover */
	t->failover.primary_changes++;
	for (int i = 0; i < t->num_backends; i++)
		t->nodes[i].role = i == a->node ? SHM_ROLE_PRIMARY : SHM_ROLE_STANDBY;
	a->done = true;
}

int
sr_adopt_primary(const shm_backend_table *t, const sr_node *nodes)
{
	static int	warned_two = -1;
	adopt_arg	a = {-1, false};
	shm_backend_table *edit;

	if (t->failover.switching)
		return -1;
	for (int i = 0; i < t->num_backends; i++)
		if (may_adopt(&t->nodes[i], &nodes[i]))
		{
			if (a.node >= 0)
			{
				/* two writable nodes: taking either could lose the other's writes */
				if (warned_two != i)
					log_warning("sr check: no primary is known and nodes %d and %d both say they are "
								"not in recovery; taking neither", a.node, i);
				warned_two = i;
				return -1;
			}
			a.node = i;
		}
	if (a.node < 0 || (edit = shm_backends_edit_begin_with_deadline(1000)) == NULL)
		return -1;
	set_adopted(edit, &a);
	shm_backends_edit_commit();
	if (!a.done)
		return -1;
	log_info("sr check: no primary was known; node %d is not in recovery and is now the primary", a.node);
	return a.node;
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

	bool		may_fence;

	if (!primary_ok || t->failover.switching)
		return;
	may_fence = fence_may_act(cfg);
	for (int i = 0; i < t->num_backends; i++)
	{
		bool		down = t->nodes[i].status == SHM_CON_DOWN;

		if (i == primary || !nodes[i].answered || t->nodes[i].status == SHM_CON_UNUSED)
			continue;
		if (nodes[i].primary && down && may_fence)
			fence_second_primary(cfg, sr_conn(i), i, primary);
		else if (nodes[i].primary && !down && cfg->detach_false_primary)
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
