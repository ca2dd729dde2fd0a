/*
 * The health-check process of one backend node: every health_check_periodN seconds it connects
 * (libpq, non-blocking, health_check_timeoutN / connect_timeoutN), retries health_check_max_retriesN
 * times health_check_retry_delayN apart, keeps the node's statistics for SHOW
 * pool_health_check_stats, records pg_status, and asks for the node's failover when every attempt
 * failed.
 */
#ifndef PGNG_MAIN_HEALTH_CHECK_H
#define PGNG_MAIN_HEALTH_CHECK_H

#include "config/config.h"

/* Runs the check of node until SIGTERM; never returns. */
void		health_check_main(const pool_config *cfg, int node) __attribute__((noreturn));

/* Whether node gets a health-check process (configured and health_check_periodN > 0). */
int			health_check_wanted(const pool_config *cfg, int node);

#endif
