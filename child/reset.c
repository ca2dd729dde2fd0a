/*
 * Returning a connection set to the cache: run reset_query_list (skipping ABORT when no
 * transaction is open) under one deadline. The relay hands over only connections with every
 * answer received, so nothing is left to drain first.
 * Anything unexpected means a connection is not trusted again: the whole set when it is the main
 * node's, else only that node's.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "child/backend_error.h"
#include "child/session.h"
#include "common/log.h"
#include "net/sock.h"

/* How long a reset may take before the connections are discarded instead. */
#define RESET_TIMEOUT_MS 10000

/* Reads until `count` ReadyForQuery have arrived; false on error, FATAL or timeout. */
static bool
read_ready(session *s, int node, backend_conn *b, long count, int64_t deadline)
{
	while (count > 0)
	{
		if (msgio_read(&b->conn, &s->msg, 0x40000000U, deadline) != 0)
		{
			int			err = errno;

			log_info("resetting backend connection failed: %s", msgio_error_text(err));
			backend_error_io(s->cfg, node, b, "reading from", err);
			return false;
		}
		if (s->msg.type == PQ_MSG_READY_FOR_QUERY)
		{
			if (!pq_parse_ready_for_query(s->msg.data, s->msg.len, &b->tx_status))
				return false;
			count--;
		}
		else if (s->msg.type == PQ_MSG_ERROR_RESPONSE)
		{
			pq_error	err;

			if (!pq_parse_error(s->msg.data, s->msg.len, &err) || pq_error_is_fatal(&err))
				return false;
			log_debug("reset query failed: %s", err.message ? err.message : "");
		}
	}
	return true;
}

/* Queues the reset queries; returns how many. */
static long
queue_reset_queries(session *s, const backend_conn *b)
{
	const cfg_string_list *list = &s->cfg->reset_query_list;
	long		n = 0;

	for (int i = 0; i < list->count; i++)
	{
		const char *q = list->items[i];

		if (q[0] == '\0')
			continue;
		/* nothing to abort when idle: saves a round trip per session, the common case */
		if (b->tx_status == PQ_TX_IDLE && strncasecmp(q, "ABORT", 5) == 0 && q[5] == '\0')
			continue;
		pq_put_query(&s->out, q);
		n++;
	}
	return n;
}

bool
session_reset_backends(session *s)
{
	int64_t		deadline = net_deadline_after(RESET_TIMEOUT_MS);

	for (int node = 0; node < s->entry->num_backends; node++)
	{
		backend_conn *b = &s->entry->backends[node];
		long		queued;

		if (!b->connected)
			continue;
		queued = queue_reset_queries(s, b);
		if (queued == 0)
			continue;
		if (msgio_send(&b->conn, &s->out, deadline) != 0)
			backend_error_io(s->cfg, node, b, "writing to", errno);
		else if (read_ready(s, node, b, queued, deadline) && b->tx_status == PQ_TX_IDLE)
			continue;
		log_info("backend %d could not be reset for the next session", node);
		pq_out_reset(&s->out);
		if (node == s->entry->main_node)
			return false;
		/* a load-balancing node (down, restarted): the set goes on without it */
		net_conn_close(&b->conn);
		b->connected = false;
	}
	return true;
}
