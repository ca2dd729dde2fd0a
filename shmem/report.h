/*
 * Text rows built from shared memory and the configuration, shared by what prints them: the
 * children's SHOW pool_* answers and the PCP server. Only the values live here; how they are sent
 * (a DataRow, a PCP packet) is up to the caller.
 */
#ifndef PGNG_SHMEM_REPORT_H
#define PGNG_SHMEM_REPORT_H

#include <stddef.h>
#include <time.h>

#include "config/config.h"
#include "shmem/shmem.h"

#define REPORT_TIME_SIZE 32
#define REPORT_NUM_SIZE 32
#define REPORT_START_TIME_SIZE (REPORT_TIME_SIZE + 48)

/* "YYYY-MM-DD HH:MM:SS" in local time; "" for 0 (never). Returns buf. */
char	   *report_format_time(time_t t, char *buf, size_t size);

/* A configured node's host name ("" when unset) and port (0 when out of range). */
const char *report_node_hostname(const pool_config *cfg, int node);
int			report_node_port(const pool_config *cfg, int node);

/* The 20 values of SHOW pool_health_check_stats / pcp_health_check_stats for one node. */
#define REPORT_HC_VALUES 20
typedef struct report_hc_row
{
	const char *values[REPORT_HC_VALUES];
	char		id[REPORT_NUM_SIZE];
	char		port[REPORT_NUM_SIZE];
	char		num[10][REPORT_NUM_SIZE];
	char		times[5][REPORT_TIME_SIZE];
} report_hc_row;

/* Fills row for node (t: a snapshot of the backend table; statistics read from shm). */
void		report_hc_row_fill(const pool_config *cfg, const shm_backend_table *t, int node,
							   report_hc_row *row);

/*
 * A child's start time; while it waits for a client and child_life_time runs, followed by the time
 * left before it is replaced, e.g. "2026-11-25 11:45:35 (4:59 before process restarting)".
 */
char	   *report_child_start_time(const shm_child_info *ci, int life_time, time_t now,
									char *buf, size_t size);

/* A child's slot; a slot that cannot be read reads as empty. */
void		report_read_child(int child, shm_child_info *ci);

/*
 * The 17 values of one SHOW pool_pools row / PCP ProcessInfo: pool_pid, start_time,
 * client_connection_count, pool_id, backend_id, database, username, backend_connection_time,
 * client_connection_time, client_disconnection_time, client_idle_duration, majorversion,
 * minorversion, pool_counter, pool_backendpid, pool_connected, status.
 */
#define REPORT_POOL_VALUES 17
typedef struct report_pool_row
{
	const char *values[REPORT_POOL_VALUES];
	shm_pool_row row;
	char		pid[REPORT_NUM_SIZE];
	char		count[REPORT_NUM_SIZE];
	char		num[8][REPORT_NUM_SIZE];
	char		times[3][REPORT_TIME_SIZE];
} report_pool_row;

/* Fills row for (child, pool, node); ci and start (report_child_start_time) are the child's. */
void		report_pool_row_fill(const shm_child_info *ci, const char *start, int child, int pool,
								 int node, report_pool_row *row);

/*
 * SHOW pool_status / pcp_pool_status: pgpool's fixed list of items with raw values, then eight
 * rows per backend with live weight, status and delay. Calls emit(arg, item, value, description)
 * for each row, in order; description is already cut to pgpool's 79 characters.
 */
typedef void (*report_status_fn) (void *arg, const char *item, const char *value,
								  const char *description);
void		report_pool_status(const pool_config *cfg, const shm_backend_table *t,
							   report_status_fn emit, void *arg);

#endif
