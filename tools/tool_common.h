/*
 * Pieces pg_md5 and pg_enc share: reading a password from the terminal (or a pipe), finding
 * the pool_passwd file from pgpool.conf, and the name of the user running the tool.
 */
#ifndef PGNG_TOOLS_TOOL_COMMON_H
#define PGNG_TOOLS_TOOL_COMMON_H

#include <stddef.h>

#define TOOL_MAX_INPUT 128		/* pgpool's limit on user names and passwords */

/*
 * Prints prompt to stdout, reads one line from stdin with echo off when it is a terminal, and
 * prints the newline the user typed. At most size-1 bytes are kept, the line feed is removed.
 * Returns 0, or -1 after printing why.
 */
int			tool_prompt(const char *prompt, char *buf, size_t size);

/*
 * Loads conf_file and returns the pool_passwd path (relative names resolved against the
 * directory of conf_file), malloc'd; NULL after printing the problems to stderr.
 */
char	   *tool_pool_passwd_path(const char *conf_file);

/* The login name of the real user, malloc'd, or NULL after printing an error. */
char	   *tool_current_user(void);

/* Default pgpool.conf (configure's sysconfdir). */
#define TOOL_DEFAULT_CONFIG SYSCONFDIR "/pgpool.conf"

#endif
