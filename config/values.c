/*
 * Values: parsing the text of a parameter (booleans, numbers with units, enums, lists) into its
 * slot, and formatting a slot back to text the two ways pgpool shows values.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "config/params_internal.h"

/* Units, largest first; factor in the smallest unit of its kind (ms, or bytes). */
typedef struct unit_def
{
	const char *name;
	double		factor;
	bool		time;
} unit_def;

static const unit_def units[] = {
	{"d", 86400000.0, true}, {"h", 3600000.0, true}, {"min", 60000.0, true},
	{"s", 1000.0, true}, {"ms", 1.0, true},
	{"TB", 1099511627776.0, false}, {"GB", 1073741824.0, false}, {"MB", 1048576.0, false},
	{"kB", 1024.0, false}, {"B", 1.0, false},
	{NULL, 0, false}
};

/* Size of the parameter's base unit, in the smallest unit of its kind. */
static double
base_factor(unsigned int flags)
{
	if (flags & CFG_UNIT_MS)
		return 1.0;
	if (flags & CFG_UNIT_S)
		return 1000.0;
	if (flags & CFG_UNIT_MIN)
		return 60000.0;
	if (flags & CFG_UNIT_KB)
		return 1024.0;
	return 1.0;
}

/* Accepts what PostgreSQL's parse_bool accepts: on/off, true/false, yes/no, 1/0 and prefixes. */
bool
cfg_parse_bool(const char *text, bool *out)
{
	static const struct
	{
		const char *word;
		size_t		min_len;
		bool		value;
	}			words[] = {
		{"true", 1, true}, {"false", 1, false}, {"yes", 1, true}, {"no", 1, false},
		{"on", 2, true}, {"off", 2, false}, {"1", 1, true}, {"0", 1, false}
	};
	size_t		len = strlen(text);

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
	{
		if (len >= words[i].min_len && len <= strlen(words[i].word) &&
			strncasecmp(text, words[i].word, len) == 0)
		{
			*out = words[i].value;
			return true;
		}
	}
	return false;
}

static bool
apply_unit(const char *unit, unsigned int flags, double *value, char **hint)
{
	bool		want_time = (flags & CFG_UNITS_TIME) != 0;

	for (const unit_def *u = units; u->name; u++)
	{
		if (u->time == want_time && strcmp(u->name, unit) == 0)
		{
			*value = *value * u->factor / base_factor(flags);
			return true;
		}
	}
	*hint = xstrdup(want_time ? "valid units are ms, s, min, h and d"
					: "valid units are B, kB, MB, GB and TB");
	return false;
}

/*
 * A number (decimal, 0x hex, leading-0 octal, or with a fraction), optionally followed by a unit
 * when the parameter has one; the result is in the parameter's base unit, rounded.
 */
bool
cfg_parse_number(const char *text, unsigned int unit_flags, double *out, char **hint)
{
	char	   *end;
	double		v;
	char		unit[8];
	size_t		n = 0;

	*hint = NULL;
	errno = 0;
	v = (double) strtoll(text, &end, 0);
	if (*end == '.' || *end == 'e' || *end == 'E' || errno == ERANGE)
	{
		errno = 0;
		v = strtod(text, &end);
	}
	if (end == text || errno == ERANGE || v != v || v > 9e18 || v < -9e18)
		return false;
	while (isspace((unsigned char) *end))
		end++;
	while (*end && !isspace((unsigned char) *end) && n < sizeof(unit) - 1)
		unit[n++] = *end++;
	unit[n] = '\0';
	while (isspace((unsigned char) *end))
		end++;
	if (*end != '\0')
		return false;
	if (n > 0)
	{
		if ((unit_flags & (CFG_UNITS_TIME | CFG_UNITS_MEMORY)) == 0)
		{
			*hint = xstrdup("this parameter takes no unit");
			return false;
		}
		if (!apply_unit(unit, unit_flags, &v, hint))
			return false;
	}
	*out = (double) (long long) (v >= 0 ? v + 0.5 : v - 0.5);
	return true;
}

bool
cfg_parse_enum(const cfg_param *param, const char *text, int *out)
{
	for (const cfg_enum_option *o = param->options; o && o->name; o++)
	{
		if (strcasecmp(o->name, text) == 0)
		{
			*out = o->value;
			return true;
		}
	}
	return false;
}

char *
cfg_enum_allowed(const cfg_param *param)
{
	char	   *list = xstrdup("");

	for (const cfg_enum_option *o = param->options; o && o->name; o++)
	{
		char	   *next = xasprintf("%s%s%s", list, *list ? ", " : "", o->name);

		free(list);
		list = next;
	}
	return list;
}

static void
split_list(cfg_string_list *list, const char *text, const char *sep)
{
	char	   *copy = xstrdup(text);
	char	   *save = NULL;

	list->text = xstrdup(text);
	for (char *tok = strtok_r(copy, sep, &save); tok; tok = strtok_r(NULL, sep, &save))
	{
		str_trim(tok);
		if (*tok == '\0')
			continue;
		list->items = xrealloc(list->items, sizeof(char *) * (list->count + 1));
		list->items[list->count++] = xstrdup(tok);
	}
	free(copy);
}

static char *
range_error(const cfg_param *param)
{
	if (param->flags & CFG_ZERO_IS_UNSET)
		return xasprintf("must be 0 (not used) or between %.0f and %.0f", param->min, param->max);
	if (param->type == CFG_TYPE_DOUBLE)
		return xasprintf("must be a number between %g and %g", param->min, param->max);
	return xasprintf("must be an integer between %.0f and %.0f", param->min, param->max);
}

static char *
store_number(const cfg_param *param, void *slot, const char *text)
{
	double		v;
	char	   *hint = NULL;
	char	   *end;

	if (param->type == CFG_TYPE_DOUBLE)
	{
		v = strtod(text, &end);
		if (end == text || *end != '\0' || v != v)
			return range_error(param);
	}
	else if (!cfg_parse_number(text, param->flags, &v, &hint))
	{
		char	   *err = range_error(param);

		if (hint)
		{
			char	   *both = xasprintf("%s; %s", err, hint);

			free(err);
			free(hint);
			err = both;
		}
		return err;
	}
	if ((v < param->min || v > param->max) && !(v == 0 && (param->flags & CFG_ZERO_IS_UNSET)))
		return range_error(param);
	if (param->type == CFG_TYPE_INT)
		*(int *) slot = (int) v;
	else if (param->type == CFG_TYPE_INT64)
		*(int64_t *) slot = (int64_t) v;
	else
		*(double *) slot = v;
	return NULL;
}

static char *
store_string(const cfg_param *param, void *slot, const char *text)
{
	char	   *normalised = NULL;

	if (param->check)
	{
		char	   *err = param->check(text, &normalised);

		if (err)
			return err;
	}
	free(*(char **) slot);
	*(char **) slot = normalised ? normalised : xstrdup(text);
	return NULL;
}

char *
cfg_store_text(pool_config *cfg, const cfg_param *param, int index, const char *text)
{
	void	   *slot = cfg_slot(cfg, param, index);
	char	   *err = NULL;
	bool		b;
	int			e;

	switch (param->type)
	{
		case CFG_TYPE_BOOL:
			if (!cfg_parse_bool(text, &b))
				return xstrdup("must be a boolean: on, off, true, false, yes, no, 1 or 0");
			*(bool *) slot = b;
			break;
		case CFG_TYPE_INT:
		case CFG_TYPE_INT64:
		case CFG_TYPE_DOUBLE:
			err = store_number(param, slot, text);
			break;
		case CFG_TYPE_STRING:
			err = store_string(param, slot, text);
			break;
		case CFG_TYPE_ENUM:
			if (!cfg_parse_enum(param, text, &e))
			{
				char	   *allowed = cfg_enum_allowed(param);

				err = xasprintf("allowed values: %s", allowed);
				free(allowed);
				return err;
			}
			*(int *) slot = e;
			break;
		case CFG_TYPE_STRING_LIST:
			cfg_free_slot(cfg, param, index);
			split_list(slot, text, param->separator);
			break;
	}
	return err;
}

/* Position of a health check row among the health check rows: its bit in explicit_mask. */
static unsigned int
health_check_bit(const cfg_param *param)
{
	int			pos = 0;

	for (int i = 0; i < cfg_param_count(); i++)
	{
		const cfg_param *p = cfg_param_at(i);

		if (p == param)
			break;
		if (p->store == CFG_STORE_HEALTH_CHECK)
			pos++;
	}
	return 1u << pos;
}

char *
cfg_apply_text(pool_config *cfg, const cfg_param *param, int index, const char *text)
{
	char	   *err = cfg_store_text(cfg, param, index, text);
	unsigned int bit;

	if (err || param->store != CFG_STORE_HEALTH_CHECK)
		return err;
	/* a node's own value sticks; the global value reaches the nodes that have none */
	bit = health_check_bit(param);
	if (index >= 0)
		cfg->health_check_params[index].explicit_mask |= bit;
	else
		for (int n = 0; n < param->index_count; n++)
			if (!(cfg->health_check_params[n].explicit_mask & bit))
				free(cfg_store_text(cfg, param, n, text));
	return NULL;
}

char *
cfg_format_with_unit(int64_t value, unsigned int unit_flags)
{
	bool		time = (unit_flags & CFG_UNITS_TIME) != 0;
	double		base = base_factor(unit_flags);

	if (value <= 0 || (unit_flags & (CFG_UNITS_TIME | CFG_UNITS_MEMORY)) == 0)
		return xasprintf("%lld", (long long) value);
	for (const unit_def *u = units; u->name; u++)
	{
		int64_t		per;

		if (u->time != time || u->factor < base)
			continue;
		per = (int64_t) (u->factor / base);
		if (value % per == 0)
			return xasprintf("%lld%s", (long long) (value / per), u->name);
	}
	return xasprintf("%lld", (long long) value);
}

static char *
format_enum(const cfg_param *param, int value, cfg_format fmt)
{
	if (fmt == CFG_FORMAT_RAW && !(param->flags & CFG_RAW_AS_NAME))
		return xasprintf("%d", value);
	for (const cfg_enum_option *o = param->options; o && o->name; o++)
		if (o->value == value)
			return xstrdup(o->name);
	return xasprintf("%d", value);
}

static char *
format_integer(const cfg_param *param, int64_t value, cfg_format fmt)
{
	if (fmt == CFG_FORMAT_RAW || (param->flags & CFG_SHOW_PLAIN))
		return xasprintf("%lld", (long long) value);
	return cfg_format_with_unit(value, param->flags);
}

char *
cfg_format_value(const pool_config *cfg, const cfg_param *param, int index, cfg_format fmt)
{
	const void *slot = cfg_slot(cfg, param, index);

	if (fmt == CFG_FORMAT_SHOW && (param->flags & CFG_SECRET))
		return xstrdup("*****");
	switch (param->type)
	{
		case CFG_TYPE_BOOL:
			if (fmt == CFG_FORMAT_RAW)
				return xstrdup(*(const bool *) slot ? "1" : "0");
			return xstrdup(*(const bool *) slot ? "on" : "off");
		case CFG_TYPE_INT:
			return format_integer(param, *(const int *) slot, fmt);
		case CFG_TYPE_INT64:
			return format_integer(param, *(const int64_t *) slot, fmt);
		case CFG_TYPE_DOUBLE:
			return xasprintf(fmt == CFG_FORMAT_RAW ? "%f" : "%g", *(const double *) slot);
		case CFG_TYPE_STRING:
			if (*(char *const *) slot == NULL)
				return xstrdup(fmt == CFG_FORMAT_RAW ? "(null)" : "");
			return xstrdup(*(char *const *) slot);
		case CFG_TYPE_ENUM:
			return format_enum(param, *(const int *) slot, fmt);
		case CFG_TYPE_STRING_LIST:
			return xstrdup(((const cfg_string_list *) slot)->text ?
						   ((const cfg_string_list *) slot)->text : "");
	}
	return xstrdup("");
}
