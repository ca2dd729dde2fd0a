/*
 * failover_command, follow_primary_command and failback_command: pgpool's placeholders expanded
 * and the command run by /bin/sh in its own process group, killed when it outlives its deadline.
 */
#ifndef PGNG_MAIN_FAILOVER_COMMAND_H
#define PGNG_MAIN_FAILOVER_COMMAND_H

#include <stddef.h>

#include "config/config.h"

/* Node ids the placeholders name; -1 where there is none. */
typedef struct fo_command_vars
{
	int			node;			/* %d %h %p %D: the failed / followed / attached node */
	int			new_main;		/* %m %H %r %R */
	int			old_main;		/* %M */
	int			old_primary;	/* %P %N %S */
} fo_command_vars;

/*
 * The command with %d %h %p %D %m %H %M %P %r %R %N %S and %% replaced (malloc'd). An unknown %x is
 * kept as it is. Hosts and directories of node -1 are empty, its ids "-1" and its ports "".
 */
char	   *fo_command_expand(const pool_config *cfg, const char *templ, const fo_command_vars *vars);

/*
 * Runs the expanded command; waits at most timeout_s seconds, then kills its process group.
 * Returns its exit status (0 success), or -1 when it could not be run or was killed.
 */
int			fo_command_run_with_deadline(const char *what, const char *command, int timeout_s);

#endif
