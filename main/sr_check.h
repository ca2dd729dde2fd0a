/*
 * The streaming-replication check process: every sr_check_period seconds it asks each backend
 * (sr_check_user) whether it is in recovery and how far its WAL is, and the primary which standbys
 * stream from it (pg_stat_replication, matched by backend_application_nameN). It records pg_role,
 * replication_delay (bytes behind the primary's current LSN), replication_state and sync_state in
 * the backend table (a standby absent from pg_stat_replication gets an empty state: not streaming),
 * logs delays per log_standby_delay, and requests detach_false_primary / auto_failback.
 */
#ifndef PGNG_MAIN_SR_CHECK_H
#define PGNG_MAIN_SR_CHECK_H

#include <stdbool.h>

#include "config/config.h"

/* Whether the process runs (streaming replication mode and sr_check_period > 0). */
bool		sr_check_wanted(const pool_config *cfg);

void		sr_check_main(const pool_config *cfg) __attribute__((noreturn));

#endif
