/*
 * The relay's watch on the backend table: when a node of the session's connection set goes down, a
 * session that uses it ends at once with a clear error, even while it waits on that node (a host
 * that is gone never answers); an idle connection to it is closed and the session goes on
 * (node_loss.h). The failover process ends idle children and, for the primary, every session.
 */
#include <stdio.h>
#include <string.h>

#include "child/cancel.h"
#include "child/node_loss.h"
#include "child/relay_internal.h"
#include "common/log.h"
#include "protocol/message.h"
#include "shmem/shmem.h"

static void
fill_view(const relay *r, const shm_backend_table *t, node_loss_view *v)
{
	const pool_entry *e = r->s->entry;

	memset(v, 0, sizeof(*v));
	v->current = r->current;
	v->main_node = e->main_node;
	/* drawn per statement, the first draw binds nothing */
	v->lb_node = r->route != NULL && !r->s->cfg->statement_level_load_balance ? r->route->lb_node : -1;
	for (int n = 0; n < e->num_backends && n < NODE_LOSS_MAX_NODES; n++)
	{
		const backend_conn *b = &e->backends[n];

		if (!b->connected)
			continue;
		v->connected |= 1u << n;
		if (n >= t->num_backends || !shm_backend_usable(&t->nodes[n]))
			v->down |= 1u << n;
		if (b->tx_status == 'T' || b->tx_status == 'E')
			v->in_transaction |= 1u << n;
	}
}

/* Closes the session's connection to a node that is down; nothing is sent to a host that is gone. */
static void
close_node(relay *r, int node)
{
	backend_conn *b = &r->s->entry->backends[node];

	net_conn_close(&b->conn);
	b->connected = false;
	if (r->route != NULL)
		r->route->connected &= ~(1u << node);
}

static void
tell_client(relay *r, int node, node_loss_use use)
{
	const pool_config *cfg = r->s->cfg;
	char		message[300];
	char		detail[200];

	if (!relay_flush_to_client(r))
		return;
	snprintf(message, sizeof(message), "pgpool-ng: backend node %d (%s:%d) was detached (failover); this session ends",
			 node, cfg->backends[node].hostname, cfg->backends[node].port);
	snprintf(detail, sizeof(detail), "%s; the node is down in pgpool-ng's backend table", node_loss_use_text(use));
	session_report(r->s, "FATAL", "57P01", message, detail);
}

/*
 * The session ends: its down nodes are closed first, then a statement still running on a live node
 * is cancelled (it would otherwise run on after the client has gone), then the client is told.
 */
static void
end_session(relay *r, int lost, node_loss_use use, uint32_t down)
{
	bool		busy_elsewhere = !(down & (1u << r->current)) && !relay_answered(r);

	log_info("node %d (%s:%d) is down and the session uses it (%s); ending the session", lost,
			 r->s->cfg->backends[lost].hostname, r->s->cfg->backends[lost].port, node_loss_use_text(use));
	for (int n = 0; n < NODE_LOSS_MAX_NODES; n++)
		if (down & (1u << n))
			close_node(r, n);
	if (busy_elsewhere)
		cancel_entry_backends(r->s->cfg, r->s->entry);
	tell_client(r, lost, use);
}

int
relay_nodes_check(relay *r)
{
	static shm_backend_table table;
	node_loss_view v;
	uint32_t	drop;
	int			lost;

	if (shm_backends_generation() == r->table_generation)
		return 0;
	r->table_generation = shm_backends_snapshot(&table);
	if (r->table_generation == 0)
		return 0;				/* no consistent copy now: the next step tries again */
	fill_view(r, &table, &v);
	lost = node_loss_decide(&v, &drop);
	if (lost >= 0)
	{
		end_session(r, lost, node_loss_use_of(&v, lost), v.down & v.connected);
		return -1;
	}
	for (int n = 0; n < NODE_LOSS_MAX_NODES; n++)
		if (drop & (1u << n))
		{
			log_info("node %d is down; the session closes its idle connection to it and goes on", n);
			close_node(r, n);
		}
	return 0;
}

bool
relay_node_down(int node)
{
	static shm_backend_table table;
	static uint64_t generation;
	uint64_t	now = shm_backends_generation();

	if (now != generation || generation == 0)
		generation = shm_backends_snapshot(&table);
	return generation != 0 && node >= 0 &&
		(node >= table.num_backends || !shm_backend_usable(&table.nodes[node]));
}
