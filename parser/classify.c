/*
 * sql_classify: runs each statement's leading tokens through classify_lead, then one generic pass over
 * the rest (tables after FROM/JOIN, function calls, FOR UPDATE, INTO, DML in parentheses) and merges
 * the statements into the caller's fixed-size sql_class.
 */
#include <string.h>

#include "parser/classify_internal.h"

static void
name_part(sql_name *n, const sql_token *t)
{
	n->schema = n->name;
	n->schema_len = n->name_len;
	n->schema_quoted = n->name_quoted;
	n->name = t->start;
	n->name_len = (uint32_t) t->len;
	n->name_quoted = (t->flags & SQL_TOKF_QUOTED) != 0;
}

/* cur is a name: takes name[.name[.name]] (the last two parts), leaving cur on the last one. */
void
stmt_take_name(scan *s, sql_name *name)
{
	memset(name, 0, sizeof(*name));
	name_part(name, &s->cur);
	while (tok_is_punct(&s->next, '.'))
	{
		scan_advance(s);
		if (s->next.kind != SQL_TOK_IDENT && s->next.kind != SQL_TOK_KEYWORD)
			return;
		scan_advance(s);
		name_part(name, &s->cur);
	}
	if (name->schema == NULL)
		name->schema_len = 0;
}

void
stmt_skip_to_end(scan *s)
{
	while (!scan_at_stmt_end(s))
		scan_advance(s);
}

static bool
bytes_ieq(const char *a, size_t alen, const char *lower, bool exact)
{
	size_t		n = strlen(lower);

	if (alen != n)
		return false;
	for (size_t i = 0; i < n; i++)
	{
		char		c = a[i];

		if (!exact && c >= 'A' && c <= 'Z')
			c = (char) (c + 32);
		if (c != lower[i])
			return false;
	}
	return true;
}

bool
sql_name_is(const sql_name *name, const char *lower_word)
{
	return bytes_ieq(name->name, name->name_len, lower_word, name->name_quoted);
}

static bool
names_equal(const sql_name *a, const sql_name *b)
{
	if (a->name_len != b->name_len || a->schema_len != b->schema_len ||
		a->name_quoted != b->name_quoted || a->schema_quoted != b->schema_quoted)
		return false;
	if (a->schema_len && strncasecmp(a->schema, b->schema, a->schema_len) != 0)
		return false;
	return strncasecmp(a->name, b->name, a->name_len) == 0;
}

/* Appends name unless present; false when the list is full. */
static bool
add_name(sql_name *list, int *count, int max, const sql_name *name)
{
	for (int i = 0; i < *count; i++)
		if (names_equal(&list[i], name))
			return true;
	if (*count >= max)
		return false;
	list[(*count)++] = *name;
	return true;
}

/* Functions with effects a standby cannot have, or session state only the primary's backend holds. */
static void
check_known_function(stmt *st, const sql_name *fn)
{
	static const char *const writers[] = {
		"nextval", "setval", "currval", "lastval", "pg_notify", "txid_current", "pg_current_xact_id",
		"lo_creat", "lo_create", "lo_import", "lo_unlink", "lo_put", "lo_from_bytea", "lo_open",
		"pg_switch_wal", "pg_create_restore_point", NULL
	};
	const char *name = fn->name;
	size_t		len = fn->name_len;

	if (fn->schema && !bytes_ieq(fn->schema, fn->schema_len, "pg_catalog", fn->schema_quoted))
		return;
	for (int i = 0; writers[i]; i++)
		if (sql_name_is(fn, writers[i]))
			st->write |= SQL_WRITE_FUNCTION;
	if (sql_name_is(fn, "set_config"))
	{
		st->write |= SQL_WRITE_FUNCTION;
		st->session |= SQL_SESSION_SET;
	}
	if ((len > 11 && strncasecmp(name, "pg_advisory", 11) == 0) ||
		(len > 15 && strncasecmp(name, "pg_try_advisory", 15) == 0))
	{
		st->write |= SQL_WRITE_FUNCTION;
		if (memmem(name, len, "xact", 4) == NULL)
			st->session |= SQL_SESSION_ADVISORY_LOCK;
	}
}

static void
record_function(stmt *st, const sql_name *fn)
{
	sql_class  *out = st->out;

	if (!add_name(out->functions, &out->function_count, SQL_MAX_FUNCTIONS, fn))
		out->functions_overflow = true;
	check_known_function(st, fn);
}

void
stmt_record_table(stmt *st, const sql_name *t)
{
	sql_class  *out = st->out;

	if (st->drop_list)
	{
		if (!add_name(out->temp_table_dropped.names, &out->temp_table_dropped.count, SQL_MAX_DROPPED, t))
			out->temp_table_dropped.overflow = true;
		return;
	}
	if (!add_name(out->tables, &out->table_count, SQL_MAX_TABLES, t))
		out->tables_overflow = true;
}

/* Which keywords may name a function when followed by '(' (the rest are types or syntax). */
static bool
keyword_can_be_function(sql_keyword kw)
{
	switch (sql_keyword_category_of(kw))
	{
		case SQL_KWCAT_U:
			return true;
		case SQL_KWCAT_T:
			return kw == SQL_KW_LEFT || kw == SQL_KW_RIGHT || kw == SQL_KW_COLLATION ||
				kw == SQL_KW_CURRENT_SCHEMA;
		case SQL_KWCAT_C:
			return kw == SQL_KW_EXTRACT || kw == SQL_KW_OVERLAY || kw == SQL_KW_POSITION ||
				kw == SQL_KW_SUBSTRING || kw == SQL_KW_TRIM || kw == SQL_KW_NORMALIZE;
		default:
			return false;
	}
}

/* A name right after these is an alias, a type or a table, not a function being called. */
static bool
prev_rules_out_function(const scan *s)
{
	if (s->prev_kind == SQL_TOK_IDENT || s->prev_cast || s->prev_punct == ')')
		return true;
	if (s->prev_kind != SQL_TOK_KEYWORD)
		return false;
	switch (s->prev_kw)
	{
		case SQL_KW_AS:
		case SQL_KW_INTO:
		case SQL_KW_TABLE:
		case SQL_KW_REFERENCES:
		case SQL_KW_TABLESAMPLE:
		case SQL_KW_FIRST:
		case SQL_KW_NEXT:
		case SQL_KW_GROUPING:
			return true;
		default:
			return false;
	}
}

/* cur is a name: a table reference where one is expected, else perhaps a function call. */
static void
on_name(scan *s, stmt *st)
{
	bool		as_table = st->expect_table;
	bool		ruled_out = prev_rules_out_function(s);
	bool		unqualified = !tok_is_punct(&s->next, '.');
	bool		may_call = s->cur.kind == SQL_TOK_IDENT || keyword_can_be_function(s->cur.keyword);
	sql_name	n;

	if (as_table && tok_is_kw(&s->cur, SQL_KW_ROWS) && tok_is_kw(&s->next, SQL_KW_FROM))
		return;
	st->expect_table = false;
	stmt_take_name(s, &n);
	if (!tok_is_punct(&s->next, '('))
	{
		if (as_table)
			stmt_record_table(st, &n);
		return;
	}
	if (!as_table && (ruled_out || (unqualified && !may_call)))
		return;
	record_function(st, &n);
	s->next_paren_is_func = true;
}

static void
on_punct(scan *s, stmt *st)
{
	uint64_t	bit = s->depth <= SCAN_MAX_DEPTH ? (uint64_t) 1 << s->depth : 0;

	switch (s->cur.punct)
	{
		case '(':
			st->expect_table = st->expect_table && tok_is_name(&s->next);
			break;
		case ',':
			if ((s->from_lists & bit) || ((st->table_list || st->drop_list) && s->depth == 0))
				st->expect_table = true;
			break;
		default:
			st->expect_table = false;
			break;
	}
}

static void
copy_direction(scan *s, stmt *st, bool from)
{
	st->copy_pending = false;
	if (from)
	{
		st->kind = SQL_KIND_COPY_FROM;
		st->outer_write |= SQL_WRITE_STATEMENT;
	}
	else if (!tok_is_kw(&s->next, SQL_KW_STDOUT))
		st->outer_write |= SQL_WRITE_STATEMENT;	/* a server file or program */
}

static bool
next_is_locking(const scan *s)
{
	switch (s->next.kind == SQL_TOK_KEYWORD ? s->next.keyword : SQL_KW_NOT_KEYWORD)
	{
		case SQL_KW_UPDATE:
		case SQL_KW_SHARE:
		case SQL_KW_NO:
		case SQL_KW_KEY:
			return true;
		default:
			return false;
	}
}

/* Keywords that end a FROM list at this depth. */
static bool
ends_from_list(sql_keyword kw)
{
	switch (kw)
	{
		case SQL_KW_WHERE:
		case SQL_KW_GROUP:
		case SQL_KW_HAVING:
		case SQL_KW_WINDOW:
		case SQL_KW_ORDER:
		case SQL_KW_LIMIT:
		case SQL_KW_OFFSET:
		case SQL_KW_FETCH:
		case SQL_KW_UNION:
		case SQL_KW_INTERSECT:
		case SQL_KW_EXCEPT:
		case SQL_KW_RETURNING:
		case SQL_KW_SET:
		case SQL_KW_FOR:
		case SQL_KW_WHEN:
			return true;
		default:
			return false;
	}
}

/* Returns true when the keyword was syntax (not a name to look at further). */
static bool
on_keyword(scan *s, stmt *st)
{
	sql_keyword kw = s->cur.keyword;
	bool		in_func = scan_in_func_parens(s);
	uint64_t	bit = s->depth <= SCAN_MAX_DEPTH ? (uint64_t) 1 << s->depth : 0;

	if (ends_from_list(kw))
		s->from_lists &= ~bit;
	switch (kw)
	{
		case SQL_KW_FROM:
			if (st->copy_pending && s->depth == 0)
				copy_direction(s, st, true);
			else if (!in_func)
			{
				s->from_lists |= bit;
				st->expect_table = true;
			}
			return true;
		case SQL_KW_TO:
			if (st->copy_pending && s->depth == 0)
				copy_direction(s, st, false);
			return true;
		case SQL_KW_JOIN:
			st->expect_table = true;
			return true;
		case SQL_KW_USING:
			st->expect_table = tok_is_name(&s->next);
			if (st->expect_table)
				s->from_lists |= bit;
			return true;
		case SQL_KW_INTO:
			if (!in_func && st->select_like && s->prev_kw != SQL_KW_INSERT && s->prev_kw != SQL_KW_MERGE)
				st->write |= SQL_WRITE_INTO;
			st->expect_table = !in_func;
			return true;
		case SQL_KW_FOR:
			if (!in_func && next_is_locking(s))
				st->write |= SQL_WRITE_LOCKING;
			return true;
		case SQL_KW_UPDATE:
			if (s->prev_punct == '(')
			{
				st->expect_table = true;
				return true;
			}
			return false;
		case SQL_KW_LEVEL:
			if (s->prev_kw == SQL_KW_ISOLATION && tok_is_kw(&s->next, SQL_KW_SERIALIZABLE))
				st->serializable = true;
			return false;
		case SQL_KW_COMMIT:
			if (st->creating_temp && s->prev_kw == SQL_KW_ON && tok_is_kw(&s->next, SQL_KW_DROP))
				st->out->temp_table_created.on_commit_drop = true;
			return false;
		default:
			return sql_keyword_category_of(kw) == SQL_KWCAT_R;
	}
}

void
stmt_scan_token(scan *s, stmt *st)
{
	const sql_token *t = &s->cur;

	if (t->kind == SQL_TOK_PUNCT)
		on_punct(s, st);
	else if (st->expect_table && (tok_is_kw(t, SQL_KW_ONLY) || tok_is_kw(t, SQL_KW_LATERAL)))
		return;
	else if (t->kind == SQL_TOK_KEYWORD && on_keyword(s, st))
		st->expect_table = st->expect_table && (t->keyword == SQL_KW_FROM || t->keyword == SQL_KW_JOIN ||
												t->keyword == SQL_KW_USING || t->keyword == SQL_KW_INTO ||
												t->keyword == SQL_KW_UPDATE);
	else if (tok_is_name(t))
		on_name(s, st);
	else
		st->expect_table = false;
}

static void
merge_statement(sql_class *out, const stmt *st, bool *all_read_only)
{
	uint16_t	reasons = st->outer_write | st->write;

	if (out->statement_count++ == 0)
	{
		out->kind = st->kind;
		out->inner_kind = st->inner_kind;
		out->body_read_only = st->has_inner && st->write == 0;
		out->explain_analyze = st->explain_analyze;
	}
	if (reasons != 0 || !kind_is_read_only(st->kind))
		*all_read_only = false;
	out->write_reasons |= reasons;
	out->session_effect |= st->session;
	if (st->tx != SQL_TX_NONE)
	{
		out->tx_effect = st->tx;
		out->tx_chain = st->tx_chain;
	}
	if (st->has_object && out->object.name == NULL)
		out->object = st->object;
	out->serializable = out->serializable || st->serializable || st->serializable_value;
}

static void
classify_statement(scan *s, sql_class *out, bool *all_read_only)
{
	stmt		st;

	memset(&st, 0, sizeof(st));
	st.out = out;
	classify_lead(s, &st, false);
	while (!scan_at_stmt_end(s))
	{
		stmt_scan_token(s, &st);
		scan_advance(s);
	}
	if (s->dml_in_parens)
		st.write |= SQL_WRITE_CTE;
	if (st.copy_pending)
		st.outer_write |= SQL_WRITE_UNCERTAIN;
	merge_statement(out, &st, all_read_only);
}

static void
finish_class(sql_class *out, const scan *s, bool all_read_only)
{
	if (s->lex_error)
		out->write_reasons |= SQL_WRITE_UNCERTAIN;
	if (s->unbalanced || s->depth != 0)
		out->write_reasons |= SQL_WRITE_UNCERTAIN;
	if (out->functions_overflow || out->tables_overflow)
		out->write_reasons |= SQL_WRITE_OVERFLOW;
	if (s->hint)
	{
		out->no_load_balance_hint = true;
		out->write_reasons |= SQL_WRITE_HINT;
	}
	out->lex_error = s->lex_error;
	out->is_read_only = all_read_only && out->write_reasons == 0;
	out->is_write = !out->is_read_only;
}

void
sql_classify_ex(const char *text, size_t len, unsigned flags, sql_class *out)
{
	scan		s;
	bool		all_read_only = true;

	memset(out, 0, offsetof(sql_class, functions));
	out->table_count = 0;
	out->tables_overflow = false;
	out->temp_table_created.present = false;
	out->temp_table_created.on_commit_drop = false;
	out->temp_table_dropped.count = 0;
	out->temp_table_dropped.overflow = false;
	scan_init(&s, text, len, flags);
	while (!scan_at_text_end(&s))
	{
		if (scan_at_stmt_end(&s))
			scan_advance(&s);
		else
			classify_statement(&s, out, &all_read_only);
	}
	finish_class(out, &s, all_read_only);
}

void
sql_classify(const char *text, size_t len, sql_class *out)
{
	sql_classify_ex(text, len, 0, out);
}

const char *
sql_kind_name(sql_kind kind)
{
	static const char *const names[SQL_KIND_COUNT_] = {
		"EMPTY", "UNKNOWN", "SELECT", "VALUES", "TABLE", "INSERT", "UPDATE", "DELETE", "MERGE", "DDL",
		"TRUNCATE", "TRANSACTION", "SET", "RESET", "SHOW", "COPY_TO", "COPY_FROM", "LOCK", "PREPARE",
		"EXECUTE", "DEALLOCATE", "LISTEN", "NOTIFY", "UNLISTEN", "DISCARD", "VACUUM", "ANALYZE",
		"CLUSTER", "REINDEX", "CHECKPOINT", "REFRESH", "LOAD", "EXPLAIN", "DO", "CALL", "FETCH", "MOVE",
		"DECLARE", "CLOSE"
	};

	return kind < SQL_KIND_COUNT_ ? names[kind] : "?";
}
