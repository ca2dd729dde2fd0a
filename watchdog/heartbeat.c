/*
 * UDP heartbeat socket (see heartbeat.h).
 */
#include "watchdog/heartbeat.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
wd_heartbeat_open(int port, char *err, size_t err_size)
{
	struct sockaddr_in sin;
	int			fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
	{
		snprintf(err, err_size, "socket: %s", strerror(errno));
		return -1;
	}
	/* no SO_REUSEADDR: with UDP it would let a second watchdog share the port unnoticed */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t) port);
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(fd, (struct sockaddr *) &sin, sizeof(sin)) != 0)
	{
		snprintf(err, err_size, "could not bind heartbeat UDP port %d: %s", port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
wd_heartbeat_send(int fd, const wd_members *m, const wd_msg *msg, const char *key)
{
	uint8_t		buf[WD_WIRE_MAX_SIZE];
	int			len = wd_wire_encode(msg, key, strlen(key), buf, sizeof(buf));
	int			failed = 0;

	if (len < 0)
		return m->num_nodes;
	for (int i = 0; i < m->num_nodes; i++)
	{
		const wd_peer *p = &m->peers[i];

		if (i == m->self || p->hb_addr_len == 0)
			continue;
		if (sendto(fd, buf, (size_t) len, MSG_DONTWAIT, (const struct sockaddr *) &p->hb_addr,
				   p->hb_addr_len) != len)
			failed++;
	}
	return failed;
}

int
wd_heartbeat_receive(int fd, const char *key, wd_msg *out, wd_wire_status *status)
{
	uint8_t		buf[WD_WIRE_MAX_SIZE + 1];
	ssize_t		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	size_t		used = 0;

	if (n < 0)
		return 0;
	*status = wd_wire_decode(buf, (size_t) n, key, strlen(key), out, &used);
	if (*status != WD_WIRE_OK)
		return -1;
	if (used != (size_t) n)
	{
		*status = WD_WIRE_BAD_LENGTH;
		return -1;
	}
	if (out->type != WD_MSG_HEARTBEAT)
	{
		*status = WD_WIRE_BAD_TYPE;
		return -1;
	}
	return 1;
}
