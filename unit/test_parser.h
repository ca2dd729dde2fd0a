/*
 * Shared by the parser's test programs: the table of classified statements (unit/test_parser_table.c)
 * and the facts the differential test reads from libpg_query's JSON parse tree (test_parser_json.c).
 */
#ifndef PGNG_UNIT_TEST_PARSER_H
#define PGNG_UNIT_TEST_PARSER_H

#include <CUnit/CUnit.h>
#include <stdbool.h>

#include "parser/sql_classify.h"

/* One statement of the table with its expected kind and whether it may run on a standby. */
typedef struct parser_case
{
	const char *sql;
	sql_kind	kind;
	bool		read_only;
} parser_case;

extern const parser_case parser_cases[];
extern const int parser_case_count;

extern CU_TestInfo parser_lexer_tests[];

/* What a JSON parse tree of one statement says (node names truncated to 63 bytes). */
typedef struct tree_facts
{
	char		top[64];		/* the statement's node type, "" when none */
	char		inner[64];		/* the node under the first "query" key (EXPLAIN, COPY, ...) */
	int			statements;		/* "stmt" entries: more than one for a multi-statement string */
	int			dml_nodes;		/* InsertStmt, UpdateStmt, DeleteStmt, MergeStmt anywhere */
	bool		locking;		/* lockingClause */
	bool		into;			/* intoClause */
	bool		func_call;		/* FuncCall */
	bool		is_from;		/* CopyStmt.is_from */
	bool		filename;		/* CopyStmt.filename (a server file or program) */
	bool		is_move;		/* FetchStmt.ismove */
	bool		var_reset;		/* VariableSetStmt kind VAR_RESET / VAR_RESET_ALL */
} tree_facts;

void		tree_facts_read(const char *json, tree_facts *facts);

#endif
