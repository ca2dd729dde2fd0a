/*
 * Whether this node may send writes (see write_gate.h): the watchdog's view in shared memory says
 * whether the cluster has quorum; the relay asks once per write unit, the view is copied at most
 * every WRITE_GATE_CACHE_MS.
 */
#include "child/write_gate.h"

#include "net/sock.h"

/* Reasons that make a unit a write (not SET, BEGIN/COMMIT, hints: they write no data). */
#define WRITE_GATE_REASONS (SQL_WRITE_STATEMENT | SQL_WRITE_LOCKING | SQL_WRITE_INTO | SQL_WRITE_CTE | \
							SQL_WRITE_FUNCTION | SQL_WRITE_OVERFLOW | SQL_WRITE_UNCERTAIN)

bool
write_gate_quorum_ok(const pool_config *cfg, const shm_wd_view *view, int64_t now_ms)
{
	int64_t		stale_ms = (int64_t) cfg->wd_heartbeat_deadtime * 3000;

	if (!cfg->use_watchdog)
		return true;
	if (view == NULL || view->num_nodes <= 0)
		return false;
	if (stale_ms < WRITE_GATE_STALE_MIN_MS)
		stale_ms = WRITE_GATE_STALE_MIN_MS;
	if (now_ms - view->published_ms > stale_ms)
		return false;
	/*
	 * 0 (on the edge: half of an even cluster) is published only with
	 * enable_consensus_with_half_votes, which makes it count as quorum, as in pgpool-II.
	 */
	return view->quorum_status >= 0;
}

bool
write_gate_unit_writes(const route_plan *plan)
{
	if (plan->trivial)
		return false;
	if (plan->writes || plan->overflow || !plan->complete)
		return true;
	for (int i = 0; i < plan->count; i++)
		if (plan->classes[i].write_reasons & WRITE_GATE_REASONS)
			return true;
	return false;
}

bool
write_gate_writes_allowed(const pool_config *cfg)
{
	static int64_t read_at;
	static bool allowed = true;
	static shm_wd_view view;
	int64_t		now;

	if (!cfg->use_watchdog)
		return true;
	now = net_now_ms();
	if (read_at != 0 && now - read_at < WRITE_GATE_CACHE_MS && now >= read_at)
		return allowed;
	read_at = now;
	allowed = write_gate_quorum_ok(cfg, shm_wd_read(&view) == 0 ? &view : NULL, now);
	return allowed;
}
