/*
 * Choosing a session's load-balance node, as pgpool does at session start: an app_name or
 * database redirect preference when one matches, else a weighted random draw over the usable
 * nodes (backend_weightN), leaving out standbys that lag beyond delay_threshold.
 */
#ifndef PGNG_CHILD_LB_SELECT_H
#define PGNG_CHILD_LB_SELECT_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "shmem/shmem.h"

/*
 * The node for the session's reads, or -1 when no node is usable. rnd1 and rnd2 are independent
 * uniform random numbers (passed in so that tests are repeatable): one for a preference's
 * probability, one for the weighted draw.
 */
int			lb_choose_node(const pool_config *cfg, const shm_backend_table *table, const char *database,
						   const char *application_name, uint32_t rnd1, uint32_t rnd2);

/*
 * Whether node i may take reads now: usable, within delay_threshold, and (once the sr check runs)
 * streaming from the primary. The primary always may.
 */
bool		lb_node_may_read(const pool_config *cfg, const shm_backend_table *table, int i);

#endif
