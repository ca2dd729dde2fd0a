/*
 * At start-up: ask each configured backend whether it is in recovery, and record in shared memory
 * which nodes answered and which one is the primary. (The continuous check, and failover, belong to
 * the streaming-replication check process.)
 */
#ifndef PGNG_PRIMARY_SEARCH_H
#define PGNG_PRIMARY_SEARCH_H

#include "config/config.h"

/* Returns the primary's node id, or -1 when none answered as primary. */
int			primary_search_at_start(const pool_config *cfg);

#endif
