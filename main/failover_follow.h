/*
 * What the failover process asks PostgreSQL, with sr_check_user's credentials and bounded waits:
 * which live node is the primary, and whether a standby streams from it.
 */
#ifndef PGNG_MAIN_FAILOVER_FOLLOW_H
#define PGNG_MAIN_FAILOVER_FOLLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "shmem/shmem.h"

/* The login the checks use (sr_check_user / password / database). */
struct pgc_login;
void		fo_sr_login(const pool_config *cfg, struct pgc_login *login, const char *app);

/*
 * Looks for a node that answers pg_is_in_recovery() = false among the nodes of t that are not down
 * and not `skip`, every 200 ms until deadline_ms. Returns it, or -1.
 */
int			fo_search_primary_with_deadline(const pool_config *cfg, const shm_backend_table *t, int skip,
											int64_t deadline_ms);

/* Whether node streams from primary (pg_stat_replication on primary, by backend_application_nameN). */
bool		fo_streaming_from(const pool_config *cfg, int primary, int node, int64_t deadline_ms);

/* Waits until node streams from primary, polling, up to deadline_ms. */
bool		fo_wait_streaming(const pool_config *cfg, int primary, int node, int64_t deadline_ms);

#endif
