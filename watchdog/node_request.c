/*
 * PCP node requests carried out by the watchdog leader (see node_request.h).
 */
#include "watchdog/node_request.h"

#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "main/failover_request.h"
#include "net/sock.h"
#include "watchdog/backend_sync.h"
#include "watchdog/cluster_command.h"
#include "watchdog/consensus.h"

#define WD_POST_STEP_MS 20
#define WD_FORWARD_POST_WAIT_MS (WD_CLUSTER_REPEAT_MS + 1500)	/* for an earlier request to go */
#define WD_FORWARD_POLL_MS 100

wd_route
wd_node_request_route(bool use_watchdog, const shm_wd_view *v, int *leader)
{
	int			self;
	int			l;

	*leader = -1;
	if (!use_watchdog)
		return WD_ROUTE_LOCAL;
	if (v == NULL || v->num_nodes <= 0 || v->num_nodes > SHM_WD_MAX_NODES)
		return WD_ROUTE_REFUSE;
	/* escalated: we hold a majority of votes, so the quorum */
	if (v->escalated == 1)
		return WD_ROUTE_LOCAL;
	self = v->local_node;
	l = v->leader_node;
	if (self < 0 || self >= v->num_nodes || l < 0 || l >= v->num_nodes || l == self ||
		v->nodes[self].state != WD_STATE_STANDBY || v->nodes[l].state != WD_STATE_LEADER ||
		v->quorum_status == WD_QUORUM_ABSENT)
		return WD_ROUTE_REFUSE;
	*leader = l;
	return WD_ROUTE_LEADER;
}

wd_route
wd_node_request_route_now(const pool_config *cfg, int *leader)
{
	static shm_wd_view v;		/* large; one PCP request at a time per process */
	bool		current = false;

	if (cfg->use_watchdog && shm_wd_read(&v) == 0)
		current = net_now_ms() - v.published_ms <= WD_VIEW_STALE_MS;
	return wd_node_request_route(cfg->use_watchdog, current ? &v : NULL, leader);
}

int
wd_node_request_post_with_deadline(shm_failover_kind kind, int node, unsigned int flags, int leader,
								   int wait_ms)
{
	shm_wd_node_request req = {.kind = (int32_t) kind, .node = node,
		.flags = flags & WD_WIRE_REQUEST_FLAGS, .leader = leader};
	int64_t		deadline = net_deadline_after(wait_ms);
	struct timespec step = {0, WD_POST_STEP_MS * 1000 * 1000};

	while (shm_wd_node_request_post(&req) != 0)
	{
		if (net_now_ms() >= deadline)
			return -1;
		nanosleep(&step, NULL);
	}
	return 0;
}

/* Whether our backend table shows what the request asks for. */
static bool
table_shows(shm_failover_kind kind, int node)
{
	shm_backend_table t;
	int			status;

	if (shm_backends_snapshot(&t) == 0 || t.failover.switching || node >= t.num_backends)
		return false;
	status = t.nodes[node].status;
	if (kind == SHM_FO_NODE_DOWN)
		return status == SHM_CON_DOWN;
	if (kind == SHM_FO_NODE_UP)
		return status != SHM_CON_DOWN && status != SHM_CON_UNUSED;
	/* as pgpool, promoting a node that is down is answered at once; the leader logs why not */
	return t.primary_node_id == node || status == SHM_CON_DOWN || status == SHM_CON_UNUSED;
}

static bool
wait_until_shown_with_deadline(shm_failover_kind kind, int node, int wait_ms)
{
	int64_t		deadline = net_deadline_after(wait_ms);
	struct timespec step = {0, WD_FORWARD_POLL_MS * 1000 * 1000};

	while (!table_shows(kind, node))
	{
		if (net_now_ms() >= deadline)
			return false;
		nanosleep(&step, NULL);
	}
	return true;
}

int
wd_node_request_forward_with_deadline(const wd_node_forward *f, char *err, size_t err_size)
{
	bool		already = f->kind != SHM_FO_NODE_DOWN && table_shows(f->kind, f->node);
	int64_t		t0 = net_now_ms();

	if (wd_node_request_post_with_deadline(f->kind, f->node, f->flags, f->leader,
										   WD_FORWARD_POST_WAIT_MS) != 0)
	{
		snprintf(err, err_size, "%s: the watchdog did not take the request within %d ms (another "
				 "node request is being sent to the leader)", f->what, WD_FORWARD_POST_WAIT_MS);
		return -1;
	}
	log_info("%s: %s for node %d sent to the watchdog leader (node %d)", f->who, f->what, f->node,
			 f->leader);
	if (already)
		return 0;
	if (!wait_until_shown_with_deadline(f->kind, f->node, f->wait_ms))
	{
		snprintf(err, err_size, "%s: the watchdog leader (node %d) did not carry out the request "
				 "within %d s", f->what, f->leader, f->wait_ms / 1000);
		return -1;
	}
	log_info("%s: the watchdog leader (node %d) carried out %s for node %d; shown here after "
			 "%lld ms", f->who, f->leader, f->what, f->node, (long long) (net_now_ms() - t0));
	return 0;
}

void
wd_node_request_init(wd_node_requests *r, const pool_config *cfg)
{
	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->node = -1;
	r->to = -1;
}

const char *
wd_node_request_tool(int kind)
{
	switch (kind)
	{
		case SHM_FO_NODE_DOWN: return "pcp_detach_node";
		case SHM_FO_NODE_UP: return "pcp_attach_node";
		case SHM_FO_PROMOTE: return "pcp_promote_node";
	}
	return "node request";
}

bool
wd_node_request_take(wd_node_requests *r, int64_t now_ms, time_t now_wall)
{
	shm_wd_node_request req;

	/* one on the wire at a time: a later one waits in shared memory (PCP bounds its wait) */
	if (wd_node_request_active(r, now_ms) || shm_wd_node_request_take(&req) != 1)
		return false;
	if (req.kind < SHM_FO_NODE_DOWN || req.kind > SHM_FO_PROMOTE ||
		req.node >= 8 * WD_WIRE_VOTE_BYTES)
		return false;
	r->kind = (uint8_t) req.kind;
	r->node = req.node;
	r->flags = req.flags & WD_WIRE_REQUEST_FLAGS;
	r->to = req.leader;
	r->id++;
	r->time = now_wall;
	r->until_ms = now_ms + WD_CLUSTER_REPEAT_MS;
	log_info("watchdog: sending %s for backend %d to the leader (node %d), request %u",
			 wd_node_request_tool(r->kind), r->node, r->to, r->id);
	return true;
}

bool
wd_node_request_active(const wd_node_requests *r, int64_t now_ms)
{
	return r->kind != 0 && now_ms < r->until_ms;
}

void
wd_node_request_fill(const wd_node_requests *r, wd_msg *msg, int64_t now_ms)
{
	msg->request = 0;
	msg->request_node = -1;
	msg->request_flags = 0;
	msg->request_id = 0;
	msg->request_time = 0;
	msg->request_to = -1;
	if (!wd_node_request_active(r, now_ms))
		return;
	msg->request = r->kind;
	msg->request_node = r->node;
	msg->request_flags = r->flags;
	msg->request_id = r->id;
	msg->request_time = r->time;
	msg->request_to = r->to;
}

bool
wd_node_request_should_act(const wd_node_requests *r, const wd_msg *msg, bool known_incarnation,
						   int self, bool leading, time_t now_wall)
{
	int64_t		age = (int64_t) now_wall - msg->request_time;

	if (msg->request < SHM_FO_NODE_DOWN || msg->request > SHM_FO_PROMOTE || msg->request_node < 0 ||
		msg->request_to != self || msg->node_id == self || !leading || !known_incarnation ||
		msg->node_id < 0 || msg->node_id >= WD_MAX_NODES)
		return false;
	if (age > WD_CLUSTER_MAX_AGE_S || age < -WD_CLUSTER_MAX_AGE_S)
		return false;
	return msg->boot_id != r->acted_boot[msg->node_id] || msg->request_id > r->acted_id[msg->node_id];
}

void
wd_node_request_receive(wd_node_requests *r, const wd_msg *msg, bool known_incarnation, int self,
						bool leading, time_t now_wall)
{
	const char *tool = wd_node_request_tool(msg->request);
	char		err[256] = "";
	int			rc;

	if (!wd_node_request_should_act(r, msg, known_incarnation, self, leading, now_wall))
		return;
	rc = failover_request_with_deadline(r->cfg, (shm_failover_kind) msg->request, msg->request_node,
										msg->request_flags & WD_WIRE_REQUEST_FLAGS, WD_SYNC_LOCK_MS,
										NULL, err, sizeof(err));
	if (rc == FO_REQUEST_BUSY)
		return;					/* the sender repeats it; tried again then */
	r->acted_boot[msg->node_id] = msg->boot_id;
	r->acted_id[msg->node_id] = msg->request_id;
	if (rc == FO_REQUEST_QUEUED)
		log_info("watchdog: node %d forwards %s for backend %d%s (request %u); carrying it out "
				 "for the cluster", msg->node_id, tool, msg->request_node,
				 (msg->request_flags & SHM_FO_SWITCHOVER) ? " (switchover)" : "", msg->request_id);
	else
		log_warning("watchdog: node %d forwards %s for backend %d (request %u); refused here: %s",
					msg->node_id, tool, msg->request_node, msg->request_id, err);
}
