/*
 * The routing rules a pgpool.conf sets: write_function_list / read_only_function_list and
 * primary_routing_query_pattern_list (regular expressions, matched whole and case-insensitively,
 * as pgpool does), plus this child's memory of function volatility read from the catalog.
 */
#ifndef PGNG_CHILD_ROUTE_POLICY_H
#define PGNG_CHILD_ROUTE_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "parser/sql_classify.h"

/* Compiles the lists of cfg (again only when they changed). */
void		route_policy_load(const pool_config *cfg);

/*
 * What the function lists say of fn: 1 reads only, 0 writes, -1 neither list is set (ask the
 * catalog). key gets the name to look up ("schema.name" or "name").
 */
int			route_policy_function(const sql_name *fn, char *key, size_t key_size);

/* Whether a statement matches primary_routing_query_pattern_list. */
bool		route_policy_primary_query(const char *text, size_t len);

/* The catalog's answer remembered for (database, function): 1 reads only, 0 may write, -1 unknown. */
int			route_policy_cached_volatility(const char *database, const char *function);
void		route_policy_remember_volatility(const char *database, const char *function, bool reads_only);

#endif
