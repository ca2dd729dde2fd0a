/*
 * PCP attach, detach and promote on a standby watchdog node: sent to the watchdog leader
 * (watchdog/node_request.h), which carries them out for the whole cluster, instead of carried out
 * here, where the leader's backend status would undo them. Answered once this node's backend table
 * shows the result (the standby takes it from the leader), within a bound; refused when the
 * watchdog cluster has no leader with quorum.
 */
#include <stdio.h>
#include <time.h>

#include "common/log.h"
#include "net/sock.h"
#include "pcp/worker.h"
#include "shmem/shmem.h"
#include "watchdog/cluster_command.h"
#include "watchdog/node_request.h"

#define FORWARD_WAIT_MS (30 * 1000)
#define FORWARD_PROMOTE_WAIT_MS (120 * 1000)	/* a switchover waits for the standbys' WAL */
#define FORWARD_POST_WAIT_MS (WD_CLUSTER_REPEAT_MS + 1500)	/* for an earlier request to go */
#define FORWARD_POLL_MS 100

wd_route
pcp_node_request_route(pcp_worker *w, shm_failover_kind kind, int *leader, char *err,
					   size_t err_size)
{
	wd_route	route = wd_node_request_route_now(w->cfg, leader);

	if (route == WD_ROUTE_REFUSE)
		snprintf(err, err_size, "%s: the watchdog cluster has no leader with quorum; node requests "
				 "are refused (carried out on this node only, the leader's backend status would "
				 "undo them)", wd_node_request_tool(kind));
	return route;
}

/* Whether our backend table shows what the request asks for. */
static bool
table_shows(shm_failover_kind kind, int node)
{
	shm_backend_table t;
	int			status;

	if (shm_backends_snapshot(&t) == 0 || t.failover.switching || node >= t.num_backends)
		return false;
	status = t.nodes[node].status;
	if (kind == SHM_FO_NODE_DOWN)
		return status == SHM_CON_DOWN;
	if (kind == SHM_FO_NODE_UP)
		return status != SHM_CON_DOWN && status != SHM_CON_UNUSED;
	/* as pgpool, promoting a node that is down is answered at once; the leader logs why not */
	return t.primary_node_id == node || status == SHM_CON_DOWN || status == SHM_CON_UNUSED;
}

static bool
wait_until_shown_with_deadline(shm_failover_kind kind, int node, int wait_ms)
{
	int64_t		deadline = net_deadline_after(wait_ms);
	struct timespec step = {0, FORWARD_POLL_MS * 1000 * 1000};

	while (!table_shows(kind, node))
	{
		if (net_now_ms() >= deadline)
			return false;
		nanosleep(&step, NULL);
	}
	return true;
}

bool
pcp_forward_to_leader(pcp_worker *w, shm_failover_kind kind, int node, unsigned int flags,
					  int leader, char *err, size_t err_size)
{
	const char *tool = wd_node_request_tool(kind);
	int			wait_ms = kind == SHM_FO_PROMOTE ? FORWARD_PROMOTE_WAIT_MS : FORWARD_WAIT_MS;
	bool		already = kind != SHM_FO_NODE_DOWN && table_shows(kind, node);
	int64_t		t0 = net_now_ms();

	if (wd_node_request_post_with_deadline(kind, node, flags, leader, FORWARD_POST_WAIT_MS) != 0)
	{
		snprintf(err, err_size, "%s: the watchdog did not take the request within %d ms (another "
				 "node request is being sent to the leader)", tool, FORWARD_POST_WAIT_MS);
		return false;
	}
	log_info("PCP %s: %s for node %d sent to the watchdog leader (node %d)", w->peer, tool, node,
			 leader);
	if (already)
		return true;
	if (!wait_until_shown_with_deadline(kind, node, wait_ms))
	{
		snprintf(err, err_size, "%s: the watchdog leader (node %d) did not carry out the request "
				 "within %d s", tool, leader, wait_ms / 1000);
		return false;
	}
	log_info("PCP %s: the watchdog leader (node %d) carried out %s for node %d; shown here after "
			 "%lld ms", w->peer, leader, tool, node, (long long) (net_now_ms() - t0));
	return true;
}
