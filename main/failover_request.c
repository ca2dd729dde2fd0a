/*
 * Failover requests (see failover_request.h): validation against the configuration and the backend
 * table, then the shared queue and a wake-up of the parent.
 */
#include "main/failover_request.h"

#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "common/util.h"
#include "watchdog/consensus.h"

#define QUEUE_LOCK_TIMEOUT_MS 1000

static int
invalid(char *err, size_t err_size, const char *fmt, int node, int status)
{
	if (err && err_size > 0)
		snprintf(err, err_size, fmt, node, status);
	return FO_REQUEST_INVALID;
}

static int
check_request(const pool_config *cfg, shm_failover_kind kind, int node, unsigned int flags,
			  char *err, size_t err_size)
{
	shm_backend_table t;

	if (node < 0 || node >= cfg->num_backends || cfg->backends[node].port == 0)
		return invalid(err, err_size, "node id %d is not valid", node, 0);
	if (kind != SHM_FO_NODE_DOWN)
		return 0;
	if (shm_backends_snapshot(&t) == 0)
		return invalid(err, err_size, "could not read the backend table (node %d)", node, 0);
	if (t.nodes[node].status == SHM_CON_DOWN || t.nodes[node].status == SHM_CON_UNUSED)
		return invalid(err, err_size,
					   "invalid degenerate backend request, node id : %d status: [%d] is not valid for failover",
					   node, t.nodes[node].status);
	if ((cfg_backend_flags(cfg, node) & CFG_BACKEND_DISALLOW_TO_FAILOVER) && !(flags & SHM_FO_FROM_LEADER))
		return invalid(err, err_size, "node %d is DISALLOW_TO_FAILOVER (backend_flag%d)", node, node);
	return 0;
}

int
failover_request(const pool_config *cfg, shm_failover_kind kind, int node, unsigned int flags,
				 uint64_t *id_out, char *err, size_t err_size)
{
	return failover_request_with_deadline(cfg, kind, node, flags, QUEUE_LOCK_TIMEOUT_MS, id_out,
										  err, err_size);
}

int
failover_request_with_deadline(const pool_config *cfg, shm_failover_kind kind, int node,
							   unsigned int flags, int lock_ms, uint64_t *id_out, char *err,
							   size_t err_size)
{
	shm_failover_request req = {0};
	bool		coalesced;

	if (kind != SHM_FO_NODE_DOWN && kind != SHM_FO_NODE_UP && kind != SHM_FO_PROMOTE)
		return invalid(err, err_size, "unknown failover request kind for node %d", node, 0);
	if (check_request(cfg, kind, node, flags, err, err_size) != 0)
		return FO_REQUEST_INVALID;
	/* with the watchdog, a health check's request is a vote the leader decides on (consensus.h) */
	if (wd_failover_gate(cfg, kind, node, flags, err, err_size) != WD_GATE_PROCEED)
		return FO_REQUEST_INVALID;
	req.kind = kind;
	req.node = node;
	req.flags = flags;
	if (shm_failover_push(&req, lock_ms, &coalesced) != 0)
	{
		if (err && err_size > 0)
			snprintf(err, err_size, "the failover queue is full or locked (node %d)", node);
		return FO_REQUEST_BUSY;
	}
	if (id_out)
		*id_out = req.id;
	if (shm_parent_pid() > 0)
		kill(shm_parent_pid(), SIGUSR1);
	return FO_REQUEST_QUEUED;
}

int
failover_request_wait_with_deadline(uint64_t id, int timeout_ms)
{
	struct timespec step = {0, 20 * 1000 * 1000};
	int			waited = 0;

	while (shm_failover_done_id() < id)
	{
		if (waited >= timeout_ms)
			return -1;
		nanosleep(&step, NULL);
		waited += 20;
	}
	return 0;
}
