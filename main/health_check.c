/*
 * One node's health check (see health_check.h). The process owns the node's statistics slot and
 * its pg_status; failover itself is the failover process's business, reached through a request.
 */
#include "main/health_check.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/ps_title.h"
#include "main/check_password.h"
#include "main/failover_request.h"
#include "main/pgconn.h"
#include "main/signals.h"
#include "net/sock.h"
#include "shmem/shmem.h"

static volatile sig_atomic_t stop_requested;

static void
on_term(int signo)
{
	(void) signo;
	stop_requested = 1;
}

int
health_check_wanted(const pool_config *cfg, int node)
{
	return node < cfg->num_backends && cfg->backends[node].port != 0 &&
		cfg->health_check_params[node].health_check_period > 0;
}

/* Sleeps ms milliseconds, or less when asked to stop. */
static void
pause_ms(int64_t ms)
{
	int64_t		end = net_now_ms() + ms;

	while (!stop_requested && net_now_ms() < end)
	{
		int64_t		left = end - net_now_ms();
		struct timespec ts = {0, (long) ((left > 100 ? 100 : left) * 1000000)};

		nanosleep(&ts, NULL);
	}
}

/* One connection attempt, bounded by health_check_timeout and connect_timeout. */
static bool
attempt(const pool_config *cfg, int node, char *err, size_t err_size)
{
	const cfg_health_check *hc = &cfg->health_check_params[node];
	pgc_login	login = {hc->health_check_user,
		check_password(cfg, hc->health_check_user, hc->health_check_password),
	hc->health_check_database, "pgpool-ng health check"};
	int			timeout_ms = hc->health_check_timeout > 0 ? hc->health_check_timeout * 1000 : 0;
	PGconn	   *conn;

	if (hc->connect_timeout > 0 && (timeout_ms == 0 || hc->connect_timeout < timeout_ms))
		timeout_ms = hc->connect_timeout;
	if (timeout_ms == 0)
		timeout_ms = 60 * 1000;		/* both "no limit": still bounded */
	conn = pgc_connect_with_deadline(cfg, node, &login, net_now_ms() + timeout_ms, err, err_size);
	if (conn == NULL)
		return false;
	PQfinish(conn);
	return true;
}

/* Records pg_status when it changed (one edit per change, not per check). */
static void
record_pg_status(int node, int pg_status)
{
	shm_backend_table snap;
	shm_backend_table *t;

	if (shm_backends_snapshot(&snap) != 0 && snap.nodes[node].pg_status == pg_status)
		return;
	t = shm_backends_edit_begin_with_deadline(1000);
	if (t == NULL)
		return;
	t->nodes[node].pg_status = pg_status;
	if (pg_status == SHM_PG_STATUS_DOWN)
		t->nodes[node].pg_role = SHM_ROLE_UNKNOWN;
	shm_backends_edit_commit();
}

static bool
node_is_down(int node)
{
	shm_backend_table snap;

	return shm_backends_snapshot(&snap) != 0 && snap.nodes[node].status == SHM_CON_DOWN;
}

static void
add_duration(shm_hc_stats *st, int64_t ms)
{
	st->total_duration_ms += (uint64_t) ms;
	if ((uint64_t) ms > st->max_duration_ms)
		st->max_duration_ms = (uint64_t) ms;
	if (st->min_duration_ms == 0 || (uint64_t) ms < st->min_duration_ms)
		st->min_duration_ms = (uint64_t) ms;
}

/* One check with its retries; returns whether the node answered. */
static bool
check_once(const pool_config *cfg, int node, shm_hc_stats *st)
{
	const cfg_health_check *hc = &cfg->health_check_params[node];
	int64_t		start = net_now_ms();
	char		err[512] = "";
	int			retries = 0;
	bool		ok;

	while (!(ok = attempt(cfg, node, err, sizeof(err))) && retries < hc->health_check_max_retries &&
		   !stop_requested)
	{
		log_warning("health check retrying on DB node: %d (%s:%d): %s", node,
					cfg->backends[node].hostname, cfg->backends[node].port, err);
		retries++;
		pause_ms((int64_t) hc->health_check_retry_delay * 1000);
	}
	st->total_count++;
	st->retry_count += (uint64_t) retries;
	if ((uint64_t) retries > st->max_retry_count)
		st->max_retry_count = (uint64_t) retries;
	add_duration(st, net_now_ms() - start);
	st->last_health_check = (int64_t) time(NULL);
	if (ok)
	{
		st->success_count++;
		st->last_successful_health_check = st->last_health_check;
	}
	else
	{
		st->fail_count++;
		st->last_failed_health_check = st->last_health_check;
		log_error("health check failed on DB node %d (%s:%d): %s", node,
				  cfg->backends[node].hostname, cfg->backends[node].port, err);
	}
	return ok;
}

static void
request_failover(const pool_config *cfg, int node)
{
	char		err[256];
	int			rc = failover_request(cfg, SHM_FO_NODE_DOWN, node, SHM_FO_HEALTH_CHECK, NULL, err,
									  sizeof(err));

	if (rc == FO_REQUEST_QUEUED)
		log_info("health check: failover of node %d requested", node);
	else
		log_warning("health check: no failover of node %d: %s", node, err);
}

void
health_check_main(const pool_config *cfg, int node)
{
	shm_hc_stats st;

	aux_signals_on_stop(on_term);
	log_set_process_name("health_check");
	ps_title_set("health check process(%d)", node);
	if (shm_hc_stats_read(node, &st) != 0)
		memset(&st, 0, sizeof(st));
	while (!stop_requested)
	{
		int64_t		started = net_now_ms();

		if (node_is_down(node))
		{
			char		err[256];

			/* a detached node is not checked, but whether PostgreSQL answers stays visible */
			record_pg_status(node, attempt(cfg, node, err, sizeof(err)) ? SHM_PG_STATUS_UP :
							 SHM_PG_STATUS_DOWN);
			st.total_count++;
			st.skip_count++;
			st.last_skip_health_check = (int64_t) time(NULL);
		}
		else if (check_once(cfg, node, &st))
			record_pg_status(node, SHM_PG_STATUS_UP);
		else if (!stop_requested)
		{
			record_pg_status(node, SHM_PG_STATUS_DOWN);
			request_failover(cfg, node);
		}
		shm_hc_stats_write(node, &st);
		pause_ms((int64_t) cfg->health_check_params[node].health_check_period * 1000 -
				 (net_now_ms() - started));
	}
	exit(0);
}
