/*
 * Fencing a second primary: a node detached in pgpool-ng's view that answers as a writable primary
 * beside the known primary (a hung primary that woke up, a partitioned host that healed) is made
 * read-only over libpq and its client sessions are ended, so that nothing can write to it any more.
 */
#ifndef PGNG_MAIN_FENCE_H
#define PGNG_MAIN_FENCE_H

#include <stdbool.h>

#include "config/config.h"

struct pg_conn;

/*
 * Whether this pgpool acts for the cluster: always without watchdog; with use_watchdog only when
 * the watchdog view says this node is the leader with quorum.
 */
bool		fence_may_act(const pool_config *cfg);

/*
 * Makes node (DOWN, not in recovery) read-only beside primary over conn (the sr check's connection
 * to it, borrowed; NULL counts as an error): default_transaction_read_only = on by ALTER SYSTEM,
 * pg_reload_conf(), its client sessions terminated. Logs once when fenced; an
 * error at most once a minute per node. Nothing when it is read-only already.
 */
void		fence_second_primary(const pool_config *cfg, struct pg_conn *conn, int node, int primary);

#endif
