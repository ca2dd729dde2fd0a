/*
 * What a routed unit changes in the session (see route.h): the transaction, named statements and
 * portals, temporary tables, settings to replay on the other nodes. When something cannot be kept
 * exactly, balancing stops for the session (everything runs on the primary) rather than guess.
 */
#include "child/route.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "protocol/pqbuf.h"

void
route_init(route_state *st, const pool_config *cfg, const route_hooks *hooks, int primary, int lb_node,
		   uint32_t connected)
{
	memset(st, 0, sizeof(*st));
	st->cfg = cfg;
	st->hooks = *hooks;
	st->primary = primary;
	st->lb_node = lb_node;
	st->connected = connected;
	st->tx_status = 'I';
	st->failed_node = -1;
	st->unnamed_node = -1;
}

static void
table_set_clear(route_table_set *set)
{
	for (int i = 0; i < set->count; i++)
		free(set->names[i]);
	set->count = 0;
}

static void
named_remove(route_named *table, int *count, route_named *n)
{
	free(n->name);
	free(n->parse);
	*n = table[--*count];
}

static void
named_clear(route_named *table, int *count)
{
	while (*count > 0)
		named_remove(table, count, &table[0]);
}

static void pending_pop(route_state *st, bool created);

void
route_free(route_state *st)
{
	while (st->pending_count > 0)
		pending_pop(st, false);
	table_set_clear(&st->tx_tables);
	table_set_clear(&st->temp_tables);
	named_clear(st->statements, &st->statement_count);
	named_clear(st->portals, &st->portal_count);
	for (int i = 0; i < st->replay_count; i++)
		free(st->replay[i]);
	free(st->tx_begin);
	memset(st, 0, sizeof(*st));
}

/* The name as PostgreSQL folds it: lower-case unless quoted. */
static char *
folded_name(const sql_name *n)
{
	char	   *s = xstrndup(n->name, n->name_len);

	if (!n->name_quoted)
		for (char *p = s; *p; p++)
			*p = (char) tolower((unsigned char) *p);
	return s;
}

static void
table_set_add(route_state *st, route_table_set *set, const sql_name *n, bool flag)
{
	if (route_table_set_has(set, n))
		return;
	if (set->count == ROUTE_MAX_TABLES)
	{
		st->lb_off = true;		/* cannot track more: stop balancing */
		return;
	}
	set->flag[set->count] = flag;
	set->names[set->count++] = folded_name(n);
}

static void
table_set_remove(route_table_set *set, const sql_name *n)
{
	for (int i = 0; i < set->count; i++)
		if (route_name_matches(set->names[i], n))
		{
			free(set->names[i]);
			set->names[i] = set->names[--set->count];
			set->flag[i] = set->flag[set->count];
			return;
		}
}

/* dml_adaptive_object_relationship_list: "a:b,c:d" -- writing a also taints b. */
static void
add_related(route_state *st, const char *written)
{
	const char *list = st->cfg->dml_adaptive_object_relationship_list;
	size_t		wlen = strlen(written);

	while (list != NULL && *list)
	{
		const char *colon = strchr(list, ':');
		const char *end = strchr(list, ',');
		const char *from = list;

		if (end == NULL)
			end = list + strlen(list);
		list = *end ? end + 1 : end;
		while (*from == ' ')
			from++;
		if (colon == NULL || colon > end || (size_t) (colon - from) != wlen ||
			strncasecmp(from, written, wlen) != 0)
			continue;
		{
			const char *to = colon + 1;
			size_t		tlen;

			while (*to == ' ')
				to++;
			tlen = (size_t) (end - to);
			while (tlen > 0 && (to[tlen - 1] == ' ' || to[tlen - 1] == ')' || to[tlen - 1] == '('))
				tlen--;
			if (tlen > 0)
			{
				sql_name	n = {.name = to, .name_len = (uint32_t) tlen};

				table_set_add(st, &st->tx_tables, &n, false);
			}
		}
	}
}

static void
note_written_tables(route_state *st, const sql_class *c)
{
	for (int i = 0; i < c->table_count; i++)
	{
		char	   *name = folded_name(&c->tables[i]);

		table_set_add(st, &st->tx_tables, &c->tables[i], false);
		add_related(st, name);
		free(name);
	}
}

/* A setting replayed on the other nodes before their next unit; the primary ran it already. */
static void
add_replay(route_state *st, const char *text, size_t len)
{
	if (st->replay_count == ROUTE_MAX_REPLAY)
	{
		st->lb_off = true;
		return;
	}
	st->replay[st->replay_count++] = xstrndup(text, len);
	st->replayed[st->primary] = st->replay_count;
}

/* A SET/RESET/DISCARD the other nodes can run as is: alone in the unit, outside a transaction. */
static void
note_session_change(route_state *st, const route_plan *p, int i, bool in_tx)
{
	const sql_class *c = &p->classes[i];
	bool		replayable = p->count == 1 && !p->with_params[i] && !in_tx &&
		(c->kind == SQL_KIND_SET || c->kind == SQL_KIND_RESET || c->kind == SQL_KIND_DISCARD ||
		 c->kind == SQL_KIND_SELECT || (c->kind == SQL_KIND_DEALLOCATE && c->object.name == NULL));

	if (replayable)
		add_replay(st, p->texts[i], p->text_lens[i]);
	else
		st->lb_off = true;
	if (c->kind == SQL_KIND_DISCARD)
	{
		table_set_clear(&st->temp_tables);
		named_clear(st->statements, &st->statement_count);
	}
}

/*
 * A Close or DEALLOCATE ran on node: the statement is gone there; copies on other nodes are closed
 * before their node's next unit (relay_route.c), so it stays known, without its Parse, until then.
 */
static void
statement_closed(route_state *st, const char *name, int node)
{
	route_named *n = route_find(st->statements, st->statement_count, name);

	if (n == NULL)
		return;
	free(n->parse);
	n->parse = NULL;
	n->nodes &= ~(1u << node);
	if (n->nodes == 0 && n->pending == 0)
		named_remove(st->statements, &st->statement_count, n);
}

static void
note_deallocate(route_state *st, const sql_class *c, int node)
{
	char	   *name;

	if (c->object.name == NULL)
	{
		named_clear(st->statements, &st->statement_count);	/* DEALLOCATE ALL, replayed */
		return;
	}
	name = folded_name(&c->object);
	statement_closed(st, name, node);
	free(name);
}

/* The transaction effect of one statement on the running in_tx flag. */
static void
note_transaction(route_state *st, const route_plan *p, int i, bool *in_tx)
{
	const sql_class *c = &p->classes[i];

	switch (c->tx_effect)
	{
		case SQL_TX_BEGIN:
			*in_tx = true;
			free(st->tx_begin);
			st->tx_begin = p->count == 1 && !p->with_params[i] ? xstrndup(p->texts[i], p->text_lens[i]) :
				xstrdup("BEGIN");
			st->tx_pinned = c->serializable;
			break;
		case SQL_TX_COMMIT:
		case SQL_TX_ROLLBACK:
			*in_tx = c->tx_chain;
			break;
		case SQL_TX_SAVEPOINT:
		case SQL_TX_RELEASE:
		case SQL_TX_ROLLBACK_TO:
			st->tx_pinned = true;
			break;
		default:
			break;
	}
}

static void
note_statement(route_state *st, const route_plan *p, int i, int node, bool *in_tx)
{
	const sql_class *c = &p->classes[i];

	note_transaction(st, p, i, in_tx);
	if (c->session_effect & (SQL_SESSION_SET_LOCAL | SQL_SESSION_DECLARE_HOLD) || c->kind == SQL_KIND_DECLARE ||
		c->kind == SQL_KIND_LOCK)
		st->tx_pinned = true;
	if (c->session_effect & (SQL_SESSION_SET | SQL_SESSION_RESET | SQL_SESSION_DISCARD) ||
		(c->kind == SQL_KIND_DEALLOCATE && c->object.name == NULL))
		note_session_change(st, p, i, *in_tx);
	if (c->kind == SQL_KIND_DEALLOCATE)
		note_deallocate(st, c, node);
	if (c->session_effect & (SQL_SESSION_LOAD | SQL_SESSION_LISTEN))
		st->lb_off = true;		/* notifications arrive on the primary only: stay there */
	if (c->temp_table_created.present)
		table_set_add(st, &st->temp_tables, &c->temp_table_created.name, c->temp_table_created.on_commit_drop);
	else if (c->session_effect & SQL_SESSION_TEMP_OBJECT)
		st->lb_off = true;		/* a temporary view or sequence: not tracked by name */
	for (int t = 0; t < c->temp_table_dropped.count; t++)
		table_set_remove(&st->temp_tables, &c->temp_table_dropped.names[t]);
	if (c->temp_table_dropped.overflow)
		st->lb_off = true;
	if (p->with_params[i] && c->session_effect != 0)
		st->lb_off = true;
	if (!p->stmt_balanceable[i] && (c->write_reasons & ~(SQL_WRITE_SESSION | SQL_WRITE_HINT)) != 0)
	{
		st->wrote = true;
		if (*in_tx)
		{
			st->tx_wrote = st->wrote_in_tx = true;
			note_written_tables(st, c);
		}
	}
}

static void
pending_push(route_state *st, const char *name, int node, long sync)
{
	int			i = (st->pending_head + st->pending_count) % ROUTE_MAX_PENDING;

	st->pending[i].name = xstrdup(name);
	st->pending[i].node = node;
	st->pending[i].sync = sync;
	st->pending_count++;
}

/* Takes the oldest pending Parse off: its statement now exists on its node, or did not happen. */
static void
pending_pop(route_state *st, bool created)
{
	int			i = st->pending_head;
	route_named *n = route_find(st->statements, st->statement_count, st->pending[i].name);

	if (n != NULL)
	{
		uint32_t	bit = 1u << st->pending[i].node;

		n->pending &= ~bit;
		if (created)
			n->nodes |= bit;
		else if (n->nodes == 0 && n->pending == 0)
			named_remove(st->statements, &st->statement_count, n);
	}
	free(st->pending[i].name);
	st->pending_head = (i + 1) % ROUTE_MAX_PENDING;
	st->pending_count--;
}

void
route_parse_complete(route_state *st)
{
	if (st->pending_count > 0)
		pending_pop(st, true);
}

void
route_sync_answered(route_state *st, long sync)
{
	while (st->pending_count > 0 && st->pending[st->pending_head].sync <= sync)
		pending_pop(st, false);
}

static void
remember_parse(route_state *st, const uint8_t *msg, size_t len, const char *name, int node, bool balanceable,
			   long sync)
{
	route_named *n = route_find(st->statements, st->statement_count, name);

	if (st->pending_count == ROUTE_MAX_PENDING)
	{
		st->lb_off = true;		/* cannot follow more: stop balancing */
		return;
	}

	if (n == NULL)
	{
		if (st->statement_count == ROUTE_MAX_NAMED)
		{
			st->lb_off = true;
			return;
		}
		n = &st->statements[st->statement_count++];
		memset(n, 0, sizeof(*n));
		n->name = xstrdup(name);
	}
	free(n->parse);
	n->parse = xmalloc(len);
	memcpy(n->parse, msg, len);
	n->parse_len = len;
	n->pending |= 1u << node;
	n->balanceable = balanceable;
	pending_push(st, name, node, sync);
}

static void
remember_portal(route_state *st, const char *name, int node)
{
	route_named *n = route_find(st->portals, st->portal_count, name);

	if (n == NULL && st->portal_count == ROUTE_MAX_NAMED)
	{
		st->lb_off = true;
		return;
	}
	if (n == NULL)
	{
		n = &st->portals[st->portal_count++];
		memset(n, 0, sizeof(*n));
		n->name = xstrdup(name);
	}
	n->node = node;
}

/* Close 'S'/'P' name: the statement stays known where it still exists (closed there later). */
static void
forget_named(route_state *st, uint8_t kind, const char *name, int node)
{
	route_named *n;

	if (kind == 'P')
	{
		n = route_find(st->portals, st->portal_count, name);
		if (n != NULL)
			named_remove(st->portals, &st->portal_count, n);
		return;
	}
	statement_closed(st, name, node);
}

/* Named statements and portals of one message of the unit; *stmt counts statement texts. */
static void
apply_message(route_state *st, const uint8_t *msg, const route_plan *p, int *stmt)
{
	const uint8_t *body = msg + PQ_HEADER_SIZE;
	size_t		len = pq_be32_get(msg + 1) - PQ_LENGTH_SIZE;
	const char *first = NULL;
	const char *second = NULL;
	uint8_t		kind;
	pq_in		in;

	pq_in_init(&in, body, len);
	switch (msg[0])
	{
		case 'Q':
			(*stmt)++;
			break;
		case 'P':
			if (pq_in_string(&in, &first) && *stmt < p->count)
			{
				if (first[0] != '\0')
					remember_parse(st, msg, len + PQ_HEADER_SIZE, first, p->node, p->stmt_balanceable[*stmt],
								   p->sync);
				else if (st->pending_count < ROUTE_MAX_PENDING)
				{
					/* its ParseComplete comes in the same order as the named ones' */
					st->unnamed_node = p->node;
					pending_push(st, "", p->node, p->sync);
				}
				else
					st->lb_off = true;
			}
			(*stmt)++;
			break;
		case 'B':
			if (pq_in_string(&in, &first) && pq_in_string(&in, &second) && first[0] != '\0')
				remember_portal(st, first, p->node);
			break;
		case 'C':
			if (pq_in_int8(&in, &kind) && pq_in_string(&in, &first))
				forget_named(st, kind, first, p->node);
			break;
	}
}

static void end_transaction(route_state *st);

void
route_apply(route_state *st, const uint8_t *data, const route_plan *p)
{
	bool		in_tx = st->tx_status != 'I';
	int			stmt = 0;

	if (p->overflow || !p->complete)
	{
		/*
		 * A long batch ran on the primary: it wrote. When it was too large to look at, or changed
		 * the session beyond what was classified, the other nodes cannot follow any more.
		 */
		if (p->overflow_state || !p->complete)
			st->lb_off = true;
		st->wrote = true;
		if (in_tx)
			st->tx_wrote = st->wrote_in_tx = true;
	}
	for (int i = 0; i < p->count; i++)
		note_statement(st, p, i, p->node, &in_tx);
	/* a write committed (or a transaction that wrote ended): standbys must catch up before reads */
	if (!in_tx && (p->writes || (st->tx_status != 'I' && st->tx_wrote)))
	{
		st->ryw_check = true;
		st->ryw_ok = 1u << st->primary;
		st->ryw_lsn[0] = '\0';
	}
	/* the status the client will see, until the answers say otherwise (units may be pipelined) */
	if (in_tx && st->tx_status == 'I')
		st->tx_status = 'T';
	else if (!in_tx && st->tx_status != 'I')
	{
		st->tx_status = 'I';
		end_transaction(st);
	}
	for (size_t off = 0; p->complete && off + PQ_HEADER_SIZE <= p->len;
		 off += 1 + pq_be32_get(data + off + 1))
		apply_message(st, data + off, p, &stmt);
}

/* The explicit transaction is over: what lived in it goes. */
static void
end_transaction(route_state *st)
{
	st->tx_wrote = st->tx_pinned = false;
	st->failed_node = -1;
	free(st->tx_begin);
	st->tx_begin = NULL;
	table_set_clear(&st->tx_tables);
	named_clear(st->portals, &st->portal_count);
	for (int i = 0; i < st->temp_tables.count; i++)
		if (st->temp_tables.flag[i])
		{
			free(st->temp_tables.names[i]);
			st->temp_tables.names[i] = st->temp_tables.names[--st->temp_tables.count];
			st->temp_tables.flag[i] = st->temp_tables.flag[st->temp_tables.count];
			i--;
		}
}

void
route_note_ready(route_state *st, int node, char status)
{
	st->tx_status = status;
	if (status == 'E' && st->failed_node < 0)
		st->failed_node = node;
	else if (status == 'I')
		end_transaction(st);
}
