/*
 * PCP attach, detach and promote on a standby watchdog node: sent to the watchdog leader
 * (watchdog/node_request.h), which carries them out for the whole cluster, instead of carried out
 * here, where the leader's backend status would undo them. Answered once this node's backend table
 * shows the result (the standby takes it from the leader), within a bound; refused when the
 * watchdog cluster has no leader with quorum (so is pcp_recovery_node, commands_recovery.c).
 */
#include <stdio.h>

#include "pcp/worker.h"
#include "watchdog/node_request.h"

wd_route
pcp_node_request_route(pcp_worker *w, const char *tool, int *leader, char *err, size_t err_size)
{
	wd_route	route = wd_node_request_route_now(w->cfg, leader);

	if (route == WD_ROUTE_REFUSE)
		snprintf(err, err_size, "%s: the watchdog cluster has no leader with quorum; node requests "
				 "are refused (carried out on this node only, the leader's backend status would "
				 "undo them)", tool);
	return route;
}

bool
pcp_forward_to_leader(pcp_worker *w, shm_failover_kind kind, int node, unsigned int flags,
					  int leader, char *err, size_t err_size)
{
	char		who[sizeof(w->peer) + 8];
	wd_node_forward f = {.kind = kind, .node = node, .flags = flags, .leader = leader,
		.wait_ms = kind == SHM_FO_PROMOTE ? WD_FORWARD_PROMOTE_WAIT_MS : WD_FORWARD_WAIT_MS,
	.what = wd_node_request_tool(kind), .who = who};

	snprintf(who, sizeof(who), "PCP %s", w->peer);
	return wd_node_request_forward_with_deadline(&f, err, err_size) == 0;
}
