/*
 * `pgpool stop` and `pgpool reload`: signal the running pgpool named by the pid file.
 */
#ifndef PGNG_CONTROL_H
#define PGNG_CONTROL_H

#include "main/options.h"

/*
 * Sends the stop signal for mode and waits (bounded by timeout_s) for the process to exit.
 * Returns the process exit status: 0 done, 3 no pid file (as pgpool), 1 other failure.
 */
int			control_stop(const char *pid_file, shutdown_mode mode, int timeout_s);

/* Sends SIGHUP. Returns 0, or 1 when there is no pid file or the signal fails. */
int			control_reload(const char *pid_file);

#endif
