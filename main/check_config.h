/*
 * `pgpool --check-config`: read pgpool.conf, pool_hba.conf, pcp.conf and pool_passwd, report every
 * problem with file:line, and say whether the set is usable.
 */
#ifndef PGNG_CHECK_CONFIG_H
#define PGNG_CHECK_CONFIG_H

#include "common/diag.h"
#include "config/config.h"
#include "main/options.h"

/*
 * Loads every configuration file named by opts (and the pool_passwd file named by pgpool.conf) into
 * cfg, collecting problems in diags. Returns 0 when there is no error.
 */
int			check_config_load_all(const pgpool_options *opts, pool_config *cfg, diag_list *diags);

/* The --check-config command: prints the problems and a summary; returns the exit status. */
int			check_config_run(const pgpool_options *opts);

#endif
