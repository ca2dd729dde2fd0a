/*
 * Primary search and streaming verification for the failover process (see failover_follow.h).
 */
#include "main/failover_follow.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "main/check_password.h"
#include "main/pgconn.h"
#include "net/sock.h"

/* One query of a round may take this long at most (the round's deadline may cut it shorter). */
#define QUERY_TIMEOUT_MS 2000
#define POLL_INTERVAL_MS 200

void
fo_sr_login(const pool_config *cfg, pgc_login *login, const char *app)
{
	login->user = cfg->sr_check_user;
	login->password = check_password(cfg, cfg->sr_check_user, cfg->sr_check_password);
	login->database = cfg->sr_check_database;
	login->application_name = app;
}

static int64_t
step_deadline(int64_t deadline_ms)
{
	int64_t		d = net_now_ms() + QUERY_TIMEOUT_MS;

	return d < deadline_ms ? d : deadline_ms;
}

/* 1 primary, 0 standby, -1 no answer. */
static int
is_primary(const pool_config *cfg, int node, int64_t deadline_ms)
{
	pgc_login	login;
	char		err[256], value[8];
	PGconn	   *conn;
	int			rc = -1;

	fo_sr_login(cfg, &login, "pgpool-ng failover");
	conn = pgc_connect_with_deadline(cfg, node, &login, deadline_ms, err, sizeof(err));
	if (conn == NULL)
		return -1;
	if (pgc_value_with_deadline(conn, "SELECT pg_catalog.pg_is_in_recovery()", deadline_ms, value,
								sizeof(value), err, sizeof(err)) == 0)
		rc = strcmp(value, "f") == 0 ? 1 : 0;
	PQfinish(conn);
	return rc;
}

static void
pause_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long) (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

int
fo_search_primary_with_deadline(const pool_config *cfg, const shm_backend_table *t, int skip,
								int64_t deadline_ms)
{
	do
	{
		for (int i = 0; i < t->num_backends; i++)
		{
			if (i == skip || cfg->backends[i].port == 0 || t->nodes[i].status == SHM_CON_DOWN)
				continue;
			if (is_primary(cfg, i, step_deadline(deadline_ms)) == 1)
				return i;
		}
		if (net_now_ms() + POLL_INTERVAL_MS >= deadline_ms)
			break;
		pause_ms(POLL_INTERVAL_MS);
	} while (net_now_ms() < deadline_ms);
	return -1;
}

bool
fo_streaming_from(const pool_config *cfg, int primary, int node, int64_t deadline_ms)
{
	const char *app = cfg->backends[node].application_name;
	pgc_login	login;
	char		err[256], sql[512], value[16];
	PGconn	   *conn;
	bool		streaming = false;
	char	   *quoted;

	if (app == NULL || app[0] == '\0')
		return false;
	fo_sr_login(cfg, &login, "pgpool-ng failover");
	conn = pgc_connect_with_deadline(cfg, primary, &login, deadline_ms, err, sizeof(err));
	if (conn == NULL)
		return false;
	quoted = PQescapeLiteral(conn, app, strlen(app));
	if (quoted)
	{
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_catalog.pg_stat_replication "
				 "WHERE application_name = %s AND state = 'streaming'", quoted);
		PQfreemem(quoted);
		streaming = pgc_value_with_deadline(conn, sql, deadline_ms, value, sizeof(value), err,
											sizeof(err)) == 0 && strcmp(value, "0") != 0;
	}
	PQfinish(conn);
	return streaming;
}

bool
fo_wait_streaming(const pool_config *cfg, int primary, int node, int64_t deadline_ms)
{
	while (net_now_ms() < deadline_ms)
	{
		if (fo_streaming_from(cfg, primary, node, step_deadline(deadline_ms)))
			return true;
		pause_ms(POLL_INTERVAL_MS);
	}
	return false;
}
