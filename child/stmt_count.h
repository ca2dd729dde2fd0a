/*
 * Statement counters per node (SHOW pool_nodes select_cnt, SHOW pool_backend_stats): the relay
 * hands over the client's Query, Parse, Bind and Execute messages and the backend's errors; the
 * kind of a prepared statement is remembered from its Parse and counted at each Execute.
 */
#ifndef PGNG_CHILD_STMT_COUNT_H
#define PGNG_CHILD_STMT_COUNT_H

#include <stddef.h>
#include <stdint.h>

/* Forgets prepared statements and portals (new session). */
void		stmt_count_reset(void);

/* A complete client message of type 'Q', 'P', 'B' or 'E' sent to node; others are ignored. */
void		stmt_count_client_message(int slot, int node, uint8_t type, const uint8_t *body, size_t len);

/* A complete ErrorResponse from node: counts ERROR, FATAL and PANIC. */
void		stmt_count_backend_error(int slot, int node, const uint8_t *body, size_t len);

#endif
