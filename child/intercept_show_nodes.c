/*
 * SHOW pool_nodes, pool_backend_stats and pool_health_check_stats: one row per configured backend,
 * from a snapshot of the shared backend table, the statement counters and the health-check statistics.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "child/intercept_internal.h"
#include "shmem/report.h"
#include "shmem/shmem.h"

#define NUM_SIZE 32

/* The snapshot every command of this file starts from; false after an error was sent. */
static bool
take_snapshot(shm_backend_table *t, pq_out *out)
{
	if (shm_backends_snapshot(t) == 0)
	{
		ic_error(out, "could not read the backend table from shared memory");
		return false;
	}
	return true;
}

static const char *
node_hostname(const session *s, int node)
{
	return report_node_hostname(s->cfg, node);
}

static int
node_port(const session *s, int node)
{
	return report_node_port(s->cfg, node);
}

static void
nodes_row(session *s, const shm_backend_table *t, int node, ic_result *r)
{
	const shm_backend *b = &t->nodes[node];
	shm_backend_counters counters = {{0}};
	char		id[NUM_SIZE], port[NUM_SIZE], weight[NUM_SIZE], selects[NUM_SIZE], delay[NUM_SIZE];
	char		changed[IC_TIME_SIZE];
	const char *values[14];

	shm_backend_counters_sum(node, &counters);
	snprintf(id, sizeof(id), "%d", node);
	snprintf(port, sizeof(port), "%d", node_port(s, node));
	snprintf(weight, sizeof(weight), "%f", b->weight);
	snprintf(selects, sizeof(selects), "%" PRIu64, counters.count[SHM_CNT_SELECT]);
	/* with delay_threshold_by_time the sr check measures in ms; pgpool 4.4 shows seconds */
	if (s->cfg->delay_threshold_by_time > 0)
		snprintf(delay, sizeof(delay), "%.3f", (double) b->replication_delay / 1000.0);
	else
		snprintf(delay, sizeof(delay), "%" PRId64, b->replication_delay);
	values[0] = id;
	values[1] = node_hostname(s, node);
	values[2] = port;
	values[3] = shm_backend_status_name(b->status);
	values[4] = shm_pg_status_name(b->pg_status);
	values[5] = weight;
	values[6] = shm_role_name(b->role);
	values[7] = shm_role_name(b->pg_role);
	values[8] = selects;
	values[9] = ic_load_balance_node(s) == node ? "true" : "false";
	values[10] = delay;
	values[11] = b->replication_state;
	values[12] = b->replication_sync_state;
	values[13] = ic_format_time((time_t) b->last_status_change, changed, sizeof(changed));
	ic_result_row(r, values);
}

void
ic_show_pool_nodes(session *s, pq_out *out)
{
	static const char *const columns[] = {
		"node_id", "hostname", "port", "status", "pg_status", "lb_weight", "role", "pg_role",
		"select_cnt", "load_balance_node", "replication_delay", "replication_state",
		"replication_sync_state", "last_status_change"
	};
	shm_backend_table t;
	ic_result	r;

	if (!take_snapshot(&t, out))
		return;
	ic_result_begin(&r, out, columns, 14);
	for (int node = 0; node < t.num_backends; node++)
		nodes_row(s, &t, node, &r);
	ic_result_end(&r);
}

static void
backend_stats_row(session *s, const shm_backend_table *t, int node, ic_result *r)
{
	shm_backend_counters counters = {{0}};
	char		id[NUM_SIZE], port[NUM_SIZE], counts[SHM_CNT_KINDS][NUM_SIZE];
	const char *values[5 + SHM_CNT_KINDS];

	shm_backend_counters_sum(node, &counters);
	snprintf(id, sizeof(id), "%d", node);
	snprintf(port, sizeof(port), "%d", node_port(s, node));
	values[0] = id;
	values[1] = node_hostname(s, node);
	values[2] = port;
	values[3] = shm_backend_status_name(t->nodes[node].status);
	values[4] = shm_role_name(t->nodes[node].role);
	for (int k = 0; k < SHM_CNT_KINDS; k++)
	{
		snprintf(counts[k], sizeof(counts[k]), "%" PRIu64, counters.count[k]);
		values[5 + k] = counts[k];
	}
	ic_result_row(r, values);
}

void
ic_show_pool_backend_stats(session *s, pq_out *out)
{
	/* the counter columns follow shm_counter's order */
	static const char *const columns[] = {
		"node_id", "hostname", "port", "status", "role", "select_cnt", "insert_cnt",
		"update_cnt", "delete_cnt", "ddl_cnt", "other_cnt", "panic_cnt", "fatal_cnt", "error_cnt"
	};
	shm_backend_table t;
	ic_result	r;

	if (!take_snapshot(&t, out))
		return;
	ic_result_begin(&r, out, columns, 5 + SHM_CNT_KINDS);
	for (int node = 0; node < t.num_backends; node++)
		backend_stats_row(s, &t, node, &r);
	ic_result_end(&r);
}

static void
hc_stats_row(session *s, const shm_backend_table *t, int node, ic_result *r)
{
	report_hc_row row;

	report_hc_row_fill(s->cfg, t, node, &row);
	ic_result_row(r, row.values);
}

void
ic_show_pool_health_check_stats(session *s, pq_out *out)
{
	static const char *const columns[] = {
		"node_id", "hostname", "port", "status", "role", "last_status_change", "total_count",
		"success_count", "fail_count", "skip_count", "retry_count", "average_retry_count",
		"max_retry_count", "max_duration", "min_duration", "average_duration", "last_health_check",
		"last_successful_health_check", "last_skip_health_check", "last_failed_health_check"
	};
	shm_backend_table t;
	ic_result	r;

	if (!take_snapshot(&t, out))
		return;
	ic_result_begin(&r, out, columns, 20);
	for (int node = 0; node < t.num_backends; node++)
		hc_stats_row(s, &t, node, &r);
	ic_result_end(&r);
}
