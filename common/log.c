/*
 * Log line formatting, level filtering and destinations (see log.h). A line is formatted once and
 * written with one write() so that lines from processes sharing stderr do not interleave.
 */
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"

#define DEFAULT_PREFIX "%m: %a pid %p: "

static log_level min_level = LOG_LEVEL_WARNING;
static FILE *log_stream;
static const char *process_name = "main";
static char line_prefix[256] = DEFAULT_PREFIX;
static bool to_stderr = true;
static bool to_syslog = false;
static char session_database[64];
static char session_user[64];
static char session_application[64];
static long line_number;

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

void
log_set_line_prefix(const char *prefix)
{
	str_copy(line_prefix, prefix ? prefix : DEFAULT_PREFIX, sizeof(line_prefix));
}

void
log_set_destinations(bool use_stderr, bool use_syslog, const char *ident, int facility)
{
	if (to_syslog && !use_syslog)
		closelog();
	to_stderr = use_stderr;
	to_syslog = use_syslog;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

void
log_set_session(const char *database, const char *user, const char *application)
{
	str_copy(session_database, database ? database : "", sizeof(session_database));
	str_copy(session_user, user ? user : "", sizeof(session_user));
	str_copy(session_application, application ? application : "", sizeof(session_application));
}

const char *
log_level_name(log_level level)
{
	if (level < LOG_LEVEL_DEBUG5 || level > LOG_LEVEL_PANIC)
		return "LOG";
	return level_names[level];
}

/* LOG, FATAL and PANIC are always written, as in PostgreSQL; the others obey the minimum level. */
bool
log_level_is_enabled(log_level level)
{
	if (level >= LOG_LEVEL_LOG)
		return true;
	return level >= min_level;
}

static size_t
append(char *buf, size_t size, size_t pos, const char *text)
{
	size_t		len = strlen(text);

	if (pos + len >= size)
		len = pos < size - 1 ? size - 1 - pos : 0;
	memcpy(buf + pos, text, len);
	buf[pos + len] = '\0';
	return pos + len;
}

/* Expands log_line_prefix: %a %p %t %m %d %u %l %%, as pgpool's. */
static size_t
format_prefix(char *buf, size_t size, const struct timeval *now)
{
	size_t		pos = 0;
	char		item[64];
	struct tm	tm;

	buf[0] = '\0';
	localtime_r(&now->tv_sec, &tm);
	for (const char *p = line_prefix; *p; p++)
	{
		if (*p != '%' || p[1] == '\0')
		{
			item[0] = *p;
			item[1] = '\0';
			pos = append(buf, size, pos, item);
			continue;
		}
		p++;
		item[0] = '\0';
		switch (*p)
		{
			case 'a': str_copy(item, process_name, sizeof(item)); break;
			case 'p': snprintf(item, sizeof(item), "%d", (int) getpid()); break;
			case 't': strftime(item, sizeof(item), "%Y-%m-%d %H:%M:%S %Z", &tm); break;
			case 'm':
				strftime(item, sizeof(item), "%Y-%m-%d %H:%M:%S", &tm);
				snprintf(item + strlen(item), sizeof(item) - strlen(item), ".%03d",
						 (int) (now->tv_usec / 1000));
				break;
			case 'd': str_copy(item, session_database, sizeof(item)); break;
			case 'u': str_copy(item, session_user, sizeof(item)); break;
			case 'l': snprintf(item, sizeof(item), "%ld", line_number); break;
			case '%': str_copy(item, "%", sizeof(item)); break;
			default: break;		/* unknown escapes print nothing, as in PostgreSQL */
		}
		pos = append(buf, size, pos, item);
	}
	return pos;
}

static int
syslog_priority(log_level level)
{
	if (level <= LOG_LEVEL_DEBUG1)
		return LOG_DEBUG;
	if (level <= LOG_LEVEL_LOG && level != LOG_LEVEL_WARNING && level != LOG_LEVEL_ERROR)
		return level == LOG_LEVEL_NOTICE ? LOG_NOTICE : LOG_INFO;
	if (level == LOG_LEVEL_WARNING)
		return LOG_WARNING;
	if (level == LOG_LEVEL_ERROR)
		return LOG_ERR;
	return LOG_CRIT;
}

void
log_msg(log_level level, const char *fmt, ...)
{
	char		line[4096];
	struct timeval now;
	size_t		pos;
	va_list		ap;
	int			n;

	if (!log_level_is_enabled(level))
		return;
	line_number++;
	gettimeofday(&now, NULL);
	pos = format_prefix(line, sizeof(line) - 2, &now);
	n = snprintf(line + pos, sizeof(line) - 2 - pos, "%s:  ", log_level_name(level));
	pos += n > 0 ? (size_t) n : 0;
	if (pos > sizeof(line) - 2)
		pos = sizeof(line) - 2;
	va_start(ap, fmt);
	n = vsnprintf(line + pos, sizeof(line) - 1 - pos, fmt, ap);
	va_end(ap);
	pos += n > 0 ? (size_t) n : 0;
	if (pos > sizeof(line) - 2)
		pos = sizeof(line) - 2;
	if (to_syslog)
		syslog(syslog_priority(level), "%s", line);
	line[pos++] = '\n';
	line[pos] = '\0';
	if (to_stderr || log_stream != NULL)
	{
		FILE	   *out = log_stream ? log_stream : stderr;

		if (write(fileno(out), line, pos) < 0)
		{
			/* nowhere left to report a failing log stream */
		}
	}
}
