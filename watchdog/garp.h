/*
 * Gratuitous ARP for the virtual IP when arping_cmd is empty: an ARP request and an ARP reply, both
 * announcing the address with this interface's MAC, sent with libpcap (pcap_inject). Without
 * libpcap at build time the call fails with a message that says so.
 */
#ifndef PGNG_WATCHDOG_GARP_H
#define PGNG_WATCHDOG_GARP_H

#include <netinet/in.h>
#include <stddef.h>

/* Sends the announcement on ifindex; 0, or -1 with err set. Does not block. */
int			wd_garp_send(int ifindex, struct in_addr addr, char *err, size_t err_size);

/* Whether this build can send gratuitous ARP itself. */
int			wd_garp_available(void);

#endif
