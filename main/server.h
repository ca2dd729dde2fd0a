/*
 * The running pgpool: daemonizing, pid file, listen sockets, preforked children, and the parent's
 * loop that handles reaping, reload and the three shutdown modes.
 */
#ifndef PGNG_SERVER_H
#define PGNG_SERVER_H

#include "config/config.h"
#include "main/options.h"

/* Runs the server until it is stopped; returns the process exit status. */
int			server_run(const pgpool_options *opts, pool_config *cfg);

#endif
