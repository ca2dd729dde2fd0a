/*
 * A connection to a client or a backend: a non-blocking socket, optionally wrapped in TLS, with
 * the primitive reads and writes the relay loop uses and their "with deadline" forms for the
 * start-up and reset exchanges.
 */
#ifndef PGNG_NET_CONN_H
#define PGNG_NET_CONN_H

#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct net_conn
{
	int			fd;
	SSL		   *ssl;			/* NULL for plain connections */
	short		want_events;	/* after a "would block": POLLIN or POLLOUT to wait for */
} net_conn;

/* Results of net_conn_recv/send besides a byte count. */
#define NET_WOULD_BLOCK (-1)
#define NET_ERROR (-2)

void		net_conn_init(net_conn *c, int fd);

/* Closes the socket (after a TLS close_notify attempt that never blocks) and clears c. */
void		net_conn_close(net_conn *c);

/* Reads what is available: >0 bytes, 0 on orderly EOF, NET_WOULD_BLOCK, NET_ERROR (errno set). */
ssize_t		net_conn_recv(net_conn *c, void *buf, size_t len);

/* Writes what fits: >0 bytes, NET_WOULD_BLOCK or NET_ERROR. */
ssize_t		net_conn_send(net_conn *c, const void *buf, size_t len);

/* Bytes TLS has already decrypted and buffered (poll() does not see them). */
int			net_conn_pending(const net_conn *c);

/* Returns 0 when all len bytes were written by the deadline, -1 on error or timeout (errno ETIMEDOUT). */
int			net_conn_send_all_with_deadline(net_conn *c, const void *buf, size_t len, int64_t deadline_ms);

/* Reads exactly len bytes by the deadline: 0, or -1 on EOF (errno ECONNRESET), error or timeout. */
int			net_conn_recv_exact_with_deadline(net_conn *c, void *buf, size_t len, int64_t deadline_ms);

/* Waits until c can make progress in the direction it last reported blocking on. 1/0/-1 as poll. */
int			net_conn_wait_with_deadline(net_conn *c, short events, int64_t deadline_ms);

#endif
