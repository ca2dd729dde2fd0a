/*
 * Fencing a second primary (see fence.h). Every step has a deadline; the connection is the sr
 * check's own (it has just asked the node), so that a fenced node costs no connection per round.
 */
#include "main/fence.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "main/pgconn.h"
#include "main/sr_check_internal.h"
#include "net/sock.h"
#include "shmem/shmem.h"

#define FENCE_ERROR_INTERVAL_S 60

static time_t last_error[CFG_MAX_BACKENDS];

bool
fence_may_act(const pool_config *cfg)
{
	shm_wd_view v;

	if (!cfg->use_watchdog)
		return true;
	/* quorum_status: 1 quorum, 0 on the edge (half of an even cluster, pgpool's rule), -1 none */
	return shm_wd_read(&v) == 0 && v.num_nodes > 0 && v.escalated == 1 && v.quorum_status >= 0;
}

static int64_t
step_deadline(void)
{
	return net_now_ms() + SR_QUERY_TIMEOUT_MS;
}

/* An error, at most once a minute per node. */
static void
fence_error(const pool_config *cfg, int node, const char *what, const char *err)
{
	time_t		now = time(NULL);

	if (last_error[node] != 0 && now - last_error[node] < FENCE_ERROR_INTERVAL_S)
		return;
	last_error[node] = now;
	log_error("fence: node %d (%s:%d) is a second primary, %s failed: %s; it is still writable, "
			  "retrying every sr check round", node, cfg->backends[node].hostname,
			  cfg->backends[node].port, what, err);
}

/* ALTER SYSTEM + reload + terminate; the number of sessions ended, or -1 (error logged). */
static int
make_read_only(const pool_config *cfg, PGconn *conn, int node)
{
	static const char terminate[] =
		"SELECT count(pg_catalog.pg_terminate_backend(pid)) FROM pg_catalog.pg_stat_activity "
		"WHERE backend_type = 'client backend' AND pid <> pg_catalog.pg_backend_pid()";
	char		value[32], err[256];

	if (pgc_command_with_deadline(conn, "ALTER SYSTEM SET default_transaction_read_only = on",
								  step_deadline(), err, sizeof(err)) != 0)
	{
		fence_error(cfg, node, "ALTER SYSTEM SET default_transaction_read_only = on", err);
		return -1;
	}
	if (pgc_value_with_deadline(conn, "SELECT pg_catalog.pg_reload_conf()", step_deadline(), value,
								sizeof(value), err, sizeof(err)) != 0)
	{
		fence_error(cfg, node, "pg_reload_conf()", err);
		return -1;
	}
	if (pgc_value_with_deadline(conn, terminate, step_deadline(), value, sizeof(value), err,
								sizeof(err)) != 0)
	{
		fence_error(cfg, node, "pg_terminate_backend() of its sessions", err);
		return -1;
	}
	return atoi(value);
}

void
fence_second_primary(const pool_config *cfg, PGconn *conn, int node, int primary)
{
	char		value[16], err[256];
	int			ended;

	if (conn == NULL)
	{
		fence_error(cfg, node, "connecting", "the sr check has no connection to it");
		return;
	}
	if (pgc_value_with_deadline(conn, "SELECT pg_catalog.current_setting('default_transaction_read_only')",
								step_deadline(), value, sizeof(value), err, sizeof(err)) != 0)
	{
		fence_error(cfg, node, "reading default_transaction_read_only", err);
		sr_conn_broken(node);
	}
	else if (strcmp(value, "off") == 0)
	{
		ended = make_read_only(cfg, conn, node);
		if (ended < 0)
			sr_conn_broken(node);
		else
		{
			last_error[node] = 0;
			log_warning("fence: node %d (%s:%d) is a second primary beside primary node %d: made "
						"read-only, %d sessions ended; recover it with pcp_recovery_node -n %d", node,
						cfg->backends[node].hostname, cfg->backends[node].port, primary, ended, node);
		}
	}
}
