/*
 * A minimal reader of libpg_query's JSON parse tree for the differential test: it walks keys and
 * scalar values once and notes the facts the classifier's answers are compared with.
 */
#include <string.h>

#include "unit/test_parser.h"

/* Reads the JSON string at *p (on its opening quote) into buf, truncated; returns the end. */
static const char *
read_string(const char *p, char *buf, size_t size)
{
	size_t		n = 0;

	for (p++; *p && *p != '"'; p++)
	{
		if (*p == '\\' && p[1])
			p++;
		if (n + 1 < size)
			buf[n++] = *p;
	}
	buf[n] = '\0';
	return *p ? p + 1 : p;
}

static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static bool
is_dml_node(const char *key)
{
	return strcmp(key, "InsertStmt") == 0 || strcmp(key, "UpdateStmt") == 0 ||
		strcmp(key, "DeleteStmt") == 0 || strcmp(key, "MergeStmt") == 0;
}

static void
on_key(tree_facts *f, const char *key, const char *object_of)
{
	if (strcmp(object_of, "stmt") == 0 && f->top[0] == '\0')
		strcpy(f->top, key);
	else if (strcmp(object_of, "query") == 0 && f->inner[0] == '\0')
		strcpy(f->inner, key);
	if (strcmp(key, "stmt") == 0)
		f->statements++;
	if (is_dml_node(key))
		f->dml_nodes++;
	f->locking = f->locking || strcmp(key, "lockingClause") == 0;
	f->into = f->into || strcmp(key, "intoClause") == 0;
	f->func_call = f->func_call || strcmp(key, "FuncCall") == 0;
	f->filename = f->filename || strcmp(key, "filename") == 0;
}

static void
on_value(tree_facts *f, const char *key, const char *value)
{
	if (strcmp(key, "is_from") == 0 && strcmp(value, "true") == 0)
		f->is_from = true;
	if (strcmp(key, "ismove") == 0 && strcmp(value, "true") == 0)
		f->is_move = true;
	if (strcmp(key, "kind") == 0 && strncmp(value, "VAR_RESET", 9) == 0)
		f->var_reset = true;
}

void
tree_facts_read(const char *json, tree_facts *f)
{
	char		key[64] = "";
	char		object_of[64] = "";
	char		str[64];
	const char *p = json;

	memset(f, 0, sizeof(*f));
	while (*p)
	{
		if (*p != '"')
		{
			p++;
			continue;
		}
		p = skip_ws(read_string(p, str, sizeof(str)));
		if (*p != ':')
		{
			on_value(f, key, str);
			continue;
		}
		strcpy(key, str);
		on_key(f, key, object_of);
		object_of[0] = '\0';
		p = skip_ws(p + 1);
		if (*p == '{')
			strcpy(object_of, key);
		else if (*p == 't')
			on_value(f, key, "true");
	}
}
