/*
 * SIGHUP handling: re-read the configuration files and apply what may change while running.
 */
#ifndef PGNG_MAIN_RELOAD_H
#define PGNG_MAIN_RELOAD_H

#include "config/config.h"
#include "main/options.h"

/*
 * Re-reads pgpool.conf into cfg. A file with errors changes nothing (the errors are logged);
 * otherwise reloadable parameters take their new values and restart-only ones stay, each with a
 * warning. Returns 0 when the new file was applied.
 */
int			reload_parent_config(const pgpool_options *opts, pool_config *cfg);

/* The same in a child, which has no options: only the config file path. */
int			reload_config_file(const char *config_file, pool_config *cfg);

#endif
