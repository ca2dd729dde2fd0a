# parser: the SQL lexer and the statement classifier the router uses (read or write, transaction and
# session effects, functions, tables). Unit tests, the libpg_query differential test and a benchmark.
libpgng_a_SOURCES += parser/sql_lexer.h parser/sql_keywords.h parser/sql_classify.h \
	parser/classify_internal.h parser/keywords.c parser/lexer.c parser/scan.c parser/classify.c \
	parser/classify_stmt.c

check_PROGRAMS += unit/test_parser
unit_test_parser_SOURCES = unit/test_parser.c unit/test_parser_lexer.c unit/test_parser_table.c \
	unit/test_parser.h
unit_test_parser_CFLAGS = $(UNIT_CFLAGS)
unit_test_parser_LDADD = $(UNIT_LDADD)
TESTS += unit/test_parser

# Compares kind and read/write with PostgreSQL's own parser (libpg_query) over parser/testdata/corpus.sql;
# exits 77 (skipped) when libpg-query-dev is not installed.
check_PROGRAMS += unit/test_parser_diff
unit_test_parser_diff_SOURCES = unit/test_parser_diff.c unit/test_parser_json.c unit/test_parser_table.c \
	unit/test_parser.h
unit_test_parser_diff_CFLAGS = $(UNIT_CFLAGS) -DPGNG_SRCDIR='"$(abs_top_srcdir)"'
unit_test_parser_diff_LDADD = $(PGNG_LIBS) $(PG_QUERY_LIBS)
TESTS += unit/test_parser_diff
EXTRA_DIST += parser/README.md parser/testdata/corpus.sql parser/testdata/make_corpus.py

# Classification throughput per core over the corpus: make bench-classify
EXTRA_PROGRAMS = bench/classify_bench
bench_classify_bench_SOURCES = bench/classify_bench.c
bench_classify_bench_LDADD = $(PGNG_LIBS)
CLEANFILES += bench/classify_bench

bench-classify: bench/classify_bench$(EXEEXT)
	./bench/classify_bench$(EXEEXT) $(abs_top_srcdir)/parser/testdata/corpus.sql

.PHONY: bench-classify
