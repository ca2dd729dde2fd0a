/*
 * libpq with deadlines, for the health check, the sr check and the failover process: a
 * non-blocking connect (PQconnectStartParams + PQconnectPoll, polled up to a deadline) and queries
 * sent asynchronously whose results are awaited up to a deadline. A connection that misses its
 * deadline is closed, never waited on further.
 */
#ifndef PGNG_MAIN_PGCONN_H
#define PGNG_MAIN_PGCONN_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/* Who connects: user, password, database (NULL or "" left out). */
typedef struct pgc_login
{
	const char *user;
	const char *password;
	const char *database;
	const char *application_name;
} pgc_login;

/*
 * Connects to node's backend_hostname/port. Returns the connection, or NULL with a message in err
 * (timeout, refused, authentication...). deadline_ms is on net_now_ms()'s clock.
 */
PGconn	   *pgc_connect_with_deadline(const pool_config *cfg, int node, const pgc_login *login,
									  int64_t deadline_ms, char *err, size_t err_size);

/*
 * Runs one statement and returns its (last) result, or NULL with err set on timeout or lost
 * connection. The result may still be an error result: check PQresultStatus.
 */
PGresult   *pgc_query_with_deadline(PGconn *conn, const char *sql, int64_t deadline_ms,
									char *err, size_t err_size);

/* One text value (row 0, column 0) of a query into out; 0, or -1 with err set. */
int			pgc_value_with_deadline(PGconn *conn, const char *sql, int64_t deadline_ms,
									char *out, size_t out_size, char *err, size_t err_size);

/* A statement that returns no rows (ALTER SYSTEM, SET ...): 0 when it worked, else -1 with err set. */
int			pgc_command_with_deadline(PGconn *conn, const char *sql, int64_t deadline_ms, char *err,
									  size_t err_size);

/* "X/Y" LSN text as a number; 0 for NULL/empty/invalid. */
uint64_t	pgc_parse_lsn(const char *text);

#endif
