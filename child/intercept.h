/*
 * The commands pgpool-ng answers itself instead of PostgreSQL: SHOW pool_* and PGPOOL SHOW / SET /
 * RESET, recognised in simple-protocol Query messages only (as pgpool-II does).
 */
#ifndef PGNG_CHILD_INTERCEPT_H
#define PGNG_CHILD_INTERCEPT_H

#include <stdbool.h>
#include <stddef.h>

#include "child/session.h"
#include "protocol/pqbuf.h"

/*
 * True when the query text (a Query message body; len bytes, a NUL inside ends it) is one of:
 * SHOW pool_nodes | pool_status | pool_processes | pool_pools | pool_version | pool_backend_stats |
 * pool_health_check_stats | pool_cache, PGPOOL SHOW x, PGPOOL SET x = v | TO v, PGPOOL RESET x | ALL.
 * Case-insensitive; blanks around and one trailing ';' are allowed. Anything else (SHOW pool_foo,
 * PGPOOL FOO, a malformed PGPOOL SET) goes to PostgreSQL, as in pgpool.
 */
bool		intercept_matches(const char *query, size_t len);

/*
 * Appends the whole answer to out: RowDescription, DataRows and CommandComplete, or an
 * ErrorResponse (XX000). The caller adds ReadyForQuery. query must satisfy intercept_matches.
 */
void		intercept_answer(session *s, const char *query, pq_out *out);

/* Session end: drops the PGPOOL SET overrides and points s->cfg back at the child's configuration. */
void		intercept_session_end(session *s);

#endif
