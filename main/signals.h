/*
 * The parent's signal handling: handlers only record the signal and wake the main loop through a
 * self-pipe; all work happens in the loop.
 */
#ifndef PGNG_MAIN_SIGNALS_H
#define PGNG_MAIN_SIGNALS_H

#include <stdbool.h>

/* Installs the handlers; returns the read end of the wake-up pipe, or -1. */
int			parent_signals_install(void);

/* Signals received since the last call, as a bit mask of PSIG_* values; drains the pipe. */
#define PSIG_CHLD	0x01
#define PSIG_HUP	0x02
#define PSIG_TERM	0x04		/* smart shutdown */
#define PSIG_INT	0x08		/* fast shutdown */
#define PSIG_QUIT	0x10		/* immediate shutdown */
#define PSIG_USR1	0x20		/* a request in shared memory (shm_request_post) */
unsigned	parent_signals_take(void);

/* Restores default dispositions and closes the pipe (in a freshly forked child). */
void		parent_signals_reset_in_child(void);

/* An auxiliary process (health check, sr check): handler, which only records it, on any stop signal. */
void		aux_signals_on_stop(void (*handler)(int));

#endif
