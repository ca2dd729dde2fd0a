/*
 * The parameter table as one list: lookup by name (plain and numbered), iteration, where each
 * value is stored, and creating/destroying a configuration filled with the defaults.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "config/params_internal.h"

static const cfg_param *const *all_params;
static int	num_params;

/* Joins the table pieces once; the order is general, backend, health check, watchdog. */
static void
build_table(void)
{
	const cfg_param *pieces[] = {cfg_params_general, cfg_params_cluster, cfg_params_watchdog};
	const cfg_param **list;
	int			n = 0;

	if (all_params)
		return;
	for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++)
		for (const cfg_param *r = pieces[p]; r->name; r++)
			n++;
	list = xcalloc(n, sizeof(*list));
	n = 0;
	for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++)
		for (const cfg_param *r = pieces[p]; r->name; r++)
			list[n++] = r;
	all_params = list;
	num_params = n;
}

int
cfg_param_count(void)
{
	build_table();
	return num_params;
}

const cfg_param *
cfg_param_at(int i)
{
	build_table();
	return i >= 0 && i < num_params ? all_params[i] : NULL;
}

const cfg_param *
cfg_find(const char *name)
{
	build_table();
	for (int i = 0; i < num_params; i++)
	{
		const cfg_param *p = all_params[i];

		if ((p->flags & CFG_INDEXED) && !(p->flags & CFG_INDEX_OPTIONAL))
			continue;
		if (strcasecmp(p->name, name) == 0)
			return p;
	}
	return NULL;
}

const cfg_param *
cfg_find_indexed(const char *name, int *index)
{
	const cfg_param *p = cfg_find(name);
	size_t		len = strlen(name);
	size_t		base = len;

	*index = -1;
	if (p)
		return p;
	while (base > 0 && isdigit((unsigned char) name[base - 1]))
		base--;
	if (base == len || base == 0 || len - base > 6)
		return NULL;
	build_table();
	for (int i = 0; i < num_params; i++)
	{
		p = all_params[i];
		if ((p->flags & CFG_INDEXED) && strlen(p->name) == base &&
			strncasecmp(p->name, name, base) == 0)
		{
			int			n = atoi(name + base);

			if (n >= p->index_count)
				return NULL;
			*index = n;
			return p;
		}
	}
	return NULL;
}

char *
cfg_param_name(const cfg_param *param, int index)
{
	if (index < 0)
		return xstrdup(param->name);
	return xasprintf("%s%d", param->name, index);
}

void *
cfg_slot(const pool_config *cfg, const cfg_param *param, int index)
{
	char	   *base = (char *) cfg;

	switch (param->store)
	{
		case CFG_STORE_GLOBAL:
			return base + param->offset;
		case CFG_STORE_BACKEND:
			return (char *) &cfg->backends[index] + param->offset;
		case CFG_STORE_HEALTH_CHECK:
			if (index < 0)
				return base + param->global_offset;
			return (char *) &cfg->health_check_params[index] + param->offset;
		case CFG_STORE_WD_NODE:
			return (char *) &cfg->wd_nodes[index] + param->offset;
		case CFG_STORE_HEARTBEAT:
			return (char *) &cfg->heartbeats[index] + param->offset;
	}
	return NULL;
}

void
cfg_free_slot(pool_config *cfg, const cfg_param *param, int index)
{
	void	   *slot = cfg_slot(cfg, param, index);

	if (param->type == CFG_TYPE_STRING)
	{
		free(*(char **) slot);
		*(char **) slot = NULL;
	}
	else if (param->type == CFG_TYPE_STRING_LIST)
	{
		cfg_string_list *list = slot;

		for (int i = 0; i < list->count; i++)
			free(list->items[i]);
		free(list->items);
		free(list->text);
		memset(list, 0, sizeof(*list));
	}
}

/* Calls fn for every slot of every row: the plain one (-1) and one per node for numbered rows. */
static void
for_each_slot(pool_config *cfg, void (*fn) (pool_config *, const cfg_param *, int))
{
	for (int i = 0; i < cfg_param_count(); i++)
	{
		const cfg_param *p = cfg_param_at(i);

		if (!(p->flags & CFG_INDEXED) || (p->flags & CFG_INDEX_OPTIONAL))
			fn(cfg, p, -1);
		if (p->flags & CFG_INDEXED)
			for (int n = 0; n < p->index_count; n++)
				fn(cfg, p, n);
	}
}

static void
reset_slot(pool_config *cfg, const cfg_param *param, int index)
{
	if (param->default_value == NULL)
		cfg_free_slot(cfg, param, index);
	else
		free(cfg_store_text(cfg, param, index, param->default_value));
}

void
cfg_reset_param(pool_config *cfg, const cfg_param *param, int index)
{
	if (param->default_value == NULL)
		cfg_free_slot(cfg, param, index);
	else
		free(cfg_apply_text(cfg, param, index, param->default_value));
	cfg_recount(cfg);
}

pool_config *
cfg_create(void)
{
	pool_config *cfg = xcalloc(1, sizeof(pool_config));

	for_each_slot(cfg, reset_slot);
	cfg_recount(cfg);
	return cfg;
}

void
cfg_destroy(pool_config *cfg)
{
	if (!cfg)
		return;
	for_each_slot(cfg, cfg_free_slot);
	free(cfg);
}

/* After a struct copy: gives the slot its own copy of the strings it points to. */
static void
dup_slot(pool_config *cfg, const cfg_param *param, int index)
{
	void	   *slot = cfg_slot(cfg, param, index);

	if (param->type == CFG_TYPE_STRING)
	{
		if (*(char **) slot)
			*(char **) slot = xstrdup(*(char **) slot);
	}
	else if (param->type == CFG_TYPE_STRING_LIST)
	{
		cfg_string_list *list = slot;
		char	  **items = list->count > 0 ? xcalloc(list->count, sizeof(char *)) : NULL;

		for (int i = 0; i < list->count; i++)
			items[i] = xstrdup(list->items[i]);
		list->items = items;
		if (list->text)
			list->text = xstrdup(list->text);
	}
}

pool_config *
cfg_copy(const pool_config *src)
{
	pool_config *cfg = xcalloc(1, sizeof(pool_config));

	*cfg = *src;
	for_each_slot(cfg, dup_slot);
	return cfg;
}

void
cfg_copy_param(pool_config *dst, const pool_config *src, const cfg_param *param, int index)
{
	size_t		size = param->type == CFG_TYPE_BOOL ? sizeof(bool) :
		param->type == CFG_TYPE_INT || param->type == CFG_TYPE_ENUM ? sizeof(int) :
		param->type == CFG_TYPE_INT64 ? sizeof(int64_t) :
		param->type == CFG_TYPE_DOUBLE ? sizeof(double) :
		param->type == CFG_TYPE_STRING ? sizeof(char *) : sizeof(cfg_string_list);

	cfg_free_slot(dst, param, index);
	memcpy(cfg_slot(dst, param, index), cfg_slot(src, param, index), size);
	dup_slot(dst, param, index);
	if (param->store == CFG_STORE_HEALTH_CHECK && index >= 0)
		dst->health_check_params[index].explicit_mask = src->health_check_params[index].explicit_mask;
	cfg_recount(dst);
}

void
cfg_recount(pool_config *cfg)
{
	cfg->num_backends = 0;
	for (int i = 0; i < CFG_MAX_BACKENDS; i++)
		if (cfg->backends[i].port != 0)
			cfg->num_backends = i + 1;
	cfg->num_wd_nodes = 0;
	for (int i = 0; i < CFG_MAX_WD_NODES; i++)
		if (cfg->wd_nodes[i].wd_port != 0 ||
			(cfg->wd_nodes[i].hostname && cfg->wd_nodes[i].hostname[0]))
			cfg->num_wd_nodes = i + 1;
	cfg->num_heartbeats = 0;
	for (int i = 0; i < CFG_MAX_HEARTBEATS; i++)
		if (cfg->heartbeats[i].port != 0)
			cfg->num_heartbeats = i + 1;
	cfg->replication_mode = cfg->backend_clustering_mode == CFG_CM_NATIVE_REPLICATION;
}

unsigned int
cfg_backend_flags(const pool_config *cfg, int i)
{
	const char *flag = cfg->backends[i].flag ? cfg->backends[i].flag : "";
	unsigned int bits = 0;

	if (strstr(flag, "DISALLOW_TO_FAILOVER"))
		bits |= CFG_BACKEND_DISALLOW_TO_FAILOVER;
	if (strstr(flag, "ALWAYS_PRIMARY"))
		bits |= CFG_BACKEND_ALWAYS_PRIMARY;
	return bits;
}

const char *
cfg_group_name(cfg_group group)
{
	switch (group)
	{
		case CFG_GROUP_BACKEND:
			return "backend";
		case CFG_GROUP_HEALTH_CHECK:
			return "health_check";
		case CFG_GROUP_WATCHDOG:
			return "watchdog";
		case CFG_GROUP_HEARTBEAT:
			return "heartbeat";
		case CFG_GROUP_GENERAL:
			break;
	}
	return "general";
}

const char *
cfg_context_name(cfg_context context)
{
	switch (context)
	{
		case CFG_CONTEXT_INIT:
			return "init";
		case CFG_CONTEXT_RELOAD:
			return "reload";
		case CFG_CONTEXT_SESSION:
			return "session";
	}
	return "unknown";
}
