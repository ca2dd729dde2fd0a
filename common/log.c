/*
 * Log line formatting and level filtering (see log.h). Lines are written with one fprintf so that
 * lines from concurrent processes sharing stderr do not interleave.
 */
#include "common/log.h"

#include <stdarg.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static log_level min_level = LOG_LEVEL_WARNING;
static FILE *log_stream;
static const char *process_name = "main";

static const char *const level_names[] = {
	"DEBUG5", "DEBUG4", "DEBUG3", "DEBUG2", "DEBUG1", "INFO", "NOTICE",
	"WARNING", "ERROR", "LOG", "FATAL", "PANIC"
};

void
log_set_min_level(log_level level)
{
	min_level = level;
}

void
log_set_stream(FILE *stream)
{
	log_stream = stream;
}

void
log_set_process_name(const char *name)
{
	process_name = name;
}

const char *
log_level_name(log_level level)
{
	if (level < LOG_LEVEL_DEBUG5 || level > LOG_LEVEL_PANIC)
		return "LOG";
	return level_names[level];
}

/* LOG, FATAL and PANIC are always written, as in PostgreSQL; the others obey the minimum level. */
static int
level_is_enabled(log_level level)
{
	if (level >= LOG_LEVEL_LOG)
		return 1;
	return level >= min_level;
}

void
log_msg(log_level level, const char *fmt, ...)
{
	char		stamp[32];
	char		text[4096];
	struct timeval now;
	struct tm	tm;
	va_list		ap;

	if (!level_is_enabled(level))
		return;
	gettimeofday(&now, NULL);
	localtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* pgpool's default log_line_prefix '%m: %a pid %p: ' */
	fprintf(log_stream ? log_stream : stderr, "%s.%03d: %s pid %d: %s:  %s\n",
			stamp, (int) (now.tv_usec / 1000), process_name, (int) getpid(),
			log_level_name(level), text);
}
