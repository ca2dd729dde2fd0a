/*
 * A PostgreSQL lexer over the caller's buffer: it never allocates and never copies, each token is a
 * pointer and a length into the text. Keywords are recognised case-insensitively by a hash lookup.
 */
#ifndef PGNG_SQL_LEXER_H
#define PGNG_SQL_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parser/sql_keywords.h"

#define SQL_KW_ENUM_(word, cat) SQL_KW_##word,
typedef enum sql_keyword
{
	SQL_KW_NOT_KEYWORD = 0,		/* (SQL_KW_NONE is the keyword NONE) */
	SQL_KEYWORD_LIST(SQL_KW_ENUM_)
	SQL_KW_COUNT_
} sql_keyword;
#undef SQL_KW_ENUM_

/* PostgreSQL's keyword categories; they decide which words may name a function. */
typedef enum sql_keyword_category
{
	SQL_KWCAT_U,				/* unreserved */
	SQL_KWCAT_C,				/* column name (types, special-form functions) */
	SQL_KWCAT_T,				/* type or function name */
	SQL_KWCAT_R					/* reserved */
} sql_keyword_category;

typedef enum sql_token_kind
{
	SQL_TOK_END,
	SQL_TOK_KEYWORD,			/* unquoted word found in the keyword list: see keyword */
	SQL_TOK_IDENT,				/* other word, or "quoted" / U&"quoted" identifier (flags) */
	SQL_TOK_STRING,				/* '..', E'..', B'..', X'..', N'..', U&'..', $tag$..$tag$ */
	SQL_TOK_NUMBER,
	SQL_TOK_OPERATOR,			/* + - * / < > = ~ ! @ # % ^ & | ` ? and :, ::, := */
	SQL_TOK_PARAM,				/* $1 */
	SQL_TOK_PUNCT,				/* ( ) , ; . [ ]: see punct */
	SQL_TOK_COMMENT,			/* -- line or nested block comment */
	SQL_TOK_ERROR				/* unterminated string, comment, identifier or dollar quote */
} sql_token_kind;

/* sql_token.flags */
#define SQL_TOKF_QUOTED		0x01	/* "identifier": text excludes the quotes; "" stays doubled */
#define SQL_TOKF_UNICODE	0x02	/* U&'..' or U&"..": escapes not decoded */
#define SQL_TOKF_ESCAPE		0x04	/* E'..' (backslash escapes) */
#define SQL_TOKF_DOLLAR		0x08	/* $tag$..$tag$ */
#define SQL_TOKF_BLOCK		0x10	/* block comment (else line comment) */

typedef struct sql_token
{
	sql_token_kind kind;
	sql_keyword keyword;		/* SQL_KW_NOT_KEYWORD unless kind is SQL_TOK_KEYWORD */
	uint16_t	flags;
	char		punct;			/* the character when kind is SQL_TOK_PUNCT */
	const char *start;			/* the token's text (for quoted identifiers: inside the quotes) */
	size_t		len;
	size_t		offset;			/* where the token starts in the buffer, quotes included */
} sql_token;

typedef struct sql_lexer
{
	const char *text;
	size_t		len;
	size_t		pos;
	bool		backslash_escapes;	/* standard_conforming_strings = off: '..' takes \ escapes */
} sql_lexer;

void		sql_lexer_init(sql_lexer *lx, const char *text, size_t len);

/* Fills tok with the next token; false at the end of the text or on an error token. */
bool		sql_next_token(sql_lexer *lx, sql_token *tok);

/* The keyword spelled by word (any case), or SQL_KW_NOT_KEYWORD. */
sql_keyword sql_keyword_lookup(const char *word, size_t len);

/* The keyword's category, and its upper-case spelling. */
sql_keyword_category sql_keyword_category_of(sql_keyword kw);
const char *sql_keyword_name(sql_keyword kw);

#endif
