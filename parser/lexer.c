/*
 * The SQL lexer: splits PostgreSQL text into tokens in place (comments, the string forms, dollar
 * quotes, quoted and U& identifiers, numbers, operators, parameters). No allocation, no copy.
 */
#include <string.h>

#include "parser/sql_lexer.h"

static inline bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static inline bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static inline bool
is_ident_char(unsigned char c)
{
	return is_ident_start(c) || is_digit(c) || c == '$';
}

static inline bool
is_op_char(unsigned char c)
{
	return strchr("+-*/<>=~!@#%^&|`?", c) != NULL && c != '\0';
}

static inline unsigned char
peek_at(const sql_lexer *lx, size_t pos)
{
	return pos < lx->len ? (unsigned char) lx->text[pos] : '\0';
}

void
sql_lexer_init(sql_lexer *lx, const char *text, size_t len)
{
	lx->text = text;
	lx->len = len;
	lx->pos = 0;
	lx->backslash_escapes = false;
}

/* Ends tok at lx->pos with the given kind; the text runs from tok->offset. */
static bool
finish(sql_lexer *lx, sql_token *tok, sql_token_kind kind)
{
	tok->kind = kind;
	tok->start = lx->text + tok->offset;
	tok->len = lx->pos - tok->offset;
	return kind != SQL_TOK_END && kind != SQL_TOK_ERROR;
}

static bool
lex_line_comment(sql_lexer *lx, sql_token *tok)
{
	const char *nl = memchr(lx->text + lx->pos, '\n', lx->len - lx->pos);

	lx->pos = nl ? (size_t) (nl - lx->text) : lx->len;
	return finish(lx, tok, SQL_TOK_COMMENT);
}

/* Block comments nest in PostgreSQL. */
static bool
lex_block_comment(sql_lexer *lx, sql_token *tok)
{
	int			depth = 1;

	tok->flags |= SQL_TOKF_BLOCK;
	lx->pos += 2;
	while (lx->pos < lx->len)
	{
		unsigned char c = peek_at(lx, lx->pos);

		if (c == '*' && peek_at(lx, lx->pos + 1) == '/')
		{
			lx->pos += 2;
			if (--depth == 0)
				return finish(lx, tok, SQL_TOK_COMMENT);
		}
		else if (c == '/' && peek_at(lx, lx->pos + 1) == '*')
		{
			lx->pos += 2;
			depth++;
		}
		else
			lx->pos++;
	}
	return finish(lx, tok, SQL_TOK_ERROR);
}

/* lx->pos is on the opening quote; a doubled quote stays inside, \ escapes when asked. */
static bool
lex_quoted(sql_lexer *lx, sql_token *tok, char quote, bool backslash, sql_token_kind kind)
{
	lx->pos++;
	while (lx->pos < lx->len)
	{
		unsigned char c = peek_at(lx, lx->pos);

		if (backslash && c == '\\')
			lx->pos += 2;
		else if (c == (unsigned char) quote && peek_at(lx, lx->pos + 1) == (unsigned char) quote)
			lx->pos += 2;
		else if (c == (unsigned char) quote)
		{
			lx->pos++;
			return finish(lx, tok, kind);
		}
		else
			lx->pos++;
	}
	lx->pos = lx->len;
	return finish(lx, tok, SQL_TOK_ERROR);
}

/* "ident" and U&"ident": the token's text is what lies between the quotes. */
static bool
lex_quoted_ident(sql_lexer *lx, sql_token *tok)
{
	size_t		open = lx->pos;
	bool		ok = lex_quoted(lx, tok, '"', false, SQL_TOK_IDENT);

	tok->flags |= SQL_TOKF_QUOTED;
	if (ok)
	{
		tok->start = lx->text + open + 1;
		tok->len = lx->pos - open - 2;
	}
	return ok;
}

/* The length of a dollar-quote tag ($$ or $name$) at pos, 0 when there is none. */
static size_t
dollar_tag_len(const sql_lexer *lx, size_t pos)
{
	size_t		p = pos + 1;

	if (peek_at(lx, p) == '$')
		return 2;
	if (!is_ident_start(peek_at(lx, p)))
		return 0;
	while (p < lx->len && is_ident_char(peek_at(lx, p)) && peek_at(lx, p) != '$')
		p++;
	return peek_at(lx, p) == '$' ? p - pos + 1 : 0;
}

static bool
lex_dollar(sql_lexer *lx, sql_token *tok)
{
	size_t		tag_len;
	const char *tag = lx->text + lx->pos;
	const char *end;

	if (is_digit(peek_at(lx, lx->pos + 1)))
	{
		lx->pos++;
		while (is_digit(peek_at(lx, lx->pos)))
			lx->pos++;
		return finish(lx, tok, SQL_TOK_PARAM);
	}
	tag_len = dollar_tag_len(lx, lx->pos);
	if (tag_len == 0)
	{
		lx->pos++;
		return finish(lx, tok, SQL_TOK_OPERATOR);
	}
	tok->flags |= SQL_TOKF_DOLLAR;
	lx->pos += tag_len;
	end = memmem(lx->text + lx->pos, lx->len - lx->pos, tag, tag_len);
	if (end == NULL)
	{
		lx->pos = lx->len;
		return finish(lx, tok, SQL_TOK_ERROR);
	}
	lx->pos = (size_t) (end - lx->text) + tag_len;
	return finish(lx, tok, SQL_TOK_STRING);
}

static void
skip_digits(sql_lexer *lx, bool hex)
{
	for (;;)
	{
		unsigned char c = peek_at(lx, lx->pos);

		if (is_digit(c) || c == '_' || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))))
			lx->pos++;
		else
			return;
	}
}

/* 42, 4.2, .42, 4e2, 4.2E-1, 0x2A, 0o52, 0b101010, 1_000. */
static bool
lex_number(sql_lexer *lx, sql_token *tok)
{
	unsigned char c0 = peek_at(lx, lx->pos);
	unsigned char c1 = peek_at(lx, lx->pos + 1);

	if (c0 == '0' && strchr("xXoObB", c1) != NULL && c1 != '\0')
	{
		lx->pos += 2;
		skip_digits(lx, true);
		return finish(lx, tok, SQL_TOK_NUMBER);
	}
	skip_digits(lx, false);
	if (peek_at(lx, lx->pos) == '.' && peek_at(lx, lx->pos + 1) != '.')
	{
		lx->pos++;
		skip_digits(lx, false);
	}
	c0 = peek_at(lx, lx->pos);
	c1 = peek_at(lx, lx->pos + 1);
	if ((c0 == 'e' || c0 == 'E') &&
		(is_digit(c1) || ((c1 == '+' || c1 == '-') && is_digit(peek_at(lx, lx->pos + 2)))))
	{
		lx->pos += 2;
		skip_digits(lx, false);
	}
	return finish(lx, tok, SQL_TOK_NUMBER);
}

/* Operators stop before a comment start, as PostgreSQL's do. */
static bool
lex_operator(sql_lexer *lx, sql_token *tok)
{
	lx->pos++;
	while (lx->pos < lx->len && is_op_char(peek_at(lx, lx->pos)))
	{
		unsigned char c = peek_at(lx, lx->pos);
		unsigned char n = peek_at(lx, lx->pos + 1);

		if ((c == '-' && n == '-') || (c == '/' && n == '*'))
			break;
		lx->pos++;
	}
	return finish(lx, tok, SQL_TOK_OPERATOR);
}

/* Words, and the prefixed forms E'..', B'..', X'..', N'..', U&'..', U&"..". */
static bool
lex_word(sql_lexer *lx, sql_token *tok)
{
	unsigned char c = peek_at(lx, lx->pos);
	unsigned char n = peek_at(lx, lx->pos + 1);

	if (n == '\'' && strchr("eEbBxXnN", c) != NULL)
	{
		bool		esc = c == 'e' || c == 'E' || ((c == 'n' || c == 'N') && lx->backslash_escapes);

		if (c == 'e' || c == 'E')
			tok->flags |= SQL_TOKF_ESCAPE;
		lx->pos++;
		return lex_quoted(lx, tok, '\'', esc, SQL_TOK_STRING);
	}
	if ((c == 'u' || c == 'U') && n == '&' &&
		(peek_at(lx, lx->pos + 2) == '\'' || peek_at(lx, lx->pos + 2) == '"'))
	{
		tok->flags |= SQL_TOKF_UNICODE;
		lx->pos += 2;
		if (peek_at(lx, lx->pos) == '"')
			return lex_quoted_ident(lx, tok);
		return lex_quoted(lx, tok, '\'', false, SQL_TOK_STRING);
	}
	while (lx->pos < lx->len && is_ident_char(peek_at(lx, lx->pos)))
		lx->pos++;
	finish(lx, tok, SQL_TOK_IDENT);
	tok->keyword = sql_keyword_lookup(tok->start, tok->len);
	if (tok->keyword != SQL_KW_NOT_KEYWORD)
		tok->kind = SQL_TOK_KEYWORD;
	return true;
}

static bool
lex_colon(sql_lexer *lx, sql_token *tok)
{
	unsigned char n = peek_at(lx, lx->pos + 1);

	lx->pos += (n == ':' || n == '=') ? 2 : 1;
	return finish(lx, tok, SQL_TOK_OPERATOR);
}

static bool
lex_punct(sql_lexer *lx, sql_token *tok, unsigned char c)
{
	tok->punct = (char) c;
	lx->pos++;
	return finish(lx, tok, SQL_TOK_PUNCT);
}

bool
sql_next_token(sql_lexer *lx, sql_token *tok)
{
	unsigned char c;
	unsigned char n;

	while (lx->pos < lx->len && is_space(peek_at(lx, lx->pos)))
		lx->pos++;
	tok->offset = lx->pos;
	tok->flags = 0;
	tok->keyword = SQL_KW_NOT_KEYWORD;
	tok->punct = '\0';
	if (lx->pos >= lx->len)
		return finish(lx, tok, SQL_TOK_END);
	c = peek_at(lx, lx->pos);
	n = peek_at(lx, lx->pos + 1);
	if (c == '-' && n == '-')
		return lex_line_comment(lx, tok);
	if (c == '/' && n == '*')
		return lex_block_comment(lx, tok);
	if (c == '\'')
		return lex_quoted(lx, tok, '\'', lx->backslash_escapes, SQL_TOK_STRING);
	if (c == '"')
		return lex_quoted_ident(lx, tok);
	if (c == '$')
		return lex_dollar(lx, tok);
	if (is_digit(c) || (c == '.' && is_digit(n)))
		return lex_number(lx, tok);
	if (is_ident_start(c))
		return lex_word(lx, tok);
	if (c == '(' || c == ')' || c == ',' || c == ';' || c == '.' || c == '[' || c == ']')
		return lex_punct(lx, tok, c);
	if (c == ':')
		return lex_colon(lx, tok);
	if (is_op_char(c))
		return lex_operator(lx, tok);
	lx->pos++;
	return finish(lx, tok, SQL_TOK_OPERATOR);
}
