/*
 * The parent's table of preforked children: start them, reap and replace the ones that exit,
 * and signal them all at shutdown.
 */
#ifndef PGNG_SUPERVISOR_H
#define PGNG_SUPERVISOR_H

#include <stdbool.h>
#include <sys/types.h>

#include "child/child.h"

typedef struct supervisor
{
	pid_t	   *pids;			/* per slot; 0 when the slot has no process */
	int			num_slots;
	child_context child_template;	/* copied into each child before child_main */
	bool		respawn;		/* false once shutting down */
	/* Called for a reaped pid that is not a child (auxiliary processes); may be NULL. */
	bool		(*other_exit) (void *arg, pid_t pid, int status);
	void	   *other_arg;
} supervisor;

void		supervisor_init(supervisor *sup, const child_context *tmpl, int num_slots);
void		supervisor_free(supervisor *sup);

/* Forks a child into every empty slot; returns how many could not be forked. */
int			supervisor_fill(supervisor *sup);

/* Collects exited children (never blocks) and, while respawning, replaces them. */
void		supervisor_reap(supervisor *sup);

void		supervisor_signal_all(const supervisor *sup, int signo);
int			supervisor_live_count(const supervisor *sup);

#endif
