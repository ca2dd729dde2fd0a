/*
 * Where a unit runs (see route.h): walk its messages, classify each statement text, and apply
 * pgpool's rules for load balancing. Anything uncertain goes to the primary.
 */
#include "child/route.h"

#include <string.h>

#include "protocol/pqbuf.h"

/* Reasons that make a statement a write for disable_load_balance_on_write (not SET, BEGIN, hints). */
#define ROUTE_DATA_WRITE (SQL_WRITE_STATEMENT | SQL_WRITE_LOCKING | SQL_WRITE_INTO | SQL_WRITE_CTE | \
						  SQL_WRITE_FUNCTION | SQL_WRITE_OVERFLOW | SQL_WRITE_UNCERTAIN)

route_named *
route_find(route_named *table, int count, const char *name)
{
	for (int i = 0; i < count; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

/* Whether name (as the parser saw it) is stored (lower-case unless it was quoted). */
bool
route_name_matches(const char *stored, const sql_name *name)
{
	return name->name_len == strlen(stored) && sql_name_is(name, stored);
}

bool
route_table_set_has(const route_table_set *set, const sql_name *name)
{
	for (int i = 0; i < set->count; i++)
		if (route_name_matches(set->names[i], name))
			return true;
	return false;
}

static bool
touches_temp_table(const route_state *st, const sql_class *c)
{
	for (int i = 0; i < c->table_count; i++)
		if ((c->tables[i].schema == NULL || (c->tables[i].schema_len == 7 &&
											 strncmp(c->tables[i].schema, "pg_temp", 7) == 0)) &&
			route_table_set_has(&st->temp_tables, &c->tables[i]))
			return true;
	return false;
}

/* Every called function only reads (the function lists, else the catalog through the hook). */
static bool
functions_read_only(const route_state *st, const sql_class *c)
{
	if (c->functions_overflow)
		return false;
	for (int i = 0; i < c->function_count; i++)
		if (st->hooks.function_reads_only == NULL ||
			st->hooks.function_reads_only(st->hooks.arg, &c->functions[i]) != 1)
			return false;
	return true;
}

/* pgpool: with allow_sql_comments off, a statement that starts with a comment is not balanced. */
static bool
starts_with_comment(const char *text, size_t len)
{
	size_t		i = 0;

	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
		i++;
	return i + 1 < len && ((text[i] == '/' && text[i + 1] == '*') || (text[i] == '-' && text[i + 1] == '-'));
}

/* Cursors live on the node that declared them: FETCH, MOVE and CLOSE must find them there. */
static bool
uses_cursor(const sql_class *c)
{
	return c->kind == SQL_KIND_DECLARE || c->kind == SQL_KIND_FETCH || c->kind == SQL_KIND_MOVE ||
		c->kind == SQL_KIND_CLOSE;
}

static bool
statement_balanceable(const route_state *st, const sql_class *c, const char *text, size_t len)
{
	return c->is_read_only && !uses_cursor(c) && functions_read_only(st, c) && !touches_temp_table(st, c) &&
		(st->cfg->allow_sql_comments || !starts_with_comment(text, len)) &&
		(st->hooks.primary_only == NULL || !st->hooks.primary_only(st->hooks.arg, text, len));
}

/* Adds one statement text to the plan (classified), or marks the plan as overflowing. */
static void
add_statement(route_state *st, route_plan *p, const char *text, size_t len, bool with_params)
{
	sql_class  *c;

	if (p->count == ROUTE_MAX_STATEMENTS)
	{
		/* a long batch: the primary's; only whether it changes the session still matters */
		static sql_class scratch;

		sql_classify(text, len, &scratch);
		p->overflow = true;
		p->overflow_state |= scratch.session_effect != 0 || scratch.tx_effect != SQL_TX_NONE ||
			scratch.temp_table_created.present || scratch.temp_table_dropped.count > 0;
		p->balanceable = false;
		p->writes = true;
		return;
	}
	c = &p->classes[p->count];
	sql_classify(text, len, c);
	p->texts[p->count] = text;
	p->text_lens[p->count] = len;
	p->with_params[p->count] = with_params;
	p->count++;
	if (c->write_reasons & ROUTE_DATA_WRITE)
		p->writes = true;
	p->stmt_balanceable[p->count - 1] = statement_balanceable(st, c, text, len);
	if (!p->stmt_balanceable[p->count - 1])
		p->balanceable = false;
}

/* A portal or unnamed statement from an earlier unit pins the unit to where it lives. */
static void
force_node(route_plan *p, int node)
{
	if (p->forced >= 0 && p->forced != node)
		node = -2;				/* two places at once: cannot be honoured, take the primary */
	p->forced = node;
}

/* Per-unit memory of what earlier messages of the same unit created. */
typedef struct unit_names
{
	bool		unnamed_parsed;
	const char *bound[8];		/* portals */
	int			bound_count;
	const char *parsed[8];		/* named statements */
	int			parsed_count;
} unit_names;

static bool
name_in(const char *const *names, int count, const char *name)
{
	for (int i = 0; i < count; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

static bool
bound_in_unit(const unit_names *u, const char *portal)
{
	return name_in(u->bound, u->bound_count, portal);
}

static void
inspect_portal(route_state *st, route_plan *p, const char *portal, bool bound_here)
{
	route_named *n;

	if (portal[0] == '\0' || bound_here)
		return;
	n = route_find(st->portals, st->portal_count, portal);
	force_node(p, n != NULL ? n->node : -2);
}

/* A statement parsed in the same unit is already accounted for by its Parse. */
static void
inspect_statement_ref(route_state *st, route_plan *p, const char *name, const unit_names *u)
{
	route_named *n;

	if (name[0] == '\0')
	{
		if (!u->unnamed_parsed)
			force_node(p, st->unnamed_node >= 0 ? st->unnamed_node : -2);
		return;
	}
	if (name_in(u->parsed, u->parsed_count, name))
		return;
	n = route_find(st->statements, st->statement_count, name);
	if (n == NULL || !n->balanceable)
		p->balanceable = false;
}

static void
inspect_parse(route_state *st, route_plan *p, pq_in *in, unit_names *u)
{
	const char *name;
	const char *query;
	int16_t		nparams = 0;

	if (!pq_in_string(in, &name) || !pq_in_string(in, &query) || !pq_in_int16(in, &nparams))
	{
		p->balanceable = false;
		return;
	}
	if (name[0] == '\0')
		u->unnamed_parsed = true;
	else if (u->parsed_count < 8)
		u->parsed[u->parsed_count++] = name;
	else
		p->balanceable = false;
	add_statement(st, p, query, strlen(query), nparams > 0 || strchr(query, '$') != NULL);
}

static void
inspect_bind(route_state *st, route_plan *p, pq_in *in, unit_names *u)
{
	const char *portal;
	const char *name;

	if (!pq_in_string(in, &portal) || !pq_in_string(in, &name))
	{
		p->balanceable = false;
		return;
	}
	inspect_statement_ref(st, p, name, u);
	if (portal[0] != '\0' && u->bound_count < 8)
		u->bound[u->bound_count++] = portal;
	else if (portal[0] != '\0')
		p->balanceable = false;
}

/* Describe and Close: 'S' name or 'P' name. */
static void
inspect_target(route_state *st, route_plan *p, pq_in *in, unit_names *u, bool is_close)
{
	uint8_t		kind;
	const char *name;

	if (!pq_in_int8(in, &kind) || !pq_in_string(in, &name))
	{
		p->balanceable = false;
		return;
	}
	if (kind == 'P')
		inspect_portal(st, p, name, bound_in_unit(u, name));
	else if (!is_close)
		inspect_statement_ref(st, p, name, u);
}

static void
inspect_message(route_state *st, route_plan *p, uint8_t type, const uint8_t *body, size_t len,
				unit_names *u)
{
	pq_in		in;
	const char *portal;

	pq_in_init(&in, body, len);
	if (type != 'S' && type != 'H' && type != 'C')
		p->trivial = false;
	switch (type)
	{
		case 'Q':
			if (len > 0 && body[len - 1] == '\0')
				add_statement(st, p, (const char *) body, len - 1, false);
			else
				p->balanceable = false;
			break;
		case 'P':
			inspect_parse(st, p, &in, u);
			break;
		case 'B':
			inspect_bind(st, p, &in, u);
			break;
		case 'E':
			if (pq_in_string(&in, &portal))
				inspect_portal(st, p, portal, bound_in_unit(u, portal));
			break;
		case 'D':
		case 'C':
			inspect_target(st, p, &in, u, type == 'C');
			break;
		case 'S':
		case 'H':
			break;
		default:				/* FunctionCall, or anything unexpected */
			p->balanceable = false;
			p->writes = true;
			break;
	}
}

static bool
ends_unit(uint8_t type)
{
	return type == 'Q' || type == 'F' || type == 'S' || type == 'H';
}

/* dml_adaptive: the unit reads a table this transaction wrote. */
static bool
reads_written_table(const route_state *st, const route_plan *p)
{
	for (int s = 0; s < p->count; s++)
	{
		const sql_class *c = &p->classes[s];

		for (int i = 0; i < c->table_count; i++)
			if (route_table_set_has(&st->tx_tables, &c->tables[i]))
				return true;
		/* dml_adaptive_object_relationship_list may name functions that read written tables */
		for (int i = 0; i < c->function_count; i++)
			if (route_table_set_has(&st->tx_tables, &c->functions[i]))
				return true;
	}
	return false;
}

bool
route_may_balance(const route_state *st, const route_plan *plan)
{
	bool		in_tx = st->tx_status != 'I';

	if (!plan->balanceable || st->lb_off || (in_tx && st->tx_pinned))
		return false;
	switch (st->cfg->disable_load_balance_on_write)
	{
		case CFG_DLBOW_TRANSACTION:
			return !(in_tx && st->tx_wrote);
		case CFG_DLBOW_TRANS_TRANSACTION:
			return !(in_tx && (st->tx_wrote || st->wrote_in_tx));
		case CFG_DLBOW_ALWAYS:
			return !st->wrote;
		case CFG_DLBOW_DML_ADAPTIVE:
			return !(in_tx && reads_written_table(st, plan));
		default:
			return true;
	}
}

/* The standby for a balanceable unit: the session's, or a fresh draw per statement. */
static int
balance_node(route_state *st)
{
	int			node = st->lb_node;

	if (st->cfg->statement_level_load_balance && st->hooks.random != NULL)
	{
		double		total = 0;
		double		point;

		for (int i = 0; i < st->cfg->num_backends; i++)
			if ((st->connected & (1u << i)) && st->hooks.node_usable(st->hooks.arg, i))
				total += st->cfg->backends[i].weight;
		point = (double) st->hooks.random(st->hooks.arg) / 4294967296.0 * total;
		for (int i = 0; i < st->cfg->num_backends && total > 0; i++)
		{
			if (!(st->connected & (1u << i)) || !st->hooks.node_usable(st->hooks.arg, i))
				continue;
			node = i;
			if (point < st->cfg->backends[i].weight)
				break;
			point -= st->cfg->backends[i].weight;
		}
	}
	if (node < 0 || node == st->primary || !(st->connected & (1u << node)) ||
		!st->hooks.node_usable(st->hooks.arg, node))
		return st->primary;
	return node;
}

static int
decide(route_state *st, route_plan *p)
{
	if (!p->complete)
		return st->primary;		/* too large to look at whole */
	if (p->forced != -1)
		return p->forced >= 0 ? p->forced : st->primary;
	if (st->tx_status == 'E' && st->failed_node >= 0)
		return st->failed_node; /* it answers for the failed transaction */
	return route_may_balance(st, p) ? balance_node(st) : st->primary;
}

void
route_plan_unit(route_state *st, const uint8_t *data, size_t len, size_t capacity, route_plan *p)
{
	unit_names	u = {0};
	size_t		off = 0;

	p->len = 0;
	p->complete = p->decided = p->writes = p->flush_ended = p->overflow = p->overflow_state = false;
	p->balanceable = p->trivial = true;
	p->forced = -1;
	p->count = 0;
	while (off + PQ_HEADER_SIZE <= len)
	{
		uint8_t		type = data[off];
		uint32_t	mlen = pq_be32_get(data + off + 1);

		if (mlen < PQ_LENGTH_SIZE || mlen > len - off - 1)
			break;				/* incomplete (or broken: the relay's walker reports that) */
		inspect_message(st, p, type, data + off + PQ_HEADER_SIZE, mlen - PQ_LENGTH_SIZE, &u);
		off += 1 + (size_t) mlen;
		if (ends_unit(type))
		{
			p->complete = true;
			p->flush_ended = type == 'H';
			break;
		}
	}
	p->len = off;
	if (p->complete || len >= capacity || (off + PQ_HEADER_SIZE <= len &&
										   pq_be32_get(data + off + 1) > capacity))
	{
		p->decided = true;
		if (!p->complete)
			p->balanceable = false, p->writes = true;
		p->node = decide(st, p);
	}
}
