/*
 * Applies the logging parameters of pgpool.conf (log_destination, log_line_prefix,
 * log_min_messages, syslog_facility, syslog_ident) to the process's logger.
 */
#ifndef PGNG_LOGGING_SETUP_H
#define PGNG_LOGGING_SETUP_H

#include "config/config.h"

void		logging_apply_config(const pool_config *cfg);

/* Forces debug output (-d), whatever log_min_messages says. */
void		logging_force_debug(void);

#endif
