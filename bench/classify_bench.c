/*
 * Classification throughput on one core: splits a SQL file (default: the parser's corpus) into
 * statements, then classifies them over and over for about a second and prints one table line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parser/sql_classify.h"

#define MAX_STMTS 100000

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

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
	if (buf == NULL || fread(buf, 1, *len, f) != *len)
		*len = 0;
	fclose(f);
	return buf;
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "parser/testdata/corpus.sql";
	size_t		len;
	char	   *text = read_file(path, &len);
	static sql_span spans[MAX_STMTS];
	int			n;
	long		done = 0;
	size_t		bytes = 0;
	unsigned	writes = 0;
	double		start;
	double		elapsed;
	sql_class	c;

	if (text == NULL || (n = sql_split(text, len, spans, MAX_STMTS)) <= 0 || n > MAX_STMTS)
	{
		fprintf(stderr, "classify_bench: cannot read statements from %s\n", path);
		return 1;
	}
	start = now_seconds();
	do
	{
		for (int i = 0; i < n; i++)
		{
			sql_classify(text + spans[i].offset, spans[i].len, &c);
			writes += c.is_write;
			bytes += spans[i].len;
		}
		done += n;
		elapsed = now_seconds() - start;
	} while (elapsed < 1.0);
	printf("%-14s %10s %14s %12s %10s\n", "corpus", "statements", "statements/s", "MB/s", "ns/stmt");
	printf("%-14s %10d %14.0f %12.1f %10.0f   (writes seen %u)\n", "corpus.sql", n, done / elapsed,
		   bytes / elapsed / 1e6, elapsed * 1e9 / done, writes);
	free(text);
	return 0;
}
