/*
 * SHOW pool_processes (one row per child), pool_pools (child x pool slot x backend), pool_version
 * and pool_cache, read from the children's shared-memory slots.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "child/intercept_internal.h"
#include "common/util.h"
#include "pgng_config.h"
#include "shmem/report.h"
#include "shmem/shmem.h"

#define NUM_SIZE 32
#define START_TIME_SIZE REPORT_START_TIME_SIZE

/* What pool_version answers: the pgpool-II release we follow, and who answers. */
#define POOL_VERSION_TEXT PGPOOL_COMPAT_VERSION " (pgpool-ng " PACKAGE_VERSION ")"

static char *
format_start_time(const shm_child_info *ci, int life_time, time_t now, char *buf, size_t size)
{
	return report_child_start_time(ci, life_time, now, buf, size);
}

static void
read_child(int child, shm_child_info *ci)
{
	report_read_child(child, ci);
}

/* The pool slot of the child's current session (same user and database, not disconnected). */
static bool
current_pool(int child, const shm_child_info *ci, shm_pool_row *row, int64_t *connected_at)
{
	if (ci->database[0] == '\0')
		return false;
	for (int pool = 0; pool < shm_max_pool(); pool++)
	{
		if (shm_pool_read(child, pool, 0, row) != 0 || row->info.client_disconnection_time != 0 ||
			strcmp(row->info.database, ci->database) != 0 ||
			strcmp(row->info.username, ci->username) != 0)
			continue;
		*connected_at = 0;
		for (int node = 0; node < shm_num_backends(); node++)
		{
			shm_pool_row b;

			if (shm_pool_read(child, pool, node, &b) == 0 && b.backend.connected)
			{
				*connected_at = b.backend.connection_time;
				break;
			}
		}
		return true;
	}
	return false;
}

static void
processes_row(session *s, int child, time_t now, ic_result *r)
{
	shm_child_info ci;
	shm_pool_row row;
	int64_t		connected_at = 0;
	bool		in_pool;
	char		pid[NUM_SIZE], count[NUM_SIZE], counter[NUM_SIZE] = "";
	char		start[START_TIME_SIZE], backend_time[IC_TIME_SIZE] = "";
	const char *values[8];

	read_child(child, &ci);
	in_pool = current_pool(child, &ci, &row, &connected_at);
	if (in_pool)
	{
		ic_format_time((time_t) connected_at, backend_time, sizeof(backend_time));
		snprintf(counter, sizeof(counter), "%d", (int) row.info.counter);
	}
	snprintf(pid, sizeof(pid), "%d", (int) ci.pid);
	snprintf(count, sizeof(count), "%d", (int) ci.client_connection_count);
	values[0] = pid;
	values[1] = format_start_time(&ci, s->cfg->child_life_time, now, start, sizeof(start));
	values[2] = count;
	values[3] = ci.database;
	values[4] = ci.username;
	values[5] = backend_time;
	values[6] = counter;
	values[7] = shm_child_status_name(ci.status);
	ic_result_row(r, values);
}

/* pgpool sends this RowDescription twice; pgpool-ng sends it once (docs/compatibility.md). */
void
ic_show_pool_processes(session *s, pq_out *out)
{
	static const char *const columns[] = {
		"pool_pid", "start_time", "client_connection_count", "database", "username",
		"backend_connection_time", "pool_counter", "status"
	};
	time_t		now = time(NULL);
	ic_result	r;

	ic_result_begin(&r, out, columns, 8);
	for (int child = 0; child < shm_num_children(); child++)
		processes_row(s, child, now, &r);
	ic_result_end(&r);
}

static void
pools_row(const shm_child_info *ci, const char *start, int child, int pool, int node, ic_result *r)
{
	report_pool_row row;

	report_pool_row_fill(ci, start, child, pool, node, &row);
	ic_result_row(r, row.values);
}

void
ic_show_pool_pools(session *s, pq_out *out)
{
	static const char *const columns[] = {
		"pool_pid", "start_time", "client_connection_count", "pool_id", "backend_id", "database",
		"username", "backend_connection_time", "client_connection_time",
		"client_disconnection_time", "client_idle_duration", "majorversion", "minorversion",
		"pool_counter", "pool_backendpid", "pool_connected", "status"
	};
	time_t		now = time(NULL);
	ic_result	r;

	ic_result_begin(&r, out, columns, 17);
	for (int child = 0; child < shm_num_children(); child++)
	{
		shm_child_info ci;
		char		start[START_TIME_SIZE];

		read_child(child, &ci);
		format_start_time(&ci, s->cfg->child_life_time, now, start, sizeof(start));
		for (int pool = 0; pool < shm_max_pool(); pool++)
			for (int node = 0; node < shm_num_backends(); node++)
				pools_row(&ci, start, child, pool, node, &r);
	}
	ic_result_end(&r);
}

/* pgpool sends this RowDescription twice; pgpool-ng sends it once (docs/compatibility.md). */
void
ic_show_pool_version(session *s, pq_out *out)
{
	static const char *const columns[] = {"pool_version"};
	const char *values[] = {POOL_VERSION_TEXT};
	ic_result	r;

	(void) s;
	ic_result_begin(&r, out, columns, 1);
	ic_result_row(&r, values);
	ic_result_end(&r);
}

/* There is no query cache yet: the statistics pgpool shows with the cache off, all zero. */
void
ic_show_pool_cache(session *s, pq_out *out)
{
	static const char *const columns[] = {
		"num_cache_hits", "num_selects", "cache_hit_ratio", "num_hash_entries",
		"used_hash_entries", "num_cache_entries", "used_cache_entries_size",
		"free_cache_entries_size", "fragment_cache_entries_size"
	};
	static const char *const values[] = {"0", "0", "0.00", "0", "0", "0", "0", "0", "0"};
	ic_result	r;

	(void) s;
	ic_result_begin(&r, out, columns, 9);
	ic_result_row(&r, values);
	ic_result_end(&r);
}
