/*
 * rtnetlink requests for IPv4 addresses (see netlink.h). One request at a time: send it, then read
 * the answer (an ack, or the parts of a dump) until done or the deadline passes.
 */
#include "watchdog/netlink.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/sock.h"

#define NL_BUF_SIZE 16384

typedef struct nl_req
{
	struct nlmsghdr nh;
	struct ifaddrmsg ifa;
	char		attrs[128];
} nl_req;

/* What a dump callback looks for. */
typedef struct nl_find
{
	struct in_addr addr;
	int			found;
	int			ifindex;
	int			prefixlen;
} nl_find;

static uint32_t nl_seq;

int
wd_nl_open(char *err, size_t err_size)
{
	int			fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	struct sockaddr_nl sa;

	if (fd < 0)
	{
		snprintf(err, err_size, "netlink socket: %s", strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) != 0)
	{
		snprintf(err, err_size, "netlink bind: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void
add_attr(nl_req *r, int type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *) ((char *) r + NLMSG_ALIGN(r->nh.nlmsg_len));

	rta->rta_type = (unsigned short) type;
	rta->rta_len = (unsigned short) RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static void
init_req(nl_req *r, int type, int flags, int ifindex, int prefixlen)
{
	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	r->nh.nlmsg_type = (unsigned short) type;
	r->nh.nlmsg_flags = (unsigned short) (NLM_F_REQUEST | flags);
	r->nh.nlmsg_seq = ++nl_seq;
	r->ifa.ifa_family = AF_INET;
	r->ifa.ifa_prefixlen = (unsigned char) prefixlen;
	r->ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	r->ifa.ifa_index = (unsigned int) ifindex;
}

/* An address of a dump: remembers it when it is the one looked for. */
static void
match_addr(const struct nlmsghdr *nh, nl_find *f)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	int			len = (int) IFA_PAYLOAD(nh);

	if (ifa->ifa_family != AF_INET)
		return;
	for (const struct rtattr *rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
	{
		if (rta->rta_type != IFA_LOCAL || RTA_PAYLOAD(rta) != sizeof(struct in_addr))
			continue;
		if (memcmp(RTA_DATA(rta), &f->addr, sizeof(struct in_addr)) == 0 && !f->found)
		{
			f->found = 1;
			f->ifindex = (int) ifa->ifa_index;
			f->prefixlen = ifa->ifa_prefixlen;
		}
	}
}

/*
 * Reads the answers to request seq: 0 on an ack or the end of a dump, -errno on an error answer,
 * -ETIMEDOUT when the deadline passes. Dump parts go to f.
 */
static int
read_answer(int fd, uint32_t seq, nl_find *f, int64_t deadline)
{
	static char buf[NL_BUF_SIZE];

	for (;;)
	{
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t		left = deadline - net_now_ms();
		ssize_t		n;
		int			len;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int) left) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
		{
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		len = (int) n;
		for (struct nlmsghdr *nh = (struct nlmsghdr *) buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len))
		{
			if (nh->nlmsg_seq != seq)
				continue;		/* a late answer to an earlier request that timed out */
			if (nh->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *) NLMSG_DATA(nh))->error;
			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == RTM_NEWADDR && f)
				match_addr(nh, f);
		}
	}
}

static int
transact(int fd, nl_req *r, nl_find *f, const char *what, char *err, size_t err_size)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	int			rc;

	if (sendto(fd, r, r->nh.nlmsg_len, 0, (struct sockaddr *) &kernel, sizeof(kernel)) < 0)
		rc = -errno;
	else
		rc = read_answer(fd, r->nh.nlmsg_seq, f, net_now_ms() + WD_NL_DEADLINE_MS);
	if (rc < 0)
		snprintf(err, err_size, "%s: %s", what,
				 rc == -ETIMEDOUT ? "no answer from the kernel within 500 ms" : strerror(-rc));
	return rc;
}

int
wd_nl_find(int fd, struct in_addr addr, int *ifindex, int *prefixlen, char *err, size_t err_size)
{
	nl_req		r;
	nl_find		f = {.addr = addr};

	init_req(&r, RTM_GETADDR, NLM_F_DUMP, 0, 0);
	if (transact(fd, &r, &f, "listing addresses over netlink", err, err_size) < 0)
		return -1;
	if (!f.found)
		return 0;
	*ifindex = f.ifindex;
	*prefixlen = f.prefixlen;
	return 1;
}

int
wd_nl_add(int fd, int ifindex, struct in_addr addr, int prefixlen, int valid_s, char *err,
		  size_t err_size)
{
	nl_req		r;
	struct ifa_cacheinfo ci;

	init_req(&r, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, ifindex, prefixlen);
	add_attr(&r, IFA_LOCAL, &addr, sizeof(addr));
	add_attr(&r, IFA_ADDRESS, &addr, sizeof(addr));
	memset(&ci, 0, sizeof(ci));
	ci.ifa_valid = (uint32_t) valid_s;
	ci.ifa_prefered = (uint32_t) valid_s;
	add_attr(&r, IFA_CACHEINFO, &ci, sizeof(ci));
	return transact(fd, &r, NULL, "adding the address over netlink", err, err_size) < 0 ? -1 : 0;
}

int
wd_nl_del(int fd, int ifindex, struct in_addr addr, char *err, size_t err_size)
{
	nl_req		r;
	int			rc;

	init_req(&r, RTM_DELADDR, NLM_F_ACK, ifindex, 0);
	add_attr(&r, IFA_LOCAL, &addr, sizeof(addr));
	rc = transact(fd, &r, NULL, "deleting the address over netlink", err, err_size);
	return rc < 0 && rc != -EADDRNOTAVAIL ? -1 : 0;
}
