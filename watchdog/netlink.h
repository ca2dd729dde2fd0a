/*
 * IPv4 addresses of this host's interfaces over rtnetlink, for the built-in virtual IP: find which
 * interface carries an address, add an address with a lifetime (valid_lft) or renew it, delete one.
 * Every call waits for the kernel's answer with a deadline; none blocks.
 */
#ifndef PGNG_WATCHDOG_NETLINK_H
#define PGNG_WATCHDOG_NETLINK_H

#include <netinet/in.h>
#include <stddef.h>

#define WD_NL_DEADLINE_MS 500

/* A socket for the calls below, or -1 with err set. */
int			wd_nl_open(char *err, size_t err_size);

/*
 * Looks addr up among the local IPv4 addresses: 1 and *ifindex, *prefixlen when found, 0 when not,
 * -1 with err set on failure.
 */
int			wd_nl_find(int fd, struct in_addr addr, int *ifindex, int *prefixlen, char *err,
					   size_t err_size);

/* Adds addr/prefixlen on ifindex, or replaces its lifetime, valid and preferred for valid_s. */
int			wd_nl_add(int fd, int ifindex, struct in_addr addr, int prefixlen, int valid_s,
					  char *err, size_t err_size);

/* Deletes addr from ifindex; an address that is not there counts as deleted. */
int			wd_nl_del(int fd, int ifindex, struct in_addr addr, char *err, size_t err_size);

#endif
