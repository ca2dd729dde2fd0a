/*
 * The failover gate and vote counting (see consensus.h). The leader's side, which turns votes into
 * failover requests, is in consensus_leader.c.
 */
#include "watchdog/consensus.h"

#include <stdio.h>

#include "net/sock.h"
#include "watchdog/election.h"

#define WD_MIN_VOTE_HOLD_MS 15000

wd_gate
wd_gate_decide(bool use_watchdog, shm_failover_kind kind, unsigned int flags, bool view_ok,
			   int quorum_status, bool when_quorum_exists)
{
	/*
	 * operators' requests (PCP), the leader's own consensus request and a standby taking the
	 * leader's status (already decided there) are carried out as asked; a health check's and a
	 * child's (failover_on_backend_error) are votes, as in pgpool-II
	 */
	if (!use_watchdog || kind != SHM_FO_NODE_DOWN ||
		!(flags & (SHM_FO_HEALTH_CHECK | SHM_FO_BACKEND_ERROR)) ||
		(flags & (WD_FO_CONSENSUS | SHM_FO_FROM_LEADER)))
		return WD_GATE_PROCEED;
	if (!view_ok)
		return WD_GATE_REFUSED;
	if (quorum_status == WD_QUORUM_ABSENT)
		return when_quorum_exists ? WD_GATE_REFUSED : WD_GATE_PROCEED;
	return WD_GATE_VOTED;
}

wd_gate
wd_failover_gate(const pool_config *cfg, shm_failover_kind kind, int node, unsigned int flags,
				 char *err, size_t err_size)
{
	shm_wd_view v;
	bool		view_ok = false;
	wd_gate		g;

	if (cfg->use_watchdog && shm_wd_read(&v) == 0)
		view_ok = net_now_ms() - v.published_ms <= WD_VIEW_STALE_MS;
	g = wd_gate_decide(cfg->use_watchdog, kind, flags, view_ok, view_ok ? v.quorum_status : 0,
					   cfg->failover_when_quorum_exists);
	if (g == WD_GATE_VOTED)
		shm_wd_vote_down(node, net_now_ms());
	if (err == NULL || err_size == 0)
		return g;
	if (g == WD_GATE_VOTED)
		snprintf(err, err_size, "failover of node %d is decided by the watchdog leader: this node "
				 "voted for it (%s)", node, cfg->failover_require_consensus ?
				 "failover_require_consensus = on" : "the leader fails over on one vote");
	else if (g == WD_GATE_REFUSED)
		snprintf(err, err_size, view_ok ?
				 "failover of node %d refused: the watchdog cluster has no quorum "
				 "(failover_when_quorum_exists = on)" :
				 "failover of node %d refused: the watchdog has published no current cluster view",
				 node);
	return g;
}

int
wd_consensus_needed(int num_nodes, bool half_votes, bool require_consensus)
{
	return require_consensus ? wd_quorum_needed(num_nodes, half_votes) : 1;
}

int
wd_consensus_count(const uint8_t *const *voters, int num_nodes, int b)
{
	int			n = 0;

	if (b < 0 || b >= 8 * WD_WIRE_VOTE_BYTES)
		return 0;
	for (int i = 0; i < num_nodes; i++)
		if (voters[i] && (voters[i][b / 8] & (1u << (b % 8))))
			n++;
	return n;
}

int
wd_consensus_hold_ms(const pool_config *cfg)
{
	int			hold = WD_MIN_VOTE_HOLD_MS;

	for (int b = 0; b < cfg->num_backends; b++)
	{
		const cfg_health_check *h = &cfg->health_check_params[b];
		int			round = h->health_check_period +
			h->health_check_max_retries * (h->health_check_retry_delay + h->health_check_timeout);

		/* two rounds of the health check: a vote lasts while the check keeps failing */
		if (round > 0 && round < 3600 && 2000 * round > hold)
			hold = 2000 * round;
	}
	return hold;
}
