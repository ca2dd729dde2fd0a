/*
 * The failover process: forked by the parent when the failover queue has work, it carries out the
 * requests one at a time (degenerate, failback, promote), runs the pgpool scripts, searches for the
 * new primary and has the standbys follow it, publishes every step in the backend table and
 * logdir/pgpool_status, then exits when the queue is empty.
 */
#ifndef PGNG_MAIN_FAILOVER_H
#define PGNG_MAIN_FAILOVER_H

#include "config/config.h"

void		failover_main(const pool_config *cfg) __attribute__((noreturn));

/* Parent, after the failover process died mid-request: clears the switching flag it left set. */
void		failover_after_crash(void);

#endif
