/*
 * Gratuitous ARP through libpcap (see garp.h). The frame is built here, byte by byte: Ethernet
 * broadcast, then an ARP packet whose sender and target protocol addresses are both the VIP.
 */
#include "pgng_config.h"

#include "watchdog/garp.h"

#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef USE_PCAP
#include <pcap/pcap.h>

#define ARP_FRAME_SIZE 42		/* 14 Ethernet + 28 ARP */
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

/* The MAC address of the interface, through SIOCGIFHWADDR. */
static int
interface_mac(const char *ifname, uint8_t mac[6], char *err, size_t err_size)
{
	struct ifreq ifr;
	int			fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int			rc;

	if (fd < 0)
	{
		snprintf(err, err_size, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	rc = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	if (rc != 0)
	{
		snprintf(err, err_size, "cannot read the MAC address of %s: %s", ifname, strerror(errno));
		return -1;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static void
build_frame(uint8_t *f, const uint8_t mac[6], struct in_addr addr, int op)
{
	static const uint8_t arp_head[8] = {0, 1, 8, 0, 6, 4, 0, 0};	/* Ethernet, IPv4, 6, 4 */

	memset(f, 0xff, 6);			/* broadcast */
	memcpy(f + 6, mac, 6);
	f[12] = 0x08;				/* EtherType ARP */
	f[13] = 0x06;
	memcpy(f + 14, arp_head, sizeof(arp_head));
	f[21] = (uint8_t) op;
	memcpy(f + 22, mac, 6);		/* sender: us */
	memcpy(f + 28, &addr, 4);
	if (op == ARP_OP_REPLY)
		memcpy(f + 32, mac, 6);
	else
		memset(f + 32, 0, 6);
	memcpy(f + 38, &addr, 4);	/* target: the same address, that is what makes it gratuitous */
}

int
wd_garp_send(int ifindex, struct in_addr addr, char *err, size_t err_size)
{
	char		ifname[IF_NAMESIZE];
	char		pcap_err[PCAP_ERRBUF_SIZE];
	uint8_t		mac[6];
	uint8_t		frame[ARP_FRAME_SIZE];
	pcap_t	   *p;
	int			rc = 0;

	if (if_indextoname((unsigned int) ifindex, ifname) == NULL)
	{
		snprintf(err, err_size, "no interface with index %d", ifindex);
		return -1;
	}
	if (interface_mac(ifname, mac, err, err_size) != 0)
		return -1;
	pcap_err[0] = '\0';
	/* a short read timeout: we never read, but opening must not set up a blocking capture */
	p = pcap_open_live(ifname, 64, 0, 10, pcap_err);
	if (p == NULL)
	{
		snprintf(err, err_size, "pcap_open_live(%s): %s", ifname, pcap_err);
		return -1;
	}
	for (int op = ARP_OP_REQUEST; op <= ARP_OP_REPLY && rc == 0; op++)
	{
		build_frame(frame, mac, addr, op);
		if (pcap_inject(p, frame, sizeof(frame)) != (int) sizeof(frame))
		{
			snprintf(err, err_size, "pcap_inject on %s: %s", ifname, pcap_geterr(p));
			rc = -1;
		}
	}
	pcap_close(p);
	return rc;
}

int
wd_garp_available(void)
{
	return 1;
}

#else

int
wd_garp_send(int ifindex, struct in_addr addr, char *err, size_t err_size)
{
	(void) ifindex;
	(void) addr;
	snprintf(err, err_size, "gratuitous ARP needs libpcap, and this build has none "
			 "(configure --without-pcap, or libpcap-dev missing); set arping_cmd instead");
	return -1;
}

int
wd_garp_available(void)
{
	return 0;
}

#endif
