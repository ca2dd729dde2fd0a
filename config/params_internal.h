/*
 * Shared by the config/ files only: the table pieces, the macros that build table rows, and the
 * value parsers/formatters that cfg_set and cfg_format_value use.
 */
#ifndef PGNG_CONFIG_PARAMS_INTERNAL_H
#define PGNG_CONFIG_PARAMS_INTERNAL_H

#include <limits.h>
#include <stddef.h>

#include "config/config.h"

/* One row per field; the field name is the parameter name (#f), so the two cannot drift apart. */
#define CFG_BOOL(f, ctx, def, desc) \
	{ .name = #f, .type = CFG_TYPE_BOOL, .context = ctx, .default_value = def, \
	  .store = CFG_STORE_GLOBAL, .offset = offsetof(pool_config, f), .description = desc }
#define CFG_INT(f, ctx, def, lo, hi, fl, desc) \
	{ .name = #f, .type = CFG_TYPE_INT, .context = ctx, .flags = fl, .default_value = def, \
	  .min = lo, .max = hi, .store = CFG_STORE_GLOBAL, .offset = offsetof(pool_config, f), \
	  .description = desc }
#define CFG_INT64(f, ctx, def, lo, hi, fl, desc) \
	{ .name = #f, .type = CFG_TYPE_INT64, .context = ctx, .flags = fl, .default_value = def, \
	  .min = lo, .max = hi, .store = CFG_STORE_GLOBAL, .offset = offsetof(pool_config, f), \
	  .description = desc }
#define CFG_STRING(f, ctx, def, fl, desc) \
	{ .name = #f, .type = CFG_TYPE_STRING, .context = ctx, .flags = fl, .default_value = def, \
	  .store = CFG_STORE_GLOBAL, .offset = offsetof(pool_config, f), .description = desc }
#define CFG_ENUM(f, ctx, def, opts, desc) \
	{ .name = #f, .type = CFG_TYPE_ENUM, .context = ctx, .default_value = def, .options = opts, \
	  .store = CFG_STORE_GLOBAL, .offset = offsetof(pool_config, f), .description = desc }
#define CFG_LIST(f, ctx, def, sep, desc) \
	{ .name = #f, .type = CFG_TYPE_STRING_LIST, .context = ctx, .default_value = def, \
	  .separator = sep, .store = CFG_STORE_GLOBAL, .offset = offsetof(pool_config, f), \
	  .description = desc }

/* The table, split by subject; each piece ends with a row whose name is NULL. */
extern const cfg_param cfg_params_general[];
extern const cfg_param cfg_params_cluster[];
extern const cfg_param cfg_params_watchdog[];

/* Address of a slot's storage (index -1: the plain/global one). */
void	   *cfg_slot(const pool_config *cfg, const cfg_param *param, int index);

/*
 * Parses text for param and stores it at the slot. Returns NULL on success, else a malloc'd
 * explanation of what is allowed ("must be between 1024 and 65535", ...).
 */
char	   *cfg_store_text(pool_config *cfg, const cfg_param *param, int index, const char *text);

/* cfg_store_text plus the health check rule: global values reach nodes without their own. */
char	   *cfg_apply_text(pool_config *cfg, const cfg_param *param, int index, const char *text);

/* Frees what the slot owns (strings, lists). */
void		cfg_free_slot(pool_config *cfg, const cfg_param *param, int index);

/* Value parsers, exported for the tests and for PGPOOL SET. */
bool		cfg_parse_number(const char *text, unsigned int unit_flags, double *out, char **hint);
bool		cfg_parse_enum(const cfg_param *param, const char *text, int *out);
char	   *cfg_enum_allowed(const cfg_param *param);
char	   *cfg_format_with_unit(int64_t value, unsigned int unit_flags);

/* Recomputes num_backends, num_wd_nodes and num_heartbeats. */
void		cfg_recount(pool_config *cfg);

#endif
