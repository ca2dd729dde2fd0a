/*
 * routeprobe: where do extended-protocol statements run? Connects to one server and prints
 * "label port" for each step (the port of the PostgreSQL server that answered
 * inet_server_port()), so that a test can compare it with the primary's and the standbys' ports:
 *   - a named statement prepared and run outside a transaction,
 *   - the same statement run in a transaction after a write (it must then run on the primary,
 *     even if it was prepared elsewhere),
 *   - again after the transaction, then closed, prepared again under the same name and run,
 *   - a libpq pipeline of reads and a write, each answered in order.
 * Usage: routeprobe CONNINFO TABLE. Exit 0 when every step answered, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

static PGconn *conn;

static void
die(const char *what)
{
	printf("error %s: %s", what, PQerrorMessage(conn));
	PQfinish(conn);
	exit(1);
}

static void
command(const char *sql)
{
	PGresult   *res = PQexec(conn, sql);

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		die(sql);
	PQclear(res);
}

static void
print_port(const char *label, PGresult *res)
{
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		die(label);
	printf("%s %s\n", label, PQgetvalue(res, 0, 0));
	PQclear(res);
}

static void
run_prepared(const char *label)
{
	print_port(label, PQexecPrepared(conn, "probe", 0, NULL, NULL, NULL, 0));
}

static void
prepare(void)
{
	PGresult   *res = PQprepare(conn, "probe", "SELECT inet_server_port()", 0, NULL);

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		die("prepare");
	PQclear(res);
}

/* Reads, a write, reads in one pipeline: results arrive in order, one Sync each. */
static void
pipeline(const char *table)
{
	char		insert[200];
	const char *labels[] = {"pipeline-read", "pipeline-write", "pipeline-read-after"};

	snprintf(insert, sizeof(insert), "INSERT INTO %s(v) VALUES (2) RETURNING inet_server_port()", table);
	if (!PQenterPipelineMode(conn))
		die("pipeline mode");
	if (!PQsendQueryParams(conn, "SELECT inet_server_port()", 0, NULL, NULL, NULL, NULL, 0) ||
		!PQpipelineSync(conn) ||
		!PQsendQueryParams(conn, insert, 0, NULL, NULL, NULL, NULL, 0) || !PQpipelineSync(conn) ||
		!PQsendQueryParams(conn, "SELECT inet_server_port()", 0, NULL, NULL, NULL, NULL, 0) ||
		!PQpipelineSync(conn))
		die("pipeline send");
	for (int i = 0; i < 3; i++)
	{
		PGresult   *res;

		print_port(labels[i], PQgetResult(conn));
		if (PQgetResult(conn) != NULL)	/* end of this query's results */
			die("pipeline end");
		res = PQgetResult(conn);
		if (PQresultStatus(res) != PGRES_PIPELINE_SYNC)
			die("pipeline sync");
		PQclear(res);
	}
	if (!PQexitPipelineMode(conn))
		die("pipeline exit");
}

int
main(int argc, char **argv)
{
	char		insert[200];

	if (argc != 3)
	{
		fprintf(stderr, "usage: routeprobe CONNINFO TABLE\n");
		return 2;
	}
	conn = PQconnectdb(argv[1]);
	if (PQstatus(conn) != CONNECTION_OK)
		die("connect");
	snprintf(insert, sizeof(insert), "INSERT INTO %s(v) VALUES (1)", argv[2]);
	prepare();
	run_prepared("prepared-outside");
	command("BEGIN");
	run_prepared("prepared-tx-before-write");
	command(insert);
	run_prepared("prepared-tx-after-write");
	command("COMMIT");
	run_prepared("prepared-after-commit");
	command("DEALLOCATE probe");
	prepare();
	run_prepared("prepared-again");
	pipeline(argv[2]);
	PQfinish(conn);
	return 0;
}
