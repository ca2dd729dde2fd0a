/*
 * pgpool's pid file: the pid as decimal digits followed by one NUL byte, no newline.
 */
#ifndef PGNG_PIDFILE_H
#define PGNG_PIDFILE_H

#include <sys/types.h>

/* Returns the pid stored in path, or -1 when the file is missing, unreadable or malformed. */
pid_t		pidfile_read(const char *path);

/* Creates path holding pid (atomically, via a temporary file and rename); 0 or -1 with errno. */
int			pidfile_write(const char *path, pid_t pid);

#endif
