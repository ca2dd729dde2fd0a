/*
 * pool_hba.conf tokenizer: blanks separate fields, commas separate tokens inside a field,
 * double quotes protect blanks, commas and keywords ("" is a literal quote), '#' starts a
 * comment, and an unquoted @file token is replaced by the tokens of that file.
 */
#include "auth/hba_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define HBA_MAX_INCLUDE_DEPTH 10

typedef struct token_state
{
	const char *p;				/* read position in the line */
	bool		comma;			/* the token ended with a comma: the field goes on */
	bool		quoted;
	bool		unterminated;
} token_state;

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void
list_append(hba_token_list *list, const char *text, bool quoted)
{
	list->items = xrealloc(list->items, (size_t) (list->count + 1) * sizeof(hba_token));
	list->items[list->count].text = xstrdup(text);
	list->items[list->count].quoted = quoted;
	list->count++;
}

/* Reads one token into buf (large enough for the rest of the line); false at end of line. */
static bool
next_token(token_state *st, char *buf)
{
	bool		in_quote = false;
	bool		was_quote = false;
	size_t		n = 0;

	st->comma = false;
	st->quoted = false;
	while (is_blank(*st->p))
		st->p++;
	for (; *st->p != '\0' && (in_quote || !is_blank(*st->p)); st->p++)
	{
		char		c = *st->p;

		if (c == '#' && !in_quote)
		{
			st->p += strlen(st->p);
			break;
		}
		if (c == ',' && !in_quote)
		{
			st->comma = true;
			st->p++;
			break;
		}
		if (c != '"' || was_quote)
			buf[n++] = c;
		was_quote = in_quote && c == '"' ? !was_quote : false;
		if (c == '"')
		{
			in_quote = !in_quote;
			st->quoted = true;
		}
	}
	buf[n] = '\0';
	if (in_quote)
		st->unterminated = true;
	return st->quoted || n > 0;
}

static int	include_file(hba_token_list *list, const char *dir, const char *name, int depth,
						 char **error);

/* Reads the comma-separated tokens of one field; an empty list means end of line. */
static int
next_field(token_state *st, char *buf, const char *dir, int depth, hba_token_list *field,
		   char **error)
{
	memset(field, 0, sizeof(*field));
	do
	{
		if (!next_token(st, buf))
			break;
		if (!st->quoted && buf[0] == '@' && buf[1] != '\0')
		{
			if (include_file(field, dir, buf + 1, depth + 1, error) != 0)
				return -1;
		}
		else
			list_append(field, buf, st->quoted);
	} while (st->comma);
	if (st->unterminated)
	{
		*error = xstrdup("unterminated quoted string");
		return -1;
	}
	return 0;
}

static int
tokenize(const char *text, const char *dir, int depth, hba_line *out, char **error)
{
	token_state st = {text, false, false, false};
	char	   *buf = xmalloc(strlen(text) + 1);
	hba_token_list field;
	int			rc = 0;

	memset(out, 0, sizeof(*out));
	*error = NULL;
	while (*st.p != '\0')
	{
		if ((rc = next_field(&st, buf, dir, depth, &field, error)) != 0)
		{
			hba_token_list_free(&field);
			break;
		}
		if (field.count == 0)
			continue;
		out->fields = xrealloc(out->fields, (size_t) (out->field_count + 1) * sizeof(field));
		out->fields[out->field_count++] = field;
	}
	free(buf);
	return rc;
}

/* Appends every token of every line of the file dir/name (or name when absolute). */
static int
include_file(hba_token_list *list, const char *dir, const char *name, int depth, char **error)
{
	char	   *path = path_join_relative(dir, name);
	char	   *inner_dir = path_dirname(path);
	FILE	   *fp = fopen(path, "r");
	char	   *text = NULL;
	size_t		cap = 0;
	int			rc = 0;

	if (depth > HBA_MAX_INCLUDE_DEPTH)
	{
		*error = xasprintf("secondary authentication file \"@%s\" is nested too deeply", name);
		rc = -1;
	}
	else if (fp == NULL)
	{
		*error = xasprintf("could not open secondary authentication file \"@%s\" as \"%s\": %s",
						   name, path, strerror(errno));
		rc = -1;
	}
	while (rc == 0 && getline(&text, &cap, fp) != -1)
	{
		hba_line	line;

		text[strcspn(text, "\n")] = '\0';
		rc = tokenize(text, inner_dir, depth, &line, error);
		for (int f = 0; rc == 0 && f < line.field_count; f++)
			for (int t = 0; t < line.fields[f].count; t++)
				list_append(list, line.fields[f].items[t].text, line.fields[f].items[t].quoted);
		hba_line_free(&line);
	}
	if (fp != NULL)
		fclose(fp);
	free(text);
	free(inner_dir);
	free(path);
	return rc;
}

int
hba_tokenize_line(const char *text, const char *dir, hba_line *out, char **error)
{
	return tokenize(text, dir, 0, out, error);
}

void
hba_token_list_free(hba_token_list *list)
{
	for (int i = 0; i < list->count; i++)
		free(list->items[i].text);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

void
hba_line_free(hba_line *line)
{
	for (int i = 0; i < line->field_count; i++)
		hba_token_list_free(&line->fields[i]);
	free(line->fields);
	line->fields = NULL;
	line->field_count = 0;
}
