/*
 * The regress tools' raw v3 client (see rawpq.h): plain sockets, no libpq, so that tests can
 * send sequences and malformed bytes that libpq never produces.
 */
#include "regress/tools/rawpq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void *
must_realloc(void *p, size_t n)
{
	void	   *q = realloc(p, n);

	if (q == NULL)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return q;
}

void
raw_buf_free(raw_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void
raw_put(raw_buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap)
	{
		b->cap = (b->len + n) * 2 + 64;
		b->data = must_realloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
raw_put8(raw_buf *b, uint8_t v)
{
	raw_put(b, &v, 1);
}

void
raw_put16(raw_buf *b, uint16_t v)
{
	uint16_t	n = htons(v);

	raw_put(b, &n, 2);
}

void
raw_put32(raw_buf *b, uint32_t v)
{
	uint32_t	n = htonl(v);

	raw_put(b, &n, 4);
}

void
raw_puts(raw_buf *b, const char *s)
{
	raw_put(b, s, strlen(s) + 1);
}

void
raw_begin(raw_buf *b, char type)
{
	raw_put8(b, (uint8_t) type);
	b->msg_start = b->len;
	raw_put32(b, 0);
}

void
raw_end(raw_buf *b)
{
	uint32_t	n = htonl((uint32_t) (b->len - b->msg_start));

	memcpy(b->data + b->msg_start, &n, 4);
}

void
raw_query(raw_buf *b, const char *sql)
{
	raw_begin(b, 'Q');
	raw_puts(b, sql);
	raw_end(b);
}

void
raw_parse(raw_buf *b, const char *stmt, const char *sql)
{
	raw_begin(b, 'P');
	raw_puts(b, stmt);
	raw_puts(b, sql);
	raw_put16(b, 0);
	raw_end(b);
}

/* Text parameters, text results. */
void
raw_bind(raw_buf *b, const char *portal, const char *stmt, int nparams, const char **params)
{
	raw_begin(b, 'B');
	raw_puts(b, portal);
	raw_puts(b, stmt);
	raw_put16(b, 0);
	raw_put16(b, (uint16_t) nparams);
	for (int i = 0; i < nparams; i++)
	{
		raw_put32(b, (uint32_t) strlen(params[i]));
		raw_put(b, params[i], strlen(params[i]));
	}
	raw_put16(b, 0);
	raw_end(b);
}

void
raw_execute(raw_buf *b, const char *portal, uint32_t max_rows)
{
	raw_begin(b, 'E');
	raw_puts(b, portal);
	raw_put32(b, max_rows);
	raw_end(b);
}

void
raw_describe(raw_buf *b, char kind, const char *name)
{
	raw_begin(b, 'D');
	raw_put8(b, (uint8_t) kind);
	raw_puts(b, name);
	raw_end(b);
}

void
raw_close(raw_buf *b, char kind, const char *name)
{
	raw_begin(b, 'C');
	raw_put8(b, (uint8_t) kind);
	raw_puts(b, name);
	raw_end(b);
}

void
raw_simple(raw_buf *b, char type)
{
	raw_begin(b, type);
	raw_end(b);
}

void
raw_startup(raw_buf *b, const char *user, const char *database)
{
	size_t		start = b->len;
	uint32_t	n;

	raw_put32(b, 0);
	raw_put32(b, 196608);		/* 3.0 */
	raw_puts(b, "user");
	raw_puts(b, user);
	raw_puts(b, "database");
	raw_puts(b, database);
	raw_put8(b, 0);
	n = htonl((uint32_t) (b->len - start));
	memcpy(b->data + start, &n, 4);
}

int64_t
raw_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until the deadline; 1 ready, 0 timeout, -1 error. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	for (;;)
	{
		struct pollfd p = {.fd = fd, .events = events};
		int64_t		left = deadline - raw_now_ms();
		int			rc;

		if (left <= 0)
			return 0;
		rc = poll(&p, 1, (int) left);
		if (rc >= 0 || errno != EINTR)
			return rc > 0 ? 1 : rc;
	}
}

int
raw_connect(const char *host, int port, int timeout_ms)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
	int			fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int			one = 1;
	int			err = 0;
	socklen_t	len = sizeof(err);

	if (fd < 0 || inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		goto fail;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0)
		return fd;
	if (errno != EINPROGRESS || wait_fd(fd, POLLOUT, raw_now_ms() + timeout_ms) != 1)
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
		return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

int
raw_send(int fd, const void *p, size_t n, int64_t deadline)
{
	const uint8_t *c = p;

	while (n > 0)
	{
		ssize_t		w = send(fd, c, n, MSG_NOSIGNAL);

		if (w > 0)
		{
			c += w;
			n -= (size_t) w;
		}
		else if (w < 0 && (errno == EAGAIN || errno == EINTR))
		{
			if (wait_fd(fd, POLLOUT, deadline) != 1)
				return -1;
		}
		else
			return -1;
	}
	return 0;
}

int
raw_send_buf(int fd, raw_buf *b, int64_t deadline)
{
	int			rc = raw_send(fd, b->data, b->len, deadline);

	b->len = 0;
	return rc;
}

/* Reads exactly n bytes; 0, -1 error/timeout, -2 EOF before the first byte. */
static int
read_exact(int fd, uint8_t *p, size_t n, int64_t deadline)
{
	size_t		got = 0;

	while (got < n)
	{
		ssize_t		r = recv(fd, p + got, n - got, 0);

		if (r > 0)
			got += (size_t) r;
		else if (r == 0)
			return got == 0 ? -2 : -1;
		else if (errno == EAGAIN || errno == EINTR)
		{
			if (wait_fd(fd, POLLIN, deadline) != 1)
				return -1;
		}
		else
			return got == 0 ? -2 : -1;	/* a reset counts as the end */
	}
	return 0;
}

int
raw_read_msg(int fd, raw_msg *m, int64_t deadline)
{
	uint8_t		hdr[5];
	uint32_t	len;
	int			rc = read_exact(fd, hdr, 5, deadline);

	if (rc != 0)
		return rc;
	memcpy(&len, hdr + 1, 4);
	len = ntohl(len);
	if (len < 4 || len > 0x40000000U)
		return -1;
	m->type = (char) hdr[0];
	m->len = len - 4;
	if (m->len + 1 > m->cap)
	{
		m->cap = m->len + 1;
		m->body = must_realloc(m->body, m->cap);
	}
	m->body[m->len] = 0;
	if (m->len > 0 && read_exact(fd, m->body, m->len, deadline) != 0)
		return -1;
	return 0;
}

void
raw_msg_free(raw_msg *m)
{
	free(m->body);
	memset(m, 0, sizeof(*m));
}

int
raw_login(const char *host, int port, const char *user, const char *db, int64_t deadline)
{
	int			fd = raw_connect(host, port, (int) (deadline - raw_now_ms()));
	raw_buf		b = {0};
	raw_msg		m = {0};
	char		last;

	if (fd < 0)
		return -1;
	raw_startup(&b, user, db);
	if (raw_send_buf(fd, &b, deadline) != 0)
		last = 0;
	else
		last = raw_drain_until_ready(fd, &m, deadline);
	raw_buf_free(&b);
	raw_msg_free(&m);
	if (last != 'Z')
	{
		close(fd);
		return -1;
	}
	return fd;
}

char
raw_drain_until_ready(int fd, raw_msg *m, int64_t deadline)
{
	for (;;)
	{
		if (raw_read_msg(fd, m, deadline) != 0)
			return 0;
		if (m->type == 'Z')
			return 'Z';
	}
}

void
raw_error_text(const raw_msg *m, char *out, size_t outlen)
{
	const char *sev = "?";
	const char *code = "?";
	const char *msg = "?";
	size_t		i = 0;

	while (i < m->len && m->body[i] != 0)
	{
		const char *val = (const char *) m->body + i + 1;
		size_t		vlen = strnlen(val, m->len - i - 1);

		if (m->body[i] == 'V')
			sev = val;
		else if (m->body[i] == 'C')
			code = val;
		else if (m->body[i] == 'M')
			msg = val;
		i += vlen + 2;
	}
	snprintf(out, outlen, "%s %s %s", sev, code, msg);
}
