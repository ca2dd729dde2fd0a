/*
 * The classifier's token scanner: skips comments (noting the NO LOAD BALANCE hint), keeps one token of
 * lookahead and the parenthesis depth, and knows where a statement ends (top-level ';', but not
 * inside a CREATE FUNCTION ... BEGIN ATOMIC body). sql_split is built on it.
 */
#include <string.h>

#include "parser/classify_internal.h"

bool
tok_is_kw(const sql_token *t, sql_keyword kw)
{
	return t->kind == SQL_TOK_KEYWORD && t->keyword == kw;
}

bool
tok_is_punct(const sql_token *t, char c)
{
	return t->kind == SQL_TOK_PUNCT && t->punct == c;
}

/* Identifiers, and keywords other than reserved ones, can name tables and columns. */
bool
tok_is_name(const sql_token *t)
{
	if (t->kind == SQL_TOK_IDENT)
		return true;
	return t->kind == SQL_TOK_KEYWORD && sql_keyword_category_of(t->keyword) != SQL_KWCAT_R;
}

/* The hint pgpool honours: a comment that says exactly NO LOAD BALANCE (any case, any spacing). */
static bool
is_hint_comment(const sql_token *t)
{
	static const char hint[] = "noloadbalance";
	size_t		h = 0;

	if (!(t->flags & SQL_TOKF_BLOCK) || t->len < 4)
		return false;
	for (size_t i = 2; i < t->len - 2; i++)
	{
		char		c = t->start[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char) (c + 32);
		if (h >= sizeof(hint) - 1 || hint[h++] != c)
			return false;
	}
	return h == sizeof(hint) - 1;
}

static void
fetch(scan *s, sql_token *t)
{
	for (;;)
	{
		if (!sql_next_token(&s->lx, t))
		{
			if (t->kind == SQL_TOK_ERROR)
			{
				s->lex_error = true;
				t->kind = SQL_TOK_END;
			}
			return;
		}
		if (t->kind != SQL_TOK_COMMENT)
			break;
		if (s->fetched_stmt_start && is_hint_comment(t))
			s->hint = true;
	}
	s->fetched_stmt_start = tok_is_punct(t, ';');
}

bool
scan_in_func_parens(const scan *s)
{
	return s->depth > 0 && s->depth <= SCAN_MAX_DEPTH && (s->func_parens >> s->depth) & 1;
}

bool
scan_at_text_end(const scan *s)
{
	return s->cur.kind == SQL_TOK_END;
}

bool
scan_at_stmt_end(const scan *s)
{
	if (s->cur.kind == SQL_TOK_END)
		return true;
	return tok_is_punct(&s->cur, ';') && s->depth == 0 && s->atomic_depth == 0;
}

static void
leave_cur(scan *s)
{
	const sql_token *t = &s->cur;

	if (tok_is_punct(t, ')'))
	{
		if (--s->depth < 0)
		{
			s->unbalanced = true;
			s->depth = 0;
		}
	}
	if (scan_at_stmt_end(s))
	{
		s->stmt_token_index = -1;
		s->create_lead = false;
		s->atomic_possible = false;
		s->atomic_depth = 0;
		s->dml_in_parens = false;
	}
	s->prev_kind = t->kind;
	s->prev_kw = t->keyword;
	s->prev_punct = t->punct;
	s->prev_cast = t->kind == SQL_TOK_OPERATOR && t->len == 2 && t->start[0] == ':' && t->start[1] == ':';
}

static void
enter_paren(scan *s)
{
	uint64_t	bit;
	sql_keyword kw = s->next.kind == SQL_TOK_KEYWORD ? s->next.keyword : SQL_KW_NOT_KEYWORD;

	if (kw == SQL_KW_INSERT || kw == SQL_KW_UPDATE || kw == SQL_KW_DELETE || kw == SQL_KW_MERGE)
		s->dml_in_parens = true;
	s->depth++;
	if (s->depth > SCAN_MAX_DEPTH)
	{
		s->unbalanced = true;
		s->next_paren_is_func = false;
		return;
	}
	bit = (uint64_t) 1 << s->depth;
	s->from_lists &= ~bit;
	if (s->next_paren_is_func)
		s->func_parens |= bit;
	else
		s->func_parens &= ~bit;
	s->next_paren_is_func = false;
}

/* CREATE FUNCTION / PROCEDURE bodies in BEGIN ATOMIC ... END hold semicolons. */
static void
track_atomic(scan *s)
{
	const sql_token *t = &s->cur;
	int			i = s->stmt_token_index;

	if (i == 0)
		s->create_lead = tok_is_kw(t, SQL_KW_CREATE);
	else if (s->create_lead && i <= 4 && (tok_is_kw(t, SQL_KW_FUNCTION) || tok_is_kw(t, SQL_KW_PROCEDURE)))
		s->atomic_possible = true;
	if (!s->atomic_possible || t->kind != SQL_TOK_KEYWORD)
		return;
	if (t->keyword == SQL_KW_BEGIN && (s->atomic_depth > 0 || tok_is_kw(&s->next, SQL_KW_ATOMIC)))
		s->atomic_depth++;
	else if (t->keyword == SQL_KW_CASE && s->atomic_depth > 0)
		s->atomic_depth++;
	else if (t->keyword == SQL_KW_END && s->atomic_depth > 0)
		s->atomic_depth--;
}

void
scan_advance(scan *s)
{
	leave_cur(s);
	s->cur = s->next;
	if (s->cur.kind != SQL_TOK_END)
		fetch(s, &s->next);
	s->stmt_token_index++;
	if (tok_is_punct(&s->cur, '('))
		enter_paren(s);
	track_atomic(s);
}

void
scan_init(scan *s, const char *text, size_t len, unsigned flags)
{
	memset(s, 0, sizeof(*s));
	sql_lexer_init(&s->lx, text, len);
	s->lx.backslash_escapes = (flags & SQL_CLASSIFY_BACKSLASH_QUOTES) != 0;
	s->fetched_stmt_start = true;
	s->cur.kind = SQL_TOK_PUNCT;
	s->cur.punct = ';';
	fetch(s, &s->next);
	scan_advance(s);
}

/* Where cur ends in the text (closing quotes included). */
static size_t
tok_end_offset(const scan *s, const sql_token *t)
{
	size_t		end = (size_t) (t->start - s->lx.text) + t->len;

	return (t->flags & SQL_TOKF_QUOTED) && t->kind == SQL_TOK_IDENT ? end + 1 : end;
}

int
sql_split(const char *text, size_t len, sql_span *spans, int max)
{
	scan		s;
	int			n = 0;

	scan_init(&s, text, len, 0);
	while (!scan_at_text_end(&s))
	{
		size_t		start = s.cur.offset;
		size_t		end = start;

		if (scan_at_stmt_end(&s))
		{
			scan_advance(&s);
			continue;
		}
		while (!scan_at_stmt_end(&s))
		{
			end = tok_end_offset(&s, &s.cur);
			scan_advance(&s);
		}
		if (n < max)
		{
			spans[n].offset = start;
			spans[n].len = end - start;
		}
		n++;
	}
	return s.lex_error ? -1 : n;
}
