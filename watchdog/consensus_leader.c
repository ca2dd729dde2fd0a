/*
 * The leader's failover decisions (see consensus_leader.h).
 */
#include "watchdog/consensus_leader.h"

#include <string.h>

#include "common/log.h"
#include "main/failover_request.h"
#include "shmem/shmem.h"
#include "watchdog/consensus.h"

void
wd_consensus_init(wd_consensus *c, const pool_config *cfg)
{
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->hold_ms = wd_consensus_hold_ms(cfg);
	if (cfg->allow_multiple_failover_requests_from_node)
		log_warning("watchdog: allow_multiple_failover_requests_from_node = on is not supported by "
					"pgpool-ng: every watchdog node counts once in a failover vote");
}

static bool
backend_up(const shm_backend_table *t, int b)
{
	return t->nodes[b].status != SHM_CON_DOWN && t->nodes[b].status != SHM_CON_UNUSED;
}

/* Our votes: those of the health checks, less those for backends already down here. */
static void
refresh_own(wd_consensus *c, const shm_backend_table *t, bool have_table, int64_t now_ms)
{
	for (int b = 0; have_table && b < c->cfg->num_backends && b < CFG_MAX_BACKENDS; b++)
		if (!backend_up(t, b))
			shm_wd_vote_down(b, 0);	/* withdrawn: a later failback must not meet an old vote */
	shm_wd_votes(c->own, sizeof(c->own), now_ms, c->hold_ms);
}

static void
request(wd_consensus *c, int b, int votes, int need, int64_t now_ms)
{
	char		err[256];
	int			rc;

	c->requested_ms[b] = now_ms;
	rc = failover_request(c->cfg, SHM_FO_NODE_DOWN, b, SHM_FO_HEALTH_CHECK | WD_FO_CONSENSUS, NULL,
						  err, sizeof(err));
	if (rc == FO_REQUEST_QUEUED)
		log_info("watchdog: failover of backend %d requested: %d watchdog nodes found it down "
				 "(%d needed)", b, votes, need);
	else
		log_warning("watchdog: failover of backend %d not queued: %s", b, err);
}

void
wd_consensus_turn(wd_consensus *c, const wd_members *m, const wd_timing *t, bool leading,
				  int64_t now_ms)
{
	shm_backend_table table;
	const uint8_t *voters[WD_MAX_NODES];
	bool		have_table = shm_backends_snapshot(&table) != 0;
	int			need = wd_consensus_needed(m->num_nodes, c->cfg->enable_consensus_with_half_votes,
										   c->cfg->failover_require_consensus);

	refresh_own(c, &table, have_table, now_ms);
	if (!leading || !have_table)
		return;
	for (int i = 0; i < m->num_nodes; i++)
	{
		int			st = i == m->self ? WD_STATE_LEADER : wd_members_peer_state(m, t, i, now_ms);
		bool		alive = st != WD_STATE_DEAD && st != WD_STATE_LOST && st != WD_STATE_SHUTDOWN;

		voters[i] = i == m->self ? c->own : alive ? m->peers[i].last.down_votes : NULL;
	}
	for (int b = 0; b < c->cfg->num_backends && b < 8 * WD_WIRE_VOTE_BYTES; b++)
	{
		int			votes = backend_up(&table, b) ? wd_consensus_count(voters, m->num_nodes, b) : 0;

		if (votes != c->shown_count[b] && votes > 0)
			log_info("watchdog: backend %d: %d of %d watchdog nodes vote to fail it over "
					 "(%d needed)", b, votes, m->num_nodes, need);
		c->shown_count[b] = votes;
		if (votes >= need && votes > 0 && now_ms - c->requested_ms[b] >= WD_CONSENSUS_RETRY_MS)
			request(c, b, votes, need, now_ms);
	}
}
