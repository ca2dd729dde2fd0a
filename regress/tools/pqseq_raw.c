/*
 * pqseq's raw-socket scenarios: message sequences libpq never sends (a Query while an extended
 * sequence is pending, Flush-only batches, suspended portals, FunctionCall, Terminate mid-pipeline,
 * a large pipelined stream), each printing the server's answers one message per line.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "regress/tools/pqseq.h"
#include "regress/tools/rawpq.h"

#define RAW_WAIT_MS 30000

/* Prints a DataRow's columns as text, at most 60 characters. */
static void
print_datarow(const raw_msg *m)
{
	uint16_t	ncols;
	size_t		off = 2;
	char		line[64] = "";

	memcpy(&ncols, m->body, 2);
	ncols = ntohs(ncols);
	for (int i = 0; i < ncols && off + 4 <= m->len; i++)
	{
		int32_t		len;

		memcpy(&len, m->body + off, 4);
		len = (int32_t) ntohl((uint32_t) len);
		off += 4;
		if (len < 0)
			strncat(line, "NULL", sizeof(line) - strlen(line) - 1);
		else
		{
			size_t		room = sizeof(line) - strlen(line) - 1;

			strncat(line, (const char *) m->body + off, (size_t) len < room ? (size_t) len : room);
			off += (size_t) len;
		}
		if (i + 1 < ncols)
			strncat(line, "|", sizeof(line) - strlen(line) - 1);
	}
	printf("D %s\n", line);
}

/* One line per server message; ParameterStatus and BackendKeyData are left out. */
static void
print_msg(const raw_msg *m)
{
	char		text[256];

	switch (m->type)
	{
		case 'S':
		case 'K':
			return;
		case 'Z':
			printf("Z %c\n", m->len > 0 ? m->body[0] : '?');
			return;
		case 'C':
			printf("C %s\n", (const char *) m->body);
			return;
		case 'D':
			print_datarow(m);
			return;
		case 'E':
		case 'N':
			raw_error_text(m, text, sizeof(text));
			printf("%c %s\n", m->type, text);
			return;
		case 'V':
			if (m->len == 8)
			{
				uint32_t	v;

				memcpy(&v, m->body + 4, 4);
				printf("V %d\n", (int32_t) ntohl(v));
				return;
			}
			break;
	}
	printf("%c\n", m->type);
}

/* Reads and prints until `readies` ReadyForQuery (or `until` when not 0) arrived; 0 or 1. */
static int
read_answers(int fd, int readies, char until)
{
	raw_msg		m = {0};
	int64_t		deadline = raw_now_ms() + RAW_WAIT_MS;
	int			rc = 0;

	while (readies > 0)
	{
		if (raw_read_msg(fd, &m, deadline) != 0)
		{
			printf("no answer (EOF or timeout)\n");
			rc = 1;
			break;
		}
		print_msg(&m);
		if (m.type == 'Z')
			readies--;
		if (until != 0 && m.type == until)
			break;
	}
	raw_msg_free(&m);
	return rc;
}

static int
login(const seq_target *t)
{
	int			fd = raw_login(t->host, t->port, t->user, t->db, raw_now_ms() + RAW_WAIT_MS);

	if (fd < 0)
		printf("login failed\n");
	return fd;
}

/* Sends b and prints answers until `readies` ReadyForQuery; then Terminate. */
static int
exchange(const seq_target *t, raw_buf *b, int readies)
{
	int			fd = login(t);
	int			rc;

	if (fd < 0)
		return 1;
	rc = raw_send_buf(fd, b, raw_now_ms() + RAW_WAIT_MS) != 0 || read_answers(fd, readies, 0);
	raw_simple(b, 'X');
	raw_send_buf(fd, b, raw_now_ms() + RAW_WAIT_MS);
	raw_buf_free(b);
	close(fd);
	return rc;
}

static int
sc_query_in_extended(const seq_target *t)
{
	raw_buf		b = {0};
	const char *one[1] = {"41"};
	int			rc;

	/* pgjdbc 42.7.6+: an extended sequence without Sync, then a simple Query */
	raw_parse(&b, "", "SELECT $1::int + 1");
	raw_bind(&b, "", "", 1, one);
	raw_describe(&b, 'P', "");
	raw_execute(&b, "", 0);
	raw_query(&b, "SELECT 'simple'");
	raw_simple(&b, 'S');
	rc = exchange(t, &b, 2);
	/* the same after an error: the Query is skipped up to the Sync */
	raw_parse(&b, "", "SELECT 1/0");
	raw_bind(&b, "", "", 0, NULL);
	raw_execute(&b, "", 0);
	raw_query(&b, "SELECT 'skipped'");
	raw_simple(&b, 'S');
	raw_query(&b, "SELECT 'after'");
	return rc | exchange(t, &b, 2);
}

/* Batches ended by Flush only: each batch's answers must come before the next is sent. */
static int
sc_flush_batches(const seq_target *t)
{
	int			fd = login(t);
	raw_buf		b = {0};
	int			rc = 0;

	if (fd < 0)
		return 1;
	for (int i = 0; i < 3 && rc == 0; i++)
	{
		char		sql[64];

		snprintf(sql, sizeof(sql), "SELECT %d AS n, repeat('f', %d)", i, 1000 * i);
		raw_parse(&b, "", sql);
		raw_bind(&b, "", "", 0, NULL);
		raw_execute(&b, "", 0);
		raw_simple(&b, 'H');
		rc = raw_send_buf(fd, &b, raw_now_ms() + RAW_WAIT_MS) != 0 || read_answers(fd, 1, 'C');
	}
	raw_simple(&b, 'S');
	raw_simple(&b, 'X');
	if (rc == 0)
		rc = raw_send_buf(fd, &b, raw_now_ms() + RAW_WAIT_MS) != 0 || read_answers(fd, 1, 0);
	raw_buf_free(&b);
	close(fd);
	return rc;
}

static int
sc_portal_suspended(const seq_target *t)
{
	raw_buf		b = {0};

	raw_query(&b, "BEGIN");
	raw_parse(&b, "gs", "SELECT generate_series(1, 10)");
	raw_bind(&b, "p1", "gs", 0, NULL);
	raw_execute(&b, "p1", 3);
	raw_execute(&b, "p1", 3);
	raw_simple(&b, 'H');
	raw_execute(&b, "p1", 0);
	raw_execute(&b, "p1", 2);	/* exhausted portal: no rows */
	raw_simple(&b, 'S');
	raw_query(&b, "COMMIT");
	return exchange(t, &b, 3);
}

static int
sc_close(const seq_target *t)
{
	raw_buf		b = {0};

	raw_parse(&b, "st", "SELECT 1");
	raw_bind(&b, "po", "st", 0, NULL);
	raw_close(&b, 'P', "po");
	raw_close(&b, 'S', "st");
	raw_close(&b, 'S', "never-existed");
	raw_simple(&b, 'S');
	raw_bind(&b, "", "st", 0, NULL);	/* closed: an error */
	raw_execute(&b, "", 0);
	raw_simple(&b, 'S');
	raw_describe(&b, 'S', "st");
	raw_simple(&b, 'S');
	return exchange(t, &b, 3);
}

/* FunctionCall of int4pl (OID 177) and abs(int4) (OID 1397), binary arguments and result. */
static void
put_function_call(raw_buf *b, uint32_t oid, int nargs, const int32_t *args)
{
	raw_begin(b, 'F');
	raw_put32(b, oid);
	raw_put16(b, 1);
	raw_put16(b, 1);
	raw_put16(b, (uint16_t) nargs);
	for (int i = 0; i < nargs; i++)
	{
		raw_put32(b, 4);
		raw_put32(b, (uint32_t) args[i]);
	}
	raw_put16(b, 1);
	raw_end(b);
}

static int
sc_function_call(const seq_target *t)
{
	raw_buf		b = {0};
	const int32_t add[2] = {40, 2};
	const int32_t neg[1] = {-7};

	raw_query(&b, "SELECT 'int4pl'::regproc::oid, 'abs(int4)'::regprocedure::oid");
	put_function_call(&b, 177, 2, add);
	put_function_call(&b, 1397, 1, neg);
	put_function_call(&b, 177, 1, add);	/* wrong argument count: an error */
	raw_query(&b, "SELECT 'still here'");
	return exchange(t, &b, 5);
}

/* Waits (bounded) until no other session of this database is busy; prints whether it settled. */
static void
wait_settled(int fd)
{
	raw_buf		b = {0};
	raw_msg		m = {0};
	bool		settled = false;

	for (int i = 0; i < 50 && !settled; i++)
	{
		raw_query(&b, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
				  "AND pid <> pg_backend_pid() AND state <> 'idle'");
		if (raw_send_buf(fd, &b, raw_now_ms() + RAW_WAIT_MS) != 0)
			break;
		while (raw_read_msg(fd, &m, raw_now_ms() + RAW_WAIT_MS) == 0 && m.type != 'Z')
			if (m.type == 'D' && m.len >= 7 && memcmp(m.body + 6, "0", 1) == 0 && m.len == 7)
				settled = true;
		if (!settled)
			poll(NULL, 0, 100);
	}
	printf("other sessions settled: %s\n", settled ? "yes" : "no");
	raw_buf_free(&b);
	raw_msg_free(&m);
}

/* Terminate after an unsynced extended sequence: its work must be rolled back, as PostgreSQL does. */
static int
sc_terminate_mid_pipeline(const seq_target *t)
{
	raw_buf		b = {0};
	int			fd;
	int			rc;

	raw_query(&b, "DROP TABLE IF EXISTS pqseq_term; CREATE TABLE pqseq_term(a int)");
	rc = exchange(t, &b, 1);
	for (int variant = 0; variant < 2; variant++)
	{
		if ((fd = login(t)) < 0)
			return 1;
		raw_parse(&b, "", "INSERT INTO pqseq_term VALUES (1)");
		raw_bind(&b, "", "", 0, NULL);
		raw_execute(&b, "", 0);
		if (variant == 1)
		{
			raw_parse(&b, "", "SELECT 1/0");
			raw_bind(&b, "", "", 0, NULL);
			raw_execute(&b, "", 0);
		}
		raw_simple(&b, 'H');
		raw_send_buf(fd, &b, raw_now_ms() + RAW_WAIT_MS);
		read_answers(fd, 1, variant == 0 ? 'C' : 'E');
		raw_simple(&b, 'X');
		raw_send_buf(fd, &b, raw_now_ms() + RAW_WAIT_MS);
		close(fd);
		if ((fd = login(t)) < 0)
			return 1;
		wait_settled(fd);
		close(fd);
	}
	raw_query(&b, "SELECT count(*) FROM pqseq_term; DROP TABLE pqseq_term");
	return rc | exchange(t, &b, 1);
}

/* Writes `b` while reading answers, as a client that pipelines a lot must; counts what came. */
static int
stream_both_ways(int fd, raw_buf *b, int readies)
{
	size_t		sent = 0;
	raw_msg		m = {0};
	long		counts[256] = {0};
	int64_t		deadline = raw_now_ms() + RAW_WAIT_MS * 2;
	int			rc = 0;

	while (readies > 0 && rc == 0)
	{
		struct pollfd p = {.fd = fd, .events = POLLIN | (sent < b->len ? POLLOUT : 0)};

		if (poll(&p, 1, 1000) < 0 || raw_now_ms() > deadline)
			rc = 1;
		else if (p.revents & POLLOUT)
		{
			ssize_t		w = send(fd, b->data + sent, b->len - sent, MSG_NOSIGNAL);

			sent += w > 0 ? (size_t) w : 0;
		}
		else if ((p.revents & (POLLIN | POLLHUP | POLLERR)) &&
				 raw_read_msg(fd, &m, deadline) == 0)
		{
			counts[(unsigned char) m.type]++;
			readies -= m.type == 'Z';
		}
		else if (p.revents)
			rc = 1;
	}
	printf("stream: rc=%d T=%ld D=%ld C=%ld E=%ld Z=%ld\n", rc, counts['T'], counts['D'], counts['C'],
		   counts['E'], counts['Z']);
	raw_msg_free(&m);
	return rc;
}

/* 20,000 pipelined queries and a slow one first, so both directions fill up at once. */
static int
sc_pipelined_stream(const seq_target *t)
{
	int			fd = login(t);
	raw_buf		b = {0};
	int			rc;

	if (fd < 0)
		return 1;
	raw_query(&b, "SELECT pg_sleep(0.5)");
	for (int i = 0; i < 10000; i++)
	{
		raw_query(&b, "SELECT repeat('r', 200)");
		raw_parse(&b, "", "SELECT generate_series(1, 3)");
		raw_bind(&b, "", "", 0, NULL);
		raw_execute(&b, "", 0);
		raw_simple(&b, 'S');
	}
	rc = stream_both_ways(fd, &b, 20001);
	raw_buf_free(&b);
	close(fd);
	return rc;
}

const seq_scenario seq_raw_scenarios[] = {
	{"raw_query_in_extended", sc_query_in_extended},
	{"raw_flush_batches", sc_flush_batches},
	{"raw_portal_suspended", sc_portal_suspended},
	{"raw_close", sc_close},
	{"raw_function_call", sc_function_call},
	{"raw_terminate_mid_pipeline", sc_terminate_mid_pipeline},
	{"raw_pipelined_stream", sc_pipelined_stream},
	{NULL, NULL}
};
