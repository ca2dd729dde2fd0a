/*
 * The pgpool command line: pgpool's own flags (-f -F -a -k -n -D -C -d -x -m, stop, reload) plus
 * pgpool-ng's --check-config.
 */
#ifndef PGNG_OPTIONS_H
#define PGNG_OPTIONS_H

#include <stdbool.h>

typedef enum
{
	PGPOOL_CMD_START,
	PGPOOL_CMD_STOP,
	PGPOOL_CMD_RELOAD,
	PGPOOL_CMD_CHECK_CONFIG,
	PGPOOL_CMD_HELP,
	PGPOOL_CMD_VERSION
} pgpool_command;

typedef enum
{
	SHUTDOWN_SMART,
	SHUTDOWN_FAST,
	SHUTDOWN_IMMEDIATE
} shutdown_mode;

typedef struct pgpool_options
{
	pgpool_command command;
	const char *config_file;
	const char *pcp_file;
	const char *hba_file;
	const char *key_file;		/* NULL: $PGPOOLKEYFILE, then ~/.pgpoolkey */
	bool		config_file_given;
	bool		hba_file_given;
	bool		pcp_file_given;
	bool		dont_detach;
	bool		discard_status;
	bool		clear_oidmaps;
	bool		debug;
	bool		debug_assertions;
	shutdown_mode shutdown;
} pgpool_options;

/*
 * Fills opts from argv. Returns -1 after printing the problem and the usage to stderr (exit 1
 * then, as pgpool).
 */
int			options_parse(int argc, char **argv, pgpool_options *opts);
void		options_print_usage(const char *progname);
void		options_print_version(void);

#endif
