/*
 * logdir/pgpool_status: one line per backend, "up" or "down", rewritten on every status change and
 * read at start (unless -D), so that a node failed over stays out after a restart.
 */
#ifndef PGNG_MAIN_STATUS_FILE_H
#define PGNG_MAIN_STATUS_FILE_H

#include <stdbool.h>

#include "config/config.h"

/* Writes the file from the backend table (atomically: temporary file, then rename). 0 or -1. */
int			status_file_write(const pool_config *cfg);

/*
 * At start, after shm_create: marks the nodes the file lists as down. With discard (-D), or when the
 * file would leave no node up, it is ignored. Returns how many nodes were marked down.
 */
int			status_file_apply(const pool_config *cfg, bool discard);

#endif
