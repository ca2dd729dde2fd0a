/*
 * The watchdog node table (see membership.h): configuration, last message per node, liveness.
 */
#include "watchdog/membership.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

/* First item of a ';' separated heartbeat_hostname list. */
static void
first_host(const char *list, char *out, size_t size)
{
	size_t		n = strcspn(list, ";");

	while (n > 0 && (list[n - 1] == ' ' || list[n - 1] == '\t'))
		n--;
	while (n > 0 && (*list == ' ' || *list == '\t'))
	{
		list++;
		n--;
	}
	if (n >= size)
		n = size - 1;
	memcpy(out, list, n);
	out[n] = '\0';
}

static int
resolve_udp(const char *host, int port, struct sockaddr_storage *addr, socklen_t *len)
{
	struct addrinfo hints;
	struct addrinfo *res = NULL;
	char		service[16];

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_DGRAM;
	snprintf(service, sizeof(service), "%d", port);
	if (getaddrinfo(host, service, &hints, &res) != 0 || res == NULL)
		return -1;
	memcpy(addr, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* heartbeat_hostnameN/heartbeat_portN when set, else hostnameN and wd_portN (UDP). */
static int
init_peer(wd_peer *p, const pool_config *cfg, int i, char *err, size_t err_size)
{
	const cfg_heartbeat *hb = i < cfg->num_heartbeats ? &cfg->heartbeats[i] : NULL;
	const cfg_wd_node *n = &cfg->wd_nodes[i];
	char		host[WD_WIRE_NAME_MAX + 1];
	int			port = n->wd_port;

	snprintf(p->host, sizeof(p->host), "%s", n->hostname ? n->hostname : "");
	p->wd_port = n->wd_port;
	p->pgpool_port = n->pgpool_port;
	snprintf(host, sizeof(host), "%s", p->host);
	if (hb && hb->port > 0 && hb->hostname && hb->hostname[0])
	{
		first_host(hb->hostname, host, sizeof(host));
		port = hb->port;
	}
	if (i == cfg->pgpool_node_id)
		return 0;
	if (resolve_udp(host, port, &p->hb_addr, &p->hb_addr_len) != 0)
	{
		snprintf(err, err_size, "cannot resolve heartbeat address \"%s\" of watchdog node %d",
				 host, i);
		return -1;
	}
	return 0;
}

int
wd_members_init(wd_members *m, const pool_config *cfg, char *err, size_t err_size)
{
	struct utsname u;
	int			self = cfg->pgpool_node_id;

	memset(m, 0, sizeof(*m));
	if (cfg->num_wd_nodes < 2 || cfg->num_wd_nodes > WD_MAX_NODES || self < 0 ||
		self >= cfg->num_wd_nodes)
	{
		snprintf(err, err_size, "watchdog needs 2 to %d nodes and a local node id among them "
				 "(nodes: %d, pgpool_node_id: %d)", WD_MAX_NODES, cfg->num_wd_nodes, self);
		return -1;
	}
	m->self = self;
	m->num_nodes = cfg->num_wd_nodes;
	m->priority = cfg->wd_priority;
	for (int i = 0; i < m->num_nodes; i++)
		if (init_peer(&m->peers[i], cfg, i, err, err_size) != 0)
			return -1;
	m->heartbeat_port = self < cfg->num_heartbeats && cfg->heartbeats[self].port > 0 ?
		cfg->heartbeats[self].port : cfg->wd_nodes[self].wd_port;
	if (uname(&u) != 0)
	{
		snprintf(u.sysname, sizeof(u.sysname), "unknown");
		snprintf(u.nodename, sizeof(u.nodename), "unknown");
	}
	/* pgpool's node name: "<host>:<pgpool port> <OS name> <host name>" */
	snprintf(m->node_name, sizeof(m->node_name), "%s:%d %.20s %.60s", m->peers[self].host,
			 m->peers[self].pgpool_port, u.sysname, u.nodename);
	return 0;
}

wd_accept_result
wd_members_accept(wd_members *m, const wd_msg *msg, int64_t now_ms, time_t now_wall)
{
	wd_peer    *p;

	if (msg->node_id < 0 || msg->node_id >= m->num_nodes || msg->node_id == m->self)
		return WD_UNKNOWN_NODE;
	p = &m->peers[msg->node_id];
	if (p->heard && msg->boot_id == p->boot_id && msg->seq <= p->seq)
		return WD_STALE;
	p->heard = true;
	p->boot_id = msg->boot_id;
	p->seq = msg->seq;
	p->last_heard_ms = now_ms;
	p->last_heard_wall = now_wall;
	p->shut_down = msg->state == WD_STATE_SHUTDOWN;
	p->vote_expires_ms = msg->vote_for >= 0 ? now_ms + msg->vote_lease_ms : 0;
	p->last = *msg;
	return WD_ACCEPTED;
}

void
wd_members_forget_votes(wd_members *m)
{
	for (int i = 0; i < m->num_nodes; i++)
		m->peers[i].vote_expires_ms = 0;
}

static bool
heard_within(const wd_peer *p, int64_t now_ms, int ms)
{
	return p->heard && !p->shut_down && now_ms - p->last_heard_ms <= ms;
}

void
wd_members_elect_view(const wd_members *m, const wd_timing *t, int64_t now_ms, wd_elect_peer *out)
{
	for (int i = 0; i < m->num_nodes; i++)
	{
		const wd_peer *p = &m->peers[i];

		memset(&out[i], 0, sizeof(out[i]));
		out[i].vote_for = -1;
		if (i == m->self)
		{
			out[i].alive = out[i].fresh = true;
			out[i].priority = m->priority;
			continue;
		}
		out[i].alive = heard_within(p, now_ms, t->dead_ms);
		out[i].fresh = heard_within(p, now_ms, t->fresh_ms);
		out[i].priority = p->last.priority;
		out[i].state = out[i].alive ? p->last.state : WD_STATE_LOST;
		out[i].vote_for = out[i].alive ? p->last.vote_for : -1;
		out[i].vote_expires_ms = p->vote_expires_ms;
	}
}

int
wd_members_alive(const wd_members *m, const wd_timing *t, int64_t now_ms)
{
	int			n = 1;

	for (int i = 0; i < m->num_nodes; i++)
		if (i != m->self && heard_within(&m->peers[i], now_ms, t->dead_ms))
			n++;
	return n;
}

int
wd_members_peer_state(const wd_members *m, const wd_timing *t, int i, int64_t now_ms)
{
	const wd_peer *p = &m->peers[i];

	if (!p->heard)
		return WD_STATE_DEAD;
	if (p->shut_down)
		return WD_STATE_SHUTDOWN;
	if (!heard_within(p, now_ms, t->dead_ms))
		return WD_STATE_LOST;
	return p->last.state;
}
