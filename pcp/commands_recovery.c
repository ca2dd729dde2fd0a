/*
 * pcp_recovery_node ('O'): checks the request as pgpool does, then runs the online recovery
 * (main/recovery.h: built in, or pgpool's recovery_1st_stage_command through the pgpool_recovery
 * extension) and answers when it has finished. With the watchdog, refused without a leader with
 * quorum; on a standby the recovery runs here but its attach goes to the leader (main/recovery.h).
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "main/recovery.h"
#include "net/sock.h"
#include "pcp/worker.h"
#include "shmem/shmem.h"

/* Time kept for sending the answer before the worker's end of life. */
#define ANSWER_MARGIN_MS 10000

bool
pcp_recovery_node_handler(pcp_worker *w, pcp_reader *r)
{
	int			node, status, leader;
	char		msg[96], err[256];
	recovery_result res;

	if (!pcp_read_int_field(r, &node))
		node = -1;
	if (node < 0 || node >= shm_num_backends())
	{
		snprintf(msg, sizeof(msg), "node id %d is not valid", node);
		pcp_worker_error(w, "process recovery request failed", msg);
		return true;
	}
	/* before anything: the node rebuilt here could not be attached for the cluster */
	if (pcp_node_request_route(w, "pcp_recovery_node", &leader, err, sizeof(err)) == WD_ROUTE_REFUSE)
	{
		pcp_worker_error(w, err, NULL);
		return true;
	}
	status = pcp_node_status(node);
	if (status == SHM_CON_UP || status == SHM_CON_CONNECT_WAIT)
	{
		snprintf(msg, sizeof(msg), "node recovery failed, node id: %d is alive", node);
		pcp_worker_error(w, msg, NULL);
		return true;
	}
	if (leader >= 0)
		log_info("PCP %s: online recovery of node %d requested; the watchdog leader (node %d) will "
				 "attach it", w->peer, node, leader);
	else
		log_info("PCP %s: online recovery of node %d requested", w->peer, node);
	if (recovery_run_with_deadline(w->cfg, node, w->end_of_life_ms - ANSWER_MARGIN_MS, &res) != 0)
	{
		pcp_worker_error(w, res.message[0] ? res.message : "node recovery failed",
						 res.detail[0] ? res.detail : NULL);
		return true;
	}
	log_info("PCP %s: node %d recovered and attached", w->peer, node);
	pcp_worker_complete(w, 'c');
	return true;
}
