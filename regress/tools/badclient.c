/*
 * badclient: one misbehaving client per run (broken start-up packets, bad lengths, garbage, leaving
 * mid-result or mid-COPY, stalling mid-message, never reading), printing what the server answered.
 *   badclient MODE HOST PORT USER DB [HOLD_S]
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "regress/tools/rawpq.h"

#define ANSWER_MS 15000

typedef struct target
{
	const char *host;
	int			port;
	const char *user;
	const char *db;
	int			hold_s;			/* how long the stalling modes wait for the server to act */
} target;

/* Prints the server's answers until it closes, says ReadyForQuery, or `ms` pass. */
static void
report(int fd, int ms)
{
	raw_msg		m = {0};
	int64_t		deadline = raw_now_ms() + ms;
	char		text[256];

	for (;;)
	{
		int			rc = raw_read_msg(fd, &m, deadline);

		if (rc != 0)
		{
			printf("%s\n", raw_now_ms() >= deadline ? "timeout" : "closed");
			break;
		}
		if (m.type == 'E')
		{
			raw_error_text(&m, text, sizeof(text));
			printf("E %s\n", text);
		}
		else if (m.type == 'Z')
		{
			printf("ready\n");
			break;
		}
	}
	raw_msg_free(&m);
}

static int
connect_or_die(const target *t)
{
	int			fd = raw_connect(t->host, t->port, 10000);

	if (fd < 0)
	{
		printf("connect failed\n");
		exit(1);
	}
	return fd;
}

static int
login_or_die(const target *t)
{
	int			fd = raw_login(t->host, t->port, t->user, t->db, raw_now_ms() + ANSWER_MS);

	if (fd < 0)
	{
		printf("login failed\n");
		exit(1);
	}
	return fd;
}

/* Sends a start-up packet built from parts: a length (0 = computed), a code and a body. */
static void
send_startup(const target *t, uint32_t length, uint32_t code, const void *body, size_t body_len)
{
	int			fd = connect_or_die(t);
	raw_buf		b = {0};

	raw_put32(&b, length ? length : (uint32_t) (8 + body_len));
	raw_put32(&b, code);
	raw_put(&b, body, body_len);
	raw_send_buf(fd, &b, raw_now_ms() + ANSWER_MS);
	report(fd, ANSWER_MS);
	raw_buf_free(&b);
	close(fd);
}

static void
bad_startup(const target *t, const char *mode)
{
	char		body[512];
	size_t		n;

	memset(body, 0, sizeof(body));
	if (strcmp(mode, "startup_len3") == 0)
	{
		int			fd = connect_or_die(t);

		raw_send(fd, "\0\0\0\3", 4, raw_now_ms() + ANSWER_MS);
		report(fd, ANSWER_MS);
		close(fd);
	}
	else if (strcmp(mode, "startup_len20000") == 0)
		send_startup(t, 20000, 196608, body, sizeof(body));
	else if (strcmp(mode, "startup_v2") == 0)
		send_startup(t, 296, 0x00020000, body, 288);
	else if (strcmp(mode, "startup_key_no_value") == 0)
	{
		n = (size_t) snprintf(body, sizeof(body), "user%c%s%cdatabase", 0, t->user, 0) + 1;
		send_startup(t, 0, 196608, body, n);	/* ends with the name's NUL: no value */
	}
	else if (strcmp(mode, "startup_no_final_nul") == 0)
	{
		n = (size_t) snprintf(body, sizeof(body), "user%c%s%cdatabase%c%s", 0, t->user, 0, 0, t->db) + 1;
		send_startup(t, 0, 196608, body, n);
	}
}

/* After a good log-in: bytes that are not a message. */
static void
bad_message(const target *t, const char *mode)
{
	static const uint8_t oversized[] = {'Q', 0x7f, 0xff, 0xff, 0xff, 'S', 'E', 'L'};
	static const uint8_t short_len[] = {'Q', 0, 0, 0, 2, 'x', 'y'};
	static const uint8_t garbage[] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x13, 0x37, 0xff, 0x80, 'Q'};
	static const uint8_t no_nul[] = {'Q', 0, 0, 0, 8, 'a', 'b', 'c', 'd'};
	/* a Flush with a body: an error, after which PostgreSQL skips everything up to a Sync */
	static const uint8_t flush_body[] = {'H', 0, 0, 0, 8, 'a', 'b', 'c', 'd'};
	int			fd = login_or_die(t);
	const uint8_t *bytes = oversized;
	size_t		len = sizeof(oversized);

	if (strcmp(mode, "short_len") == 0)
		bytes = short_len, len = sizeof(short_len);
	else if (strcmp(mode, "garbage") == 0)
		bytes = garbage, len = sizeof(garbage);
	else if (strcmp(mode, "query_no_nul") == 0)
		bytes = no_nul, len = sizeof(no_nul);
	else if (strcmp(mode, "flush_with_body") == 0)
		bytes = flush_body, len = sizeof(flush_body);
	raw_send(fd, bytes, len, raw_now_ms() + ANSWER_MS);
	/* after the Flush's error no ReadyForQuery comes: wait only for the error */
	report(fd, bytes == flush_body ? 1000 : ANSWER_MS);
	close(fd);
}

/* Sends a query with a large result, reads a little of it, and leaves. */
static void
leave_mid_result(const target *t)
{
	int			fd = login_or_die(t);
	raw_buf		b = {0};
	char		chunk[65536];
	size_t		got = 0;

	raw_query(&b, "SELECT g, repeat('x', 1000) FROM generate_series(1, 200000) g");
	raw_send_buf(fd, &b, raw_now_ms() + ANSWER_MS);
	while (got < 200000)
	{
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t		n;

		if (poll(&p, 1, ANSWER_MS) <= 0 || (n = recv(fd, chunk, sizeof(chunk), 0)) <= 0)
			break;
		got += (size_t) n;
	}
	printf("left after %s\n", got >= 200000 ? "200 kB" : "less than 200 kB");
	raw_buf_free(&b);
	close(fd);
}

/* Starts COPY FROM STDIN, sends some rows, and leaves (cleanly or mid-message). */
static void
leave_mid_copy(const target *t, bool mid_message)
{
	int			fd = login_or_die(t);
	raw_buf		b = {0};
	raw_msg		m = {0};

	raw_query(&b, "CREATE TEMP TABLE bad_copy(a int, b text)");
	raw_send_buf(fd, &b, raw_now_ms() + ANSWER_MS);
	raw_drain_until_ready(fd, &m, raw_now_ms() + ANSWER_MS);
	raw_query(&b, "COPY bad_copy FROM STDIN");
	raw_send_buf(fd, &b, raw_now_ms() + ANSWER_MS);
	if (raw_read_msg(fd, &m, raw_now_ms() + ANSWER_MS) != 0 || m.type != 'G')
		printf("no CopyInResponse\n");
	for (int i = 0; i < 1000; i++)
	{
		raw_begin(&b, 'd');
		raw_put(&b, "1\tsome row\n", 11);
		raw_end(&b);
	}
	if (mid_message)
		b.len -= 5;
	raw_send_buf(fd, &b, raw_now_ms() + ANSWER_MS);
	printf("left during COPY\n");
	raw_buf_free(&b);
	raw_msg_free(&m);
	close(fd);
}

/* Half a message, then silence: the server must close the session within hold_s. */
static void
half_message(const target *t)
{
	int			fd = login_or_die(t);
	static const uint8_t half[] = {'Q', 0, 0, 0, 100, 'S', 'E', 'L', 'E', 'C', 'T'};

	raw_send(fd, half, sizeof(half), raw_now_ms() + ANSWER_MS);
	report(fd, t->hold_s * 1000);
	close(fd);
}

/* Asks for a large result and never reads it; holds the socket for hold_s seconds. */
static void
never_read(const target *t)
{
	int			fd = login_or_die(t);
	raw_buf		b = {0};

	raw_query(&b, "SELECT g, repeat('n', 1000) FROM generate_series(1, 100000) g");
	raw_send_buf(fd, &b, raw_now_ms() + ANSWER_MS);
	printf("not reading\n");
	fflush(stdout);
	poll(NULL, 0, t->hold_s * 1000);
	raw_buf_free(&b);
	close(fd);
}

/* A slow statement followed by megabytes of pipelined queries: the backend reads nothing for a
 * while, which is no reason to close the session. */
static void
busy_backend(const target *t)
{
	int			fd = login_or_die(t);
	raw_buf		b = {0};
	raw_msg		m = {0};
	int			readies = 0;
	size_t		sent = 0;
	int64_t		deadline = raw_now_ms() + 60000;
	char		sql[64];

	snprintf(sql, sizeof(sql), "SELECT pg_sleep(%d)", t->hold_s);
	raw_query(&b, sql);
	for (int i = 0; i < 100000; i++)
		raw_query(&b, "SELECT 1 /* padding padding padding */");
	while (readies < 100001 && raw_now_ms() < deadline)
	{
		struct pollfd p = {.fd = fd, .events = POLLIN | (sent < b.len ? POLLOUT : 0)};
		ssize_t		w;

		if (poll(&p, 1, 1000) < 0)
			break;
		if ((p.revents & POLLOUT) && (w = send(fd, b.data + sent, b.len - sent, MSG_NOSIGNAL)) > 0)
			sent += (size_t) w;
		if ((p.revents & (POLLIN | POLLHUP | POLLERR)))
		{
			if (raw_read_msg(fd, &m, deadline) != 0)
				break;
			readies += m.type == 'Z';
		}
	}
	printf("ready for query %d of 100001\n", readies);
	raw_buf_free(&b);
	raw_msg_free(&m);
	close(fd);
}

int
main(int argc, char **argv)
{
	target		t;
	const char *mode;

	if (argc < 6)
	{
		fprintf(stderr, "usage: badclient MODE HOST PORT USER DB [HOLD_S]\n");
		return 2;
	}
	mode = argv[1];
	t = (target) {.host = argv[2], .port = atoi(argv[3]), .user = argv[4], .db = argv[5],
	.hold_s = argc > 6 ? atoi(argv[6]) : 10};
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strncmp(mode, "startup_", 8) == 0)
		bad_startup(&t, mode);
	else if (strcmp(mode, "leave_mid_result") == 0)
		leave_mid_result(&t);
	else if (strcmp(mode, "leave_mid_copy") == 0 || strcmp(mode, "leave_mid_copy_message") == 0)
		leave_mid_copy(&t, strcmp(mode, "leave_mid_copy_message") == 0);
	else if (strcmp(mode, "half_message") == 0)
		half_message(&t);
	else if (strcmp(mode, "never_read") == 0)
		never_read(&t);
	else if (strcmp(mode, "busy_backend") == 0)
		busy_backend(&t);
	else
		bad_message(&t, mode);
	return 0;
}
