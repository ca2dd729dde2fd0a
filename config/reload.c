/*
 * Reload rules: a re-read configuration may change only parameters whose context allows it. The
 * others keep their running value, with a warning naming each one, as pgpool and PostgreSQL do.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "config/config.h"
#include "config/params_internal.h"

/* Copies one slot's value from src to dst (dst's old value freed). */
static void
copy_slot(pool_config *dst, const pool_config *src, const cfg_param *param, int index)
{
	void	   *to = cfg_slot(dst, param, index);
	const void *from = cfg_slot(src, param, index);

	cfg_free_slot(dst, param, index);
	switch (param->type)
	{
		case CFG_TYPE_STRING:
			*(char **) to = *(char *const *) from ? xstrdup(*(char *const *) from) : NULL;
			break;
		case CFG_TYPE_STRING_LIST:
			{
				const cfg_string_list *s = from;
				cfg_string_list *d = to;

				d->text = s->text ? xstrdup(s->text) : NULL;
				d->count = s->count;
				d->items = xcalloc((size_t) (s->count > 0 ? s->count : 1), sizeof(char *));
				for (int i = 0; i < s->count; i++)
					d->items[i] = xstrdup(s->items[i]);
				break;
			}
		case CFG_TYPE_BOOL:
			*(bool *) to = *(const bool *) from;
			break;
		case CFG_TYPE_INT:
		case CFG_TYPE_ENUM:
			*(int *) to = *(const int *) from;
			break;
		case CFG_TYPE_INT64:
			*(int64_t *) to = *(const int64_t *) from;
			break;
		case CFG_TYPE_DOUBLE:
			*(double *) to = *(const double *) from;
			break;
	}
}

/* Restores one restart-only slot when the new file changed it; returns 1 when it did. */
static int
keep_slot(pool_config *newcfg, const pool_config *oldcfg, const cfg_param *param, int index,
		  diag_list *diags)
{
	char	   *before = cfg_format_value(oldcfg, param, index, CFG_FORMAT_RAW);
	char	   *after = cfg_format_value(newcfg, param, index, CFG_FORMAT_RAW);
	int			changed = strcmp(before, after) != 0;

	if (changed)
	{
		char	   *name = cfg_param_name(param, index);

		diag_add(diags, DIAG_WARNING, NULL, 0,
				 "parameter \"%s\" cannot be changed without restarting pgpool; keeping its current value",
				 name);
		free(name);
		copy_slot(newcfg, oldcfg, param, index);
	}
	free(before);
	free(after);
	return changed;
}

int
cfg_keep_restart_only(pool_config *newcfg, const pool_config *oldcfg, diag_list *diags)
{
	int			kept = 0;

	for (int i = 0; i < cfg_param_count(); i++)
	{
		const cfg_param *p = cfg_param_at(i);

		if (p->context != CFG_CONTEXT_INIT)
			continue;
		if (!(p->flags & CFG_INDEXED) || (p->flags & CFG_INDEX_OPTIONAL))
			kept += keep_slot(newcfg, oldcfg, p, -1, diags);
		if (p->flags & CFG_INDEXED)
			for (int n = 0; n < p->index_count; n++)
				kept += keep_slot(newcfg, oldcfg, p, n, diags);
	}
	if (kept > 0)
		cfg_recount(newcfg);
	return kept;
}
