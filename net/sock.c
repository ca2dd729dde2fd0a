/*
 * Sockets with deadlines (see sock.h). Every blocking step is a poll() bounded by a deadline on
 * the monotonic clock.
 */
#include "net/sock.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"

int64_t
net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
net_deadline_after(int timeout_ms)
{
	return net_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
}

int
net_set_nonblocking(int fd)
{
	int			flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return -1;
	return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void
net_tune_socket(int fd)
{
	struct sockaddr_storage ss;
	socklen_t	len = sizeof(ss);
	int			on = 1;

	if (getsockname(fd, (struct sockaddr *) &ss, &len) != 0 || ss.ss_family == AF_UNIX)
		return;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
}

static volatile int *interrupt_flag;

volatile int *
net_set_interrupt_flag(volatile int *flag)
{
	volatile int *before = interrupt_flag;

	interrupt_flag = flag;
	return before;
}

int
net_wait_with_deadline(int fd, short events, int64_t deadline_ms)
{
	struct pollfd pfd = {.fd = fd, .events = events};

	for (;;)
	{
		int64_t		left = deadline_ms - net_now_ms();
		int			rc;

		if (interrupt_flag != NULL && *interrupt_flag)
		{
			errno = EINTR;
			return -1;
		}
		if (left < 0)
			left = 0;
		rc = poll(&pfd, 1, (int) (left > 1000000 ? 1000000 : left));
		if (rc > 0)
			return 1;
		if (rc == 0 && net_now_ms() >= deadline_ms)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
}

/* Finishes a non-blocking connect on fd by the deadline; 0 or -1 with err. */
static int
finish_connect(int fd, int64_t deadline_ms, char *err, size_t errlen)
{
	int			soerr = 0;
	socklen_t	len = sizeof(soerr);
	int			rc = net_wait_with_deadline(fd, POLLOUT, deadline_ms);

	if (rc == 0)
	{
		snprintf(err, errlen, "timed out");
		return -1;
	}
	if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
		soerr = errno;
	if (soerr != 0)
	{
		snprintf(err, errlen, "%s", strerror(soerr));
		return -1;
	}
	return 0;
}

static int
connect_addr(const struct sockaddr *addr, socklen_t addrlen, int64_t deadline_ms,
			 char *err, size_t errlen)
{
	int			fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
	{
		snprintf(err, errlen, "could not create socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, addr, addrlen) != 0)
	{
		if (errno != EINPROGRESS && errno != EAGAIN)
		{
			snprintf(err, errlen, "%s", strerror(errno));
			close(fd);
			return -1;
		}
		if (finish_connect(fd, deadline_ms, err, errlen) != 0)
		{
			close(fd);
			return -1;
		}
	}
	net_tune_socket(fd);
	return fd;
}

static int
connect_unix(const char *dir, int port, int64_t deadline_ms, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	if ((size_t) snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/.s.PGSQL.%d", dir, port)
		>= sizeof(sun.sun_path))
	{
		snprintf(err, errlen, "socket path \"%s/.s.PGSQL.%d\" is too long", dir, port);
		return -1;
	}
	return connect_addr((struct sockaddr *) &sun, sizeof(sun), deadline_ms, err, errlen);
}

int
net_connect_with_deadline(const char *host, int port, int64_t deadline_ms, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res;
	char		service[16];
	int			fd = -1;
	int			rc;

	if (host[0] == '/')
		return connect_unix(host, port, deadline_ms, err, errlen);
	snprintf(service, sizeof(service), "%d", port);
	/* getaddrinfo has no timeout; numeric addresses (the usual case) never touch DNS */
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0)
	{
		snprintf(err, errlen, "could not resolve \"%s\": %s", host, gai_strerror(rc));
		return -1;
	}
	for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		fd = connect_addr(ai->ai_addr, ai->ai_addrlen, deadline_ms, err, errlen);
	freeaddrinfo(res);
	return fd;
}

static int
listen_on(const struct sockaddr *addr, socklen_t len, int backlog, char *err, size_t errlen)
{
	int			fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int			on = 1;

	if (fd < 0)
	{
		snprintf(err, errlen, "could not create socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (addr->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, addr, len) != 0 || listen(fd, backlog) != 0)
	{
		snprintf(err, errlen, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Opens listeners for one address ('*' or a name); returns how many were added to fds. */
static int
listen_address(const char *address, int port, int backlog, int *fds, int room,
			   char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
	.ai_flags = AI_PASSIVE};
	struct addrinfo *res;
	char		service[16];
	int			n = 0;
	int			rc;

	snprintf(service, sizeof(service), "%d", port);
	rc = getaddrinfo(strcmp(address, "*") == 0 ? NULL : address, service, &hints, &res);
	if (rc != 0)
	{
		snprintf(err, errlen, "could not resolve listen address \"%s\": %s", address, gai_strerror(rc));
		return 0;
	}
	for (struct addrinfo *ai = res; ai != NULL && n < room; ai = ai->ai_next)
	{
		int			fd = listen_on(ai->ai_addr, ai->ai_addrlen, backlog, err, errlen);

		if (fd >= 0)
			fds[n++] = fd;
	}
	freeaddrinfo(res);
	return n;
}

int
net_listen_tcp(const char *addresses, int port, int backlog, int *fds, int max, char *err, size_t errlen)
{
	char	   *list = xstrdup(addresses);
	char	   *save = NULL;
	int			n = 0;
	int			asked = 0;

	for (char *tok = strtok_r(list, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
	{
		str_trim(tok);
		if (*tok == '\0')
			continue;
		asked++;
		n += listen_address(tok, port, backlog, fds + n, max - n, err, errlen);
	}
	free(list);
	if (asked > 0 && n == 0)
		return -1;
	return n;
}

int
net_listen_unix(const char *dir, int port, int backlog, int mode, char *path_out, size_t pathlen,
				char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int			fd;

	if ((size_t) snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/.s.PGSQL.%d", dir, port)
		>= sizeof(sun.sun_path))
	{
		snprintf(err, errlen, "socket path in \"%s\" is too long", dir);
		return -1;
	}
	/* a socket file left by a crashed pgpool would make bind fail; the pid file guards a live one */
	unlink(sun.sun_path);
	fd = listen_on((struct sockaddr *) &sun, sizeof(sun), backlog, err, errlen);
	if (fd < 0)
		return -1;
	chmod(sun.sun_path, (mode_t) mode);
	str_copy(path_out, sun.sun_path, pathlen);
	return fd;
}
