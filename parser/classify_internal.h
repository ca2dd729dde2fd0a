/*
 * Shared by the classifier's files: the token scanner (one token of lookahead, parenthesis depth,
 * statement ends) and the per-statement state the handlers and the generic scan fill in.
 */
#ifndef PGNG_PARSER_CLASSIFY_INTERNAL_H
#define PGNG_PARSER_CLASSIFY_INTERNAL_H

#include "parser/sql_classify.h"
#include "parser/sql_lexer.h"

#define SCAN_MAX_DEPTH 63

typedef struct scan
{
	sql_lexer	lx;
	sql_token	cur;			/* the token being looked at (never a comment) */
	sql_token	next;			/* one token of lookahead */
	sql_token_kind prev_kind;	/* the token before cur */
	sql_keyword prev_kw;
	char		prev_punct;
	bool		prev_cast;		/* prev was the :: operator */
	int			depth;			/* parentheses open at cur; '(' and ')' count as inside */
	uint64_t	func_parens;	/* bit d: the parenthesis at depth d holds a function's arguments */
	uint64_t	from_lists;		/* bit d: a FROM list is open at depth d */
	bool		next_paren_is_func; /* the coming '(' opens function arguments */
	bool		lex_error;
	bool		unbalanced;		/* ')' without '(' or nesting beyond SCAN_MAX_DEPTH */
	bool		dml_in_parens;	/* '(' followed by INSERT/UPDATE/DELETE/MERGE in this statement */
	bool		hint;			/* NO LOAD BALANCE comment before a statement's first token */
	bool		fetched_stmt_start; /* the last token put into next began a statement */
	int			stmt_token_index;	/* cur's index within its statement */
	bool		create_lead;	/* the statement starts with CREATE */
	bool		atomic_possible;	/* CREATE [OR REPLACE] FUNCTION / PROCEDURE */
	int			atomic_depth;	/* open BEGIN ATOMIC / CASE blocks in such a body */
} scan;

/* What one statement turned out to be. */
typedef struct stmt
{
	sql_class  *out;			/* lists (functions, tables, temp tables) go straight here */
	sql_kind	kind;
	sql_kind	inner_kind;
	bool		has_inner;
	bool		select_like;	/* look for FOR UPDATE, INTO, DML in parentheses */
	bool		expect_table;	/* the next name is a table */
	bool		drop_list;		/* names go to temp_table_dropped */
	bool		table_list;		/* commas at depth 0 continue a list of tables */
	bool		copy_pending;	/* COPY whose direction is still to be seen */
	bool		creating_temp;	/* look for ON COMMIT DROP */
	bool		serializable_value; /* SET transaction_isolation: a value that says serializable */
	uint16_t	outer_write;	/* reasons from the statement's own kind */
	uint16_t	write;			/* reasons from its body */
	uint16_t	session;
	sql_tx_effect tx;
	bool		tx_chain;
	bool		explain_analyze;
	bool		serializable;
	bool		has_object;
	sql_name	object;
} stmt;

/* scan.c */
void		scan_init(scan *s, const char *text, size_t len, unsigned flags);
void		scan_advance(scan *s);
bool		scan_at_stmt_end(const scan *s);
bool		scan_at_text_end(const scan *s);
bool		tok_is_kw(const sql_token *t, sql_keyword kw);
bool		tok_is_punct(const sql_token *t, char c);
bool		tok_is_name(const sql_token *t);
bool		scan_in_func_parens(const scan *s);

/* classify_stmt.c: reads the statement's leading tokens; inner for EXPLAIN/PREPARE/DECLARE bodies */
void		classify_lead(scan *s, stmt *st, bool inner);
bool		kind_is_read_only(sql_kind kind);

/* classify.c */
void		stmt_take_name(scan *s, sql_name *name);
void		stmt_skip_to_end(scan *s);
void		stmt_scan_token(scan *s, stmt *st);
void		stmt_record_table(stmt *st, const sql_name *t);

#endif
