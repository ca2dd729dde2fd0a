/*
 * libpq calls with deadlines (see pgconn.h). Every wait is a poll on PQsocket up to the deadline.
 */
#include "main/pgconn.h"

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "net/sock.h"

static void
set_err(char *err, size_t err_size, const char *msg)
{
	size_t		len;

	if (err == NULL || err_size == 0)
		return;
	str_copy(err, msg ? msg : "", err_size);
	len = strlen(err);
	while (len > 0 && (err[len - 1] == '\n' || err[len - 1] == ' '))
		err[--len] = '\0';
}

PGconn *
pgc_connect_with_deadline(const pool_config *cfg, int node, const pgc_login *login,
						  int64_t deadline_ms, char *err, size_t err_size)
{
	const char *keys[8];
	const char *values[8];
	char		port[16];
	int			n = 0;
	PGconn	   *conn;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;

	snprintf(port, sizeof(port), "%d", cfg->backends[node].port);
	keys[n] = "host", values[n++] = cfg->backends[node].hostname;
	keys[n] = "port", values[n++] = port;
	keys[n] = "user", values[n++] = login->user;
	keys[n] = "password", values[n++] = login->password && login->password[0] ? login->password : NULL;
	keys[n] = "dbname", values[n++] = login->database;
	keys[n] = "application_name", values[n++] = login->application_name;
	keys[n] = "sslmode", values[n++] = "disable";
	keys[n] = NULL, values[n] = NULL;
	conn = PQconnectStartParams(keys, values, 0);
	if (conn == NULL || PQstatus(conn) == CONNECTION_BAD)
	{
		set_err(err, err_size, conn ? PQerrorMessage(conn) : "out of memory");
		PQfinish(conn);
		return NULL;
	}
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED)
	{
		int			rc = net_wait_with_deadline(PQsocket(conn), st == PGRES_POLLING_READING ? POLLIN : POLLOUT,
												deadline_ms);

		if (rc <= 0)
		{
			set_err(err, err_size, rc == 0 ? "timed out" : "poll failed");
			PQfinish(conn);
			return NULL;
		}
		st = PQconnectPoll(conn);
	}
	if (st == PGRES_POLLING_FAILED)
	{
		set_err(err, err_size, PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	PQsetnonblocking(conn, 1);
	return conn;
}

/* Flushes the outgoing query up to the deadline. */
static int
flush_with_deadline(PGconn *conn, int64_t deadline_ms)
{
	int			rc;

	while ((rc = PQflush(conn)) == 1)
		if (net_wait_with_deadline(PQsocket(conn), POLLOUT, deadline_ms) <= 0)
			return -1;
	return rc;
}

PGresult *
pgc_query_with_deadline(PGconn *conn, const char *sql, int64_t deadline_ms, char *err, size_t err_size)
{
	PGresult   *last = NULL;
	PGresult   *res;

	if (!PQsendQuery(conn, sql) || flush_with_deadline(conn, deadline_ms) != 0)
	{
		set_err(err, err_size, PQerrorMessage(conn));
		return NULL;
	}
	for (;;)
	{
		while (PQisBusy(conn))
		{
			if (net_wait_with_deadline(PQsocket(conn), POLLIN, deadline_ms) <= 0 || !PQconsumeInput(conn))
			{
				set_err(err, err_size, PQstatus(conn) == CONNECTION_BAD ? PQerrorMessage(conn) : "timed out");
				PQclear(last);
				return NULL;
			}
		}
		res = PQgetResult(conn);
		if (res == NULL)
			break;
		PQclear(last);
		last = res;
	}
	if (last == NULL)
		set_err(err, err_size, PQerrorMessage(conn));
	return last;
}

int
pgc_value_with_deadline(PGconn *conn, const char *sql, int64_t deadline_ms, char *out, size_t out_size,
						char *err, size_t err_size)
{
	PGresult   *res = pgc_query_with_deadline(conn, sql, deadline_ms, err, err_size);
	int			rc = -1;

	if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) >= 1 && PQnfields(res) >= 1)
	{
		str_copy(out, PQgetvalue(res, 0, 0), out_size);
		rc = 0;
	}
	else if (res)
		set_err(err, err_size, PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res) : "no row");
	PQclear(res);
	return rc;
}

int
pgc_command_with_deadline(PGconn *conn, const char *sql, int64_t deadline_ms, char *err, size_t err_size)
{
	PGresult   *res = pgc_query_with_deadline(conn, sql, deadline_ms, err, err_size);
	int			rc = res && PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;

	if (res && rc != 0)
		set_err(err, err_size, PQresultErrorMessage(res));
	PQclear(res);
	return rc;
}

uint64_t
pgc_parse_lsn(const char *text)
{
	unsigned int hi,
				lo;

	if (text == NULL || sscanf(text, "%X/%X", &hi, &lo) != 2)
		return 0;
	return ((uint64_t) hi << 32) | lo;
}
