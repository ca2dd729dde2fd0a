/*
 * The relay's side of routing (see docs/design/routing.md): each unit the client sends gets a
 * node from route.c; the relay switches its backend only between units, once every answer owed
 * has been relayed, and first brings the node up to date by running, with the answers dropped,
 * what the session did elsewhere: settings, the open transaction, named statements.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "child/backend_error.h"
#include "child/intercept.h"
#include "child/lb_select.h"
#include "child/relay_internal.h"
#include "child/route_policy.h"
#include "child/write_gate.h"
#include "common/log.h"
#include "net/sock.h"
#include "protocol/message.h"
#include "shmem/shmem.h"

/* Longest the relay waits for a node to answer what it runs on its own. */
#define INJECT_TIMEOUT_MS 10000
/* read_your_writes: how long a read waits for its standby to replay the session's last commit. */
#define RYW_WAIT_MS 200
#define RYW_POLL_US 1000

static route_state session_route;
static route_plan plan;

/* ---- hooks for route.c ---- */

static const shm_backend_table *
backend_table(void)
{
	static shm_backend_table table;
	static uint64_t generation;
	uint64_t	now = shm_backends_generation();

	if (now != generation || generation == 0)
		generation = shm_backends_snapshot(&table);
	return generation != 0 ? &table : NULL;
}

static bool
hook_node_usable(void *arg, int node)
{
	const relay *r = arg;
	const shm_backend_table *t = backend_table();

	return t != NULL && node >= 0 && node < r->s->entry->num_backends &&
		r->s->entry->backends[node].connected && lb_node_may_read(r->s->cfg, t, node);
}

static bool
hook_primary_only(void *arg, const char *text, size_t len)
{
	(void) arg;
	return route_policy_primary_query(text, len);
}

static uint32_t
hook_random(void *arg)
{
	(void) arg;
	return ((uint32_t) random() << 16) ^ (uint32_t) random();
}

static bool
quiescent(const relay *r)
{
	return relay_answered(r) && !r->c2b.ext_pending && r->c2b.sent == r->c2b.ready;
}

/*
 * Waits for node's next answer in RELAY_WAKE_MS slices, so that a node that goes down meanwhile
 * (a host that is gone never answers) is not waited for. 0: something to read (or an error the
 * read will report); -1 with errno ETIMEDOUT: the deadline passed or the node is down.
 */
static int
await_answer(backend_conn *b, int node, int64_t deadline)
{
	for (;;)
	{
		int64_t		slice = net_now_ms() + RELAY_WAKE_MS;

		if (net_conn_pending(&b->conn) > 0 ||
			net_wait_with_deadline(b->conn.fd, POLLIN, slice < deadline ? slice : deadline) != 0)
			return 0;
		if (net_now_ms() >= deadline || relay_node_down(node))
		{
			errno = ETIMEDOUT;
			return -1;
		}
	}
}

/*
 * Runs queued messages on node and reads its answers up to the expected number of ReadyForQuery,
 * dropping them. 0 ok, 1 the node reported an error (drained), -1 the connection failed.
 */
static int
inject(relay *r, int node, pq_out *out, int expect_ready, msg_buf *reply)
{
	backend_conn *b = &r->s->entry->backends[node];
	int64_t		deadline = net_deadline_after(INJECT_TIMEOUT_MS);
	int			rc = 0;

	if (out->len == 0)
		return 0;
	if (msgio_send(&b->conn, out, deadline) != 0)
	{
		relay_backend_failed(r, node, "writing to", errno);
		return -1;
	}
	while (expect_ready > 0)
	{
		if (await_answer(b, node, deadline) != 0 || msgio_read(&b->conn, &r->s->msg, 0x40000000U, deadline) != 0)
		{
			relay_backend_failed(r, node, "reading from", errno);
			return -1;
		}
		backend_error_note_message(b, r->s->msg.type, r->s->msg.data, r->s->msg.len);
		if (r->s->msg.type == PQ_MSG_READY_FOR_QUERY)
		{
			if (!pq_parse_ready_for_query(r->s->msg.data, r->s->msg.len, &b->tx_status))
				return -1;
			expect_ready--;
		}
		else if (r->s->msg.type == PQ_MSG_ERROR_RESPONSE)
			rc = 1;
		else if (r->s->msg.type == 'D' && reply != NULL && reply->data == NULL)
		{
			reply->data = malloc(r->s->msg.len);
			if (reply->data != NULL)
			{
				memcpy(reply->data, r->s->msg.data, r->s->msg.len);
				reply->len = r->s->msg.len;
			}
		}
	}
	return rc;
}

/* The first column of a one-row answer as text (NULL: none); reply from inject. */
static bool
reply_text(const msg_buf *reply, char *out, size_t size)
{
	uint32_t	len;

	if (reply->data == NULL || reply->len < 6 || pq_be32_get(reply->data + 2) == 0xFFFFFFFFu)
		return false;
	len = pq_be32_get(reply->data + 2);
	if (len >= size || reply->len < 6 + (size_t) len)
		return false;
	memcpy(out, reply->data + 6, len);
	out[len] = '\0';
	return true;
}

/* Runs a one-value query on node: 0 with the value in out, 1 no value or an error, -1 I/O failure. */
static int
query_value(relay *r, int node, const char *sql, char *out, size_t size)
{
	pq_out		q;
	msg_buf		reply = {0};
	int			rc;

	pq_out_init(&q);
	pq_put_query(&q, sql);
	rc = inject(r, node, &q, 1, &reply);
	pq_out_free(&q);
	if (rc == 0 && !reply_text(&reply, out, size))
		rc = 1;
	free(reply.data);
	return rc;
}

/*
 * read_your_writes = session: may node take the session's next read? Only once it has replayed
 * the WAL position the primary had after the session's last commit, waiting at most RYW_WAIT_MS.
 * 1 yes, 0 no (the read goes to the primary), -1 the primary failed.
 */
static int
replayed_last_commit(relay *r, int node)
{
	route_state *st = r->route;
	char		sql[128];
	char		answer[8];
	int64_t		deadline = net_deadline_after(RYW_WAIT_MS);

	if (st->ryw_lsn[0] == '\0' &&
		query_value(r, st->primary, "SELECT pg_catalog.pg_current_wal_lsn()", st->ryw_lsn, sizeof(st->ryw_lsn)) != 0)
	{
		st->ryw_lsn[0] = '\0';
		return -1;
	}
	snprintf(sql, sizeof(sql), "SELECT pg_catalog.pg_last_wal_replay_lsn() >= '%s'::pg_catalog.pg_lsn", st->ryw_lsn);
	for (;;)
	{
		int			rc = query_value(r, node, sql, answer, sizeof(answer));

		if (rc == 0 && answer[0] == 't')
		{
			st->ryw_ok |= 1u << node;
			return 1;
		}
		if (rc != 0 || net_now_ms() >= deadline)
			return 0;
		usleep(RYW_POLL_US);
	}
}

/* The catalog's word on a function (any overload volatile: it may write), asked on the current node. */
static int
ask_catalog(relay *r, const char *function)
{
	const char *dot = strchr(function, '.');
	char		sql[700];
	char		answer[8];
	int			rc;

	if (strchr(function, '\'') != NULL || strchr(function, '\\') != NULL || !quiescent(r))
		return 0;
	if (dot != NULL)
		snprintf(sql, sizeof(sql), "SELECT coalesce(bool_and(p.provolatile <> 'v'), false) FROM pg_catalog.pg_proc p "
				 "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '%.*s' AND p.proname = '%s'",
				 (int) (dot - function), function, dot + 1);
	else
		snprintf(sql, sizeof(sql), "SELECT coalesce(bool_and(provolatile <> 'v'), false) FROM pg_catalog.pg_proc "
				 "WHERE proname = '%s'", function);
	rc = query_value(r, r->current, sql, answer, sizeof(answer));
	/* an error (the client's transaction failed meanwhile) is no answer: ask again next time */
	if (rc != 0)
		return 0;
	route_policy_remember_volatility(r->s->startup.database, function, answer[0] == 't');
	return answer[0] == 't';
}

static int
hook_function_reads_only(void *arg, const sql_name *fn)
{
	relay	   *r = arg;
	char		key[256];
	int			listed = route_policy_function(fn, key, sizeof(key));
	int			cached;

	if (listed >= 0)
		return listed;
	cached = route_policy_cached_volatility(r->s->startup.database, key);
	return cached >= 0 ? cached : ask_catalog(r, key);
}

/* ---- bringing a node up to date ---- */

static void
put_close_statement(pq_out *out, const char *name)
{
	pq_out_begin(out, 'C');
	pq_out_int8(out, 'S');
	pq_out_string(out, name);
	pq_out_end(out);
}

static void
put_sync(pq_out *out)
{
	pq_out_begin(out, 'S');
	pq_out_end(out);
}

/* Named statements the unit uses that node lacks: their Parse, ahead of the unit. */
static int
queue_missing_parses(relay *r, int node, pq_out *out)
{
	const uint8_t *data = r->c2b.buf + r->c2b.ready;
	route_state *st = r->route;
	int			queued = 0;

	for (size_t off = 0; off + PQ_HEADER_SIZE <= plan.len; off += 1 + pq_be32_get(data + off + 1))
	{
		pq_in		in;
		const char *portal = "";
		const char *name = NULL;
		uint8_t		kind = 'S';
		route_named *n;

		pq_in_init(&in, data + off + PQ_HEADER_SIZE, pq_be32_get(data + off + 1) - PQ_LENGTH_SIZE);
		if (data[off] == 'B' && (!pq_in_string(&in, &portal) || !pq_in_string(&in, &name)))
			continue;
		if (data[off] == 'D' && (!pq_in_int8(&in, &kind) || kind != 'S' || !pq_in_string(&in, &name)))
			continue;
		if (name == NULL || name[0] == '\0')
			continue;
		n = route_find(st->statements, st->statement_count, name);
		if (n == NULL || n->parse == NULL || ((n->nodes | n->pending) & (1u << node)))
			continue;
		pq_out_bytes(out, n->parse, n->parse_len);
		n->nodes |= 1u << node;
		queued++;
	}
	return queued;
}

/* Everything node must run before the unit; returns the ReadyForQuery count to expect. */
static int
queue_catch_up(relay *r, int node, pq_out *out)
{
	route_state *st = r->route;
	backend_conn *b = &r->s->entry->backends[node];
	int			expect = 0;
	int			ext = 0;

	for (; st->replayed[node] < st->replay_count; st->replayed[node]++, expect++)
		pq_put_query(out, st->replay[st->replayed[node]]);
	if (st->tx_status == 'T' && b->tx_status == 'I')
	{
		pq_put_query(out, st->tx_begin ? st->tx_begin : "BEGIN");
		expect++;
	}
	for (int i = 0; i < st->statement_count; i++)
		if (st->statements[i].parse == NULL && (st->statements[i].nodes & (1u << node)))
		{
			put_close_statement(out, st->statements[i].name);
			st->statements[i].nodes &= ~(1u << node);
			ext++;
		}
	ext += queue_missing_parses(r, node, out);
	if (ext > 0)
	{
		put_sync(out);
		expect++;
	}
	return expect;
}

/* Nodes still inside a transaction the client has ended (a read-only one, or a failed one). */
static int
end_stale_transactions(relay *r, int target)
{
	route_state *st = r->route;

	if (st->tx_status != 'I')
		return 0;
	for (int n = 0; n < r->s->entry->num_backends; n++)
	{
		backend_conn *b = &r->s->entry->backends[n];
		pq_out		out;
		int			rc;

		if (!b->connected || b->tx_status == 'I' || (n == r->current && n != target && !quiescent(r)))
			continue;
		pq_out_init(&out);
		pq_put_query(&out, "ROLLBACK");
		rc = inject(r, n, &out, 1, NULL);
		pq_out_free(&out);
		if (rc != 0)
		{
			log_info("node %d did not end its part of the transaction; no more load balancing in this session", n);
			st->lb_off = true;
			if (n == st->primary)
				return -1;
		}
	}
	return 0;
}

static void
switch_to(relay *r, int node)
{
	r->current = node;
	r->backend = &r->s->entry->backends[node];
	r->c2b.dst = &r->backend->conn;
	r->c2b.node = node;
	r->b2c.src = &r->backend->conn;
	r->b2c.readable = true;
}

/*
 * Makes node ready for the unit: 0 ready, 1 wait for answers, 2 the node could not take the
 * session's state, 3 its connection is gone (dropped from the session), -1 fatal.
 */
static int
prepare_node(relay *r, int node)
{
	backend_conn *b = &r->s->entry->backends[node];
	pq_out		out;
	int			expect;
	int			rc;

	if (node != r->current && !quiescent(r))
		return 1;
	if (node != r->current && !backend_conn_idle_alive(b))
	{
		log_info("connection to node %d was closed by the server; its reads go elsewhere", node);
		net_conn_close(&b->conn);
		b->connected = false;
		r->route->connected &= ~(1u << node);
		return 3;
	}
	if (end_stale_transactions(r, node) != 0)
		return -1;
	pq_out_init(&out);
	expect = queue_catch_up(r, node, &out);
	if (expect > 0 && node == r->current && !quiescent(r))
	{
		pq_out_free(&out);
		return 1;				/* cannot slip in between answers still owed: wait for them */
	}
	rc = inject(r, node, &out, expect, NULL);
	pq_out_free(&out);
	if (rc != 0)
		return node == r->route->primary && rc < 0 ? -1 : 2;
	if (node != r->current)
		switch_to(r, node);
	return 0;
}

/* ---- no watchdog quorum: writes refused (write_gate.h) ---- */

/* Makes the backend's transaction fail, as the client's does with the refusal (its answer is dropped). */
#define WRITE_GATE_FAIL_SQL "DO $pgpool_ng$BEGIN RAISE EXCEPTION 'pgpool-ng: write refused without watchdog quorum' " \
	"USING ERRCODE = '25006'; END$pgpool_ng$"

static bool
gate_applies(relay *r)
{
	if (!r->s->cfg->use_watchdog || !plan.complete || plan.flush_ended || r->c2b.ext_pending ||
		!write_gate_unit_writes(&plan))
		return false;
	/* PGPOOL SET / SHOW are pgpool-ng's own commands, answered further on */
	if (plan.count == 1 && r->c2b.buf[r->c2b.ready] == 'Q' &&
		intercept_matches(plan.texts[0], plan.text_lens[0] + 1))
		return false;
	return !write_gate_writes_allowed(r->s->cfg);
}

/*
 * Answers a write unit with an ErrorResponse and ReadyForQuery in place of running it, as PostgreSQL
 * does for a statement it refuses: inside a transaction block the transaction fails (on its node
 * too). Only units that end with Sync, Query or FunctionCall outside an open extended-protocol
 * sequence are refused; one ending with Flush goes on. 1 refused, 0 waiting for answers owed,
 * -1 failed.
 */
static int
refuse_write(relay *r)
{
	relay_dir  *d = &r->c2b;
	pq_error_fields f = {.severity = "ERROR", .sqlstate = WRITE_GATE_SQLSTATE, .message = WRITE_GATE_MESSAGE,
	.detail = "the watchdog cluster has no quorum: this pgpool-ng may be cut off from the others"};
	char		status = r->route->tx_status;
	pq_out		out;
	int			rc;

	if (!quiescent(r))
		return 0;
	if (status == 'T')
	{
		pq_out_init(&out);
		pq_put_query(&out, WRITE_GATE_FAIL_SQL);
		rc = inject(r, r->current, &out, 1, NULL);
		pq_out_free(&out);
		if (rc < 0)
			return -1;
		status = r->backend->tx_status;
	}
	pq_out_init(&out);
	pq_put_error_response(&out, &f);
	pq_put_ready_for_query(&out, status);
	rc = net_conn_send_all_with_deadline(&r->s->client, out.data, out.len, net_deadline_after(RELAY_STALL_MS_MIN));
	pq_out_free(&out);
	if (rc != 0)
		return -1;
	route_note_ready(r->route, r->current, status);
	d->sent = d->ready = d->ready + plan.len;
	d->route_pending = false;
	r->last_progress = net_now_ms();
	if (d->ready < d->filled)
		relay_scan_new_bytes(r, d, d->ready);
	return 1;
}

int
relay_route_node_lost(relay *r)
{
	route_state *st = r->route;
	int			lost = r->current;
	backend_conn *b;

	if (st == NULL || lost == st->primary || !relay_answered(r) || r->c2b.ext_pending ||
		r->s->entry->backends[lost].tx_status != 'I' || st->tx_status != 'I')
		return -1;
	log_info("node %d closed the session's connection while idle; its reads go elsewhere", lost);
	b = &r->s->entry->backends[lost];
	relay_backend_failed(r, lost, "reading from", 0);
	r->lost_node = -1;			/* the session goes on */
	net_conn_close(&b->conn);
	b->connected = false;
	st->connected &= ~(1u << lost);
	switch_to(r, st->primary);
	r->b2c.src_eof = false;
	pq_scan_init(&r->b2c.scan, 0);
	return 0;
}

int
relay_route_unit(relay *r)
{
	relay_dir  *d = &r->c2b;
	int			node;
	int			rc;

	if (d->sent < d->ready)
		return 0;
	route_plan_unit(r->route, d->buf + d->ready, d->filled - d->ready, RELAY_BUFFER_SIZE, &plan);
	if (!plan.decided)
		return 0;				/* the rest of the unit is still to come */
	if (gate_applies(r))
	{
		rc = refuse_write(r);
		return rc < 0 ? -1 : 0;
	}
	/* an extended-protocol sequence left open (Flush) continues where it is */
	node = d->ext_pending || plan.trivial ? r->current : plan.node;
	if (node != r->route->primary && r->s->cfg->read_your_writes && r->route->ryw_check &&
		!(r->route->ryw_ok & (1u << node)))
	{
		if (!quiescent(r))
			return 0;			/* the commit's answer first */
		rc = replayed_last_commit(r, node);
		if (rc < 0)
			return -1;
		if (rc == 0)
			node = r->route->primary;
	}
	rc = prepare_node(r, node);
	if ((rc == 2 || rc == 3) && node != r->route->primary)
	{
		if (rc == 2)
		{
			log_info("node %d could not take over the session's state; no more load balancing in this session",
					 node);
			r->route->lb_off = true;
			r->route->connected &= ~(1u << node);
		}
		node = r->route->primary;
		rc = prepare_node(r, node);
	}
	if (rc == 1)
		return 0;
	if (rc != 0)
		return -1;
	r->lost_node = -1;			/* a standby that failed on the way was left out */
	plan.node = node;
	plan.sync = d->sync_points + 1;
	route_apply(r->route, d->buf + d->ready, &plan);
	d->route_pending = false;
	d->in_unit = true;
	relay_scan_new_bytes(r, d, d->ready);
	return 0;
}

/* ---- session start and end ---- */

static void
start_routing(relay *r, int lb_node, uint32_t connected)
{
	route_hooks hooks = {.node_usable = hook_node_usable, .function_reads_only = hook_function_reads_only,
	.primary_only = hook_primary_only, .random = hook_random, .arg = r};

	route_policy_load(r->s->cfg);
	route_init(&session_route, r->s->cfg, &hooks, r->s->entry->main_node, lb_node, connected);
	session_route.tx_status = r->s->entry->backends[r->s->entry->main_node].tx_status;
	r->route = &session_route;
	r->c2b.routed = true;
}

/*
 * Every statement runs on the main node: the plain relay does, unless the watchdog is on; then
 * units are still cut and classified so that writes can be refused without quorum (write_gate.h).
 */
static void
route_on_main_node(relay *r, uint32_t connected)
{
	if (!r->s->cfg->use_watchdog)
		return;
	start_routing(r, r->s->entry->main_node, connected);
	session_route.lb_off = true;	/* nothing is balanced: every unit stays on the main node */
}

void
relay_route_begin(relay *r)
{
	const pool_config *cfg = r->s->cfg;
	pool_entry *e = r->s->entry;
	const shm_backend_table *t;
	uint32_t	connected = 0;
	int			lb_node;

	r->s->lb_node = e->main_node;
	for (int n = 0; n < e->num_backends && n < 32; n++)
		if (e->backends[n].connected)
			connected |= 1u << n;
	if (!cfg->load_balance_mode || cfg->backend_clustering_mode != CFG_CM_STREAMING_REPLICATION)
	{
		route_on_main_node(r, connected);
		return;
	}
	t = backend_table();
	if (t == NULL || t->primary_node_id != e->main_node || (connected & ~(1u << e->main_node)) == 0)
	{
		route_on_main_node(r, connected);
		return;
	}
	lb_node = lb_choose_node(cfg, t, r->s->startup.database, r->s->startup.application_name,
							 hook_random(NULL), hook_random(NULL));
	if (lb_node < 0 || !(connected & (1u << lb_node)))
		lb_node = e->main_node;
	r->s->lb_node = lb_node;
	if (lb_node == e->main_node && !cfg->statement_level_load_balance)
	{
		route_on_main_node(r, connected);
		return;
	}
	start_routing(r, lb_node, connected);
}

void
relay_route_end(relay *r)
{
	if (r->route == NULL)
		return;
	/* a node that could not follow the session is not reused by the next one */
	for (int n = 0; n < r->s->entry->num_backends && n < 32; n++)
		if (r->s->entry->backends[n].connected && n != r->s->entry->main_node &&
			!(r->route->connected & (1u << n)))
		{
			net_conn_close(&r->s->entry->backends[n].conn);
			r->s->entry->backends[n].connected = false;
		}
	route_free(r->route);
	r->route = NULL;
}
