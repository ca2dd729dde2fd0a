/*
 * Unit tests of the statement classifier: the statement table (kind and read-only), and the details
 * the router relies on: names, temp tables, transaction and session effects, hints, splitting,
 * bounded lists and very long statements.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/sql_classify.h"
#include "unit/runner.h"
#include "unit/test_parser.h"

static void
classify(const char *sql, sql_class *c)
{
	sql_classify(sql, strlen(sql), c);
}

static bool
name_is(const sql_name *n, const char *schema, const char *name)
{
	if (schema == NULL ? n->schema != NULL : (n->schema == NULL || n->schema_len != strlen(schema) ||
											  memcmp(n->schema, schema, n->schema_len) != 0))
		return false;
	return n->name_len == strlen(name) && memcmp(n->name, name, n->name_len) == 0;
}

static void
test_table(void)
{
	int			failures = 0;

	for (int i = 0; i < parser_case_count; i++)
	{
		const parser_case *pc = &parser_cases[i];
		sql_class	c;

		classify(pc->sql, &c);
		if (c.kind == pc->kind && c.is_read_only == pc->read_only && c.is_write == !pc->read_only)
			continue;
		failures++;
		printf("\n  case %d: %s\n    expected %s %s, got %s %s (reasons 0x%x)", i, pc->sql,
			   sql_kind_name(pc->kind), pc->read_only ? "read" : "write", sql_kind_name(c.kind),
			   c.is_read_only ? "read" : "write", c.write_reasons);
	}
	CU_ASSERT_EQUAL(failures, 0);
	CU_ASSERT(parser_case_count >= 300);
}

static void
test_functions_and_tables(void)
{
	sql_class	c;

	classify("SELECT s.f(a), g(), \"Q\"(1), count(*), s.f(b) FROM s.t1 JOIN t2 ON true, "
			 "\"T 3\" WHERE x IN (SELECT y FROM t4)", &c);
	CU_ASSERT_TRUE(c.is_read_only);
	CU_ASSERT_EQUAL_FATAL(c.function_count, 4);
	CU_ASSERT(name_is(&c.functions[0], "s", "f"));
	CU_ASSERT(name_is(&c.functions[1], NULL, "g"));
	CU_ASSERT(name_is(&c.functions[2], NULL, "Q") && c.functions[2].name_quoted);
	CU_ASSERT(name_is(&c.functions[3], NULL, "count"));
	CU_ASSERT_EQUAL_FATAL(c.table_count, 4);
	CU_ASSERT(name_is(&c.tables[0], "s", "t1"));
	CU_ASSERT(name_is(&c.tables[1], NULL, "t2"));
	CU_ASSERT(name_is(&c.tables[2], NULL, "T 3"));
	CU_ASSERT(name_is(&c.tables[3], NULL, "t4"));
	CU_ASSERT_TRUE(sql_name_is(&c.functions[3], "count"));
	/* aliases, casts and type modifiers are not calls; FROM inside extract() is not a table */
	classify("SELECT a::numeric(10,2), CAST(b AS varchar(3)), extract(day FROM ts) FROM tab x(a, b)", &c);
	CU_ASSERT_EQUAL(c.function_count, 1);
	CU_ASSERT_EQUAL_FATAL(c.table_count, 1);
	CU_ASSERT(name_is(&c.tables[0], NULL, "tab"));
}

static void
test_overflow(void)
{
	char		sql[4096] = "SELECT ";
	sql_class	c;

	for (int i = 0; i < SQL_MAX_FUNCTIONS + 1; i++)
		sprintf(sql + strlen(sql), "%sf%d()", i ? ", " : "", i);
	classify(sql, &c);
	CU_ASSERT_TRUE(c.functions_overflow);
	CU_ASSERT_EQUAL(c.function_count, SQL_MAX_FUNCTIONS);
	CU_ASSERT_TRUE(c.is_write);
	CU_ASSERT(c.write_reasons & SQL_WRITE_OVERFLOW);
	strcpy(sql, "SELECT 1 FROM t0");
	for (int i = 1; i < SQL_MAX_TABLES + 1; i++)
		sprintf(sql + strlen(sql), ", t%d", i);
	classify(sql, &c);
	CU_ASSERT_TRUE(c.tables_overflow);
	CU_ASSERT_TRUE(c.is_write);
	/* the same function many times is one entry */
	classify("SELECT f(), f(), F(), f(), f(), f(), f(), f(), f(), f(), f(), f(), f(), f(), f(), f(), f(), f()", &c);
	CU_ASSERT_EQUAL(c.function_count, 1);
	CU_ASSERT_TRUE(c.is_read_only);
}

static void
test_temp_tables(void)
{
	sql_class	c;

	classify("CREATE TEMP TABLE IF NOT EXISTS s.tt (a int) ON COMMIT DROP", &c);
	CU_ASSERT_TRUE(c.temp_table_created.present);
	CU_ASSERT_TRUE(c.temp_table_created.on_commit_drop);
	CU_ASSERT(name_is(&c.temp_table_created.name, "s", "tt"));
	CU_ASSERT(c.session_effect & SQL_SESSION_TEMP_OBJECT);
	classify("CREATE TEMPORARY TABLE tt AS SELECT 1", &c);
	CU_ASSERT_TRUE(c.temp_table_created.present);
	CU_ASSERT_FALSE(c.temp_table_created.on_commit_drop);
	classify("CREATE TABLE t (a int)", &c);
	CU_ASSERT_FALSE(c.temp_table_created.present);
	CU_ASSERT_EQUAL(c.session_effect, 0);
	classify("DROP TABLE IF EXISTS a, s.b, \"C\" CASCADE", &c);
	CU_ASSERT_EQUAL_FATAL(c.temp_table_dropped.count, 3);
	CU_ASSERT(name_is(&c.temp_table_dropped.names[0], NULL, "a"));
	CU_ASSERT(name_is(&c.temp_table_dropped.names[1], "s", "b"));
	CU_ASSERT(name_is(&c.temp_table_dropped.names[2], NULL, "C"));
}

static void
test_transaction_effects(void)
{
	static const struct
	{
		const char *sql;
		sql_tx_effect tx;
	}			cases[] = {
		{"BEGIN", SQL_TX_BEGIN}, {"START TRANSACTION READ ONLY", SQL_TX_BEGIN}, {"COMMIT", SQL_TX_COMMIT},
		{"END", SQL_TX_COMMIT}, {"ROLLBACK", SQL_TX_ROLLBACK}, {"ABORT", SQL_TX_ROLLBACK},
		{"SAVEPOINT a", SQL_TX_SAVEPOINT}, {"RELEASE a", SQL_TX_RELEASE}, {"ROLLBACK TO a", SQL_TX_ROLLBACK_TO},
		{"PREPARE TRANSACTION 'x'", SQL_TX_PREPARE}, {"COMMIT PREPARED 'x'", SQL_TX_COMMIT_PREPARED},
		{"ROLLBACK PREPARED 'x'", SQL_TX_ROLLBACK_PREPARED}, {"BEGIN; SELECT 1; COMMIT", SQL_TX_COMMIT},
		{"SELECT 1", SQL_TX_NONE}, {"SET TRANSACTION READ ONLY", SQL_TX_NONE},
	};
	sql_class	c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		classify(cases[i].sql, &c);
		CU_ASSERT_EQUAL(c.tx_effect, cases[i].tx);
	}
	classify("COMMIT AND CHAIN", &c);
	CU_ASSERT_TRUE(c.tx_chain);
	classify("ROLLBACK AND NO CHAIN", &c);
	CU_ASSERT_FALSE(c.tx_chain);
	classify("ROLLBACK TO SAVEPOINT sp1", &c);
	CU_ASSERT(name_is(&c.object, NULL, "sp1"));
	classify("BEGIN ISOLATION LEVEL SERIALIZABLE", &c);
	CU_ASSERT_TRUE(c.serializable);
	classify("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", &c);
	CU_ASSERT_TRUE(c.serializable);
	classify("SET default_transaction_isolation TO 'serializable'", &c);
	CU_ASSERT_TRUE(c.serializable);
	classify("BEGIN ISOLATION LEVEL READ COMMITTED", &c);
	CU_ASSERT_FALSE(c.serializable);
	classify("SELECT 'isolation level serializable'", &c);
	CU_ASSERT_FALSE(c.serializable);
}

static void
test_session_effects(void)
{
	static const struct
	{
		const char *sql;
		uint16_t	effect;
	}			cases[] = {
		{"SET a = 1", SQL_SESSION_SET}, {"SET LOCAL a = 1", SQL_SESSION_SET_LOCAL},
		{"SET TRANSACTION READ ONLY", SQL_SESSION_SET_LOCAL}, {"RESET ALL", SQL_SESSION_RESET},
		{"DISCARD ALL", SQL_SESSION_DISCARD}, {"LISTEN c", SQL_SESSION_LISTEN}, {"UNLISTEN *", SQL_SESSION_UNLISTEN},
		{"PREPARE p AS SELECT 1", SQL_SESSION_PREPARE}, {"DEALLOCATE p", SQL_SESSION_DEALLOCATE},
		{"DECLARE c CURSOR WITH HOLD FOR SELECT 1", SQL_SESSION_DECLARE_HOLD},
		{"CREATE TEMP SEQUENCE s", SQL_SESSION_TEMP_OBJECT}, {"SELECT pg_advisory_lock(1)", SQL_SESSION_ADVISORY_LOCK},
		{"SELECT set_config('a', 'b', false)", SQL_SESSION_SET}, {"LOAD 'x'", SQL_SESSION_LOAD},
		{"SELECT pg_advisory_xact_lock(1)", 0}, {"DECLARE c CURSOR FOR SELECT 1", 0}, {"SELECT 1", 0},
	};
	sql_class	c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		classify(cases[i].sql, &c);
		CU_ASSERT_EQUAL(c.session_effect, cases[i].effect);
	}
}

static void
test_objects_and_bodies(void)
{
	sql_class	c;

	classify("PREPARE q1(int) AS SELECT $1", &c);
	CU_ASSERT(name_is(&c.object, NULL, "q1"));
	CU_ASSERT_EQUAL(c.inner_kind, SQL_KIND_SELECT);
	CU_ASSERT_TRUE(c.body_read_only);
	CU_ASSERT_TRUE(c.is_write);
	classify("PREPARE q2 AS DELETE FROM t", &c);
	CU_ASSERT_EQUAL(c.inner_kind, SQL_KIND_DELETE);
	CU_ASSERT_FALSE(c.body_read_only);
	classify("EXECUTE q1(5)", &c);
	CU_ASSERT(name_is(&c.object, NULL, "q1"));
	classify("FETCH FORWARD 3 FROM \"Cur\"", &c);
	CU_ASSERT(name_is(&c.object, NULL, "Cur"));
	CU_ASSERT_EQUAL(c.table_count, 0);
	classify("EXPLAIN (ANALYZE false) SELECT 1", &c);
	CU_ASSERT_FALSE(c.explain_analyze);
	classify("EXPLAIN ANALYZE SELECT 1", &c);
	CU_ASSERT_TRUE(c.explain_analyze);
	CU_ASSERT_TRUE(c.is_read_only);
}

static void
test_hint_and_counts(void)
{
	sql_class	c;

	classify("/*NO LOAD BALANCE*/ SELECT 1", &c);
	CU_ASSERT_TRUE(c.no_load_balance_hint);
	CU_ASSERT(c.write_reasons & SQL_WRITE_HINT);
	classify("SELECT 1 /*NO LOAD BALANCE*/", &c);
	CU_ASSERT_FALSE(c.no_load_balance_hint);
	classify("/* NO LOAD BALANCING */ SELECT 1", &c);
	CU_ASSERT_FALSE(c.no_load_balance_hint);
	classify("SELECT 1; ; SELECT 2; -- c", &c);
	CU_ASSERT_EQUAL(c.statement_count, 2);
	classify("", &c);
	CU_ASSERT_EQUAL(c.statement_count, 0);
	CU_ASSERT_EQUAL(c.kind, SQL_KIND_EMPTY);
	classify("SELECT 'abc", &c);
	CU_ASSERT_TRUE(c.lex_error);
	CU_ASSERT(c.write_reasons & SQL_WRITE_UNCERTAIN);
}

static void
test_split(void)
{
	const char *text = "SELECT 1; /* c */ SELECT ';' ;; CREATE FUNCTION f() RETURNS int LANGUAGE sql "
		"BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END; CREATE RULE r AS ON INSERT TO t "
		"DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT $$;$$";
	sql_span	spans[8];
	int			n = sql_split(text, strlen(text), spans, 8);

	CU_ASSERT_EQUAL_FATAL(n, 5);
	CU_ASSERT_EQUAL(spans[0].offset, 0);
	CU_ASSERT_EQUAL(spans[0].len, 8);
	CU_ASSERT_EQUAL(strncmp(text + spans[1].offset, "SELECT ';'", spans[1].len), 0);
	CU_ASSERT_EQUAL(strncmp(text + spans[2].offset + spans[2].len - 3, "END", 3), 0);
	CU_ASSERT_EQUAL(strncmp(text + spans[4].offset, "SELECT $$;$$", spans[4].len), 0);
	CU_ASSERT_EQUAL(sql_split("SELECT 'x", 9, spans, 8), -1);
	CU_ASSERT_EQUAL(sql_split(" -- nothing", 11, spans, 8), 0);
}

static void
test_long_statements(void)
{
	size_t		n = 2 * 1024 * 1024;
	char	   *sql = malloc(n + 64);
	size_t		len;
	sql_class	c;

	strcpy(sql, "SELECT 1");
	len = strlen(sql);
	while (len + 16 < n)
	{
		memcpy(sql + len, " + 1 /* c */", 12);
		len += 12;
	}
	memcpy(sql + len, " FROM t", 7);
	len += 7;
	sql_classify(sql, len, &c);
	CU_ASSERT_TRUE(c.is_read_only);
	CU_ASSERT_EQUAL(c.table_count, 1);
	memcpy(sql + len, " FOR UPDATE", 11);
	sql_classify(sql, len + 11, &c);
	CU_ASSERT_TRUE(c.is_write);
	/* deeper nesting than the scanner tracks is a write */
	len = 0;
	len += (size_t) sprintf(sql, "SELECT ");
	for (int i = 0; i < 100; i++)
		sql[len++] = '(';
	sql[len++] = '1';
	for (int i = 0; i < 100; i++)
		sql[len++] = ')';
	sql_classify(sql, len, &c);
	CU_ASSERT_TRUE(c.is_write);
	CU_ASSERT(c.write_reasons & SQL_WRITE_UNCERTAIN);
	free(sql);
}

static void
test_backslash_option(void)
{
	const char *sql = "SELECT 'x\\''; DELETE FROM t; --'";
	sql_class	c;

	sql_classify_ex(sql, strlen(sql), SQL_CLASSIFY_BACKSLASH_QUOTES, &c);
	CU_ASSERT_TRUE(c.is_write);
	CU_ASSERT_EQUAL(c.statement_count, 2);
}

static CU_TestInfo classify_tests[] = {
	{"statement table: kind and read/write", test_table},
	{"function and table names", test_functions_and_tables},
	{"bounded lists overflow to a write", test_overflow},
	{"temporary tables created and dropped", test_temp_tables},
	{"transaction effects and serializable", test_transaction_effects},
	{"session effects", test_session_effects},
	{"object names and inner statements", test_objects_and_bodies},
	{"hint, counts and errors", test_hint_and_counts},
	{"split at top-level semicolons", test_split},
	{"very long and deeply nested statements", test_long_statements},
	{"standard_conforming_strings off", test_backslash_option},
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{"lexer", NULL, NULL, NULL, NULL, parser_lexer_tests},
	{"classify", NULL, NULL, NULL, NULL, classify_tests},
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return unit_run("test_parser", suites);
}
