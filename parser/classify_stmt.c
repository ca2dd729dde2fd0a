/*
 * The classifier's statement handlers: a switch on a statement's first keyword decides its kind and
 * reads the few tokens that carry meaning (WITH lists, CREATE TEMP, transaction verbs, SET scope,
 * COPY, EXPLAIN, PREPARE and DECLARE bodies). The generic scan in classify.c reads the rest.
 */
#include <string.h>

#include "parser/classify_internal.h"

bool
kind_is_read_only(sql_kind kind)
{
	switch (kind)
	{
		case SQL_KIND_EMPTY:
		case SQL_KIND_SELECT:
		case SQL_KIND_VALUES:
		case SQL_KIND_TABLE:
		case SQL_KIND_SHOW:
		case SQL_KIND_FETCH:
		case SQL_KIND_MOVE:
		case SQL_KIND_CLOSE:
		case SQL_KIND_EXPLAIN:
		case SQL_KIND_DECLARE:
		case SQL_KIND_COPY_TO:
			return true;
		default:
			return false;
	}
}

static uint16_t
kind_write_reason(sql_kind kind)
{
	if (kind_is_read_only(kind))
		return 0;
	switch (kind)
	{
		case SQL_KIND_TRANSACTION:
		case SQL_KIND_SET:
		case SQL_KIND_RESET:
		case SQL_KIND_PREPARE:
		case SQL_KIND_DEALLOCATE:
		case SQL_KIND_LISTEN:
		case SQL_KIND_UNLISTEN:
		case SQL_KIND_DISCARD:
		case SQL_KIND_LOAD:
			return SQL_WRITE_SESSION;
		case SQL_KIND_UNKNOWN:
			return SQL_WRITE_UNCERTAIN;
		default:
			return SQL_WRITE_STATEMENT;
	}
}

/* The kind of the statement, or of the one under EXPLAIN / PREPARE / DECLARE / COPY when inner. */
static void
set_kind(stmt *st, sql_kind kind, bool inner)
{
	if (inner)
	{
		st->inner_kind = kind;
		st->has_inner = true;
		st->write |= kind_write_reason(kind);
	}
	else
	{
		st->kind = kind;
		st->outer_write |= kind_write_reason(kind);
	}
}

static void
advance(scan *s)
{
	if (!scan_at_stmt_end(s))
		scan_advance(s);
}

static bool
accept(scan *s, sql_keyword kw)
{
	if (!tok_is_kw(&s->cur, kw))
		return false;
	advance(s);
	return true;
}

static void
take_object(scan *s, stmt *st)
{
	if (!tok_is_name(&s->cur))
		return;
	stmt_take_name(s, &st->object);
	st->has_object = true;
	advance(s);
}

/* cur is '(': moves past its matching ')'. */
static void
skip_parens(scan *s)
{
	int			depth = s->depth;

	while (!scan_at_stmt_end(s) && !(tok_is_punct(&s->cur, ')') && s->depth == depth))
		scan_advance(s);
	advance(s);
}

static bool
starts_query(const sql_token *t)
{
	if (t->kind != SQL_TOK_KEYWORD)
		return false;
	switch (t->keyword)
	{
		case SQL_KW_SELECT:
		case SQL_KW_VALUES:
		case SQL_KW_TABLE:
		case SQL_KW_INSERT:
		case SQL_KW_UPDATE:
		case SQL_KW_DELETE:
		case SQL_KW_MERGE:
			return true;
		default:
			return false;
	}
}

/* WITH [RECURSIVE] name AS (...), ... then the main statement, found at depth 0. */
static void
lead_with(scan *s, stmt *st, bool inner)
{
	int			base = s->depth;

	advance(s);
	accept(s, SQL_KW_RECURSIVE);
	while (!scan_at_stmt_end(s))
	{
		bool		cte_name = s->prev_kw == SQL_KW_WITH || s->prev_kw == SQL_KW_RECURSIVE || s->prev_punct == ',';

		if (s->depth == base && starts_query(&s->cur))
		{
			classify_lead(s, st, inner);
			return;
		}
		if (tok_is_punct(&s->cur, '(') && s->depth == base + 1 && s->prev_punct == ')')
		{
			set_kind(st, SQL_KIND_SELECT, inner);
			st->select_like = true;
			return;
		}
		if (s->depth == base && cte_name && tok_is_name(&s->cur) && tok_is_punct(&s->next, '('))
			scan_advance(s);	/* name(columns) of a CTE, not a call */
		else
			stmt_scan_token(s, st);
		scan_advance(s);
	}
	set_kind(st, SQL_KIND_UNKNOWN, inner);
}

/* ( ( SELECT ... ) ): only queries may be parenthesized. */
static void
lead_parens(scan *s, stmt *st, bool inner)
{
	while (tok_is_punct(&s->cur, '('))
		advance(s);
	if (tok_is_kw(&s->cur, SQL_KW_WITH) || tok_is_kw(&s->cur, SQL_KW_SELECT) ||
		tok_is_kw(&s->cur, SQL_KW_VALUES) || tok_is_kw(&s->cur, SQL_KW_TABLE))
		classify_lead(s, st, inner);
	else
		set_kind(st, SQL_KIND_UNKNOWN, inner);
}

static void
lead_query(scan *s, stmt *st, bool inner, sql_kind kind)
{
	set_kind(st, kind, inner);
	st->select_like = kind == SQL_KIND_SELECT || kind == SQL_KIND_VALUES || kind == SQL_KIND_TABLE;
	st->expect_table = kind == SQL_KIND_TABLE || kind == SQL_KIND_UPDATE;
	advance(s);
}

/* CREATE [OR REPLACE] [GLOBAL|LOCAL] [TEMP|TEMPORARY] [UNLOGGED] TABLE [IF NOT EXISTS] name */
static void
lead_create(scan *s, stmt *st)
{
	bool		temp = false;

	set_kind(st, SQL_KIND_DDL, false);
	advance(s);
	if (accept(s, SQL_KW_OR))
		accept(s, SQL_KW_REPLACE);
	for (;;)
	{
		if (tok_is_kw(&s->cur, SQL_KW_TEMP) || tok_is_kw(&s->cur, SQL_KW_TEMPORARY))
			temp = true;
		else if (!tok_is_kw(&s->cur, SQL_KW_GLOBAL) && !tok_is_kw(&s->cur, SQL_KW_LOCAL) &&
				 !tok_is_kw(&s->cur, SQL_KW_UNLOGGED))
			break;
		advance(s);
	}
	if (!temp)
		return;
	st->session |= SQL_SESSION_TEMP_OBJECT;
	if (!accept(s, SQL_KW_TABLE))
		return;
	if (accept(s, SQL_KW_IF) && accept(s, SQL_KW_NOT))
		accept(s, SQL_KW_EXISTS);
	if (!tok_is_name(&s->cur))
		return;
	stmt_take_name(s, &st->out->temp_table_created.name);
	st->out->temp_table_created.present = true;
	st->creating_temp = true;
	advance(s);
}

/* DROP TABLE [IF EXISTS] a, b: the names may be temporary tables the router tracks. */
static void
lead_drop(scan *s, stmt *st)
{
	set_kind(st, SQL_KIND_DDL, false);
	advance(s);
	if (!accept(s, SQL_KW_TABLE))
		return;
	if (accept(s, SQL_KW_IF))
		accept(s, SQL_KW_EXISTS);
	st->drop_list = true;
	st->expect_table = true;
}

/* TRUNCATE [TABLE] a, b and LOCK [TABLE] a, b */
static void
lead_table_list(scan *s, stmt *st, sql_kind kind)
{
	set_kind(st, kind, false);
	advance(s);
	accept(s, SQL_KW_TABLE);
	st->table_list = true;
	st->expect_table = true;
}

static void
read_chain(scan *s, stmt *st)
{
	if (accept(s, SQL_KW_AND))
		st->tx_chain = tok_is_kw(&s->cur, SQL_KW_CHAIN);
}

/* COMMIT / END / ROLLBACK / ABORT [WORK|TRANSACTION] [AND [NO] CHAIN], [PREPARED 'gid'], [TO x] */
static void
lead_end(scan *s, stmt *st, bool commit)
{
	set_kind(st, SQL_KIND_TRANSACTION, false);
	st->tx = commit ? SQL_TX_COMMIT : SQL_TX_ROLLBACK;
	advance(s);
	if (accept(s, SQL_KW_PREPARED))
	{
		st->tx = commit ? SQL_TX_COMMIT_PREPARED : SQL_TX_ROLLBACK_PREPARED;
		return;
	}
	if (!accept(s, SQL_KW_WORK))
		accept(s, SQL_KW_TRANSACTION);
	if (!commit && accept(s, SQL_KW_TO))
	{
		accept(s, SQL_KW_SAVEPOINT);
		st->tx = SQL_TX_ROLLBACK_TO;
		take_object(s, st);
		return;
	}
	read_chain(s, st);
}

static void
lead_tx(scan *s, stmt *st, sql_tx_effect tx, bool named)
{
	set_kind(st, SQL_KIND_TRANSACTION, false);
	st->tx = tx;
	advance(s);
	if (named)
	{
		accept(s, SQL_KW_SAVEPOINT);
		take_object(s, st);
	}
}

/* PREPARE TRANSACTION 'gid', or PREPARE name [(types)] AS statement. */
static void
lead_prepare(scan *s, stmt *st)
{
	advance(s);
	if (tok_is_kw(&s->cur, SQL_KW_TRANSACTION) && s->next.kind == SQL_TOK_STRING)
	{
		set_kind(st, SQL_KIND_TRANSACTION, false);
		st->tx = SQL_TX_PREPARE;
		return;
	}
	set_kind(st, SQL_KIND_PREPARE, false);
	st->session |= SQL_SESSION_PREPARE;
	take_object(s, st);
	if (tok_is_punct(&s->cur, '('))
		skip_parens(s);
	if (accept(s, SQL_KW_AS))
		classify_lead(s, st, true);
	else
		st->outer_write |= SQL_WRITE_UNCERTAIN;
}

/* DECLARE name [BINARY] [ASENSITIVE|INSENSITIVE] [NO] [SCROLL] CURSOR [WITH[OUT] HOLD] FOR query */
static void
lead_declare(scan *s, stmt *st)
{
	set_kind(st, SQL_KIND_DECLARE, false);
	advance(s);
	take_object(s, st);
	while (!scan_at_stmt_end(s) && !tok_is_kw(&s->cur, SQL_KW_FOR))
	{
		if (tok_is_kw(&s->cur, SQL_KW_WITH) && tok_is_kw(&s->next, SQL_KW_HOLD))
			st->session |= SQL_SESSION_DECLARE_HOLD;
		advance(s);
	}
	if (accept(s, SQL_KW_FOR))
		classify_lead(s, st, true);
	else
		st->outer_write |= SQL_WRITE_UNCERTAIN;
}

/* FETCH / MOVE [direction] [FROM|IN] cursor: the cursor is the last word. */
static void
lead_fetch(scan *s, stmt *st, sql_kind kind)
{
	set_kind(st, kind, false);
	advance(s);
	while (!scan_at_stmt_end(s))
	{
		if (tok_is_name(&s->cur))
		{
			stmt_take_name(s, &st->object);
			st->has_object = true;
		}
		scan_advance(s);
	}
}

static bool
names_isolation_guc(const sql_token *t)
{
	static const char *const gucs[] = {"transaction_isolation", "default_transaction_isolation"};

	for (int i = 0; i < 2; i++)
		if (t->len == strlen(gucs[i]) && strncasecmp(t->start, gucs[i], t->len) == 0)
			return true;
	return false;
}

static bool
says_serializable(const sql_token *t)
{
	if (tok_is_kw(t, SQL_KW_SERIALIZABLE))
		return true;
	return t->kind == SQL_TOK_STRING && t->len == 14 && strncasecmp(t->start, "'serializable'", 14) == 0;
}

/* SET [SESSION|LOCAL] name TO value, SET TRANSACTION ..., SET CONSTRAINTS ... */
static void
lead_set(scan *s, stmt *st)
{
	bool		local = false;

	set_kind(st, SQL_KIND_SET, false);
	advance(s);
	if (accept(s, SQL_KW_LOCAL))
		local = true;
	else if (tok_is_kw(&s->cur, SQL_KW_SESSION) && !tok_is_kw(&s->next, SQL_KW_AUTHORIZATION))
		advance(s);
	if (tok_is_kw(&s->cur, SQL_KW_TRANSACTION) || tok_is_kw(&s->cur, SQL_KW_CONSTRAINTS))
		local = true;
	st->session |= local ? SQL_SESSION_SET_LOCAL : SQL_SESSION_SET;
	if (s->cur.kind != SQL_TOK_IDENT || !names_isolation_guc(&s->cur))
		return;
	advance(s);
	if (!accept(s, SQL_KW_TO) && s->cur.kind == SQL_TOK_OPERATOR && s->cur.len == 1 && s->cur.start[0] == '=')
		advance(s);
	st->serializable_value = says_serializable(&s->cur);
}

/* COPY table [(cols)] FROM|TO ..., COPY (query) TO ...: the direction is read by the generic scan. */
static void
lead_copy(scan *s, stmt *st)
{
	sql_name	table;

	set_kind(st, SQL_KIND_COPY_TO, false);
	st->copy_pending = true;
	advance(s);
	if (tok_is_punct(&s->cur, '('))
	{
		advance(s);
		classify_lead(s, st, true);
		return;
	}
	accept(s, SQL_KW_BINARY);
	if (!tok_is_name(&s->cur))
		return;
	stmt_take_name(s, &table);
	stmt_record_table(st, &table);
	advance(s);
}

static bool
option_is_false(const sql_token *t)
{
	if (tok_is_kw(t, SQL_KW_FALSE))
		return true;
	if (t->kind == SQL_TOK_NUMBER)
		return t->len == 1 && t->start[0] == '0';
	if (t->kind == SQL_TOK_IDENT || t->kind == SQL_TOK_STRING)
		return strncasecmp(t->start, "off", 3) == 0 || strncasecmp(t->start, "'off'", 5) == 0 ||
			strncasecmp(t->start, "'false'", 7) == 0 || strncasecmp(t->start, "'0'", 3) == 0;
	return false;
}

/* EXPLAIN [ANALYZE] [VERBOSE] statement, EXPLAIN (option [value], ...) statement */
static void
lead_explain(scan *s, stmt *st)
{
	set_kind(st, SQL_KIND_EXPLAIN, false);
	advance(s);
	if (tok_is_punct(&s->cur, '('))
	{
		int			depth = s->depth;

		while (!scan_at_stmt_end(s) && !(tok_is_punct(&s->cur, ')') && s->depth == depth))
		{
			if ((tok_is_kw(&s->cur, SQL_KW_ANALYZE) || tok_is_kw(&s->cur, SQL_KW_ANALYSE)) &&
				!option_is_false(&s->next))
				st->explain_analyze = true;
			scan_advance(s);
		}
		advance(s);
	}
	while (tok_is_kw(&s->cur, SQL_KW_ANALYZE) || tok_is_kw(&s->cur, SQL_KW_ANALYSE) ||
		   tok_is_kw(&s->cur, SQL_KW_VERBOSE))
	{
		if (!tok_is_kw(&s->cur, SQL_KW_VERBOSE))
			st->explain_analyze = true;
		advance(s);
	}
	classify_lead(s, st, true);
}

/* Statements whose kind is all there is to know, and the session state they leave. */
#define S(kw, kind, session, named) {kw, kind, session, named}
static bool
lead_simple(scan *s, stmt *st, sql_keyword kw)
{
	static const struct
	{
		sql_keyword kw;
		sql_kind	kind;
		uint16_t	session;
		bool		named;
	}			simple[] = {
		S(SQL_KW_ALTER, SQL_KIND_DDL, 0, false), S(SQL_KW_COMMENT, SQL_KIND_DDL, 0, false), S(SQL_KW_GRANT, SQL_KIND_DDL, 0, false),
		S(SQL_KW_REVOKE, SQL_KIND_DDL, 0, false), S(SQL_KW_SECURITY, SQL_KIND_DDL, 0, false), S(SQL_KW_IMPORT, SQL_KIND_DDL, 0, false),
		S(SQL_KW_REASSIGN, SQL_KIND_DDL, 0, false), S(SQL_KW_VACUUM, SQL_KIND_VACUUM, 0, false),
		S(SQL_KW_ANALYZE, SQL_KIND_ANALYZE, 0, false), S(SQL_KW_ANALYSE, SQL_KIND_ANALYZE, 0, false),
		S(SQL_KW_CLUSTER, SQL_KIND_CLUSTER, 0, false), S(SQL_KW_REINDEX, SQL_KIND_REINDEX, 0, false),
		S(SQL_KW_CHECKPOINT, SQL_KIND_CHECKPOINT, 0, false), S(SQL_KW_REFRESH, SQL_KIND_REFRESH, 0, false),
		S(SQL_KW_LOAD, SQL_KIND_LOAD, SQL_SESSION_LOAD, false), S(SQL_KW_DO, SQL_KIND_DO, 0, false),
		S(SQL_KW_CALL, SQL_KIND_CALL, 0, false), S(SQL_KW_SHOW, SQL_KIND_SHOW, 0, false),
		S(SQL_KW_RESET, SQL_KIND_RESET, SQL_SESSION_RESET, false),
		S(SQL_KW_DISCARD, SQL_KIND_DISCARD, SQL_SESSION_DISCARD, false),
		S(SQL_KW_EXECUTE, SQL_KIND_EXECUTE, 0, true),
		S(SQL_KW_DEALLOCATE, SQL_KIND_DEALLOCATE, SQL_SESSION_DEALLOCATE, true),
		S(SQL_KW_LISTEN, SQL_KIND_LISTEN, SQL_SESSION_LISTEN, true),
		S(SQL_KW_UNLISTEN, SQL_KIND_UNLISTEN, SQL_SESSION_UNLISTEN, true),
		S(SQL_KW_NOTIFY, SQL_KIND_NOTIFY, 0, true), S(SQL_KW_CLOSE, SQL_KIND_CLOSE, 0, true),
	};

	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++)
	{
		if (simple[i].kw != kw)
			continue;
		set_kind(st, simple[i].kind, false);
		st->session |= simple[i].session;
		advance(s);
		if (simple[i].named)
		{
			accept(s, SQL_KW_PREPARE);
			take_object(s, st);
		}
		if (kw == SQL_KW_SHOW)
			stmt_skip_to_end(s);
		return true;
	}
	return false;
}
#undef S

static bool
lead_dml_or_query(scan *s, stmt *st, sql_keyword kw, bool inner)
{
	switch (kw)
	{
		case SQL_KW_SELECT:
			lead_query(s, st, inner, SQL_KIND_SELECT);
			return true;
		case SQL_KW_VALUES:
			lead_query(s, st, inner, SQL_KIND_VALUES);
			return true;
		case SQL_KW_TABLE:
			lead_query(s, st, inner, SQL_KIND_TABLE);
			return true;
		case SQL_KW_INSERT:
			lead_query(s, st, inner, SQL_KIND_INSERT);
			return true;
		case SQL_KW_UPDATE:
			lead_query(s, st, inner, SQL_KIND_UPDATE);
			return true;
		case SQL_KW_DELETE:
			lead_query(s, st, inner, SQL_KIND_DELETE);
			return true;
		case SQL_KW_MERGE:
			lead_query(s, st, inner, SQL_KIND_MERGE);
			return true;
		case SQL_KW_WITH:
			lead_with(s, st, inner);
			return true;
		default:
			return false;
	}
}

static bool
lead_control(scan *s, stmt *st, sql_keyword kw)
{
	switch (kw)
	{
		case SQL_KW_BEGIN:
		case SQL_KW_START:
			lead_tx(s, st, SQL_TX_BEGIN, false);
			return true;
		case SQL_KW_COMMIT:
		case SQL_KW_END:
			lead_end(s, st, true);
			return true;
		case SQL_KW_ROLLBACK:
		case SQL_KW_ABORT:
			lead_end(s, st, false);
			return true;
		case SQL_KW_SAVEPOINT:
			lead_tx(s, st, SQL_TX_SAVEPOINT, true);
			return true;
		case SQL_KW_RELEASE:
			lead_tx(s, st, SQL_TX_RELEASE, true);
			return true;
		case SQL_KW_PREPARE:
			lead_prepare(s, st);
			return true;
		case SQL_KW_SET:
			lead_set(s, st);
			return true;
		default:
			return false;
	}
}

static bool
lead_other(scan *s, stmt *st, sql_keyword kw)
{
	switch (kw)
	{
		case SQL_KW_CREATE:
			lead_create(s, st);
			return true;
		case SQL_KW_DROP:
			lead_drop(s, st);
			return true;
		case SQL_KW_TRUNCATE:
			lead_table_list(s, st, SQL_KIND_TRUNCATE);
			return true;
		case SQL_KW_LOCK:
			lead_table_list(s, st, SQL_KIND_LOCK);
			return true;
		case SQL_KW_DECLARE:
			lead_declare(s, st);
			return true;
		case SQL_KW_FETCH:
			lead_fetch(s, st, SQL_KIND_FETCH);
			return true;
		case SQL_KW_MOVE:
			lead_fetch(s, st, SQL_KIND_MOVE);
			return true;
		case SQL_KW_COPY:
			lead_copy(s, st);
			return true;
		case SQL_KW_EXPLAIN:
			lead_explain(s, st);
			return true;
		default:
			return lead_simple(s, st, kw);
	}
}

void
classify_lead(scan *s, stmt *st, bool inner)
{
	sql_keyword kw = s->cur.kind == SQL_TOK_KEYWORD ? s->cur.keyword : SQL_KW_NOT_KEYWORD;

	if (tok_is_punct(&s->cur, '('))
	{
		lead_parens(s, st, inner);
		return;
	}
	if (lead_dml_or_query(s, st, kw, inner))
		return;
	if (!inner && (lead_control(s, st, kw) || lead_other(s, st, kw)))
		return;
	set_kind(st, SQL_KIND_UNKNOWN, inner);
}
