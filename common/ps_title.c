/*
 * Process titles (see ps_title.h). The argument strings and, after them, the environment strings
 * are contiguous in a new process; the environment is copied to the heap so that the whole range
 * can hold the title. Nothing is done when the layout is not the expected one.
 */
#include "common/ps_title.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

extern char **environ;

static char *title_area;
static size_t title_size;

/* Copies the environment to the heap; returns the end of the last contiguous string. */
static char *
move_environment(char *end)
{
	int			n = 0;
	char	  **copy;

	while (environ[n] != NULL)
		n++;
	copy = xcalloc((size_t) n + 1, sizeof(char *));
	for (int i = 0; i < n; i++)
	{
		if (environ[i] == end + 1)
			end = environ[i] + strlen(environ[i]);
		copy[i] = xstrdup(environ[i]);
	}
	environ = copy;
	return end;
}

void
ps_title_init(int argc, char **argv)
{
	char	   *start;
	char	   *end;

	if (argc <= 0 || argv == NULL || argv[0] == NULL)
		return;
	start = argv[0];
	end = start + strlen(start);
	for (int i = 1; i < argc; i++)
	{
		if (argv[i] != end + 1)
			return;				/* not contiguous: leave the title alone */
		end = argv[i] + strlen(argv[i]);
	}
	end = move_environment(end);
	/* argv[] would show the title once it is written over: give the program copies */
	for (int i = 0; i < argc; i++)
		argv[i] = xstrdup(argv[i]);
	title_area = start;
	title_size = (size_t) (end - start) + 1;	/* up to and with the last NUL */
}

void
ps_title_set(const char *fmt, ...)
{
	va_list		ap;
	int			n;
	size_t		len;

	if (title_area == NULL || title_size < 16)
		return;
	n = snprintf(title_area, title_size, "pgpool: ");
	va_start(ap, fmt);
	vsnprintf(title_area + n, title_size - (size_t) n, fmt, ap);
	va_end(ap);
	len = strlen(title_area);
	memset(title_area + len, 0, title_size - len);
}
