/*
 * The sr check (see sr_check.h). Connections are kept from one round to the next and dropped on any
 * error or missed deadline; every query has a deadline.
 */
#include "main/sr_check.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/ps_title.h"
#include "common/util.h"
#include "main/failover_follow.h"
#include "main/failover_request.h"
#include "main/pgconn.h"
#include "main/signals.h"
#include "main/sr_check_internal.h"
#include "net/sock.h"
#include "shmem/shmem.h"

static volatile sig_atomic_t stop_requested;
static PGconn *conns[CFG_MAX_BACKENDS];
static time_t last_failback[CFG_MAX_BACKENDS];

static void
on_term(int signo)
{
	(void) signo;
	stop_requested = 1;
}

bool
sr_check_wanted(const pool_config *cfg)
{
	return cfg->backend_clustering_mode == CFG_CM_STREAMING_REPLICATION && cfg->sr_check_period > 0 &&
		cfg->num_backends > 0;
}

static int64_t
query_deadline(void)
{
	return net_now_ms() + SR_QUERY_TIMEOUT_MS;
}

static PGconn *
node_conn(const pool_config *cfg, int node)
{
	pgc_login	login;
	char		err[256];
	int			timeout = cfg->connect_timeout > 0 && cfg->connect_timeout < SR_QUERY_TIMEOUT_MS ?
		cfg->connect_timeout : SR_QUERY_TIMEOUT_MS;

	if (conns[node] && PQstatus(conns[node]) == CONNECTION_OK)
		return conns[node];
	PQfinish(conns[node]);
	fo_sr_login(cfg, &login, "pgpool-ng sr check");
	conns[node] = pgc_connect_with_deadline(cfg, node, &login, net_now_ms() + timeout, err, sizeof(err));
	if (conns[node] == NULL)
		log_debug("sr check: node %d: %s", node, err);
	return conns[node];
}

static void
drop_conn(int node)
{
	PQfinish(conns[node]);
	conns[node] = NULL;
}

PGconn *
sr_conn(int node)
{
	return conns[node] != NULL && PQstatus(conns[node]) == CONNECTION_OK ? conns[node] : NULL;
}

void
sr_conn_broken(int node)
{
	drop_conn(node);
}

/* Whether node answered; fills its role and LSN. */
static bool
ask_node(const pool_config *cfg, int node, sr_node *out)
{
	static const char sql[] =
		"SELECT pg_catalog.pg_is_in_recovery(), CASE WHEN pg_catalog.pg_is_in_recovery() "
		"THEN pg_catalog.pg_last_wal_replay_lsn() ELSE pg_catalog.pg_current_wal_lsn() END";
	PGconn	   *conn = node_conn(cfg, node);
	PGresult   *res;
	char		err[256];

	if (conn == NULL)
		return false;
	res = pgc_query_with_deadline(conn, sql, query_deadline(), err, sizeof(err));
	out->answered = res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
	if (out->answered)
	{
		out->primary = strcmp(PQgetvalue(res, 0, 0), "f") == 0;
		out->lsn = pgc_parse_lsn(PQgetvalue(res, 0, 1));
	}
	else
		drop_conn(node);
	PQclear(res);
	return out->answered;
}

/* pg_stat_replication of the primary into the standbys' entries (by application name). */
static void
ask_replication(const pool_config *cfg, int primary, sr_node *nodes, int n)
{
	static const char sql[] =
		"SELECT application_name, state, sync_state, "
		"coalesce(round(extract(epoch FROM replay_lag) * 1000), 0)::bigint FROM pg_catalog.pg_stat_replication";
	PGconn	   *conn = node_conn(cfg, primary);
	PGresult   *res;
	char		err[256];

	if (conn == NULL)
		return;
	res = pgc_query_with_deadline(conn, sql, query_deadline(), err, sizeof(err));
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		log_warning("sr check: pg_stat_replication on node %d: %s", primary, res ? PQresultErrorMessage(res) : err);
		if (res == NULL)
			drop_conn(primary);
		PQclear(res);
		return;
	}
	for (int r = 0; r < PQntuples(res); r++)
		for (int i = 0; i < n; i++)
		{
			const char *app = cfg->backends[i].application_name;

			if (i == primary || app == NULL || app[0] == '\0' || strcmp(app, PQgetvalue(res, r, 0)) != 0)
				continue;
			str_copy(nodes[i].state, PQgetvalue(res, r, 1), sizeof(nodes[i].state));
			str_copy(nodes[i].sync_state, PQgetvalue(res, r, 2), sizeof(nodes[i].sync_state));
			nodes[i].lag_ms = strtoll(PQgetvalue(res, r, 3), NULL, 10);
		}
	PQclear(res);
}

/* One round: ask, record, act. */
static void
round_once(const pool_config *cfg)
{
	shm_backend_table t;
	sr_node		nodes[CFG_MAX_BACKENDS];
	int			n;
	int			primary;

	if (shm_backends_snapshot(&t) == 0)
		return;
	n = t.num_backends;
	memset(nodes, 0, sizeof(nodes));
	for (int i = 0; i < n && !stop_requested; i++)
		if (cfg->backends[i].port != 0)
			ask_node(cfg, i, &nodes[i]);
	primary = t.primary_node_id;
	if (primary < 0 && !stop_requested)
		primary = sr_adopt_primary(&t, nodes);
	if (primary >= 0 && nodes[primary].answered && nodes[primary].primary)
	{
		ask_replication(cfg, primary, nodes, n);
		for (int i = 0; i < n; i++)
			if (i != primary && nodes[i].answered && !nodes[i].primary)
				nodes[i].delay = cfg->delay_threshold_by_time > 0 ? nodes[i].lag_ms :
					nodes[primary].lsn > nodes[i].lsn ? (int64_t) (nodes[primary].lsn - nodes[i].lsn) : 0;
	}
	sr_record(nodes, n, primary);
	sr_log_delays(cfg, &t, nodes, primary);
	sr_act(cfg, &t, nodes, primary, last_failback);
}

void
sr_check_main(const pool_config *cfg)
{
	aux_signals_on_stop(on_term);
	log_set_process_name("sr_check_worker");
	ps_title_set("streaming replication check process");
	while (!stop_requested)
	{
		int64_t		end = net_now_ms() + (int64_t) cfg->sr_check_period * 1000;

		round_once(cfg);
		while (!stop_requested && net_now_ms() < end)
		{
			struct timespec ts = {0, 100 * 1000 * 1000};

			nanosleep(&ts, NULL);
		}
	}
	for (int i = 0; i < CFG_MAX_BACKENDS; i++)
		drop_conn(i);
	exit(0);
}
