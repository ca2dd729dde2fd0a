/*
 * The watchdog process's side of failover consensus (see consensus.h): it reads this node's votes
 * from shared memory for its heartbeats and, while it leads with quorum, counts every alive node's
 * votes and queues the failover of a backend once enough agree.
 */
#ifndef PGNG_WATCHDOG_CONSENSUS_LEADER_H
#define PGNG_WATCHDOG_CONSENSUS_LEADER_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "watchdog/membership.h"
#include "watchdog/wire.h"

#define WD_CONSENSUS_RETRY_MS 5000	/* a failover the leader queued is not asked for again sooner */

typedef struct wd_consensus
{
	const pool_config *cfg;
	int			hold_ms;
	uint8_t		own[WD_WIRE_VOTE_BYTES];	/* this node's votes, as the heartbeat carries them */
	int64_t		requested_ms[CFG_MAX_BACKENDS];
	int			shown_count[CFG_MAX_BACKENDS];	/* last count logged */
} wd_consensus;

void		wd_consensus_init(wd_consensus *c, const pool_config *cfg);

/* One turn: refresh our votes; when leading (with quorum), act on everybody's. Never blocks long. */
void		wd_consensus_turn(wd_consensus *c, const wd_members *m, const wd_timing *t, bool leading,
							  int64_t now_ms);

#endif
