/*
 * Writes refused on a watchdog node without quorum: an isolated pgpool-ng must not send writes to
 * a primary the rest of the cluster may already have replaced (lost commits) or whose synchronous
 * standbys it cannot reach (commits that hang). Reads are still served.
 */
#ifndef PGNG_CHILD_WRITE_GATE_H
#define PGNG_CHILD_WRITE_GATE_H

#include <stdbool.h>
#include <stdint.h>

#include "child/route.h"
#include "config/config.h"
#include "shmem/shmem.h"

#define WRITE_GATE_SQLSTATE "25006"	/* read_only_sql_transaction */
#define WRITE_GATE_MESSAGE "pgpool-ng: this node has no watchdog quorum; writes are refused (reads still served)"
#define WRITE_GATE_CACHE_MS 100	/* the view is read at most this often per child */
#define WRITE_GATE_STALE_MIN_MS 3000

/*
 * Pure: may this node send writes? view NULL: none could be read. A view older than three
 * wd_heartbeat_deadtime (at least WRITE_GATE_STALE_MIN_MS) is from a watchdog that is hung or gone.
 */
bool		write_gate_quorum_ok(const pool_config *cfg, const shm_wd_view *view, int64_t now_ms);

/* Pure: the unit needs the primary because it may write (data, DDL, known writing functions). */
bool		write_gate_unit_writes(const route_plan *plan);

/* The cached answer of write_gate_quorum_ok on the shared view (always true without use_watchdog). */
bool		write_gate_writes_allowed(const pool_config *cfg);

#endif
