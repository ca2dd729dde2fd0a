/*
 * Reading pgpool.conf: the line lexer (name [=] value, quoting, comments), cfg_load which applies
 * the lines in order with duplicate and alias handling, and cfg_set for one parameter.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "config/load_internal.h"
#include "config/params_internal.h"

typedef struct text_buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} text_buf;

static void
buf_add(text_buf *b, char c)
{
	if (b->len + 2 > b->cap)
	{
		b->cap = b->cap ? b->cap * 2 : 64;
		b->data = xrealloc(b->data, b->cap);
	}
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

/* One backslash escape inside a quoted value, as PostgreSQL reads them; returns the rest. */
static const char *
read_escape(const char *p, text_buf *out)
{
	int			code = 0;
	int			n = 0;

	switch (*p)
	{
		case 'b': buf_add(out, '\b'); return p + 1;
		case 'f': buf_add(out, '\f'); return p + 1;
		case 'n': buf_add(out, '\n'); return p + 1;
		case 'r': buf_add(out, '\r'); return p + 1;
		case 't': buf_add(out, '\t'); return p + 1;
		default: break;
	}
	while (n < 3 && p[n] >= '0' && p[n] <= '7')
		code = code * 8 + (p[n++] - '0');
	if (n > 0)
	{
		buf_add(out, (char) code);
		return p + n;
	}
	buf_add(out, *p);
	return p + 1;
}

/* A single-quoted value starting after the quote; NULL when the quote is not closed. */
static const char *
read_quoted(const char *p, text_buf *out)
{
	for (;;)
	{
		if (*p == '\0')
			return NULL;
		if (*p == '\'' && p[1] == '\'')
		{
			buf_add(out, '\'');
			p += 2;
		}
		else if (*p == '\'')
			return p + 1;
		else if (*p == '\\' && p[1] != '\0')
			p = read_escape(p + 1, out);
		else
			buf_add(out, *p++);
	}
}

static const char *
skip_space(const char *p)
{
	while (isspace((unsigned char) *p))
		p++;
	return p;
}

/*
 * Splits one line. Returns 1 with name/value set, 0 for a blank or comment line, -1 on a syntax
 * error (*where points at the offending text).
 */
static int
lex_line(const char *line, char **name, char **value, const char **where)
{
	const char *p = skip_space(line);
	const char *start;
	text_buf	val = {0};

	*where = p;
	if (*p == '\0' || *p == '#')
		return 0;
	start = p;
	while (isalnum((unsigned char) *p) || *p == '_' || *p == '.')
		p++;
	if (p == start || isdigit((unsigned char) *start))
		return -1;
	*name = xstrndup(start, p - start);
	p = skip_space(p);
	if (*p == '=')
		p = skip_space(p + 1);
	*where = p;
	if (*p == '\'')
		p = read_quoted(p + 1, &val);
	else
		while (*p && !isspace((unsigned char) *p) && *p != '#')
			buf_add(&val, *p++);
	/* an empty unquoted value, or text after the value, is a syntax error */
	if (p && p == *where)
		p = NULL;
	if (p)
	{
		p = skip_space(p);
		if (*p != '\0' && *p != '#')
			p = NULL;
	}
	if (p == NULL)
	{
		free(*name);
		free(val.data);
		return -1;
	}
	*value = val.data ? val.data : xstrdup("");
	return 1;
}

/* Reads every line of the file into entries; syntax errors become diagnostics. */
static int
read_entries(FILE *fp, const char *path, diag_list *diags, cfg_entry **entries)
{
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		got;
	int			lineno = 0;
	int			count = 0;

	*entries = NULL;
	while ((got = getline(&line, &cap, fp)) >= 0)
	{
		char	   *name;
		char	   *value;
		const char *where;
		int			rc;

		lineno++;
		while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
			line[--got] = '\0';
		rc = lex_line(line, &name, &value, &where);
		if (rc < 0)
			diag_add(diags, DIAG_ERROR, path, lineno,
					 "syntax error in configuration file near \"%.40s\"", where);
		if (rc <= 0)
			continue;
		*entries = xrealloc(*entries, sizeof(cfg_entry) * (count + 1));
		(*entries)[count++] = (cfg_entry) {name, value, lineno};
	}
	free(line);
	return count;
}

static void
note_line(cfg_load_state *st, const char *name, int line, const char *written_as)
{
	for (int i = 0; i < st->num_seen; i++)
	{
		if (strcasecmp(st->seen[i].name, name) == 0)
		{
			diag_add(st->diags, DIAG_WARNING, st->file, line,
					 "parameter \"%s\"%s%s%s is set more than once (lines %d and %d); "
					 "the value of line %d is used", name, written_as ? " (written as " : "",
					 written_as ? written_as : "", written_as ? ")" : "",
					 st->seen[i].line, line, line);
			st->seen[i].line = line;
			return;
		}
	}
	st->seen = xrealloc(st->seen, sizeof(cfg_seen) * (st->num_seen + 1));
	st->seen[st->num_seen++] = (cfg_seen) {xstrdup(name), line};
}

void
cfg_load_set(cfg_load_state *st, const char *name, const char *value, int line,
			 const char *written_as)
{
	note_line(st, name, line, written_as);
	if (strcasecmp(name, "backend_clustering_mode") == 0)
		st->clustering_mode_given = true;
	cfg_set(st->cfg, name, value, st->file, line, st->diags);
}

static void
apply_entries(cfg_load_state *st, const cfg_entry *entries, int count)
{
	st->legacy_watchdog = cfg_alias_detect_legacy(entries, count);
	for (int i = 0; i < count; i++)
	{
		if (!cfg_alias_apply(st, &entries[i]))
			cfg_load_set(st, entries[i].name, entries[i].value, entries[i].line, NULL);
	}
	cfg_alias_finish(st);
}

int
cfg_load(pool_config *cfg, const char *path, diag_list *diags)
{
	int			errors_before = diag_count(diags, DIAG_ERROR);
	cfg_load_state st = {.cfg = cfg, .file = path, .diags = diags,
	.master_slave_mode = -1, .replication_mode = -1};
	cfg_entry  *entries;
	FILE	   *fp = fopen(path, "r");
	int			count;

	if (!fp)
	{
		diag_add(diags, DIAG_ERROR, path, 0, "could not open configuration file \"%s\": %s",
				 path, strerror(errno));
		return -1;
	}
	count = read_entries(fp, path, diags, &entries);
	fclose(fp);
	apply_entries(&st, entries, count);
	for (int i = 0; i < count; i++)
	{
		free(entries[i].name);
		free(entries[i].value);
	}
	free(entries);
	for (int i = 0; i < st.num_seen; i++)
		free(st.seen[i].name);
	free(st.seen);
	free(st.master_slave_sub_mode);
	cfg_recount(cfg);
	return diag_count(diags, DIAG_ERROR) > errors_before ? -1 : 0;
}

/* A numbered family named without its number, or with a number out of range. */
static bool
report_bad_index(const char *name, const char *file, int line, diag_list *diags)
{
	size_t		base = strlen(name);

	while (base > 0 && isdigit((unsigned char) name[base - 1]))
		base--;
	for (int i = 0; i < cfg_param_count(); i++)
	{
		const cfg_param *p = cfg_param_at(i);

		if (!(p->flags & CFG_INDEXED) || strlen(p->name) != base ||
			strncasecmp(p->name, name, base) != 0)
			continue;
		if (base == strlen(name))
			diag_add(diags, DIAG_ERROR, file, line,
					 "parameter \"%s\" needs a node number (%s0 .. %s%d)",
					 name, p->name, p->name, p->index_count - 1);
		else
			diag_add(diags, DIAG_ERROR, file, line,
					 "invalid node number in \"%s\": allowed %s0 .. %s%d",
					 name, p->name, p->name, p->index_count - 1);
		return true;
	}
	return false;
}

int
cfg_set(pool_config *cfg, const char *name, const char *value,
		const char *file, int line, diag_list *diags)
{
	int			index;
	const cfg_param *param = cfg_find_indexed(name, &index);
	char	   *err;

	if (!param)
	{
		if (report_bad_index(name, file, line, diags))
			return CFG_SET_INVALID;
		diag_add(diags, DIAG_WARNING, file, line,
				 "unrecognized configuration parameter \"%s\" is ignored", name);
		return CFG_SET_UNKNOWN;
	}
	err = cfg_apply_text(cfg, param, index, value);
	if (err)
	{
		diag_add(diags, DIAG_ERROR, file, line,
				 "invalid value for parameter \"%s\": \"%s\": %s", name, value, err);
		free(err);
		return CFG_SET_INVALID;
	}
	cfg_recount(cfg);
	return CFG_SET_OK;
}
