/*
 * The configured routing lists (see route_policy.h): write_function_list, read_only_function_list
 * and primary_routing_query_pattern_list as regular expressions matched against the whole name or
 * statement, and the per-child memory of what the catalog said about other functions.
 */
#include "child/route_policy.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"

#define POLICY_MAX_PATTERNS 64
#define VOLATILITY_CACHE_SIZE 512

typedef struct pattern_set
{
	const cfg_string_list *source;	/* what was compiled (a new list after reload recompiles) */
	char	  **source_items;
	int			count;
	regex_t		re[POLICY_MAX_PATTERNS];
} pattern_set;

static pattern_set write_functions;
static pattern_set read_only_functions;
static pattern_set primary_queries;

typedef struct volatility_entry
{
	char	   *database;
	char	   *function;			/* "schema.name" or "name" */
	bool		reads_only;
} volatility_entry;

static volatility_entry volatility_cache[VOLATILITY_CACHE_SIZE];
static int	volatility_count;
static int	volatility_next;		/* the slot to reuse when full */

static void
pattern_set_compile(pattern_set *set, const cfg_string_list *list)
{
	if (set->source == list && set->source_items == list->items)
		return;
	for (int i = 0; i < set->count; i++)
		regfree(&set->re[i]);
	set->count = 0;
	set->source = list;
	set->source_items = list->items;
	for (int i = 0; i < list->count && set->count < POLICY_MAX_PATTERNS; i++)
	{
		char	   *anchored;
		size_t		len = strlen(list->items[i]) + 3;

		if (list->items[i][0] == '\0')
			continue;
		anchored = xmalloc(len);
		snprintf(anchored, len, "^%s$", list->items[i]);
		if (regcomp(&set->re[set->count], anchored, REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0)
			set->count++;
		else
			log_warning("ignoring invalid regular expression \"%s\" in a routing list", list->items[i]);
		free(anchored);
	}
}

static bool
pattern_set_matches(const pattern_set *set, const char *text)
{
	for (int i = 0; i < set->count; i++)
		if (regexec(&set->re[i], text, 0, NULL, 0) == 0)
			return true;
	return false;
}

void
route_policy_load(const pool_config *cfg)
{
	pattern_set_compile(&write_functions, &cfg->write_function_list);
	pattern_set_compile(&read_only_functions, &cfg->read_only_function_list);
	pattern_set_compile(&primary_queries, &cfg->primary_routing_query_pattern_list);
}

static void
fold_ascii(char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char) (s[i] - 'A' + 'a');
}

/* "name" and, when qualified, "schema.name", folded as PostgreSQL folds unquoted names. */
static void
function_names(const sql_name *fn, char *bare, size_t bare_size, char *qualified, size_t q_size)
{
	size_t		n = fn->name_len < bare_size - 1 ? fn->name_len : bare_size - 1;

	memcpy(bare, fn->name, n);
	bare[n] = '\0';
	if (!fn->name_quoted)
		fold_ascii(bare, n);
	qualified[0] = '\0';
	if (fn->schema != NULL)
	{
		snprintf(qualified, q_size, "%.*s.%s", (int) fn->schema_len, fn->schema, bare);
		if (!fn->schema_quoted)
			fold_ascii(qualified, fn->schema_len < q_size ? fn->schema_len : q_size - 1);
	}
}

int
route_policy_function(const sql_name *fn, char *key, size_t key_size)
{
	char		bare[128];
	char		qualified[256];
	bool		listed;

	function_names(fn, bare, sizeof(bare), qualified, sizeof(qualified));
	str_copy(key, qualified[0] ? qualified : bare, key_size);
	if (write_functions.count > 0)
	{
		listed = pattern_set_matches(&write_functions, bare) ||
			(qualified[0] && pattern_set_matches(&write_functions, qualified));
		return listed ? 0 : 1;
	}
	if (read_only_functions.count > 0)
	{
		listed = pattern_set_matches(&read_only_functions, bare) ||
			(qualified[0] && pattern_set_matches(&read_only_functions, qualified));
		return listed ? 1 : 0;
	}
	return -1;
}

bool
route_policy_primary_query(const char *text, size_t len)
{
	char	   *copy;
	bool		hit;

	if (primary_queries.count == 0)
		return false;
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\n' || text[len - 1] == '\t' ||
					   text[len - 1] == '\r'))
		len--;
	copy = xstrndup(text, len);
	hit = pattern_set_matches(&primary_queries, copy);
	free(copy);
	return hit;
}

int
route_policy_cached_volatility(const char *database, const char *function)
{
	for (int i = 0; i < volatility_count; i++)
		if (strcmp(volatility_cache[i].function, function) == 0 &&
			strcmp(volatility_cache[i].database, database) == 0)
			return volatility_cache[i].reads_only ? 1 : 0;
	return -1;
}

void
route_policy_remember_volatility(const char *database, const char *function, bool reads_only)
{
	volatility_entry *e;

	if (volatility_count < VOLATILITY_CACHE_SIZE)
		e = &volatility_cache[volatility_count++];
	else
	{
		e = &volatility_cache[volatility_next];
		volatility_next = (volatility_next + 1) % VOLATILITY_CACHE_SIZE;
		free(e->database);
		free(e->function);
	}
	e->database = xstrdup(database);
	e->function = xstrdup(function);
	e->reads_only = reads_only;
}
