/*
 * The watchdog process and the parent's handle on it. The parent forks it when use_watchdog is on
 * and forks it again when it dies; nobody ever waits on it: it publishes the cluster view in shared
 * memory (shm_wd_read) and that is all the rest of pgpool-ng reads.
 */
#ifndef PGNG_WATCHDOG_H
#define PGNG_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"

/* The parent forks a new watchdog no sooner than this after the previous one started. */
#define WD_RESPAWN_INTERVAL_MS 1000

typedef struct wd_process
{
	pid_t		pid;			/* 0: not running */
	int64_t		started_ms;
	bool		respawn;		/* false once shutting down, or without use_watchdog */
	const pool_config *cfg;
	const int  *inherited_fds;	/* the pooler's listen sockets, closed in the watchdog */
	int			num_inherited_fds;
} wd_process;

void		wd_process_init(wd_process *w, const pool_config *cfg);

/* Forks the watchdog if enabled, not running, and the respawn interval has passed. */
void		wd_process_fill(wd_process *w);

/* After waitpid: true when pid was the watchdog (then it is forgotten and logged). */
bool		wd_process_reaped(wd_process *w, pid_t pid, int status);

void		wd_process_signal(const wd_process *w, int signo);

/* Stops respawning and sends SIGTERM (the watchdog tells its peers it shuts down, then exits). */
void		wd_process_stop(wd_process *w);

int			wd_process_live_count(const wd_process *w);

/* The watchdog process itself; never returns. */
void		wd_main(const pool_config *cfg) __attribute__((noreturn));

#endif
