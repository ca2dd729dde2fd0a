/*
 * Standby watchdog nodes take the backend status from the leader, as in pgpool: every heartbeat
 * carries the sender's backend view (up/down per node, the primary); a standby that finds the view
 * of its leader (with quorum) different from its own, and steady for a moment, queues status-only
 * requests (SHM_FO_FROM_LEADER) so that only the leader runs scripts and promotes.
 */
#ifndef PGNG_WATCHDOG_BACKEND_SYNC_H
#define PGNG_WATCHDOG_BACKEND_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "shmem/shmem.h"
#include "watchdog/membership.h"
#include "watchdog/wire.h"

#define WD_SYNC_STEADY_MS 1000	/* the leader's view must stay the same this long before we act */
#define WD_SYNC_RETRY_MS 3000	/* a request for one difference is not posted again sooner */
#define WD_SYNC_LOCK_MS 50		/* the failover queue's lock, awaited at most this long per turn */

typedef struct wd_backend_sync
{
	const pool_config *cfg;
	int			leader;			/* whose view is below, -1: none */
	uint64_t	leader_boot;
	uint8_t		count;			/* the view last seen (wire fields) */
	int32_t		primary;
	uint8_t		up[WD_WIRE_VOTE_BYTES];
	int64_t		steady_since_ms;
	int64_t		requested_ms[CFG_MAX_BACKENDS];	/* down/up posted for a node */
	int64_t		primary_requested_ms;
	bool		count_warned;	/* the leader has another number of backends: said once */
	wd_msg		sent;			/* our own view as last put into a heartbeat (backend fields) */
} wd_backend_sync;

typedef enum
{
	WD_SYNC_NONE = 0,
	WD_SYNC_DOWN,				/* the leader has the node down, we have it up */
	WD_SYNC_UP,					/* the leader has it up, we have it down */
} wd_sync_diff;

void		wd_backend_sync_init(wd_backend_sync *s, const pool_config *cfg);

/* Our backend view into a heartbeat (none while our failover process is switching). */
void		wd_backend_sync_fill(wd_msg *msg);

/*
 * True when our view differs from the one last checked: the heartbeat then goes out at once, so
 * that the standbys do not wait for the next keepalive.
 */
bool		wd_backend_sync_moved(wd_backend_sync *s);

/* Pure (unit-tested): how backend b of the leader's view (msg) differs from our table. */
wd_sync_diff wd_backend_sync_diff(const wd_msg *leader, const shm_backend_table *t, int b);

/*
 * One turn of the watchdog loop: when we are a standby of a leader with quorum whose view has been
 * steady for WD_SYNC_STEADY_MS, one request per difference. Never waits longer than WD_SYNC_LOCK_MS.
 */
void		wd_backend_sync_turn(wd_backend_sync *s, const wd_members *m, const wd_timing *t,
								 int local_state, int leader, int64_t now_ms);

#endif
