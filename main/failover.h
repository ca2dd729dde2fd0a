/*
 * The failover process: forked by the parent when the failover queue has work, it carries out the
 * requests one at a time (degenerate, failback, promote), runs the pgpool scripts, searches for the
 * new primary and has the standbys follow it, publishes every step in the backend table and
 * logdir/pgpool_status, then exits when the queue is empty. With the watchdog, only the leader runs
 * the scripts and promotes; a standby node's watchdog posts SHM_FO_FROM_LEADER requests that change
 * only this pgpool's view (node down with its sessions ended, node up, which node is the primary).
 */
/*
 * What a child must do (its side of failover):
 * - Once per statement (or per message), compare shm_backends_generation() with the generation of
 *   its last shm_backends_snapshot(); when it moved, take a new snapshot.
 * - A node whose status is SHM_CON_DOWN must get nothing more: close the session's and the pool's
 *   connections to it. A session that used a failed standby only for reads goes on on the remaining
 *   nodes; a session bound to the old primary (primary_node_id moved, or failover.primary_changes
 *   moved since the session began) ends with a clear FATAL and the client reconnects.
 * - While failover.switching is 1, a new session waits (bounded, e.g. up to connect_timeout) for it
 *   to clear before choosing its nodes, rather than sending writes to a standby.
 * - A standby is a read target only while replication_state is "streaming" (and within
 *   delay_threshold when set); "" means it does not stream from the primary.
 * - On SIGQUIT a child exits promptly even while it connects or authenticates to a backend; one that
 *   is still there 500 ms after a failover's SIGQUIT gets SIGKILL.
 * - With failover_on_backend_error, a child that fails to read from or write to a node, reads an
 *   end of stream the server did not announce (FATAL or 57P0x first), or cannot connect to it,
 *   calls failover_request(cfg, SHM_FO_NODE_DOWN, node, 0, ...) (child/backend_error.c); its
 *   session ends with FATAL 08006 naming the node, unless it was idle on a standby.
 */
#ifndef PGNG_MAIN_FAILOVER_H
#define PGNG_MAIN_FAILOVER_H

#include "config/config.h"

void		failover_main(const pool_config *cfg) __attribute__((noreturn));

/* Parent, after the failover process died mid-request: clears the switching flag it left set. */
void		failover_after_crash(void);

#endif
