/*
 * Failover consensus between watchdog nodes (failover_when_quorum_exists, failover_require_consensus,
 * enable_consensus_with_half_votes). A health check that finds a backend down does not fail it over
 * itself: it records a vote in shared memory (wd_failover_gate), the watchdog sends its votes in every
 * heartbeat, and only the leader with quorum queues the failover, once enough nodes agree. A node
 * without quorum refuses (or, with failover_when_quorum_exists = off, fails over on its own, as pgpool).
 */
#ifndef PGNG_WATCHDOG_CONSENSUS_H
#define PGNG_WATCHDOG_CONSENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "shmem/shmem.h"
#include "watchdog/wire.h"

/* A published watchdog view older than this is no view (the watchdog is stuck). */
#define WD_VIEW_STALE_MS 3000

/* Flag on the failover request the leader's watchdog posts once the votes agree. */
#define WD_FO_CONSENSUS 0x100u

typedef enum
{
	WD_GATE_PROCEED,			/* not the watchdog's business, or no quorum needed: queue it */
	WD_GATE_VOTED,				/* vote recorded; the leader fails over when enough nodes agree */
	WD_GATE_REFUSED				/* no quorum (failover_when_quorum_exists), or no watchdog view */
} wd_gate;

/* Pure decision (unit-tested): view_ok false when the watchdog has published no fresh view. */
wd_gate		wd_gate_decide(bool use_watchdog, shm_failover_kind kind, unsigned int flags,
						   bool view_ok, int quorum_status, bool when_quorum_exists);

/*
 * What main/failover_request.c asks before queuing: the decision above on the current view; on
 * WD_GATE_VOTED the vote is recorded. err says why for VOTED and REFUSED.
 */
wd_gate		wd_failover_gate(const pool_config *cfg, shm_failover_kind kind, int node,
							 unsigned int flags, char *err, size_t err_size);

/* Votes needed: a quorum of nodes with failover_require_consensus, else one. */
int			wd_consensus_needed(int num_nodes, bool half_votes, bool require_consensus);

/* Nodes voting for backend b: voters[i] is node i's vote bitmap, NULL for a node not counted. */
int			wd_consensus_count(const uint8_t *const *voters, int num_nodes, int b);

/* How long a vote holds after the health check's last request, from the health-check timings. */
int			wd_consensus_hold_ms(const pool_config *cfg);

#endif
