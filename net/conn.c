/*
 * Plain and TLS reads and writes over non-blocking sockets (see conn.h). The TLS handshake and
 * contexts live in net/tls.c; here only the data phase.
 */
#include "net/conn.h"

#include <errno.h>
#include <openssl/err.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/sock.h"

void
net_conn_init(net_conn *c, int fd)
{
	c->fd = fd;
	c->ssl = NULL;
	c->want_events = POLLIN;
}

void
net_conn_close(net_conn *c)
{
	if (c->ssl != NULL)
	{
		/* one non-blocking attempt at close_notify; a peer that does not read it is not waited for */
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Maps an SSL_read/SSL_write result that is not a byte count. */
static ssize_t
tls_result(net_conn *c, int rc)
{
	int			err = SSL_get_error(c->ssl, rc);

	switch (err)
	{
		case SSL_ERROR_WANT_READ:
			c->want_events = POLLIN;
			return NET_WOULD_BLOCK;
		case SSL_ERROR_WANT_WRITE:
			c->want_events = POLLOUT;
			return NET_WOULD_BLOCK;
		case SSL_ERROR_ZERO_RETURN:
			return 0;
		case SSL_ERROR_SYSCALL:
			if (errno == 0)
				errno = ECONNRESET;
			ERR_clear_error();
			return NET_ERROR;
		default:
			ERR_clear_error();
			errno = EPROTO;
			return NET_ERROR;
	}
}

ssize_t
net_conn_recv(net_conn *c, void *buf, size_t len)
{
	ssize_t		n;

	if (c->ssl != NULL)
	{
		int			rc = SSL_read(c->ssl, buf, (int) (len > 1 << 30 ? 1 << 30 : len));

		return rc > 0 ? rc : tls_result(c, rc);
	}
	do
		n = recv(c->fd, buf, len, 0);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
	{
		c->want_events = POLLIN;
		return NET_WOULD_BLOCK;
	}
	return NET_ERROR;
}

ssize_t
net_conn_send(net_conn *c, const void *buf, size_t len)
{
	ssize_t		n;

	if (c->ssl != NULL)
	{
		int			rc = SSL_write(c->ssl, buf, (int) (len > 1 << 30 ? 1 << 30 : len));

		return rc > 0 ? rc : tls_result(c, rc);
	}
	do
		n = send(c->fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
	{
		c->want_events = POLLOUT;
		return NET_WOULD_BLOCK;
	}
	return NET_ERROR;
}

int
net_conn_pending(const net_conn *c)
{
	return c->ssl != NULL ? SSL_pending(c->ssl) : 0;
}

int
net_conn_wait_with_deadline(net_conn *c, short events, int64_t deadline_ms)
{
	if ((events & POLLIN) && net_conn_pending(c) > 0)
		return 1;
	/* TLS may need the other direction to make progress (renegotiation, pending records) */
	if (c->ssl != NULL)
		events = c->want_events;
	return net_wait_with_deadline(c->fd, events, deadline_ms);
}

int
net_conn_send_all_with_deadline(net_conn *c, const void *buf, size_t len, int64_t deadline_ms)
{
	const char *p = buf;

	while (len > 0)
	{
		ssize_t		n = net_conn_send(c, p, len);

		if (n > 0)
		{
			p += n;
			len -= (size_t) n;
			continue;
		}
		if (n == NET_ERROR || n == 0)
			return -1;
		if (net_conn_wait_with_deadline(c, POLLOUT, deadline_ms) <= 0)
		{
			errno = ETIMEDOUT;
			return -1;
		}
	}
	return 0;
}

int
net_conn_recv_exact_with_deadline(net_conn *c, void *buf, size_t len, int64_t deadline_ms)
{
	char	   *p = buf;

	while (len > 0)
	{
		ssize_t		n = net_conn_recv(c, p, len);

		if (n > 0)
		{
			p += n;
			len -= (size_t) n;
			continue;
		}
		if (n == 0)
		{
			errno = ECONNRESET;
			return -1;
		}
		if (n == NET_ERROR)
			return -1;
		if (net_conn_wait_with_deadline(c, POLLIN, deadline_ms) <= 0)
		{
			errno = ETIMEDOUT;
			return -1;
		}
	}
	return 0;
}
