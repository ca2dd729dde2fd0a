/*
 * Differential test of the classifier against PostgreSQL's own parser (libpg_query): over
 * parser/testdata/corpus.sql it checks our statement split, kind and read/write against the parse
 * tree, and reports function-call detection separately. Exits 77 (skipped) without libpg_query.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgng_config.h"
#include "parser/sql_classify.h"
#include "unit/test_parser.h"

#ifndef HAVE_PG_QUERY

int
main(void)
{
	printf("SKIP: libpg-query-dev not installed\n");
	return 77;
}

#else

#include <pg_query.h>

#define MAX_STMTS 100000
#define SHOW_MAX 15

typedef struct diff_counts
{
	int			total;
	int			pg_errors;
	int			not_single;		/* empty or multi-statement strings: the unit table checks those */
	int			kind_ok;
	int			rw_ok;
	int			conservative;	/* the tree says read, we say write */
	int			unsafe;			/* the tree says write, we say read */
	int			body_checked;
	int			body_ok;
	int			tree_funcs;
	int			our_funcs;
	int			both_funcs;
	int			shown;
	bool		verbose;
} diff_counts;

static char *
read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = (size_t) ftell(f);
	rewind(f);
	buf = malloc(*len + 1);
	if (fread(buf, 1, *len, f) != *len)
		*len = 0;
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* Strips white space and comments at both ends, so splits can be compared as text. */
static void
trim_span(const char *text, size_t *start, size_t *end)
{
	for (;;)
	{
		while (*start < *end && strchr(" \t\r\n", text[*start]))
			(*start)++;
		if (*end - *start >= 2 && text[*start] == '-' && text[*start + 1] == '-')
			while (*start < *end && text[*start] != '\n')
				(*start)++;
		else if (*end - *start >= 2 && text[*start] == '/' && text[*start + 1] == '*')
		{
			const char *close = strstr(text + *start, "*/");

			*start = close ? (size_t) (close - text) + 2 : *end;
		}
		else
			break;
	}
	while (*end > *start && strchr(" \t\r\n", text[*end - 1]))
		(*end)--;
}

static int
compare_split(const char *name, PgQuerySplitResult r, const char *text, const sql_span *ours, int n)
{
	int			agree = 0;
	int			rc;

	if (r.error)
	{
		printf("split %s: error: %s\n", name, r.error->message);
		pg_query_free_split_result(r);
		return -1;
	}
	for (int i = 0; i < n && i < r.n_stmts; i++)
	{
		size_t		a = ours[i].offset, ae = ours[i].offset + ours[i].len;
		size_t		b = (size_t) r.stmts[i]->stmt_location;
		size_t		be = b + (size_t) r.stmts[i]->stmt_len;

		trim_span(text, &a, &ae);
		trim_span(text, &b, &be);
		/* PostgreSQL's spans keep trailing comments; ours end at the last token */
		if (a == b && ae <= be && sql_split(text + ae, be - ae, NULL, 0) == 0)
			agree++;
		else if (agree == i)
			printf("split %s: first difference at statement %d (offset %zu vs %zu)\n", name, i, a, b);
	}
	printf("split: ours %d statements, %s %d; %d agree\n", n, name, r.n_stmts, agree);
	rc = agree == n && n == r.n_stmts ? 0 : 1;
	pg_query_free_split_result(r);
	return rc;
}

static bool
kind_matches(const tree_facts *f, sql_kind k)
{
	static const struct
	{
		const char *node;
		sql_kind	kind;
	}			map[] = {
		{"InsertStmt", SQL_KIND_INSERT}, {"UpdateStmt", SQL_KIND_UPDATE}, {"DeleteStmt", SQL_KIND_DELETE},
		{"MergeStmt", SQL_KIND_MERGE}, {"TransactionStmt", SQL_KIND_TRANSACTION},
		{"VariableShowStmt", SQL_KIND_SHOW}, {"LockStmt", SQL_KIND_LOCK}, {"PrepareStmt", SQL_KIND_PREPARE},
		{"ExecuteStmt", SQL_KIND_EXECUTE}, {"DeallocateStmt", SQL_KIND_DEALLOCATE},
		{"ListenStmt", SQL_KIND_LISTEN}, {"NotifyStmt", SQL_KIND_NOTIFY}, {"UnlistenStmt", SQL_KIND_UNLISTEN},
		{"DiscardStmt", SQL_KIND_DISCARD}, {"ExplainStmt", SQL_KIND_EXPLAIN}, {"DoStmt", SQL_KIND_DO},
		{"CallStmt", SQL_KIND_CALL}, {"DeclareCursorStmt", SQL_KIND_DECLARE},
		{"ClosePortalStmt", SQL_KIND_CLOSE}, {"CheckPointStmt", SQL_KIND_CHECKPOINT},
		{"RefreshMatViewStmt", SQL_KIND_REFRESH}, {"LoadStmt", SQL_KIND_LOAD},
		{"ClusterStmt", SQL_KIND_CLUSTER}, {"ReindexStmt", SQL_KIND_REINDEX},
		{"TruncateStmt", SQL_KIND_TRUNCATE}, {"ConstraintsSetStmt", SQL_KIND_SET},
	};

	if (strcmp(f->top, "SelectStmt") == 0)
		return k == SQL_KIND_SELECT || k == SQL_KIND_VALUES || k == SQL_KIND_TABLE;
	if (strcmp(f->top, "VariableSetStmt") == 0)
		return k == (f->var_reset ? SQL_KIND_RESET : SQL_KIND_SET);
	if (strcmp(f->top, "CopyStmt") == 0)
		return k == (f->is_from ? SQL_KIND_COPY_FROM : SQL_KIND_COPY_TO);
	if (strcmp(f->top, "FetchStmt") == 0)
		return k == (f->is_move ? SQL_KIND_MOVE : SQL_KIND_FETCH);
	if (strcmp(f->top, "VacuumStmt") == 0)
		return k == SQL_KIND_VACUUM || k == SQL_KIND_ANALYZE;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(f->top, map[i].node) == 0)
			return k == map[i].kind;
	return k == SQL_KIND_DDL;
}

/* A query with no locking clause, no INTO and no data-modifying statement anywhere. */
static bool
query_reads_only(const tree_facts *f, const char *node)
{
	return strcmp(node, "SelectStmt") == 0 && !f->locking && !f->into && f->dml_nodes == 0;
}

/* Read-only by the tree, leaving function calls aside. */
static bool
tree_read_only(const tree_facts *f)
{
	const char *t = f->top;

	if (strcmp(t, "SelectStmt") == 0)
		return query_reads_only(f, t);
	if (strcmp(t, "VariableShowStmt") == 0 || strcmp(t, "FetchStmt") == 0 || strcmp(t, "ClosePortalStmt") == 0)
		return true;
	if (strcmp(t, "ExplainStmt") == 0 || strcmp(t, "DeclareCursorStmt") == 0)
		return query_reads_only(f, f->inner);
	if (strcmp(t, "CopyStmt") == 0)
		return !f->is_from && !f->filename && (f->inner[0] == '\0' || query_reads_only(f, f->inner));
	return false;
}

static void
show(diff_counts *d, const char *what, const char *sql, const tree_facts *f, const sql_class *c)
{
	if (!d->verbose && d->shown >= SHOW_MAX)
		return;
	d->shown++;
	printf("  %s: tree %s/%s, ours %s reasons 0x%x: %.200s\n", what, f->top, f->inner,
		   sql_kind_name(c->kind), c->write_reasons, sql);
}

static void
compare_one(diff_counts *d, const char *sql, size_t len)
{
	PgQueryParseResult r = pg_query_parse(sql);
	tree_facts	f;
	sql_class	c;
	bool		ours_read;

	if (r.error)
	{
		d->pg_errors++;
		pg_query_free_parse_result(r);
		return;
	}
	tree_facts_read(r.parse_tree, &f);
	pg_query_free_parse_result(r);
	sql_classify(sql, len, &c);
	if (f.statements != 1)
	{
		d->not_single += (f.statements != 1);
		return;
	}
	ours_read = (c.write_reasons & ~(SQL_WRITE_FUNCTION | SQL_WRITE_OVERFLOW | SQL_WRITE_HINT)) == 0;
	d->total++;
	if (kind_matches(&f, c.kind))
		d->kind_ok++;
	else
		show(d, "kind", sql, &f, &c);
	if (ours_read == tree_read_only(&f))
		d->rw_ok++;
	else if (ours_read)
	{
		d->unsafe++;
		show(d, "UNSAFE", sql, &f, &c);
	}
	else
	{
		d->conservative++;
		show(d, "conservative", sql, &f, &c);
	}
	if (f.inner[0] && !(c.write_reasons & SQL_WRITE_FUNCTION) && (c.kind == SQL_KIND_EXPLAIN || c.kind == SQL_KIND_DECLARE || c.kind == SQL_KIND_PREPARE))
	{
		d->body_checked++;
		if (c.body_read_only == query_reads_only(&f, f.inner))
			d->body_ok++;
		else
			show(d, "body", sql, &f, &c);
	}
	if (strcmp(f.top, "SelectStmt") == 0)
	{
		d->tree_funcs += f.func_call;
		d->our_funcs += c.function_count > 0;
		d->both_funcs += f.func_call && c.function_count > 0;
	}
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 && argv[1][0] != '-' ? argv[1] : PGNG_SRCDIR "/parser/testdata/corpus.sql";
	diff_counts d = {0};
	size_t		len;
	char	   *text = read_file(path, &len);
	sql_span   *spans = malloc(sizeof(sql_span) * MAX_STMTS);
	int			n;
	int			split_rc;

	d.verbose = getenv("PARSER_DIFF_VERBOSE") != NULL;
	if (text == NULL)
	{
		printf("cannot read %s\n", path);
		return 1;
	}
	n = sql_split(text, len, spans, MAX_STMTS);
	split_rc = compare_split("pg_query_split_with_parser", pg_query_split_with_parser(text), text, spans, n);
	/* the scanner split does not know BEGIN ATOMIC bodies: informative only */
	compare_split("pg_query_split_with_scanner", pg_query_split_with_scanner(text), text, spans, n);
	for (int i = 0; i < n && i < MAX_STMTS; i++)
	{
		char	   *sql = strndup(text + spans[i].offset, spans[i].len);

		compare_one(&d, sql, spans[i].len);
		free(sql);
	}
	for (int i = 0; i < parser_case_count; i++)
		compare_one(&d, parser_cases[i].sql, strlen(parser_cases[i].sql));
	printf("diff: %d statements from the corpus and the unit table (%d more rejected by PostgreSQL's "
		   "parser, %d empty or multi-statement)\n", d.total, d.pg_errors, d.not_single);
	printf("diff: kind agrees %d/%d; read/write agrees %d/%d; conservative (tree read, ours write) %d; "
		   "unsafe (tree write, ours read) %d\n", d.kind_ok, d.total, d.rw_ok, d.total, d.conservative, d.unsafe);
	printf("diff: EXPLAIN/DECLARE/PREPARE bodies agree %d/%d\n", d.body_ok, d.body_checked);
	printf("diff: function calls in SELECTs: tree has FuncCall in %d, we found functions in %d, both %d\n",
		   d.tree_funcs, d.our_funcs, d.both_funcs);
	free(spans);
	free(text);
	return (d.total >= 2000 && split_rc == 0 && d.kind_ok == d.total && d.unsafe == 0 &&
			d.body_ok == d.body_checked) ? 0 : 1;
}

#endif
