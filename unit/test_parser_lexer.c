/*
 * Unit tests of the SQL lexer: token kinds, quoting forms, comments, dollar quotes, numbers,
 * operators, parameters, keyword lookup and the error token for unterminated input.
 */
#include <string.h>

#include "parser/sql_lexer.h"
#include "unit/test_parser.h"

#define MAX_TOKENS 32

/* Lexes text into toks (comments included); returns the count, the END or ERROR token last. */
static int
lex_all(const char *text, sql_token *toks)
{
	sql_lexer	lx;
	int			n = 0;

	sql_lexer_init(&lx, text, strlen(text));
	while (n < MAX_TOKENS && sql_next_token(&lx, &toks[n++]))
		;
	return n;
}

static bool
tok_text_is(const sql_token *t, const char *text)
{
	return t->len == strlen(text) && memcmp(t->start, text, t->len) == 0;
}

static void
test_words_and_keywords(void)
{
	sql_token	t[MAX_TOKENS];
	int			n = lex_all("SeLeCt my_col$1 FROM \"Quoted \"\" Id\" U&\"d\\0061t\"", t);

	CU_ASSERT_EQUAL_FATAL(n, 6);
	CU_ASSERT_EQUAL(t[0].kind, SQL_TOK_KEYWORD);
	CU_ASSERT_EQUAL(t[0].keyword, SQL_KW_SELECT);
	CU_ASSERT_EQUAL(t[1].kind, SQL_TOK_IDENT);
	CU_ASSERT(tok_text_is(&t[1], "my_col$1"));
	CU_ASSERT_EQUAL(t[2].keyword, SQL_KW_FROM);
	CU_ASSERT_EQUAL(t[3].kind, SQL_TOK_IDENT);
	CU_ASSERT(t[3].flags & SQL_TOKF_QUOTED);
	CU_ASSERT(tok_text_is(&t[3], "Quoted \"\" Id"));
	CU_ASSERT(t[4].flags & SQL_TOKF_UNICODE);
	CU_ASSERT(tok_text_is(&t[4], "d\\0061t"));
	CU_ASSERT_EQUAL(t[5].kind, SQL_TOK_END);
	CU_ASSERT_EQUAL(sql_keyword_lookup("current_timestamp", 17), SQL_KW_CURRENT_TIMESTAMP);
	CU_ASSERT_EQUAL(sql_keyword_lookup("NONE", 4), SQL_KW_NONE);
	CU_ASSERT_EQUAL(sql_keyword_lookup("selec", 5), SQL_KW_NOT_KEYWORD);
	CU_ASSERT_STRING_EQUAL(sql_keyword_name(SQL_KW_ABORT), "ABORT");
	CU_ASSERT_EQUAL(sql_keyword_category_of(SQL_KW_SELECT), SQL_KWCAT_R);
	CU_ASSERT_EQUAL(sql_keyword_category_of(SQL_KW_ABORT), SQL_KWCAT_U);
}

static void
test_strings(void)
{
	sql_token	t[MAX_TOKENS];
	int			n = lex_all("'a''b' E'c\\'d' B'01' X'ff' N'n' U&'u' $$x;y$$ $tag$ $$ $tag$", t);

	CU_ASSERT_EQUAL_FATAL(n, 9);
	for (int i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(t[i].kind, SQL_TOK_STRING);
	CU_ASSERT(tok_text_is(&t[0], "'a''b'"));
	CU_ASSERT(t[1].flags & SQL_TOKF_ESCAPE);
	CU_ASSERT(tok_text_is(&t[1], "E'c\\'d'"));
	CU_ASSERT(t[5].flags & SQL_TOKF_UNICODE);
	CU_ASSERT(t[6].flags & SQL_TOKF_DOLLAR);
	CU_ASSERT(tok_text_is(&t[6], "$$x;y$$"));
	CU_ASSERT(tok_text_is(&t[7], "$tag$ $$ $tag$"));
}

static void
test_comments(void)
{
	sql_token	t[MAX_TOKENS];
	int			n = lex_all("/* a /* b */ c */ x -- line ; y\nz", t);

	CU_ASSERT_EQUAL_FATAL(n, 5);
	CU_ASSERT_EQUAL(t[0].kind, SQL_TOK_COMMENT);
	CU_ASSERT(t[0].flags & SQL_TOKF_BLOCK);
	CU_ASSERT(tok_text_is(&t[0], "/* a /* b */ c */"));
	CU_ASSERT(tok_text_is(&t[1], "x"));
	CU_ASSERT_EQUAL(t[2].kind, SQL_TOK_COMMENT);
	CU_ASSERT(tok_text_is(&t[2], "-- line ; y"));
	CU_ASSERT(tok_text_is(&t[3], "z"));
}

static void
test_numbers_operators_params(void)
{
	sql_token	t[MAX_TOKENS];
	int			n = lex_all("1 1.5 .5 1e10 2.5E-3 0x1F 1_000 $1 $23 a::int <> >= ||/ -1 ( ) , ; . [ ] :=", t);
	const sql_token_kind kinds[] = {
		SQL_TOK_NUMBER, SQL_TOK_NUMBER, SQL_TOK_NUMBER, SQL_TOK_NUMBER, SQL_TOK_NUMBER, SQL_TOK_NUMBER,
		SQL_TOK_NUMBER, SQL_TOK_PARAM, SQL_TOK_PARAM, SQL_TOK_IDENT, SQL_TOK_OPERATOR, SQL_TOK_KEYWORD,
		SQL_TOK_OPERATOR, SQL_TOK_OPERATOR, SQL_TOK_OPERATOR, SQL_TOK_OPERATOR, SQL_TOK_NUMBER,
		SQL_TOK_PUNCT, SQL_TOK_PUNCT, SQL_TOK_PUNCT, SQL_TOK_PUNCT, SQL_TOK_PUNCT, SQL_TOK_PUNCT,
		SQL_TOK_PUNCT, SQL_TOK_OPERATOR, SQL_TOK_END
	};

	CU_ASSERT_EQUAL_FATAL(n, (int) (sizeof(kinds) / sizeof(kinds[0])));
	for (int i = 0; i < n; i++)
		CU_ASSERT_EQUAL(t[i].kind, kinds[i]);
	CU_ASSERT(tok_text_is(&t[4], "2.5E-3"));
	CU_ASSERT(tok_text_is(&t[10], "::"));
	CU_ASSERT(tok_text_is(&t[14], "||/"));
	CU_ASSERT_EQUAL(t[17].punct, '(');
	CU_ASSERT_EQUAL(t[20].punct, ';');
}

static void
test_operator_stops_at_comment(void)
{
	sql_token	t[MAX_TOKENS];
	int			n = lex_all("a+-- c\n+/* d */b", t);

	CU_ASSERT_EQUAL_FATAL(n, 7);
	CU_ASSERT(tok_text_is(&t[1], "+"));
	CU_ASSERT_EQUAL(t[2].kind, SQL_TOK_COMMENT);
	CU_ASSERT(tok_text_is(&t[3], "+"));
	CU_ASSERT_EQUAL(t[4].kind, SQL_TOK_COMMENT);
}

static void
test_errors(void)
{
	const char *bad[] = {"'abc", "E'abc\\'", "\"abc", "/* a /* b */", "$x$ abc $y$", "U&'abc", "x'01"};
	sql_token	t[MAX_TOKENS];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		int			n = lex_all(bad[i], t);

		CU_ASSERT_EQUAL(t[n - 1].kind, SQL_TOK_ERROR);
	}
}

static void
test_backslash_quotes(void)
{
	sql_lexer	lx;
	sql_token	t;
	const char *text = "'a\\'b' x";

	sql_lexer_init(&lx, text, strlen(text));
	lx.backslash_escapes = true;
	CU_ASSERT_TRUE(sql_next_token(&lx, &t));
	CU_ASSERT(tok_text_is(&t, "'a\\'b'"));
	sql_lexer_init(&lx, text, strlen(text));
	CU_ASSERT_TRUE(sql_next_token(&lx, &t));
	CU_ASSERT(tok_text_is(&t, "'a\\'"));
}

/* The lexer must never read past len, even when the buffer is not NUL-terminated. */
static void
test_bounded_by_len(void)
{
	sql_lexer	lx;
	sql_token	t;
	const char	text[] = {'S', 'E', 'L', 'E', 'C', 'T', ' ', '1', '\'', 'x'};

	sql_lexer_init(&lx, text, 8);
	CU_ASSERT_TRUE(sql_next_token(&lx, &t));
	CU_ASSERT_EQUAL(t.keyword, SQL_KW_SELECT);
	CU_ASSERT_TRUE(sql_next_token(&lx, &t));
	CU_ASSERT(tok_text_is(&t, "1"));
	CU_ASSERT_FALSE(sql_next_token(&lx, &t));
	CU_ASSERT_EQUAL(t.kind, SQL_TOK_END);
}

CU_TestInfo parser_lexer_tests[] = {
	{"words, keywords, quoted and U& identifiers", test_words_and_keywords},
	{"string forms and dollar quotes", test_strings},
	{"nested block and line comments", test_comments},
	{"numbers, operators, parameters, punctuation", test_numbers_operators_params},
	{"operators stop before a comment", test_operator_stops_at_comment},
	{"unterminated input gives an error token", test_errors},
	{"standard_conforming_strings off", test_backslash_quotes},
	{"never reads past len", test_bounded_by_len},
	CU_TEST_INFO_NULL
};
