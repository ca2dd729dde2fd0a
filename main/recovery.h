/*
 * Online recovery (pcp_recovery_node), built-in mode: with recovery_1st_stage_command empty, a node
 * that is down and whose data directory is on this host is rebuilt as a streaming standby of the
 * current primary (pg_rewind when it can, pg_basebackup otherwise), started, and attached through
 * the failover queue once it streams. Runs in a process of its own; one recovery at a time.
 */
#ifndef PGNG_MAIN_RECOVERY_H
#define PGNG_MAIN_RECOVERY_H

#include <stdint.h>

#include "config/config.h"

/* Why a recovery failed, in pgpool's words where pgpool has some. */
typedef struct recovery_result
{
	char		message[256];
	char		detail[1024];
} recovery_result;

/*
 * Recovers node (which the caller found configured and down) in a forked process, waiting at most
 * until deadline_ms (net_now_ms() clock; the process group is killed after it). 0 when the node
 * streams and is attached; -1 with res filled.
 */
int			recovery_builtin_with_deadline(const pool_config *cfg, int node, int64_t deadline_ms,
										   recovery_result *res);

/* The steps, run inside the recovery process (recovery_steps.c). 0 or -1 with res filled. */
int			recovery_builtin_steps(const pool_config *cfg, int node, recovery_result *res);

#endif
