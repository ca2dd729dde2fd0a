/*
 * Socket plumbing shared by every process: non-blocking connect and waits that always carry a
 * deadline (no wait in pgpool-ng is unbounded), listen sockets, and per-socket tuning.
 */
#ifndef PGNG_NET_SOCK_H
#define PGNG_NET_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Milliseconds on the monotonic clock. */
int64_t		net_now_ms(void);

/* A deadline timeout_ms from now; timeout_ms <= 0 means "no time at all". */
int64_t		net_deadline_after(int timeout_ms);

int			net_set_nonblocking(int fd);

/* TCP_NODELAY and keepalive on TCP sockets; nothing on Unix sockets. */
void		net_tune_socket(int fd);

/*
 * Waits until fd is ready for events (POLLIN/POLLOUT) or the deadline passes. Returns 1 ready,
 * 0 timed out, -1 error (errno set). Retries on EINTR, unless net_set_interrupt_flag's flag is set.
 */
int			net_wait_with_deadline(int fd, short events, int64_t deadline_ms);

/*
 * flag (set by a signal handler; NULL: none): once it is non-zero, waits give up at once with -1
 * and errno EINTR, so that a process told to end is not held up by a peer that does not answer.
 * Returns the flag used before.
 */
volatile int *net_set_interrupt_flag(volatile int *flag);

/*
 * Connects to host:port (host starting with '/' is a Unix socket directory, as in pgpool's
 * backend_hostname), non-blocking, giving up at the deadline. Returns the connected
 * non-blocking fd, or -1 with a message in err (size errlen).
 */
int			net_connect_with_deadline(const char *host, int port, int64_t deadline_ms,
									  char *err, size_t errlen);

/*
 * Opens listen sockets for a comma-separated address list ('*' = every address, IPv4 and IPv6;
 * "" = none). Stores up to max fds; returns how many, or -1 with err set when none could be
 * opened although some were asked for.
 */
int			net_listen_tcp(const char *addresses, int port, int backlog, int *fds, int max,
						   char *err, size_t errlen);

/*
 * Opens dir/.s.PGSQL.port (removing a stale socket file first). Returns the fd or -1 with err.
 * path_out (size pathlen) receives the socket path for removal at shutdown.
 */
int			net_listen_unix(const char *dir, int port, int backlog, int mode,
							char *path_out, size_t pathlen, char *err, size_t errlen);

#endif
