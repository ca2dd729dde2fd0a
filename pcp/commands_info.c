/*
 * PCP requests that only read: node count and info, health-check statistics, process count and
 * info, pool status, watchdog info. Values come from shared memory through shmem/report.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pcp/worker.h"
#include "shmem/report.h"
#include "shmem/shmem.h"

/* pgpool sends a node's weight scaled by RAND_MAX; its clients divide it back. */
#define PCP_WEIGHT_SCALE 2147483647.0

#define NUM_SIZE 32

static bool
snapshot(pcp_worker *w, shm_backend_table *t)
{
	if (shm_backends_snapshot(t) != 0)
		return true;
	pcp_worker_error(w, "could not read the backend table from shared memory", NULL);
	return false;
}

static void
array_size(pcp_worker *w, char kind, int n)
{
	char		count[NUM_SIZE];
	const char *fields[2] = {"ArraySize", count};

	snprintf(count, sizeof(count), "%d", n);
	pcp_msg_strings(&w->out, kind, fields, 2);
}

static bool
node_count(pcp_worker *w, pcp_reader *r)
{
	char		count[NUM_SIZE];
	const char *fields[2] = {"CommandComplete", count};

	(void) r;
	snprintf(count, sizeof(count), "%d", shm_num_backends());
	pcp_msg_strings(&w->out, 'l', fields, 2);
	return true;
}

/* pgpool's role numbers: 0 main, 1 replica, 2 primary, 3 standby (unknown counts as standby). */
static int
wire_role(int role)
{
	switch (role)
	{
		case SHM_ROLE_PRIMARY: return 2;
		case SHM_ROLE_MAIN: return 0;
		case SHM_ROLE_REPLICA: return 1;
		default: return 3;
	}
}

static void
node_info_packet(pcp_worker *w, const shm_backend_table *t, int node)
{
	const shm_backend *b = &t->nodes[node];
	char		port[NUM_SIZE], status[NUM_SIZE], weight[64], role[NUM_SIZE], delay[NUM_SIZE],
				changed[NUM_SIZE];
	const char *f[13];

	snprintf(port, sizeof(port), "%d", report_node_port(w->cfg, node));
	snprintf(status, sizeof(status), "%d", (int) b->status);
	snprintf(weight, sizeof(weight), "%f", b->weight * PCP_WEIGHT_SCALE);
	snprintf(role, sizeof(role), "%d", wire_role(b->role));
	snprintf(delay, sizeof(delay), "%" PRId64, b->replication_delay);
	snprintf(changed, sizeof(changed), "%" PRId64, b->last_status_change);
	f[0] = "NodeInfo";
	f[1] = report_node_hostname(w->cfg, node);
	f[2] = port;
	f[3] = status;
	f[4] = "0";					/* quarantine: pgpool-ng has none without the watchdog */
	f[5] = shm_pg_status_name(b->pg_status);
	f[6] = weight;
	f[7] = role;
	f[8] = shm_role_name(b->pg_role);
	f[9] = delay;
	f[10] = b->replication_state;
	f[11] = b->replication_sync_state;
	f[12] = changed;
	pcp_msg_strings(&w->out, 'i', f, 13);
}

static bool
node_info(pcp_worker *w, pcp_reader *r)
{
	shm_backend_table t;
	int			node;
	char		detail[64];

	if (!pcp_read_int_field(r, &node))
		node = -1;
	if (!snapshot(w, &t))
		return true;
	if (node < -1 || node >= t.num_backends)
	{
		snprintf(detail, sizeof(detail), "invalid node ID : %d", node);
		pcp_worker_error(w, "informing node info failed", detail);
		return true;
	}
	array_size(w, 'i', node == -1 ? t.num_backends : 1);
	for (int n = 0; n < t.num_backends; n++)
		if (node == -1 || n == node)
			node_info_packet(w, &t, n);
	pcp_worker_complete(w, 'i');
	return true;
}

static bool
health_check_stats(pcp_worker *w, pcp_reader *r)
{
	shm_backend_table t;
	report_hc_row row;
	int			node;
	char		detail[64];

	if (!pcp_read_int_field(r, &node))
		node = -1;
	if (!snapshot(w, &t))
		return true;
	if (node < 0 || node >= t.num_backends)
	{
		snprintf(detail, sizeof(detail), "invalid node ID %d", node);
		pcp_worker_error(w, "informing health check stats info failed", detail);
		return true;
	}
	report_hc_row_fill(w->cfg, &t, node, &row);
	pcp_msg_begin(&w->out, 'h');
	pcp_msg_add_str(&w->out, "CommandComplete");
	for (int i = 0; i < REPORT_HC_VALUES; i++)
		pcp_msg_add_str(&w->out, row.values[i]);
	pcp_msg_end(&w->out);
	return true;
}

static bool
process_count(pcp_worker *w, pcp_reader *r)
{
	char		num[NUM_SIZE];
	int			count = 0;
	int			children = shm_num_children();
	pid_t	   *pids = calloc((size_t) children + 1, sizeof(pid_t));

	(void) r;
	for (int i = 0; pids && i < children; i++)
	{
		shm_child_info ci;

		report_read_child(i, &ci);
		if (ci.pid > 0)
			pids[count++] = ci.pid;
	}
	pcp_msg_begin(&w->out, 'n');
	pcp_msg_add_str(&w->out, "CommandComplete");
	snprintf(num, sizeof(num), "%d", count);
	pcp_msg_add_str(&w->out, num);
	for (int i = 0; i < count; i++)
	{
		snprintf(num, sizeof(num), "%d", (int) pids[i]);
		pcp_msg_add_str(&w->out, num);
	}
	pcp_msg_end(&w->out);
	free(pids);
	return true;
}

/* Every pool slot of one child, as ProcessInfo packets. */
static void
child_process_info(pcp_worker *w, int child, const shm_child_info *ci, time_t now)
{
	char		start[REPORT_START_TIME_SIZE];

	report_child_start_time(ci, w->cfg->child_life_time, now, start, sizeof(start));
	for (int pool = 0; pool < shm_max_pool(); pool++)
		for (int node = 0; node < shm_num_backends(); node++)
		{
			report_pool_row row;

			report_pool_row_fill(ci, start, child, pool, node, &row);
			pcp_msg_begin(&w->out, 'p');
			pcp_msg_add_str(&w->out, "ProcessInfo");
			for (int i = 0; i < REPORT_POOL_VALUES; i++)
				pcp_msg_add_str(&w->out, row.values[i]);
			pcp_msg_end(&w->out);
		}
}

/*
 * The children are read once, so that ArraySize and the packets agree even when a child is
 * replaced meanwhile.
 */
static bool
process_info(pcp_worker *w, pcp_reader *r)
{
	int			pid = 0;
	int			only = -1;
	int			children = shm_num_children();
	shm_child_info *ci = calloc((size_t) children + 1, sizeof(shm_child_info));
	time_t		now = time(NULL);
	int			live = 0;
	char		detail[64];

	if (!pcp_read_int_field(r, &pid))
		pid = 0;
	if (pid != 0 && (pid < 0 || (only = shm_child_find((pid_t) pid)) < 0))
	{
		snprintf(detail, sizeof(detail), "invalid process ID : %d", pid);
		pcp_worker_error(w, "informing process info failed", detail);
		free(ci);
		return true;
	}
	for (int i = 0; ci && i < children; i++)
	{
		report_read_child(i, &ci[i]);
		if (ci[i].pid > 0 && (only < 0 || i == only))
			live++;
	}
	array_size(w, 'p', live * shm_max_pool() * shm_num_backends());
	for (int i = 0; ci && i < children; i++)
		if (ci[i].pid > 0 && (only < 0 || i == only))
			child_process_info(w, i, &ci[i], now);
	pcp_worker_complete(w, 'p');
	free(ci);
	return true;
}

static void
pool_status_row(void *arg, const char *item, const char *value, const char *description)
{
	pcp_worker *w = arg;
	const char *f[4] = {"ProcessConfig", item, value, description};

	pcp_msg_strings(&w->out, 'b', f, 4);
}

static void
count_row(void *arg, const char *item, const char *value, const char *description)
{
	(void) item;
	(void) value;
	(void) description;
	(*(int *) arg)++;
}

/* pgpool sends this ArraySize as a raw 4-byte integer, unlike the other commands. */
static bool
pool_status(pcp_worker *w, pcp_reader *r)
{
	shm_backend_table t;
	int			rows = 0;

	(void) r;
	if (!snapshot(w, &t))
		return true;
	report_pool_status(w->cfg, &t, count_row, &rows);
	pcp_msg_begin(&w->out, 'b');
	pcp_msg_add_str(&w->out, "ArraySize");
	pcp_msg_add_int32(&w->out, rows);
	pcp_msg_end(&w->out);
	report_pool_status(w->cfg, &t, pool_status_row, w);
	pcp_worker_complete(w, 'b');
	return true;
}

pcp_handler
pcp_info_handler(char kind)
{
	switch (kind)
	{
		case 'L': return node_count;
		case 'I': return node_info;
		case 'H': return health_check_stats;
		case 'N': return process_count;
		case 'P': return process_info;
		case 'B': return pool_status;
		case 'W': return pcp_watchdog_info;
		default: return NULL;
	}
}
