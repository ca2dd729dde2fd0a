/*
 * The relay: bytes flow between the client and its backend through one buffer per direction,
 * read in large chunks and forwarded as whole ranges without copying. Only message headers are
 * walked: to stop at the client's Terminate and to follow the backend's transaction status.
 * Sockets are non-blocking; poll() is called only when neither direction can make progress, and
 * every wait for a peer that owes bytes is bounded.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "child/backend_error.h"
#include "child/intercept.h"
#include "child/relay_internal.h"
#include "child/session.h"
#include "child/stmt_count.h"
#include "common/log.h"
#include "common/util.h"
#include "net/sock.h"
#include "protocol/scan.h"
#include "shmem/shmem.h"

static uint8_t *c2b_buffer;
static uint8_t *b2c_buffer;

/* Largest Query held back to see whether it is a pgpool command. */
#define INTERCEPT_MAX_QUERY 8192

/* Whether the first bytes of a Query body could begin "SHOW pool_..." or "PGPOOL ...". */
static bool
may_be_pool_command(const uint8_t *body, size_t len)
{
	size_t		i = 0;

	while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r'))
		i++;
	return i == len || body[i] == 's' || body[i] == 'S' || body[i] == 'p' || body[i] == 'P';
}

/*
 * SHOW pool_* and PGPOOL commands are answered by pgpool-ng: the relay stops before such a
 * Query (or holds it back until it is complete) and answers it once every earlier request has
 * been answered. A header split over reads was already forwarded, so such a Query is not looked at.
 */
static int
check_pool_command(relay_dir *d, const pq_scan_msg *msg)
{
	if (msg->header_held > 0 || msg->length > INTERCEPT_MAX_QUERY ||
		!may_be_pool_command(msg->body, msg->body_avail))
		return PQ_SCAN_CONTINUE;
	if (!pq_scan_msg_complete(msg))
	{
		d->hold = true;
		return PQ_SCAN_STOP;
	}
	if (!intercept_matches((const char *) msg->body, msg->body_avail))
		return PQ_SCAN_CONTINUE;
	d->intercept_len = PQ_HEADER_SIZE + msg->body_avail;
	return PQ_SCAN_STOP;
}

/* Statement counters; a message split over reads is not counted (it is rare and only a count). */
static void
count_statement(const relay_dir *d, const pq_scan_msg *msg)
{
	if (msg->header_held == 0 && pq_scan_msg_complete(msg))
		stmt_count_client_message(d->slot, d->node, msg->type, msg->body, msg->body_avail);
}

/*
 * With routing, a unit's first message stops the walk until the unit has a node; then its messages
 * pass up to the one that ends it. COPY data goes where the COPY runs.
 */
static int
route_gate(relay_dir *d, const pq_scan_msg *msg)
{
	if (msg->type == PQ_MSG_TERMINATE || msg->type == 'd' || msg->type == 'c' || msg->type == 'f')
		return PQ_SCAN_CONTINUE;
	if (!d->in_unit)
	{
		d->route_pending = true;
		return PQ_SCAN_STOP;
	}
	if (msg->type == 'Q' || msg->type == 'F' || msg->type == 'S' || msg->type == 'H')
		d->in_unit = false;
	return PQ_SCAN_CONTINUE;
}

static int
client_message(void *arg, const pq_scan_msg *msg)
{
	relay_dir  *d = arg;

	if (d->routed && route_gate(d, msg) == PQ_SCAN_STOP)
		return PQ_SCAN_STOP;
	switch (msg->type)
	{
		case PQ_MSG_TERMINATE:
			d->stop = true;
			return PQ_SCAN_STOP;
		case 'Q':				/* Query */
			if (check_pool_command(d, msg) == PQ_SCAN_STOP)
				return PQ_SCAN_STOP;
			count_statement(d, msg);
			/* FALLTHROUGH */
		case 'S':				/* Sync */
		case 'F':				/* FunctionCall */
			d->sync_points++;	/* each gets one ReadyForQuery, unless skipped after an error */
			d->ext_pending = false; /* each ends the implicit transaction */
			shm_child_set_status(d->slot, SHM_CHILD_EXECUTE_COMMAND);
			break;
		case 'H':				/* Flush */
			/*
			 * A valid one changes nothing. One with a body makes PostgreSQL raise an error, after which
			 * it discards messages up to a Sync, as after any extended-protocol message.
			 */
			if (msg->length > PQ_LENGTH_SIZE)
				d->ext_pending = true;
			break;
		case 'P':				/* Parse, Bind, Describe, Execute, Close */
		case 'B':
		case 'D':
		case 'E':
		case 'C':
			d->ext_pending = true;
			count_statement(d, msg);
			break;
	}
	return PQ_SCAN_CONTINUE;
}

/* The backend's transaction status from ReadyForQuery, also shown by SHOW pool_processes. */
static void
note_tx_status(relay *r, char status)
{
	r->backend->tx_status = status;
	/* only the last answer owed tells the state after everything the client sent */
	if (r->route != NULL && r->b2c.sync_points >= r->c2b.sync_points)
		route_note_ready(r->route, r->current, status);
	shm_child_set_status(r->c2b.slot, status == PQ_TX_IDLE ? SHM_CHILD_IDLE : SHM_CHILD_IDLE_IN_TRANSACTION);
}

static int
backend_message(void *arg, const pq_scan_msg *msg)
{
	relay	   *r = arg;

	if ((msg->type == PQ_MSG_ERROR_RESPONSE || msg->type == PQ_MSG_NOTICE_RESPONSE) &&
		msg->header_held == 0 && pq_scan_msg_complete(msg))
	{
		/* one split over two reads is not seen: rare for these short messages */
		backend_error_note_message(r->backend, msg->type, msg->body, msg->body_avail);
		if (msg->type == PQ_MSG_ERROR_RESPONSE)
			stmt_count_backend_error(r->c2b.slot, r->c2b.node, msg->body, msg->body_avail);
	}
	if (r->route != NULL && msg->type == '1')	/* ParseComplete */
		route_parse_complete(r->route);
	if (msg->type == PQ_MSG_READY_FOR_QUERY)
	{
		r->b2c.sync_points++;
		if (r->route != NULL)
			route_sync_answered(r->route, r->b2c.sync_points);
		if (msg->body_avail > 0)
			note_tx_status(r, (char) msg->body[0]);
		else
			r->b2c.z_pending = true;
	}
	return PQ_SCAN_CONTINUE;
}

/*
 * Walks newly read bytes [from, filled) of a direction and moves 'ready' forward. A held-back
 * client Query is walked again from its start (ready) now that more of it has arrived.
 */
void
relay_scan_new_bytes(relay *r, relay_dir *d, size_t from)
{
	size_t		n;

	if (d->route_pending)
		return;					/* relay_route_unit walks on once the unit has a node */
	if (d->hold)
	{
		d->hold = false;
		from = d->ready;
	}
	if (d == &r->b2c && d->z_pending && d->filled > from)
	{
		note_tx_status(r, (char) d->buf[from]);
		d->z_pending = false;
	}
	if (d == &r->c2b)
		n = pq_scan_feed(&d->scan, d->buf + from, d->filled - from, client_message, d);
	else
		n = pq_scan_feed(&d->scan, d->buf + from, d->filled - from, backend_message, r);
	d->ready = from + n;
}

/* One read from src into free space. Returns bytes read, 0 at EOF, -1 would block, -2 error. */
static ssize_t
read_some(relay *r, relay_dir *d)
{
	ssize_t		n;

	if (d->sent == d->filled)
		d->sent = d->ready = d->filled = 0;
	else if (d->sent == d->ready && d->sent > 0 && d->filled == RELAY_BUFFER_SIZE)
	{
		/* a held-back message at the end of a full buffer: move it to the front */
		memmove(d->buf, d->buf + d->sent, d->filled - d->sent);
		d->filled -= d->sent;
		d->sent = d->ready = 0;
	}
	if (d->filled == RELAY_BUFFER_SIZE)
		return NET_WOULD_BLOCK;
	n = net_conn_recv(d->src, d->buf + d->filled, RELAY_BUFFER_SIZE - d->filled);
	if (n > 0)
	{
		size_t		from = d->filled;

		d->filled += (size_t) n;
		relay_scan_new_bytes(r, d, from);
		r->last_progress = net_now_ms();
	}
	else if (n == 0)
		d->src_eof = true;
	return n;
}

/* Writes what is ready. Returns bytes written, -1 would block, -2 error (0 when nothing to do). */
static ssize_t
write_ready(relay *r, relay_dir *d)
{
	ssize_t		n;

	if (d->sent >= d->ready)
		return 0;
	if (d->drop_output)
	{
		d->sent = d->ready;
		return 0;
	}
	n = net_conn_send(d->dst, d->buf + d->sent, d->ready - d->sent);
	if (n > 0)
	{
		d->sent += (size_t) n;
		r->last_progress = net_now_ms();
	}
	return n;
}

/* Moves one direction as far as it goes without waiting; PUMP_OK or which side failed. */
static int
pump(relay *r, relay_dir *d, bool *progressed)
{
	for (int round = 0; round < 4; round++)
	{
		ssize_t		w = write_ready(r, d);
		ssize_t		n;

		if (w == NET_ERROR)
			return PUMP_DST_FAILED;
		if (w > 0)
			*progressed = true;
		if (d->sent < d->ready || d->stop || d->src_eof || pq_scan_failed(&d->scan) || !d->readable ||
			d->intercept_len > 0)
			return PUMP_OK;		/* output still blocked, or nothing (known) to read */
		n = read_some(r, d);
		if (n == NET_ERROR)
			return PUMP_SRC_FAILED;
		if (n < 0)
			d->readable = false;
		if (n <= 0)
			return PUMP_OK;
		*progressed = true;
		if ((size_t) n < RELAY_BUFFER_SIZE / 2)
		{
			/*
			 * A short read drained the socket: forward it and let poll() tell when more comes,
			 * instead of a read that would only say EAGAIN (TLS may hold decrypted bytes back).
			 */
			d->readable = net_conn_pending(d->src) > 0;
			return write_ready(r, d) == NET_ERROR ? PUMP_DST_FAILED : PUMP_OK;
		}
	}
	return PUMP_OK;
}

/* The events a direction waits for: output space on dst, or input on src. */
static void
wanted_events(const relay_dir *d, short *src_events, short *dst_events)
{
	if (d->sent < d->ready)
		*dst_events |= d->dst->ssl ? d->dst->want_events : POLLOUT;
	else if (!d->stop && !d->src_eof && d->intercept_len == 0 &&
			 !(d->route_pending && d->filled == RELAY_BUFFER_SIZE && d->sent == 0))
		*src_events |= d->src->ssl ? d->src->want_events : POLLIN;
}

/*
 * The client went silent in the middle of a message, or does not read ours; or the backend went
 * silent in the middle of one: such waits are bounded. A backend that does not read our output is
 * busy with a statement (statement_timeout bounds that), so it is not a stall, even when a Query
 * held back at the end of the buffer waits for its rest: the client owes that rest only once
 * everything before it has gone.
 */
static bool
stalled(const relay *r, int64_t now, int client_ms, int backend_ms)
{
	bool		client_owes = (r->c2b.sent == r->c2b.ready &&
							   (!pq_scan_at_boundary(&r->c2b.scan) || r->c2b.hold)) ||
		r->b2c.sent < r->b2c.ready || (r->c2b.route_pending && relay_answered(r));
	bool		backend_owes = r->b2c.sent == r->b2c.ready && !pq_scan_at_boundary(&r->b2c.scan);
	int64_t		idle = now - r->last_progress;

	return (client_owes && idle > client_ms) || (backend_owes && idle > backend_ms);
}

/* Waits until a socket can make progress; marks the directions whose input became readable. */
static int
wait_for_events(relay *r)
{
	struct pollfd pfd[2];
	short		client_ev = 0;
	short		backend_ev = 0;
	int			rc;

	if (net_conn_pending(&r->s->client) > 0 || net_conn_pending(&r->backend->conn) > 0)
	{
		r->c2b.readable = r->b2c.readable = true;
		return 1;
	}
	wanted_events(&r->c2b, &client_ev, &backend_ev);
	wanted_events(&r->b2c, &backend_ev, &client_ev);
	pfd[0] = (struct pollfd) {.fd = r->s->client.fd, .events = client_ev};
	pfd[1] = (struct pollfd) {.fd = r->backend->conn.fd, .events = backend_ev};
	rc = poll(pfd, 2, RELAY_WAKE_MS);
	/* any event on a source (input, hang-up, error, or TLS wanting to write) means: try it */
	if (rc > 0 && pfd[0].revents != 0)
		r->c2b.readable = true;
	if (rc > 0 && pfd[1].revents != 0)
		r->b2c.readable = true;
	return rc;
}

static bool
client_idle_too_long(const relay *r, int64_t now)
{
	int			limit = r->s->cfg->client_idle_limit;

	return limit > 0 && r->backend->tx_status == PQ_TX_IDLE && r->c2b.sent == r->c2b.filled &&
		r->b2c.sent == r->b2c.filled && now - r->last_progress > (int64_t) limit * 1000;
}

/*
 * The client is gone. Its connections are reusable only when it left between messages with every
 * answer received and no extended-protocol sequence open: the reset's simple queries would
 * otherwise commit that sequence's implicit transaction (PostgreSQL rolls it back on Terminate),
 * or be skipped by a backend that discards messages up to a Sync after an error. The count of
 * ReadyForQuery still owed is not exact in that case either, so none may be owed.
 */
static bool
backend_settled(const relay *r)
{
	return pq_scan_at_boundary(&r->c2b.scan) && pq_scan_at_boundary(&r->b2c.scan) &&
		!r->c2b.ext_pending && r->c2b.sync_points == r->b2c.sync_points;
}

static relay_result
finish(relay *r)
{
	if (!backend_settled(r))
		return RELAY_CLIENT_LOST;
	if (r->c2b.stop || (r->c2b.src_eof && pq_scan_at_boundary(&r->c2b.scan)))
		return RELAY_CLIENT_TERMINATED;
	return RELAY_CLIENT_LOST;
}

/* The client has sent Terminate or closed, at a message boundary, and all it sent is forwarded. */
static bool
client_leaving(const relay *r)
{
	return (r->c2b.stop || r->c2b.src_eof) && r->c2b.sent == r->c2b.ready &&
		pq_scan_at_boundary(&r->c2b.scan);
}

/* Every ReadyForQuery owed for what the client sent has been passed on (or dropped). */
bool
relay_answered(const relay *r)
{
	return r->b2c.sync_points >= r->c2b.sync_points && pq_scan_at_boundary(&r->b2c.scan) &&
		r->b2c.sent == r->b2c.ready;
}

/*
 * Answers a pgpool command the client sent, once everything before it has been forwarded and
 * answered, then walks on through what the client sent after it. -1 when the client is gone.
 */
static int
answer_pool_command(relay *r)
{
	relay_dir  *d = &r->c2b;
	const char *query = (const char *) d->buf + d->ready + PQ_HEADER_SIZE;
	pq_out		out;
	int			rc;

	if (d->sent < d->ready || r->b2c.sync_points != d->sync_points || r->b2c.sent < r->b2c.ready)
		return 0;
	pq_out_init(&out);
	intercept_answer(r->s, query, &out);
	pq_put_ready_for_query(&out, r->backend->tx_status);
	rc = net_conn_send_all_with_deadline(&r->s->client, out.data, out.len,
										 net_deadline_after(RELAY_STALL_MS_MIN));
	pq_out_free(&out);
	d->sent = d->ready = d->ready + d->intercept_len;
	d->intercept_len = 0;
	r->last_progress = net_now_ms();
	if (d->ready < d->filled)
		relay_scan_new_bytes(r, d, d->ready);
	return rc;
}

/*
 * One pass: pump both directions; returns true when the relay is over. Answers to what the client
 * sent before it left are still relayed (PostgreSQL sends them too), or read and dropped when the
 * client is gone, so that its connections can be reused; a backend silent too long ends that.
 */
static bool
relay_step(relay *r, relay_result *result)
{
	bool		progressed = false;
	int			rc;

	if (r->c2b.intercept_len > 0 && answer_pool_command(r) != 0)
	{
		*result = RELAY_CLIENT_LOST;
		return true;
	}
	if (r->c2b.route_pending && relay_route_unit(r) != 0)
	{
		*result = RELAY_BACKEND_LOST;
		return true;
	}
	rc = pump(r, &r->c2b, &progressed);
	if (rc == PUMP_DST_FAILED)
		relay_backend_failed(r, r->current, "writing to", errno);
	if (rc != PUMP_OK || pq_scan_failed(&r->c2b.scan))
	{
		if (pq_scan_failed(&r->c2b.scan))
			session_report(r->s, "FATAL", "08P01", "invalid message from client",
						   pq_frontend_type_known(r->c2b.scan.bad_type) ? "bad message length" :
						   "unknown frontend message type");
		*result = rc == PUMP_DST_FAILED ? RELAY_BACKEND_LOST : RELAY_CLIENT_LOST;
		return true;
	}
	rc = pump(r, &r->b2c, &progressed);
	if (rc == PUMP_SRC_FAILED)
		relay_backend_failed(r, r->current, "reading from", errno);
	if (rc == PUMP_DST_FAILED && client_leaving(r))
	{
		r->b2c.drop_output = true;
		rc = PUMP_OK;
	}
	if (rc != PUMP_OK || pq_scan_failed(&r->b2c.scan))
	{
		*result = rc == PUMP_DST_FAILED ? RELAY_CLIENT_LOST : RELAY_BACKEND_LOST;
		return true;
	}
	/* what a peer sent before it left is delivered first (a backend's FATAL, a client's queries) */
	if (r->b2c.src_eof && r->b2c.sent == r->b2c.ready && relay_route_node_lost(r) != 0)
	{
		relay_backend_failed(r, r->current, "reading from", 0);
		*result = RELAY_BACKEND_LOST;
		return true;
	}
	if (client_leaving(r) && (relay_answered(r) || net_now_ms() - r->last_progress > RELAY_LEAVE_MS))
	{
		*result = finish(r);
		return true;
	}
	if ((r->c2b.stop || r->c2b.src_eof) && r->c2b.sent == r->c2b.ready && !client_leaving(r))
	{
		*result = finish(r);
		return true;
	}
	/* a unit that reached the buffer (or whose answers came in) during this step goes at once */
	if (r->c2b.route_pending)
	{
		if (relay_route_unit(r) != 0)
		{
			*result = RELAY_BACKEND_LOST;
			return true;
		}
		r->again = !r->c2b.route_pending;
	}
	return false;
}

void
relay_backend_failed(relay *r, int node, const char *what, int err)
{
	if (backend_error_io(r->s->cfg, node, &r->s->entry->backends[node], what, err))
	{
		r->lost_node = node;
		r->lost_what = what;
	}
}

bool
relay_flush_to_client(relay *r)
{
	relay_dir  *d = &r->b2c;

	if (d->drop_output || !pq_scan_at_boundary(&d->scan) ||
		net_conn_send_all_with_deadline(d->dst, d->buf + d->sent, d->ready - d->sent,
										net_deadline_after(1000)) != 0)
		return false;
	d->sent = d->ready;
	return true;
}

/*
 * The session ends because a node failed: the client learns why, when the error fits in its
 * stream (between two messages, and it still reads).
 */
static void
tell_client_node_lost(relay *r)
{
	const pool_config *cfg = r->s->cfg;
	char		detail[300];

	if (!relay_flush_to_client(r))
		return;
	snprintf(detail, sizeof(detail), "%s node %d (%s:%d) failed%s", r->lost_what, r->lost_node,
			 cfg->backends[r->lost_node].hostname, cfg->backends[r->lost_node].port,
			 cfg->failover_on_backend_error ? "; its failover was requested (failover_on_backend_error)" : "");
	session_report(r->s, "FATAL", "08006", "lost the connection to a PostgreSQL backend", detail);
}

/* Steps and waits until the relay is over. */
static relay_result
relay_loop(relay *r, int client_stall_ms, int stall_ms)
{
	relay_result result;
	session    *s = r->s;

	for (;;)
	{
		int64_t		now;

		if (relay_step(r, &result))
			return result;
		if (child_fast_exit_requested)
			return RELAY_SHUTDOWN;
		/* before the next unit is routed, and at least every RELAY_WAKE_MS while waiting */
		if (relay_nodes_check(r) != 0)
			return RELAY_NODE_DOWN;
		if (r->again)
		{
			r->again = false;
			continue;
		}
		if (wait_for_events(r) < 0 && errno != EINTR)
			return RELAY_CLIENT_LOST;
		now = net_now_ms();
		if (stalled(r, now, client_stall_ms, stall_ms))
		{
			log_warning("session of user \"%s\" from %s made no progress for %d s; closing it",
						s->startup.user, s->client_host, (int) ((now - r->last_progress) / 1000));
			/* an error fits in the client's stream only between two of our messages */
			if (pq_scan_at_boundary(&r->b2c.scan) && r->b2c.sent == r->b2c.ready)
				session_report(s, "FATAL", "08P01", "incomplete message from client",
							   "the client sent part of a message and then nothing");
			return RELAY_CLIENT_LOST;
		}
		if (client_idle_too_long(r, now))
		{
			session_report(s, "FATAL", "57P05", "terminating connection due to idle-session timeout",
						   "the client was idle longer than client_idle_limit");
			/* idle with an open extended sequence or a COPY: the reset could not run */
			return backend_settled(r) ? RELAY_CLIENT_TERMINATED : RELAY_CLIENT_LOST;
		}
	}
}

relay_result
session_relay(session *s)
{
	relay		r = {.s = s, .backend = &s->entry->backends[s->entry->main_node], .lost_node = -1};
	int			stall_ms = s->cfg->authentication_timeout * 1000;
	int			client_stall_ms;
	relay_result result;

	if (stall_ms < RELAY_STALL_MS_MIN)
		stall_ms = RELAY_STALL_MS_MIN;
	/* client_idle_limit, when set, also bounds a client that stops mid-message or stops reading */
	client_stall_ms = s->cfg->client_idle_limit > 0 && s->cfg->client_idle_limit < stall_ms / 1000 ?
		s->cfg->client_idle_limit * 1000 : stall_ms;
	if (c2b_buffer == NULL)
	{
		c2b_buffer = xmalloc(RELAY_BUFFER_SIZE);
		b2c_buffer = xmalloc(RELAY_BUFFER_SIZE);
	}
	r.c2b = (relay_dir) {.src = &s->client, .dst = &r.backend->conn, .buf = c2b_buffer,
	.slot = s->ctx->slot, .node = s->entry->main_node, .readable = true};
	r.b2c = (relay_dir) {.src = &r.backend->conn, .dst = &s->client, .buf = b2c_buffer,
	.readable = true};
	pq_scan_init_frontend(&r.c2b.scan, 0);
	pq_scan_init(&r.b2c.scan, 0);
	r.last_progress = net_now_ms();
	r.current = s->entry->main_node;
	stmt_count_reset();
	relay_route_begin(&r);
	result = relay_loop(&r, client_stall_ms, stall_ms);
	if (result == RELAY_BACKEND_LOST && r.lost_node >= 0)
		tell_client_node_lost(&r);
	relay_route_end(&r);
	return result;
}
