/*
 * The PCP client (see client.h).
 */
#include "pcp/client.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "auth/md5.h"
#include "common/util.h"
#include "net/sock.h"
#include "pcp/wire.h"

struct pcp_conn
{
	int			fd;
	bool		debug;
	bool		authenticated;	/* pgpool's clients trace sends only after the login */
};

void
pcp_result_init(pcp_result *res)
{
	memset(res, 0, sizeof(*res));
	res->ok = true;
}

void
pcp_result_free(pcp_result *res)
{
	for (int i = 0; i < res->nrecords; i++)
	{
		for (int f = 0; f < res->records[i].nfields; f++)
			free(res->records[i].fields[f]);
		free(res->records[i].fields);
		free(res->records[i].tag);
	}
	free(res->records);
	free(res->message);
	free(res->detail);
	pcp_result_init(res);
}

static void
set_error(pcp_result *res, const char *severity, const char *detail, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
set_error(pcp_result *res, const char *severity, const char *detail, const char *fmt, ...)
{
	char		msg[512];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	res->ok = false;
	str_copy(res->severity, severity, sizeof(res->severity));
	free(res->message);
	free(res->detail);
	res->message = xstrdup(msg);
	res->detail = detail && detail[0] ? xstrdup(detail) : NULL;
}

/* Waits for a non-blocking connect; 0 or an errno value. */
static int
finish_connect(int fd, int64_t deadline)
{
	int			soerr = 0;
	socklen_t	len = sizeof(soerr);
	int			rc = net_wait_with_deadline(fd, POLLOUT, deadline);

	if (rc == 0)
		return ETIMEDOUT;
	if (rc < 0)
		return errno;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
		return errno;
	return soerr;
}

static int
connect_addr(const struct sockaddr *addr, socklen_t len, int64_t deadline, int *err)
{
	int			fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
	{
		*err = errno;
		return -1;
	}
	*err = 0;
	if (connect(fd, addr, len) != 0)
		*err = errno == EINPROGRESS ? finish_connect(fd, deadline) : errno;
	if (*err != 0)
	{
		close(fd);
		return -1;
	}
	return fd;
}

static int
connect_unix(const pcp_conn_params *p, int64_t deadline, pcp_result *res)
{
	struct sockaddr_un sun;
	int			err;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/.s.PGSQL.%d",
			 p->socket_dir ? p->socket_dir : "/tmp", p->port);
	fd = connect_addr((struct sockaddr *) &sun, sizeof(sun), deadline, &err);
	if (fd < 0)
		set_error(res, "ERROR", NULL, "connection to socket \"%s\" failed with error \"%s\"",
				  sun.sun_path, strerror(err));
	return fd;
}

static int
connect_tcp(const pcp_conn_params *p, int64_t deadline, pcp_result *res)
{
	struct addrinfo hints, *list = NULL;
	char		port[16];
	int			err = 0, fd = -1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%d", p->port);
	rc = getaddrinfo(p->host, port, &hints, &list);
	if (rc != 0)
	{
		set_error(res, "ERROR", NULL, "could not resolve host \"%s\": %s", p->host,
				  gai_strerror(rc));
		return -1;
	}
	for (struct addrinfo *ai = list; ai && fd < 0; ai = ai->ai_next)
		fd = connect_addr(ai->ai_addr, ai->ai_addrlen, deadline, &err);
	freeaddrinfo(list);
	if (fd < 0)
		set_error(res, "ERROR", NULL, "connection to host \"%s\" failed with error \"%s\"",
				  p->host, strerror(err));
	return fd;
}

static void
trace(const pcp_conn *conn, const char *dir, char kind, size_t len)
{
	if (conn->debug)
		fprintf(stderr, "DEBUG: %s: tos=\"%c\", len=%zu\n", dir, kind, len + 4);
}

static int
send_packet(pcp_conn *conn, char kind, const void *payload, size_t len, pcp_result *res)
{
	pcp_buf		b;
	pcp_io_status st;

	pcp_buf_init(&b);
	pcp_msg_begin(&b, kind);
	pcp_msg_add_bytes(&b, payload, len);
	pcp_msg_end(&b);
	if (conn->authenticated)
		trace(conn, "send", kind, len);
	st = pcp_buf_send_with_deadline(conn->fd, &b, net_deadline_after(PCP_CLIENT_REQUEST_TIMEOUT_MS));
	pcp_buf_free(&b);
	if (st != PCP_IO_OK)
		set_error(res, "ERROR", NULL, "could not send data to the server: %s",
				  pcp_io_status_text(st));
	return st == PCP_IO_OK ? 0 : -1;
}

static int
recv_packet(pcp_conn *conn, int64_t deadline, pcp_packet *pkt, pcp_result *res)
{
	pcp_io_status st = pcp_packet_recv_with_deadline(conn->fd, PCP_MAX_PAYLOAD, deadline, pkt);

	if (st != PCP_IO_OK)
	{
		set_error(res, "ERROR", NULL, "could not read data from the server: %s",
				  pcp_io_status_text(st));
		return -1;
	}
	trace(conn, "recv", pkt->kind, pkt->len);
	return 0;
}

/* An error or notice packet: errors end the request, notices go to stderr. */
static bool
handle_notice(const pcp_packet *pkt, pcp_result *res)
{
	pcp_notice	n;

	if (pcp_notice_parse(pkt->payload, pkt->len, &n) != 0)
	{
		set_error(res, "ERROR", NULL, "malformed error packet from the server");
		return true;
	}
	if (pkt->kind == 'N')
	{
		fprintf(stderr, "%s:  %s\n", n.severity, n.message);
		return false;
	}
	set_error(res, n.severity[0] ? n.severity : "ERROR", n.detail, "%s", n.message);
	res->from_server = true;
	return true;
}

static void
add_record(pcp_result *res, const pcp_packet *pkt)
{
	pcp_record *rec;
	pcp_reader	r;
	const char *s;

	res->records = xrealloc(res->records, sizeof(pcp_record) * (size_t) (res->nrecords + 1));
	rec = &res->records[res->nrecords++];
	memset(rec, 0, sizeof(*rec));
	rec->kind = pkt->kind;
	pcp_reader_init(&r, pkt->payload, pkt->len);
	s = pcp_read_str(&r);
	rec->tag = xstrdup(s ? s : "");
	/* pool status sends its ArraySize as a raw integer, not a string: its fields are not read */
	if (strcmp(rec->tag, "ArraySize") == 0 && pkt->kind == 'b')
		return;
	while ((s = pcp_read_str(&r)) != NULL)
	{
		rec->fields = xrealloc(rec->fields, sizeof(char *) * (size_t) (rec->nfields + 1));
		rec->fields[rec->nfields++] = xstrdup(s);
	}
}

int
pcp_request(pcp_conn *conn, char kind, const void *payload, size_t len, pcp_result *res)
{
	int64_t		deadline = net_deadline_after(PCP_CLIENT_REQUEST_TIMEOUT_MS);

	pcp_result_init(res);
	if (send_packet(conn, kind, payload, len, res) != 0)
		return -1;
	for (;;)
	{
		pcp_packet	pkt;

		if (recv_packet(conn, deadline, &pkt, res) != 0)
			return -1;
		if (pkt.kind == 'E' || pkt.kind == 'N')
		{
			bool		done = handle_notice(&pkt, res);

			pcp_packet_free(&pkt);
			if (done)
				return 0;
			continue;
		}
		add_record(res, &pkt);
		pcp_packet_free(&pkt);
		if (strcmp(res->records[res->nrecords - 1].tag, "CommandComplete") == 0)
			return 0;
	}
}

const pcp_record *
pcp_result_find(const pcp_result *res, const char *tag)
{
	for (int i = 0; i < res->nrecords; i++)
		if (strcmp(res->records[i].tag, tag) == 0)
			return &res->records[i];
	return NULL;
}

void
pcp_client_auth_answer(const char *password, const char *user, const unsigned char *salt,
					   char *out)
{
	char		stored[MD5_HEX_LEN + 1], inner[MD5_HEX_LEN + 1];

	md5_hex(password, strlen(password), stored);
	md5_hex_concat(stored, MD5_HEX_LEN, user, strlen(user), inner);
	md5_hex_concat(inner, MD5_HEX_LEN, salt, PCP_SALT_LEN, out);
}

/* M -> m salt, R user + answer -> r AuthenticationOK. */
static int
authenticate(pcp_conn *conn, const pcp_conn_params *p, int64_t deadline, pcp_result *res)
{
	pcp_packet	pkt;
	char		answer[MD5_HEX_LEN + 1];
	pcp_buf		b;
	int			rc;

	if (send_packet(conn, 'M', NULL, 0, res) != 0 || recv_packet(conn, deadline, &pkt, res) != 0)
		return -1;
	if (pkt.kind != 'm' || pkt.len < PCP_SALT_LEN)
	{
		if (pkt.kind == 'E')
			handle_notice(&pkt, res);
		else
			set_error(res, "ERROR", NULL, "unexpected answer \"%c\" to the salt request", pkt.kind);
		pcp_packet_free(&pkt);
		return -1;
	}
	pcp_client_auth_answer(p->password, p->user, pkt.payload, answer);
	pcp_packet_free(&pkt);
	pcp_buf_init(&b);
	pcp_msg_add_str(&b, p->user);
	pcp_msg_add_str(&b, answer);
	rc = send_packet(conn, 'R', b.data, b.len, res);
	pcp_buf_free(&b);
	if (rc != 0 || recv_packet(conn, deadline, &pkt, res) != 0)
		return -1;
	rc = pkt.kind == 'r' ? 0 : -1;
	if (pkt.kind == 'E')
		handle_notice(&pkt, res);
	else if (pkt.kind != 'r')
		set_error(res, "ERROR", NULL, "unexpected answer \"%c\" to authentication", pkt.kind);
	pcp_packet_free(&pkt);
	return rc;
}

pcp_conn *
pcp_connect(const pcp_conn_params *p, pcp_result *err)
{
	int64_t		deadline = net_deadline_after(PCP_CLIENT_CONNECT_TIMEOUT_MS);
	pcp_conn   *conn;
	int			fd;

	pcp_result_init(err);
	if (p->host && p->host[0] == '/')
	{
		pcp_conn_params local = *p;

		local.socket_dir = p->host;
		fd = connect_unix(&local, deadline, err);
	}
	else if (p->host && p->host[0])
		fd = connect_tcp(p, deadline, err);
	else
		fd = connect_unix(p, deadline, err);
	if (fd < 0)
		return NULL;
	conn = xcalloc(1, sizeof(*conn));
	conn->fd = fd;
	conn->debug = p->debug;
	if (authenticate(conn, p, deadline, err) != 0)
	{
		close(conn->fd);
		free(conn);
		return NULL;
	}
	conn->authenticated = true;
	return conn;
}

void
pcp_disconnect(pcp_conn *conn)
{
	pcp_buf		b;

	if (!conn)
		return;
	pcp_buf_init(&b);
	pcp_msg_begin(&b, 'X');
	pcp_msg_end(&b);
	trace(conn, "send", 'X', 0);
	pcp_buf_send_with_deadline(conn->fd, &b, net_deadline_after(1000));
	pcp_buf_free(&b);
	close(conn->fd);
	free(conn);
}
