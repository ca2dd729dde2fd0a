/*
 * Asking for a failover, failback or promotion: what health check, sr check, children
 * (failover_on_backend_error) and the PCP server call. Requests are checked here, queued in shared
 * memory and carried out one at a time by the failover process the parent drives; nothing here
 * blocks longer than the deadline the caller gives.
 */
#ifndef PGNG_MAIN_FAILOVER_REQUEST_H
#define PGNG_MAIN_FAILOVER_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "shmem/shmem.h"

/* Results of failover_request */
#define FO_REQUEST_QUEUED 0		/* queued (or merged with the same pending request) */
#define FO_REQUEST_INVALID (-1)	/* refused; err says why, in pgpool's words */
#define FO_REQUEST_BUSY (-2)	/* queue full or its lock not free within the deadline */

/*
 * Checks and queues a request, then wakes the parent (SIGUSR1).
 *   SHM_FO_NODE_DOWN  node must be configured and not already down, and not DISALLOW_TO_FAILOVER
 *                     (err: "invalid degenerate backend request, node id : N status: [3] is not
 *                     valid for failover" for a node already down)
 *   SHM_FO_NODE_UP    node must be configured (attaching a node that is up is accepted, as pgpool does)
 *   SHM_FO_PROMOTE    node must be configured; flags SHM_FO_SWITCHOVER for pcp_promote_node -s
 * With SHM_FO_FROM_LEADER (a standby watchdog node following the leader) DISALLOW_TO_FAILOVER is
 * not looked at: the leader has already decided.
 * flags: SHM_FO_* bits (SHM_FO_GRACEFUL for -g). *id_out (may be NULL) gets the request id for
 * failover_request_wait_with_deadline. err may be NULL.
 */
int			failover_request(const pool_config *cfg, shm_failover_kind kind, int node,
							 unsigned int flags, uint64_t *id_out, char *err, size_t err_size);

/*
 * The same with the queue lock awaited at most lock_ms (failover_request: 1 s). The watchdog loop
 * uses a short one and tries again on a later turn when it gets FO_REQUEST_BUSY.
 */
int			failover_request_with_deadline(const pool_config *cfg, shm_failover_kind kind, int node,
										   unsigned int flags, int lock_ms, uint64_t *id_out,
										   char *err, size_t err_size);

/*
 * Waits until request id has been carried out (the failover process has finished it, commands
 * included), at most timeout_ms. 0 when done, -1 on timeout.
 */
int			failover_request_wait_with_deadline(uint64_t id, int timeout_ms);

#endif
