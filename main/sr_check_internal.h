/*
 * Internal to the sr check: what one round learnt about each node, and what is done with it
 * (sr_check_act.c).
 */
#ifndef PGNG_MAIN_SR_CHECK_INTERNAL_H
#define PGNG_MAIN_SR_CHECK_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "shmem/shmem.h"

struct pg_conn;

#define SR_QUERY_TIMEOUT_MS 5000

typedef struct sr_node
{
	bool		answered;
	bool		primary;		/* pg_is_in_recovery() = false */
	uint64_t	lsn;			/* current WAL (primary) or replayed WAL (standby) */
	int64_t		delay;			/* bytes behind the primary, or ms with delay_threshold_by_time */
	int64_t		lag_ms;			/* pg_stat_replication.replay_lag on the primary (0 when NULL) */
	char		state[SHM_REPL_STATE_SIZE]; /* from the primary's pg_stat_replication; "" if absent */
	char		sync_state[SHM_REPL_STATE_SIZE];
} sr_node;

/* Writes pg_role, delay, state and sync state into the backend table. */
void		sr_record(const sr_node *nodes, int n, int primary);

/* log_standby_delay */
void		sr_log_delays(const pool_config *cfg, const shm_backend_table *t, const sr_node *nodes,
						  int primary);

/*
 * No primary is known (a search that timed out, at start or in a failover): the one live node that
 * is not in recovery becomes the primary. Returns the primary now known, or -1.
 */
int			sr_adopt_primary(const shm_backend_table *t, const sr_node *nodes);

/*
 * The sr check's open connection to node (asked this round), or NULL; others may borrow it for a
 * query with a deadline, and report with sr_conn_broken when it failed them.
 */
struct pg_conn *sr_conn(int node);
void		sr_conn_broken(int node);

/* detach_false_primary and auto_failback requests; the fence of a second primary. */
void		sr_act(const pool_config *cfg, const shm_backend_table *t, const sr_node *nodes, int primary,
				   time_t *last_failback);

#endif
