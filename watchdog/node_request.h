/*
 * PCP node requests on a standby watchdog node (pcp_attach_node, pcp_detach_node, pcp_promote_node)
 * are carried out by the leader for the whole cluster, as in pgpool-II: carried out locally, the
 * leader's backend status (backend_sync.c) would undo them a moment later. PCP posts the request in
 * shared memory; the watchdog puts it on its heartbeats, addressed to the leader PCP saw, for
 * WD_CLUSTER_REPEAT_MS (UDP may lose some); that node, only while it leads, queues it once in its
 * own failover queue with the flags PCP gave, so that its failover process runs the scripts or the
 * builtin failover; the standbys then take the result from its heartbeats. As with cluster
 * commands, a request is taken only from an incarnation of the sender known before it and given
 * within WD_CLUSTER_MAX_AGE_S of the leader's clock.
 */
#ifndef PGNG_WATCHDOG_NODE_REQUEST_H
#define PGNG_WATCHDOG_NODE_REQUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "shmem/shmem.h"
#include "watchdog/election.h"
#include "watchdog/wire.h"

typedef enum
{
	WD_ROUTE_LOCAL,				/* no watchdog, or this node leads with quorum: carry it out here */
	WD_ROUTE_LEADER,			/* a standby of a leader with quorum: send it there */
	WD_ROUTE_REFUSE				/* no leader with quorum (or no current view): it would be undone */
} wd_route;

/*
 * Pure decision (unit-tested): where a PCP node request goes. v: the watchdog's view, NULL when
 * none is current. *leader gets the leader's node id for WD_ROUTE_LEADER (else -1).
 */
wd_route	wd_node_request_route(bool use_watchdog, const shm_wd_view *v, int *leader);

/* PCP: the decision above on the current shared-memory view. */
wd_route	wd_node_request_route_now(const pool_config *cfg, int *leader);

/*
 * PCP: posts the request for the watchdog to send to leader. An earlier one not yet taken by the
 * watchdog (one turn, 100 ms) is waited for at most wait_ms. 0 when posted, -1 otherwise.
 */
int			wd_node_request_post_with_deadline(shm_failover_kind kind, int node, unsigned int flags,
											   int leader, int wait_ms);

/* How long the asker waits for its own backend table to show the leader's result. */
#define WD_FORWARD_WAIT_MS (30 * 1000)
#define WD_FORWARD_PROMOTE_WAIT_MS (120 * 1000)	/* a switchover waits for the standbys' WAL */

/* A node request sent to the leader by a standby (PCP, or the online recovery's attach). */
typedef struct wd_node_forward
{
	shm_failover_kind kind;
	int			node;
	unsigned int flags;			/* SHM_FO_SWITCHOVER, SHM_FO_GRACEFUL */
	int			leader;			/* from wd_node_request_route_now() */
	int			wait_ms;		/* for this node's table to show the result */
	const char *what;			/* names it in err and the log: "pcp_attach_node" */
	const char *who;			/* the asker, for the log: "PCP 127.0.0.1:40000" */
} wd_node_forward;

/*
 * Posts f for the watchdog to send to the leader and waits, bounded, until this node's backend
 * table (which a standby takes from the leader) shows the result: the node down, up, or the
 * primary. An attach or promote already shown answers once posted. 0 then; -1 with err (naming
 * the leader) when the watchdog did not take it or the table did not show it in time.
 */
int			wd_node_request_forward_with_deadline(const wd_node_forward *f, char *err,
												  size_t err_size);

/* The watchdog's side: the request our heartbeats carry, and what it acted on as the leader. */
typedef struct wd_node_requests
{
	const pool_config *cfg;
	uint8_t		kind;			/* shm_failover_kind carried, 0: none */
	int32_t		node;
	uint32_t	flags;
	int32_t		to;				/* the leader it is for */
	uint32_t	id;				/* increases with every request of this incarnation */
	int64_t		time;
	int64_t		until_ms;		/* carried until then */
	uint64_t	acted_boot[WD_MAX_NODES];	/* per sender: the last request queued here */
	uint32_t	acted_id[WD_MAX_NODES];
} wd_node_requests;

void		wd_node_request_init(wd_node_requests *r, const pool_config *cfg);

/*
 * Takes a request PCP posted, once the one carried before is done; true when there is a new one
 * (send a heartbeat now).
 */
bool		wd_node_request_take(wd_node_requests *r, int64_t now_ms, time_t now_wall);

/* Whether our heartbeats still carry a request. */
bool		wd_node_request_active(const wd_node_requests *r, int64_t now_ms);

/* Puts the request (if still carried) on msg; no request otherwise. */
void		wd_node_request_fill(const wd_node_requests *r, wd_msg *msg, int64_t now_ms);

/*
 * Pure decision (unit-tested): queue msg's request here? self: our node id; leading: we lead with
 * quorum; known_incarnation: the sender's boot id was known before this message.
 */
bool		wd_node_request_should_act(const wd_node_requests *r, const wd_msg *msg,
									   bool known_incarnation, int self, bool leading,
									   time_t now_wall);

/*
 * A peer's accepted message: queues a new request for us in our failover queue (lock awaited at
 * most WD_SYNC_LOCK_MS; a busy queue is tried again on the request's next repeat).
 */
void		wd_node_request_receive(wd_node_requests *r, const wd_msg *msg, bool known_incarnation,
									int self, bool leading, time_t now_wall);

/* "pcp_detach_node" and so on, for the log. */
const char *wd_node_request_tool(int kind);

#endif
