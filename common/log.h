/*
 * Process logging. Every process writes its log lines through log_msg(); the format is pgpool's
 * "<time>: <role> pid <pid>: <LEVEL>:  <message>" so that existing log tooling keeps working.
 */
#ifndef PGNG_LOG_H
#define PGNG_LOG_H

#include <stdbool.h>
#include <stdio.h>

/* Ordered by severity, as pgpool's log_min_messages values. */
typedef enum
{
	LOG_LEVEL_DEBUG5,
	LOG_LEVEL_DEBUG4,
	LOG_LEVEL_DEBUG3,
	LOG_LEVEL_DEBUG2,
	LOG_LEVEL_DEBUG1,
	LOG_LEVEL_INFO,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_ERROR,
	LOG_LEVEL_LOG,
	LOG_LEVEL_FATAL,
	LOG_LEVEL_PANIC
} log_level;

void		log_set_min_level(log_level level);
void		log_set_stream(FILE *stream);
/* The role shown in each line ("main", "child", "pcp_main", ...); the string must outlive its use. */
void		log_set_process_name(const char *name);
/* log_line_prefix with pgpool's escapes (%a %p %t %m %d %u %l %%); NULL restores the default. */
void		log_set_line_prefix(const char *prefix);
/* log_destination: stderr and/or syslog (ident and facility as openlog's). */
void		log_set_destinations(bool use_stderr, bool use_syslog, const char *ident, int facility);
/* The session shown by %d and %u (and the application name); NULLs clear it. */
void		log_set_session(const char *database, const char *user, const char *application);
bool		log_level_is_enabled(log_level level);
const char *log_level_name(log_level level);
void		log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...)		log_msg(LOG_LEVEL_DEBUG1, __VA_ARGS__)
#define log_info(...)		log_msg(LOG_LEVEL_LOG, __VA_ARGS__)
#define log_warning(...)	log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_error(...)		log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_fatal(...)		log_msg(LOG_LEVEL_FATAL, __VA_ARGS__)

#endif
