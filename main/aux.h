/*
 * The parent's auxiliary processes: one health check per backend, the sr check, and the failover
 * process while the failover queue has work. Forked, reaped and replaced by the parent loop; none of
 * this blocks the parent.
 */
#ifndef PGNG_MAIN_AUX_H
#define PGNG_MAIN_AUX_H

#include <stdbool.h>
#include <sys/types.h>

#include "config/config.h"

typedef struct aux_procs
{
	const pool_config *cfg;
	pid_t		health_check[CFG_MAX_BACKENDS];
	pid_t		sr_check;
	pid_t		failover;
	bool		running;		/* false once shutting down: nothing is forked any more */
} aux_procs;

void		aux_init(aux_procs *aux, const pool_config *cfg);

/* Forks what is missing: checks per the configuration, the failover process when work waits. */
void		aux_fill(aux_procs *aux);

/* A reaped pid: true when it was one of ours (its slot is freed; aux_fill replaces it). */
bool		aux_reaped(aux_procs *aux, pid_t pid, int status);

/* After a reload: the checks are restarted so that they run with the new values. */
void		aux_restart_checks(aux_procs *aux);

/* Shutdown: stops forking and sends SIGTERM to every auxiliary process. */
void		aux_stop(aux_procs *aux);
int			aux_live_count(const aux_procs *aux);

#endif
