/*
 * Taking the leader's backend status (see backend_sync.h).
 */
#include "watchdog/backend_sync.h"

#include <string.h>

#include "common/log.h"
#include "main/failover_request.h"

void
wd_backend_sync_init(wd_backend_sync *s, const pool_config *cfg)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->leader = -1;
	s->primary = -1;
}

static bool
is_up(int status)
{
	return status != SHM_CON_DOWN && status != SHM_CON_UNUSED;
}

static bool
bit(const uint8_t *map, int b)
{
	return (map[b / 8] & (1u << (b % 8))) != 0;
}

void
wd_backend_sync_fill(wd_msg *msg)
{
	shm_backend_table t;

	msg->backend_count = 0;
	msg->backend_primary = -1;
	memset(msg->backend_up, 0, sizeof(msg->backend_up));
	/* mid-failover the table is half done: no view rather than one the standbys would copy */
	if (shm_backends_snapshot(&t) == 0 || t.failover.switching)
		return;
	for (int b = 0; b < t.num_backends && b < 8 * WD_WIRE_VOTE_BYTES; b++)
		if (is_up(t.nodes[b].status))
			msg->backend_up[b / 8] |= (uint8_t) (1u << (b % 8));
	msg->backend_count = (uint8_t) (t.num_backends < 8 * WD_WIRE_VOTE_BYTES ?
									t.num_backends : 8 * WD_WIRE_VOTE_BYTES);
	msg->backend_primary = t.primary_node_id < msg->backend_count ? t.primary_node_id : -1;
}

bool
wd_backend_sync_moved(wd_backend_sync *s)
{
	wd_msg		now;

	wd_backend_sync_fill(&now);
	if (now.backend_count == s->sent.backend_count && now.backend_primary == s->sent.backend_primary &&
		memcmp(now.backend_up, s->sent.backend_up, sizeof(now.backend_up)) == 0)
		return false;
	s->sent.backend_count = now.backend_count;
	s->sent.backend_primary = now.backend_primary;
	memcpy(s->sent.backend_up, now.backend_up, sizeof(now.backend_up));
	return true;
}

wd_sync_diff
wd_backend_sync_diff(const wd_msg *leader, const shm_backend_table *t, int b)
{
	bool		ours;

	if (b < 0 || b >= leader->backend_count || b >= t->num_backends ||
		t->nodes[b].status == SHM_CON_UNUSED)
		return WD_SYNC_NONE;
	ours = is_up(t->nodes[b].status);
	if (ours && !bit(leader->backend_up, b))
		return WD_SYNC_DOWN;
	if (!ours && bit(leader->backend_up, b))
		return WD_SYNC_UP;
	return WD_SYNC_NONE;
}

/* Remembers the leader's view; true once it has stayed the same for WD_SYNC_STEADY_MS. */
static bool
steady(wd_backend_sync *s, int leader, const wd_peer *p, int64_t now_ms)
{
	const wd_msg *v = &p->last;

	if (leader != s->leader || p->boot_id != s->leader_boot || v->backend_count != s->count ||
		v->backend_primary != s->primary || memcmp(v->backend_up, s->up, sizeof(s->up)) != 0)
	{
		s->leader = leader;
		s->leader_boot = p->boot_id;
		s->count = v->backend_count;
		s->primary = v->backend_primary;
		memcpy(s->up, v->backend_up, sizeof(s->up));
		s->steady_since_ms = now_ms;
		return false;
	}
	return now_ms - s->steady_since_ms >= WD_SYNC_STEADY_MS;
}

/* Posts one request; false when it must be tried again on a later turn. */
static bool
post(wd_backend_sync *s, shm_failover_kind kind, int b, int leader)
{
	static const char *const what[] = {"", "down", "up", "the primary"};
	char		err[256];
	int			rc = failover_request_with_deadline(s->cfg, kind, b, SHM_FO_FROM_LEADER,
													WD_SYNC_LOCK_MS, NULL, err, sizeof(err));

	if (rc == FO_REQUEST_QUEUED)
		log_info("watchdog: the leader (node %d) has backend %d %s; taking its status", leader, b,
				 what[kind]);
	else if (rc == FO_REQUEST_INVALID)
		log_warning("watchdog: backend %d: the leader's status not taken: %s", b, err);
	return rc != FO_REQUEST_BUSY;
}

static void
follow(wd_backend_sync *s, const wd_msg *v, int leader, int64_t now_ms)
{
	shm_backend_table t;

	if (shm_backends_snapshot(&t) == 0 || t.failover.switching)
		return;
	for (int b = 0; b < v->backend_count && b < t.num_backends; b++)
	{
		wd_sync_diff d = wd_backend_sync_diff(v, &t, b);

		if (d == WD_SYNC_NONE || now_ms - s->requested_ms[b] < WD_SYNC_RETRY_MS)
			continue;
		if (post(s, d == WD_SYNC_DOWN ? SHM_FO_NODE_DOWN : SHM_FO_NODE_UP, b, leader))
			s->requested_ms[b] = now_ms;
	}
	/* queued after any attach of it, so the failover process sees the node up when it gets here */
	if (v->backend_primary >= 0 && v->backend_primary != t.primary_node_id &&
		bit(v->backend_up, v->backend_primary) &&
		now_ms - s->primary_requested_ms >= WD_SYNC_RETRY_MS &&
		post(s, SHM_FO_PROMOTE, v->backend_primary, leader))
		s->primary_requested_ms = now_ms;
}

void
wd_backend_sync_turn(wd_backend_sync *s, const wd_members *m, const wd_timing *t,
					 int local_state, int leader, int64_t now_ms)
{
	const wd_peer *p;

	if (local_state != WD_STATE_STANDBY || leader < 0 || leader >= m->num_nodes || leader == m->self)
	{
		s->leader = -1;
		return;
	}
	p = &m->peers[leader];
	/* the leader says LEADER only while it holds a majority of votes: its view has quorum */
	if (!p->heard || wd_members_peer_state(m, t, leader, now_ms) != WD_STATE_LEADER ||
		!steady(s, leader, p, now_ms) || p->last.backend_count == 0)
		return;
	if (p->last.backend_count != s->cfg->num_backends)
	{
		if (!s->count_warned)
			log_warning("watchdog: the leader (node %d) has %d backends, this node %d; its backend "
						"status is not taken", leader, p->last.backend_count, s->cfg->num_backends);
		s->count_warned = true;
		return;
	}
	follow(s, &p->last, leader, now_ms);
}
