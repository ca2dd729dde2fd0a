/*
 * Online recovery the pgpool way (recovery_1st_stage_command set), in the recovery process: as
 * recovery_user, on the primary's template1, pgpool_recovery() runs the script from the primary's
 * data directory, pgpool_remote_start() starts the node; once the node accepts connections (within
 * recovery_timeout) it is attached. The functions come from the pgpool_recovery extension
 * (extension/pgpool_recovery, or pgpool-II's own). recovery_2nd_stage_command belongs to pgpool's
 * native replication mode and is not run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/util.h"
#include "main/failover_follow.h"
#include "main/pgconn.h"
#include "main/recovery.h"
#include "net/sock.h"

#define CONNECT_TIMEOUT_MS 10000
#define SCRIPT_TIMEOUT_MS (1800 * 1000)
#define POLL_MS 500

static int
fail(const char *message, const char *detail, int node, recovery_result *res)
{
	snprintf(res->message, sizeof(res->message), "%s", message);
	snprintf(res->detail, sizeof(res->detail), "%s", detail);
	log_error("recovery of node %d: %s: %s", node, message, detail);
	return -1;
}

/* A literal for SQL, or NULL. */
static char *
literal(PGconn *conn, const char *s)
{
	s = s ? s : "";
	return PQescapeLiteral(conn, s, strlen(s));
}

/* SELECT pgpool_recovery(...) with pgpool's seven arguments. */
static char *
recovery_call(PGconn *conn, const pool_config *cfg, int node, int primary)
{
	char		pport[16], rport[16];
	char	   *a[6], *sql = NULL;

	snprintf(pport, sizeof(pport), "%d", cfg->backends[primary].port);
	snprintf(rport, sizeof(rport), "%d", cfg->backends[node].port);
	a[0] = literal(conn, cfg->recovery_1st_stage_command);
	a[1] = literal(conn, cfg->backends[node].hostname);
	a[2] = literal(conn, cfg->backends[node].data_directory);
	a[3] = literal(conn, pport);
	a[4] = literal(conn, rport);
	a[5] = literal(conn, cfg->backends[primary].hostname);
	if (a[0] && a[1] && a[2] && a[3] && a[4] && a[5])
		sql = xasprintf("SELECT pgpool_recovery(%s, %s, %s, %s, %d, %s, %s)", a[0], a[1], a[2], a[3],
						node, a[4], a[5]);
	for (int i = 0; i < 6; i++)
		PQfreemem(a[i]);
	return sql;
}

/* Runs one function call; 0, or -1 with err holding PostgreSQL's message. */
static int
call(PGconn *conn, const char *sql, int timeout_ms, char *err, size_t err_size)
{
	char		value[16];

	if (sql == NULL)
	{
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	log_info("recovery: %s", sql);
	return pgc_value_with_deadline(conn, sql, net_now_ms() + timeout_ms, value, sizeof(value), err,
								   err_size);
}

static int
run_on_primary(const pool_config *cfg, int node, int primary, recovery_result *res)
{
	pgc_login	login = {cfg->recovery_user, cfg->recovery_password, "template1", "pgpool-ng recovery"};
	char		err[512], detail[768], msg[96];
	char	   *sql, *host, *dir;
	PGconn	   *conn;
	int			rc;

	conn = pgc_connect_with_deadline(cfg, primary, &login, net_now_ms() + CONNECT_TIMEOUT_MS, err, sizeof(err));
	if (conn == NULL)
	{
		snprintf(msg, sizeof(msg), "node recovery failed, unable to connect to main node: %d ", primary);
		return fail(msg, err, node, res);
	}
	sql = recovery_call(conn, cfg, node, primary);
	rc = call(conn, sql, SCRIPT_TIMEOUT_MS, err, sizeof(err));
	free(sql);
	if (rc != 0)
	{
		snprintf(detail, sizeof(detail), "command:\"%s\": %s", cfg->recovery_1st_stage_command, err);
		PQfinish(conn);
		return fail("executing recovery, execution of command failed at \"1st stage\"", detail, node, res);
	}
	host = literal(conn, cfg->backends[node].hostname);
	dir = literal(conn, cfg->backends[node].data_directory);
	sql = host && dir ? xasprintf("SELECT pgpool_remote_start(%s, %s)", host, dir) : NULL;
	PQfreemem(host);
	PQfreemem(dir);
	rc = call(conn, sql, SCRIPT_TIMEOUT_MS, err, sizeof(err));
	free(sql);
	PQfinish(conn);
	if (rc != 0)
		return fail("node recovery failed", err, node, res);
	return 0;
}

/* pgpool waits for the started node to accept connections, within recovery_timeout. */
static int
wait_node_up(const pool_config *cfg, int node, recovery_result *res)
{
	int			t = cfg->recovery_timeout > 0 ? cfg->recovery_timeout : 90;
	int64_t		deadline = net_now_ms() + (int64_t) t * 1000;
	pgc_login	login;
	char		err[256] = "", detail[512], value[8];

	fo_sr_login(cfg, &login, "pgpool-ng recovery");
	while (net_now_ms() < deadline)
	{
		PGconn	   *conn = pgc_connect_with_deadline(cfg, node, &login, deadline, err, sizeof(err));
		struct timespec ts = {0, POLL_MS * 1000000L};
		bool		up = conn && pgc_value_with_deadline(conn, "SELECT 1", deadline, value, sizeof(value),
														 err, sizeof(err)) == 0;

		if (conn)
			PQfinish(conn);
		if (up)
			return 0;
		nanosleep(&ts, NULL);
	}
	snprintf(detail, sizeof(detail), "node %d does not accept connections within recovery_timeout (%d s): %s",
			 node, t, err);
	return fail("node recovery failed", detail, node, res);
}

int
recovery_script_steps(const pool_config *cfg, int node, recovery_result *res)
{
	int			primary = recovery_find_primary(node, res);
	char		msg[96];

	if (primary < 0)
		return -1;
	if (cfg->recovery_user == NULL || cfg->recovery_user[0] == '\0')
	{
		snprintf(msg, sizeof(msg), "node recovery failed, unable to connect to main node: %d ", primary);
		log_warning("recovery of node %d: recovery_user is not set", node);
		return fail(msg, "", node, res);
	}
	log_info("recovery: node %d through \"%s\" on node %d", node, cfg->recovery_1st_stage_command, primary);
	if (run_on_primary(cfg, node, primary, res) != 0 || wait_node_up(cfg, node, res) != 0)
		return -1;
	if (recovery_attach(cfg, node, res) != 0)
		return -1;
	log_info("recovery: node %d is up and attached", node);
	return 0;
}
