/*
 * pqseq: runs named libpq scenarios (pipelines, COPY, large data, NOTIFY...) and the raw-socket
 * ones of pqseq_raw.c against one server and prints a transcript without backend pids, so that a
 * test can require the same output from PostgreSQL directly and through pgpool-ng.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "regress/tools/pqseq.h"
#include "regress/tools/rawpq.h"

#define WAIT_MS 30000

uint64_t
seq_hash(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
	{
		h ^= c[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static PGconn *
connect_db(const seq_target *t)
{
	PGconn	   *c = PQconnectdb(t->conninfo);

	if (PQstatus(c) != CONNECTION_OK)
	{
		printf("connect failed: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* PQgetResult with a bound: sets *timed_out instead of blocking forever. */
static PGresult *
get_result(PGconn *c, bool *timed_out)
{
	int64_t		deadline = raw_now_ms() + WAIT_MS;

	while (PQisBusy(c))
	{
		struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
		int64_t		left = deadline - raw_now_ms();

		if (left <= 0 || poll(&p, 1, (int) left) < 0)
		{
			*timed_out = true;
			return NULL;
		}
		if (!PQconsumeInput(c))
			break;
	}
	return PQgetResult(c);
}

/* One line per result: status, shape, then the rows (small) or a fingerprint (large). */
static void
print_result(const char *label, PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);
	int			rows = PQntuples(r);
	int			cols = PQnfields(r);

	printf("%s: %s", label, PQresStatus(st));
	if (st == PGRES_FATAL_ERROR || st == PGRES_NONFATAL_ERROR)
		printf(" %s %s", PQresultErrorField(r, PG_DIAG_SQLSTATE),
			   PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
	else if (st == PGRES_COMMAND_OK)
		printf(" \"%s\"", PQcmdStatus(r));
	else if (st == PGRES_TUPLES_OK || st == PGRES_SINGLE_TUPLE)
	{
		uint64_t	h = SEQ_HASH_INIT;

		printf(" %dx%d", rows, cols);
		for (int i = 0; i < rows; i++)
			for (int j = 0; j < cols; j++)
			{
				if (rows <= 5)
					printf(" %s", PQgetisnull(r, i, j) ? "NULL" : PQgetvalue(r, i, j));
				h = seq_hash(h, PQgetvalue(r, i, j), (size_t) PQgetlength(r, i, j));
			}
		if (rows > 5)
			printf(" hash=%016llx", (unsigned long long) h);
	}
	printf("\n");
}

/* Prints results until `syncs` PIPELINE_SYNC have come; -1 on a timeout. */
static int
drain_pipeline(PGconn *c, int syncs)
{
	int			n = 0;

	while (syncs > 0)
	{
		bool		timed_out = false;
		PGresult   *r = get_result(c, &timed_out);
		char		label[32];

		if (timed_out)
		{
			printf("TIMEOUT waiting for pipeline result %d\n", n);
			return -1;
		}
		if (r == NULL)
			continue;			/* end of one query's results */
		snprintf(label, sizeof(label), "r%d", n++);
		if (PQresultStatus(r) == PGRES_PIPELINE_SYNC)
			syncs--;
		print_result(label, r);
		PQclear(r);
	}
	return 0;
}

static void
exec_print(PGconn *c, const char *label, const char *sql)
{
	PGresult   *r = PQexec(c, sql);

	print_result(label, r);
	PQclear(r);
}

static int
sc_pipeline(const seq_target *t)
{
	PGconn	   *c = connect_db(t);
	int			rc;

	if (c == NULL)
		return 1;
	PQenterPipelineMode(c);
	PQsendPrepare(c, "s1", "SELECT $1::int * 2, $2::text", 2, NULL);
	for (int i = 0; i < 100; i++)
	{
		char		num[16];
		const char *vals[2] = {num, i % 7 ? "txt" : NULL};

		snprintf(num, sizeof(num), "%d", i);
		PQsendQueryPrepared(c, "s1", 2, vals, NULL, NULL, 0);
	}
	PQsendQueryParams(c, "SELECT generate_series(1, $1::int)", 1, NULL,
					  (const char *[]) {"3"}, NULL, NULL, 0);
	PQsendQueryParams(c, "CREATE TEMP TABLE pl(a int)", 0, NULL, NULL, NULL, NULL, 0);
	PQsendQueryParams(c, "INSERT INTO pl SELECT generate_series(1, 10)", 0, NULL, NULL, NULL, NULL, 0);
	PQsendQueryParams(c, "SELECT sum(a) FROM pl", 0, NULL, NULL, NULL, NULL, 1);
	PQpipelineSync(c);
	rc = drain_pipeline(c, 1);
	printf("exit pipeline: %d\n", PQexitPipelineMode(c));
	exec_print(c, "after", "SELECT count(*) FROM pl");
	PQfinish(c);
	return rc != 0;
}

static int
sc_pipeline_error(const seq_target *t)
{
	PGconn	   *c = connect_db(t);
	int			rc;

	if (c == NULL)
		return 1;
	PQenterPipelineMode(c);
	PQsendQueryParams(c, "SELECT 1", 0, NULL, NULL, NULL, NULL, 0);
	PQsendQueryParams(c, "SELECT 1/0", 0, NULL, NULL, NULL, NULL, 0);
	PQsendQueryParams(c, "SELECT 2", 0, NULL, NULL, NULL, NULL, 0);
	PQsendPrepare(c, "never", "SELECT 3", 0, NULL);
	PQpipelineSync(c);
	PQsendQueryParams(c, "SELECT 4", 0, NULL, NULL, NULL, NULL, 0);
	PQsendQueryPrepared(c, "never", 0, NULL, NULL, NULL, 0);
	PQpipelineSync(c);
	PQsendQueryParams(c, "SELECT 5", 0, NULL, NULL, NULL, NULL, 0);
	PQpipelineSync(c);
	rc = drain_pipeline(c, 3);
	printf("exit pipeline: %d\n", PQexitPipelineMode(c));
	exec_print(c, "after", "SELECT 6");
	PQfinish(c);
	return rc != 0;
}

/* A result must arrive after a Flush request alone, before any Sync. */
static int
sc_flush_request(const seq_target *t)
{
	PGconn	   *c = connect_db(t);
	bool		timed_out = false;
	PGresult   *r;
	int			rc;

	if (c == NULL)
		return 1;
	PQenterPipelineMode(c);
	for (int round = 0; round < 3 && !timed_out; round++)
	{
		char		sql[32];

		snprintf(sql, sizeof(sql), "SELECT %d", 40 + round);
		PQsendQueryParams(c, sql, 0, NULL, NULL, NULL, NULL, 0);
		PQsendFlushRequest(c);
		PQflush(c);
		r = get_result(c, &timed_out);
		if (r == NULL)
		{
			printf("no result before Sync (timed out: %d)\n", timed_out);
			break;
		}
		print_result("before sync", r);
		PQclear(r);
		r = get_result(c, &timed_out);	/* the NULL ending that query */
		PQclear(r);
	}
	PQpipelineSync(c);
	rc = drain_pipeline(c, 1);
	PQexitPipelineMode(c);
	PQfinish(c);
	return rc != 0 || timed_out;
}

static void
print_description(const char *label, PGresult *r)
{
	printf("%s: %s params=%d fields=%d", label, PQresStatus(PQresultStatus(r)), PQnparams(r),
		   PQnfields(r));
	for (int i = 0; i < PQnparams(r); i++)
		printf(" $%d:%u", i + 1, PQparamtype(r, i));
	for (int i = 0; i < PQnfields(r); i++)
		printf(" %s:%u", PQfname(r, i), PQftype(r, i));
	if (PQresultStatus(r) == PGRES_FATAL_ERROR)
		printf(" %s", PQresultErrorField(r, PG_DIAG_SQLSTATE));
	printf("\n");
}

static int
sc_describe(const seq_target *t)
{
	PGconn	   *c = connect_db(t);
	PGresult   *r;

	if (c == NULL)
		return 1;
	PQclear(PQprepare(c, "nd", "SET search_path TO public", 0, NULL));
	PQclear(PQprepare(c, "sel", "SELECT $1::int AS x, 'a'::text AS y", 0, NULL));
	print_description("nodata", r = PQdescribePrepared(c, "nd"));
	PQclear(r);
	print_description("select", r = PQdescribePrepared(c, "sel"));
	PQclear(r);
	print_description("missing", r = PQdescribePrepared(c, "nosuch"));
	PQclear(r);
	exec_print(c, "begin", "BEGIN");
	exec_print(c, "declare", "DECLARE cur CURSOR FOR SELECT 1 AS one, 2 AS two");
	print_description("portal", r = PQdescribePortal(c, "cur"));
	PQclear(r);
	exec_print(c, "fetch", "FETCH 1 FROM cur");
	exec_print(c, "commit", "COMMIT");
	PQfinish(c);
	return 0;
}

static int
sc_prepared_reuse(const seq_target *t)
{
	PGconn	   *c = connect_db(t);
	long long	sum = 0;
	int			errors = 0;

	if (c == NULL)
		return 1;
	PQclear(PQprepare(c, "inc", "SELECT $1::int + 1", 1, NULL));
	for (int i = 0; i < 2000; i++)
	{
		char		num[16];
		const char *vals[1] = {num};
		PGresult   *r;

		snprintf(num, sizeof(num), "%d", i);
		r = PQexecPrepared(c, "inc", 1, vals, NULL, NULL, 0);
		if (PQresultStatus(r) == PGRES_TUPLES_OK)
			sum += atoll(PQgetvalue(r, 0, 0));
		else
			errors++;
		PQclear(r);
	}
	printf("2000 executions: sum=%lld errors=%d\n", sum, errors);
	PQfinish(c);
	return 0;
}

static int
sc_large_result(const seq_target *t)
{
	PGconn	   *c = connect_db(t);
	const char *sql = "SELECT g, md5(g::text) FROM generate_series(1, 200000) g";
	uint64_t	h = SEQ_HASH_INIT;
	long		rows = 0;
	bool		timed_out = false;
	PGresult   *r;

	if (c == NULL)
		return 1;
	exec_print(c, "all at once", sql);
	PQsendQuery(c, sql);
	PQsetSingleRowMode(c);
	while ((r = get_result(c, &timed_out)) != NULL)
	{
		if (PQresultStatus(r) == PGRES_SINGLE_TUPLE)
		{
			rows++;
			h = seq_hash(h, PQgetvalue(r, 0, 1), (size_t) PQgetlength(r, 0, 1));
		}
		else
			print_result("single-row end", r);
		PQclear(r);
	}
	printf("single-row: %ld rows hash=%016llx timed_out=%d\n", rows, (unsigned long long) h, timed_out);
	PQfinish(c);
	return timed_out;
}

static int
sc_large_param(const seq_target *t)
{
	PGconn	   *c = connect_db(t);
	size_t		n = 10 * 1024 * 1024;
	char	   *data = malloc(n);
	const char *vals[1] = {data};
	int			lens[1] = {(int) n};
	int			fmts[1] = {1};
	PGresult   *r;

	if (c == NULL || data == NULL)
		return 1;
	for (size_t i = 0; i < n; i++)
		data[i] = (char) ((i * 7919) >> 3);
	printf("sent hash=%016llx\n", (unsigned long long) seq_hash(SEQ_HASH_INIT, data, n));
	r = PQexecParams(c, "SELECT length($1::bytea), md5($1::bytea), $1::bytea", 1, NULL, vals, lens,
					 fmts, 1);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		printf("bytea: length ok=%d, echoed %d bytes hash=%016llx\n", PQgetlength(r, 0, 0) == 4,
			   PQgetlength(r, 0, 2),
			   (unsigned long long) seq_hash(SEQ_HASH_INIT, PQgetvalue(r, 0, 2),
											 (size_t) PQgetlength(r, 0, 2)));
	else
		print_result("bytea", r);
	PQclear(r);
	memset(data, 'z', n - 1);
	data[n - 1] = 0;
	fmts[0] = 0;
	r = PQexecParams(c, "SELECT length($1::text), md5($1::text)", 1, NULL, vals, NULL, fmts, 0);
	print_result("text", r);
	PQclear(r);
	free(data);
	PQfinish(c);
	return 0;
}

/* COPY FROM STDIN in 1000-byte chunks cut anywhere; returns the COPY's result status. */
static void
copy_in(PGconn *c, int nrows, const char *end_error)
{
	char	   *buf = malloc((size_t) nrows * 32);
	size_t		len = 0;
	PGresult   *r = PQexec(c, "COPY cp FROM STDIN");

	print_result("copy start", r);
	PQclear(r);
	for (int i = 0; i < nrows; i++)
		len += (size_t) sprintf(buf + len, "%d\trow %d\n", i, i);
	for (size_t off = 0; off < len; off += 1000)
		PQputCopyData(c, buf + off, (int) (len - off < 1000 ? len - off : 1000));
	PQputCopyEnd(c, end_error);
	while ((r = PQgetResult(c)) != NULL)
	{
		print_result("copy end", r);
		PQclear(r);
	}
	free(buf);
}

static void
copy_out(PGconn *c, const char *sql)
{
	PGresult   *r = PQexec(c, sql);
	uint64_t	h = SEQ_HASH_INIT;
	long		rows = 0;
	char	   *line;
	int			n;

	print_result("copy out start", r);
	PQclear(r);
	while ((n = PQgetCopyData(c, &line, 0)) > 0)
	{
		h = seq_hash(h, line, (size_t) n);
		rows++;
		PQfreemem(line);
	}
	printf("copy out: %ld rows hash=%016llx\n", rows, (unsigned long long) h);
	while ((r = PQgetResult(c)) != NULL)
	{
		print_result("copy out end", r);
		PQclear(r);
	}
}

static int
sc_copy(const seq_target *t)
{
	PGconn	   *c = connect_db(t);

	if (c == NULL)
		return 1;
	exec_print(c, "create", "CREATE TEMP TABLE cp(a int, b text)");
	copy_in(c, 100000, NULL);
	exec_print(c, "count", "SELECT count(*), sum(a) FROM cp");
	copy_out(c, "COPY cp TO STDOUT");
	copy_out(c, "COPY (SELECT * FROM cp ORDER BY a LIMIT 5000) TO STDOUT (FORMAT binary)");
	PQfinish(c);
	return 0;
}

static int
sc_copy_error(const seq_target *t)
{
	PGconn	   *c = connect_db(t);

	if (c == NULL)
		return 1;
	exec_print(c, "create", "CREATE TEMP TABLE cp(a int, b text)");
	copy_in(c, 20000, "client gave up");
	exec_print(c, "after CopyFail", "SELECT count(*) FROM cp");
	/* the server fails while the client is still sending */
	exec_print(c, "alter", "ALTER TABLE cp ADD CHECK (a < 1000)");
	copy_in(c, 50000, NULL);
	exec_print(c, "after server error", "SELECT count(*) FROM cp");
	PQfinish(c);
	return 0;
}

/* Waits (bounded) for `want` notifications and prints them. */
static int
await_notifies(PGconn *c, int want)
{
	int64_t		deadline = raw_now_ms() + WAIT_MS;
	int			got = 0;

	while (got < want && raw_now_ms() < deadline)
	{
		struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
		PGnotify   *n;

		PQconsumeInput(c);
		while ((n = PQnotifies(c)) != NULL)
		{
			printf("notify %s \"%s\"\n", n->relname, n->extra);
			PQfreemem(n);
			got++;
		}
		if (got < want)
			poll(&p, 1, 100);
	}
	return got == want ? 0 : 1;
}

static int
sc_notify(const seq_target *t)
{
	PGconn	   *c = connect_db(t);
	PGconn	   *other = connect_db(t);
	int			rc;

	if (c == NULL || other == NULL)
		return 1;
	exec_print(c, "listen", "LISTEN pqseq_ch");
	exec_print(other, "notify other", "NOTIFY pqseq_ch, 'from another session'");
	rc = await_notifies(c, 1);
	exec_print(c, "notify self", "BEGIN; NOTIFY pqseq_ch, 'x'; NOTIFY pqseq_ch, 'x'; NOTIFY pqseq_ch, 'y'; COMMIT");
	rc |= await_notifies(c, 2);
	exec_print(c, "unlisten", "UNLISTEN *");
	PQfinish(other);
	PQfinish(c);
	return rc;
}

static const seq_scenario libpq_scenarios[] = {
	{"pipeline", sc_pipeline},
	{"pipeline_error", sc_pipeline_error},
	{"flush_request", sc_flush_request},
	{"describe", sc_describe},
	{"prepared_reuse", sc_prepared_reuse},
	{"large_result", sc_large_result},
	{"large_param", sc_large_param},
	{"copy", sc_copy},
	{"copy_error", sc_copy_error},
	{"notify", sc_notify},
	{NULL, NULL}
};

/* Runs one scenario by name; -1 when there is none of that name. */
static int
run_named(const seq_scenario *list, const char *name, const seq_target *t)
{
	for (int i = 0; list[i].name != NULL; i++)
		if (strcmp(name, "all") == 0 || strcmp(name, list[i].name) == 0)
		{
			int			rc;

			printf("== %s\n", list[i].name);
			fflush(stdout);
			rc = list[i].fn(t);
			printf("== %s: %s\n", list[i].name, rc == 0 ? "done" : "FAILED");
			fflush(stdout);
			if (strcmp(name, "all") != 0 || rc != 0)
				return rc;
		}
	return strcmp(name, "all") == 0 ? 0 : -1;
}

static void
list_all(void)
{
	for (int i = 0; libpq_scenarios[i].name != NULL; i++)
		printf("%s\n", libpq_scenarios[i].name);
	for (int i = 0; seq_raw_scenarios[i].name != NULL; i++)
		printf("%s\n", seq_raw_scenarios[i].name);
}

int
main(int argc, char **argv)
{
	static char conninfo[512];
	seq_target	t = {.host = "127.0.0.1", .user = "postgres", .db = "postgres"};
	int			status = 0;

	if (argc >= 2 && strcmp(argv[1], "-l") == 0)
	{
		list_all();
		return 0;
	}
	if (argc < 6)
	{
		fprintf(stderr, "usage: pqseq -l | pqseq HOST PORT USER DB SCENARIO...\n");
		return 2;
	}
	t.host = argv[1];
	t.port = atoi(argv[2]);
	t.user = argv[3];
	t.db = argv[4];
	snprintf(conninfo, sizeof(conninfo), "host=%s port=%d user=%s dbname=%s connect_timeout=10",
			 t.host, t.port, t.user, t.db);
	t.conninfo = conninfo;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 5; i < argc; i++)
	{
		int			rc = run_named(libpq_scenarios, argv[i], &t);

		if (strcmp(argv[i], "all") == 0)
			rc |= run_named(seq_raw_scenarios, argv[i], &t);
		else if (rc < 0)
			rc = run_named(seq_raw_scenarios, argv[i], &t);
		if (rc < 0)
			fprintf(stderr, "pqseq: no scenario %s\n", argv[i]);
		if (rc != 0)
			status = 1;
	}
	return status;
}
