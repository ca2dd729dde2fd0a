/*
 * Internal to the failover process: the request handlers (failover_steps.c) and the small steps
 * they share (failover.c).
 */
#ifndef PGNG_MAIN_FAILOVER_INTERNAL_H
#define PGNG_MAIN_FAILOVER_INTERNAL_H

#include <stdbool.h>

#include "config/config.h"
#include "main/failover_command.h"
#include "shmem/shmem.h"

/* How long one failover, follow or failback command may run before it is killed. */
#define FO_COMMAND_TIMEOUT_S 300
/* How long a standby may take to stream from the new primary after following it. */
#define FO_FOLLOW_TIMEOUT_MS 60000

typedef void (*fo_edit_fn) (shm_backend_table *t, const void *arg);

/* Edits the backend table with fn under its lock (bounded); false when the lock was not had. */
bool		fo_edit(const fo_edit_fn fn, const void *arg);
/* node >= 0: a request on node begins; -1: it ended (counted). */
void		fo_switching(int node);
/* Sets a node's status (down also clears it as primary) and rewrites pgpool_status. */
void		fo_set_status(const pool_config *cfg, int node, int status);
/* Makes primary the primary and main node, every other node a standby (pgpool's view). */
void		fo_set_primary(int primary);
/* Lowest configured node not down and not skip, or -1. */
int			fo_first_usable(const pool_config *cfg, const shm_backend_table *t, int skip);
/*
 * Ends (SIGQUIT, SIGKILL after a grace) children because node was failed over: with primary, every
 * child serving a session and every child holding a connection to it; otherwise only idle children
 * that cache a connection to it. The parent forks new ones.
 */
void		fo_end_sessions_on(int node, bool primary);
/* Expands and runs a command template (nothing to do when empty: 0). */
int			fo_run_command(const pool_config *cfg, const char *what, const char *templ,
						   const fo_command_vars *v);

/*
 * Handlers. new_main -1: pgpool's choice (lowest live node). With SHM_FO_FROM_LEADER in flags only
 * this pgpool's view changes: no command, no promotion, no primary search.
 */
void		fo_degenerate(const pool_config *cfg, int node, int new_main, unsigned int flags);
void		fo_failback(const pool_config *cfg, int node, unsigned int flags);
void		fo_promote(const pool_config *cfg, int node, unsigned int flags);

/*
 * builtin_failover (failover_builtin.c): promotes the best standby (or wanted, when >= 0) after the
 * primary `failed` went, and has the others follow it. Returns the new primary or -1.
 */
int			fo_builtin_failover(const pool_config *cfg, int failed, int wanted);

#endif
