/*
 * Online recovery (pcp_recovery_node). Built-in mode, with recovery_1st_stage_command empty: a node
 * that is down and whose data directory is on this host is rebuilt as a streaming standby of the
 * current primary (pg_rewind when it can, pg_basebackup otherwise), started, and attached through
 * the failover queue once it streams. pgpool's mode: the script runs on the primary through the
 * pgpool_recovery extension (extension/pgpool_recovery), then pgpool_remote_start, then attach.
 * Runs in a process of its own; one recovery at a time.
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
 * until deadline_ms (net_now_ms() clock; the process group is killed after it): the built-in
 * recovery, or pgpool's scripts when recovery_1st_stage_command is set. 0 when the node is up and
 * attached; -1 with res filled.
 */
int			recovery_run_with_deadline(const pool_config *cfg, int node, int64_t deadline_ms,
									   recovery_result *res);

/* Inside the recovery process. Each returns 0, or -1 with res filled. */
/* Built-in mode (recovery_steps.c). */
int			recovery_builtin_steps(const pool_config *cfg, int node, recovery_result *res);
/* pgpool's mode (recovery_script.c): pgpool_recovery() and pgpool_remote_start() on the primary. */
int			recovery_script_steps(const pool_config *cfg, int node, recovery_result *res);
/* The attached primary to recover from, or -1 with res filled in pgpool's words. */
int			recovery_find_primary(int node, recovery_result *res);
/*
 * Attaches node (bounded wait): through the failover queue; on a standby watchdog node through the
 * leader (watchdog/node_request.h), done once this node's table shows it up; refused without a
 * leader with quorum.
 */
int			recovery_attach(const pool_config *cfg, int node, recovery_result *res);

#endif
