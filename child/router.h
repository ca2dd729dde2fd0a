/*
 * Where a session's statements go. Until statement routing arrives, every session talks to the
 * primary (or, before one is known, the first usable node); this is the seam where load
 * balancing plugs in.
 */
#ifndef PGNG_CHILD_ROUTER_H
#define PGNG_CHILD_ROUTER_H

#include "config/config.h"

/* The node a new session uses, or -1 when no node is usable. */
int			router_main_node(const pool_config *cfg);

/* A session has connected to node: a node still "waiting" becomes "up", as in pgpool. */
void		router_note_connected(int node);

#endif
