/*
 * From pgpool.conf's logging parameters to common/log's settings (see logging_setup.h).
 */
#include "main/logging_setup.h"

#include <stdbool.h>
#include <string.h>
#include <syslog.h>

#include "common/log.h"

static bool debug_forced;

/* pgpool's elog numbers (CFG_MSG_*) to our levels. */
static log_level
level_from_config(int v)
{
	switch (v)
	{
		case CFG_MSG_DEBUG5: return LOG_LEVEL_DEBUG5;
		case CFG_MSG_DEBUG4: return LOG_LEVEL_DEBUG4;
		case CFG_MSG_DEBUG3: return LOG_LEVEL_DEBUG3;
		case CFG_MSG_DEBUG2: return LOG_LEVEL_DEBUG2;
		case CFG_MSG_DEBUG1: return LOG_LEVEL_DEBUG1;
		case CFG_MSG_INFO: return LOG_LEVEL_INFO;
		case CFG_MSG_NOTICE: return LOG_LEVEL_NOTICE;
		case CFG_MSG_ERROR: return LOG_LEVEL_ERROR;
		case CFG_MSG_LOG: return LOG_LEVEL_LOG;
		case CFG_MSG_FATAL: return LOG_LEVEL_FATAL;
		case CFG_MSG_PANIC: return LOG_LEVEL_PANIC;
		case CFG_MSG_WARNING:
		default: return LOG_LEVEL_WARNING;
	}
}

static int
syslog_facility(int local_n)
{
	static const int facilities[] = {LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
	LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7};

	if (local_n < 0 || local_n > 7)
		return LOG_LOCAL0;
	return facilities[local_n];
}

void
logging_apply_config(const pool_config *cfg)
{
	const char *dest = cfg->log_destination ? cfg->log_destination : "stderr";
	bool		use_syslog = strstr(dest, "syslog") != NULL;
	bool		use_stderr = strstr(dest, "stderr") != NULL || !use_syslog;

	log_set_destinations(use_stderr, use_syslog, cfg->syslog_ident, syslog_facility(cfg->syslog_facility));
	log_set_line_prefix(cfg->log_line_prefix);
	log_set_min_level(debug_forced ? LOG_LEVEL_DEBUG1 : level_from_config(cfg->log_min_messages));
}

void
logging_force_debug(void)
{
	debug_forced = true;
	log_set_min_level(LOG_LEVEL_DEBUG1);
}
