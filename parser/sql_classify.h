/*
 * The statement classifier the router asks "may this run on a standby?": statement kind, transaction
 * and session effects, function and table names. It lexes the caller's buffer once and fills a
 * fixed-size result; whatever it cannot be sure of counts as a write.
 */
#ifndef PGNG_SQL_CLASSIFY_H
#define PGNG_SQL_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SQL_MAX_FUNCTIONS 16
#define SQL_MAX_TABLES 16
#define SQL_MAX_DROPPED 8

typedef enum sql_kind
{
	SQL_KIND_EMPTY,				/* nothing but white space, comments and semicolons */
	SQL_KIND_UNKNOWN,			/* not recognised: a write */
	SQL_KIND_SELECT,
	SQL_KIND_VALUES,
	SQL_KIND_TABLE,
	SQL_KIND_INSERT,
	SQL_KIND_UPDATE,
	SQL_KIND_DELETE,
	SQL_KIND_MERGE,
	SQL_KIND_DDL,				/* CREATE, ALTER, DROP, COMMENT, GRANT, REVOKE, SECURITY LABEL, ... */
	SQL_KIND_TRUNCATE,
	SQL_KIND_TRANSACTION,		/* BEGIN, START, COMMIT, END, ROLLBACK, ABORT, SAVEPOINT, RELEASE, ... */
	SQL_KIND_SET,
	SQL_KIND_RESET,
	SQL_KIND_SHOW,
	SQL_KIND_COPY_TO,
	SQL_KIND_COPY_FROM,
	SQL_KIND_LOCK,
	SQL_KIND_PREPARE,
	SQL_KIND_EXECUTE,
	SQL_KIND_DEALLOCATE,
	SQL_KIND_LISTEN,
	SQL_KIND_NOTIFY,
	SQL_KIND_UNLISTEN,
	SQL_KIND_DISCARD,
	SQL_KIND_VACUUM,
	SQL_KIND_ANALYZE,
	SQL_KIND_CLUSTER,
	SQL_KIND_REINDEX,
	SQL_KIND_CHECKPOINT,
	SQL_KIND_REFRESH,
	SQL_KIND_LOAD,
	SQL_KIND_EXPLAIN,
	SQL_KIND_DO,
	SQL_KIND_CALL,
	SQL_KIND_FETCH,
	SQL_KIND_MOVE,
	SQL_KIND_DECLARE,
	SQL_KIND_CLOSE,
	SQL_KIND_COUNT_
} sql_kind;

typedef enum sql_tx_effect
{
	SQL_TX_NONE,
	SQL_TX_BEGIN,				/* BEGIN, START TRANSACTION */
	SQL_TX_COMMIT,				/* COMMIT, END */
	SQL_TX_ROLLBACK,			/* ROLLBACK, ABORT */
	SQL_TX_SAVEPOINT,
	SQL_TX_RELEASE,
	SQL_TX_ROLLBACK_TO,
	SQL_TX_PREPARE,				/* PREPARE TRANSACTION */
	SQL_TX_COMMIT_PREPARED,
	SQL_TX_ROLLBACK_PREPARED
} sql_tx_effect;

/* sql_class.session_effect: state that must reach every backend of the session, or pin it. */
#define SQL_SESSION_SET			0x0001	/* SET [SESSION], set_config(..., false) */
#define SQL_SESSION_SET_LOCAL	0x0002	/* SET LOCAL, SET TRANSACTION, SET CONSTRAINTS */
#define SQL_SESSION_RESET		0x0004
#define SQL_SESSION_DISCARD		0x0008
#define SQL_SESSION_LISTEN		0x0010
#define SQL_SESSION_UNLISTEN	0x0020
#define SQL_SESSION_PREPARE		0x0040	/* PREPARE name AS ... */
#define SQL_SESSION_DEALLOCATE	0x0080
#define SQL_SESSION_DECLARE_HOLD 0x0100
#define SQL_SESSION_TEMP_OBJECT 0x0200	/* CREATE TEMP TABLE / VIEW / SEQUENCE */
#define SQL_SESSION_ADVISORY_LOCK 0x0400	/* pg_advisory_lock*() and friends */
#define SQL_SESSION_LOAD		0x0800

/* sql_class.write_reasons: why is_write is true. */
#define SQL_WRITE_STATEMENT		0x0001	/* the statement kind writes or runs arbitrary code */
#define SQL_WRITE_LOCKING		0x0002	/* SELECT ... FOR UPDATE / SHARE / NO KEY UPDATE / KEY SHARE */
#define SQL_WRITE_INTO			0x0004	/* SELECT ... INTO */
#define SQL_WRITE_CTE			0x0008	/* INSERT / UPDATE / DELETE / MERGE inside WITH or a subquery */
#define SQL_WRITE_FUNCTION		0x0010	/* a known writer: nextval, setval, pg_advisory_lock, ... */
#define SQL_WRITE_SESSION		0x0020	/* transaction control or session state */
#define SQL_WRITE_OVERFLOW		0x0040	/* more functions or tables than the lists hold */
#define SQL_WRITE_UNCERTAIN		0x0080	/* lexical error, unknown statement, unbalanced or too deep */
#define SQL_WRITE_HINT			0x0100	/* leading NO LOAD BALANCE comment */

/* A possibly schema-qualified name, pointing into the classified text (not NUL-terminated). */
typedef struct sql_name
{
	const char *schema;			/* NULL when unqualified */
	const char *name;
	uint32_t	schema_len;
	uint32_t	name_len;
	bool		schema_quoted;	/* "quoted": the text is inside the quotes, "" left doubled */
	bool		name_quoted;
} sql_name;

typedef struct sql_class
{
	sql_kind	kind;			/* the first statement's kind */
	sql_kind	inner_kind;		/* under EXPLAIN, PREPARE, DECLARE or COPY (query); else EMPTY */
	bool		is_write;		/* must run on the primary (includes transaction and session control) */
	bool		is_read_only;	/* may run on a standby: every statement reads only */
	bool		body_read_only; /* the statement under EXPLAIN / PREPARE / DECLARE / COPY reads only */
	bool		lex_error;		/* unterminated string, comment, identifier or dollar quote */
	bool		no_load_balance_hint;
	bool		serializable;	/* ISOLATION LEVEL SERIALIZABLE, or transaction_isolation set so */
	bool		explain_analyze;
	bool		tx_chain;		/* COMMIT / ROLLBACK AND CHAIN */
	uint16_t	write_reasons;	/* SQL_WRITE_* */
	uint16_t	session_effect; /* SQL_SESSION_* of all statements */
	sql_tx_effect tx_effect;	/* the last transaction-control effect in the text */
	int			statement_count;	/* non-empty statements */
	sql_name	object;			/* PREPARE/EXECUTE/DEALLOCATE/DECLARE/FETCH/MOVE/CLOSE/LISTEN/UNLISTEN/
								 * NOTIFY/SAVEPOINT/RELEASE/ROLLBACK TO name, first statement that has one */
	int			function_count;
	bool		functions_overflow;
	sql_name	functions[SQL_MAX_FUNCTIONS];	/* called functions, each once */
	int			table_count;
	bool		tables_overflow;
	sql_name	tables[SQL_MAX_TABLES]; /* after FROM, JOIN, INTO, UPDATE, TABLE, USING, ... each once */
	struct
	{
		bool		present;
		bool		on_commit_drop;
		sql_name	name;
	}			temp_table_created; /* CREATE TEMP / TEMPORARY TABLE */
	struct
	{
		int			count;
		bool		overflow;
		sql_name	names[SQL_MAX_DROPPED];
	}			temp_table_dropped; /* DROP TABLE names (any of them may be a temporary table) */
} sql_class;

/* sql_classify_ex flags */
#define SQL_CLASSIFY_BACKSLASH_QUOTES 0x01	/* standard_conforming_strings = off */

void		sql_classify(const char *text, size_t len, sql_class *out);
void		sql_classify_ex(const char *text, size_t len, unsigned flags, sql_class *out);

/* A statement's place in the text: [offset, offset + len), without the terminating semicolon. */
typedef struct sql_span
{
	size_t		offset;
	size_t		len;
} sql_span;

/*
 * Splits text at top-level semicolons (not inside parentheses or a BEGIN ATOMIC body) into at most
 * max spans; returns how many non-empty statements there are, which may exceed max. -1 on a
 * lexical error.
 */
int			sql_split(const char *text, size_t len, sql_span *spans, int max);

const char *sql_kind_name(sql_kind kind);

/* Case-insensitive match of an unquoted name (exact when quoted) against a lower-case word. */
bool		sql_name_is(const sql_name *name, const char *lower_word);

#endif
