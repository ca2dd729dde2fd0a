/*
 * Unit tests of watchdog/node_request.c: where a PCP node request goes (here, the leader, refused),
 * when the leader acts on a forwarded one (once, for itself only, while it leads, from a known
 * incarnation, recent), and the shared-memory slot PCP posts it in.
 */
#include <string.h>

#include "config/config.h"
#include "shmem/shmem.h"
#include "unit/test_watchdog.h"
#include "watchdog/cluster_command.h"
#include "watchdog/node_request.h"

/* Three nodes, all alive; this node is `self`, node `leader` leads. */
static void
view(shm_wd_view *v, int self, int leader)
{
	memset(v, 0, sizeof(*v));
	v->num_nodes = 3;
	v->local_node = self;
	v->leader_node = leader;
	v->alive_nodes = 3;
	v->quorum_status = WD_QUORUM_EXISTS;
	v->escalated = self == leader;
	for (int i = 0; i < 3; i++)
		v->nodes[i].state = i == leader ? WD_STATE_LEADER : WD_STATE_STANDBY;
}

static void
test_route(void)
{
	static shm_wd_view v;
	int			leader = 7;

	view(&v, 1, 0);
	CU_ASSERT_EQUAL(wd_node_request_route(false, NULL, &leader), WD_ROUTE_LOCAL);	/* no watchdog */
	CU_ASSERT_EQUAL(leader, -1);
	CU_ASSERT_EQUAL(wd_node_request_route(true, &v, &leader), WD_ROUTE_LEADER);
	CU_ASSERT_EQUAL(leader, 0);
	CU_ASSERT_EQUAL(wd_node_request_route(true, NULL, &leader), WD_ROUTE_REFUSE);	/* no current view */
	view(&v, 0, 0);
	CU_ASSERT_EQUAL(wd_node_request_route(true, &v, &leader), WD_ROUTE_LOCAL);	/* the leader */
	/* a survivor without quorum: no leader, or one that does not say LEADER */
	view(&v, 2, -1);
	v.alive_nodes = 1;
	v.quorum_status = WD_QUORUM_ABSENT;
	v.nodes[2].state = WD_STATE_STANDING;
	CU_ASSERT_EQUAL(wd_node_request_route(true, &v, &leader), WD_ROUTE_REFUSE);
	CU_ASSERT_EQUAL(leader, -1);
	view(&v, 2, 0);
	v.nodes[0].state = WD_STATE_LOST;
	CU_ASSERT_EQUAL(wd_node_request_route(true, &v, &leader), WD_ROUTE_REFUSE);
	view(&v, 2, 0);
	v.nodes[2].state = WD_STATE_STANDING;		/* an election going on here */
	CU_ASSERT_EQUAL(wd_node_request_route(true, &v, &leader), WD_ROUTE_REFUSE);
	view(&v, 2, 0);
	v.quorum_status = WD_QUORUM_ABSENT;
	CU_ASSERT_EQUAL(wd_node_request_route(true, &v, &leader), WD_ROUTE_REFUSE);
	view(&v, 2, 5);								/* a leader outside the cluster */
	CU_ASSERT_EQUAL(wd_node_request_route(true, &v, &leader), WD_ROUTE_REFUSE);
}

/* A detach of backend 2 from node 1 (boot 42) for leader 0. */
static void
forwarded(wd_msg *m, time_t now)
{
	memset(m, 0, sizeof(*m));
	m->node_id = 1;
	m->boot_id = 42;
	m->request = SHM_FO_NODE_DOWN;
	m->request_node = 2;
	m->request_flags = SHM_FO_GRACEFUL;
	m->request_id = 1;
	m->request_time = now - 1;
	m->request_to = 0;
}

static void
test_should_act(void)
{
	wd_node_requests r;
	wd_msg		m;
	time_t		now = 1764000000;

	wd_node_request_init(&r, NULL);
	forwarded(&m, now);
	CU_ASSERT(wd_node_request_should_act(&r, &m, true, 0, true, now));
	CU_ASSERT(!wd_node_request_should_act(&r, &m, false, 0, true, now));	/* unknown incarnation */
	CU_ASSERT(!wd_node_request_should_act(&r, &m, true, 0, false, now));	/* not leading */
	CU_ASSERT(!wd_node_request_should_act(&r, &m, true, 2, true, now));	/* for another node */
	r.acted_boot[1] = 42;
	r.acted_id[1] = 1;
	CU_ASSERT(!wd_node_request_should_act(&r, &m, true, 0, true, now));	/* the repeats */
	m.boot_id = 43;											/* the sender restarted: ids anew */
	CU_ASSERT(wd_node_request_should_act(&r, &m, true, 0, true, now));
	m.boot_id = 42;
	m.request_id = 2;
	CU_ASSERT(wd_node_request_should_act(&r, &m, true, 0, true, now));
	m.request_time = now - WD_CLUSTER_MAX_AGE_S - 1;			/* a replay, too old */
	CU_ASSERT(!wd_node_request_should_act(&r, &m, true, 0, true, now));
	m.request_time = now + WD_CLUSTER_MAX_AGE_S + 1;
	CU_ASSERT(!wd_node_request_should_act(&r, &m, true, 0, true, now));
	m.request_time = now;
	m.request = 0;												/* a heartbeat without request */
	m.request_node = -1;
	CU_ASSERT(!wd_node_request_should_act(&r, &m, true, 0, true, now));
	forwarded(&m, now);
	m.node_id = 0;												/* our own, looped back */
	CU_ASSERT(!wd_node_request_should_act(&r, &m, true, 0, true, now));
}

/* What the watchdog puts on its heartbeats: the request for WD_CLUSTER_REPEAT_MS, then none. */
static void
test_fill(void)
{
	wd_node_requests r;
	wd_msg		m;

	wd_node_request_init(&r, NULL);
	memset(&m, 0, sizeof(m));
	wd_node_request_fill(&r, &m, 1000);
	CU_ASSERT_EQUAL(m.request, 0);
	CU_ASSERT_EQUAL(m.request_node, -1);
	CU_ASSERT_EQUAL(m.request_to, -1);
	r.kind = SHM_FO_PROMOTE;
	r.node = 1;
	r.flags = SHM_FO_SWITCHOVER;
	r.to = 2;
	r.id = 5;
	r.time = 1764000000;
	r.until_ms = 1000 + WD_CLUSTER_REPEAT_MS;
	CU_ASSERT(wd_node_request_active(&r, 1000));
	wd_node_request_fill(&r, &m, 1000);
	CU_ASSERT_EQUAL(m.request, SHM_FO_PROMOTE);
	CU_ASSERT_EQUAL(m.request_node, 1);
	CU_ASSERT_EQUAL(m.request_flags, SHM_FO_SWITCHOVER);
	CU_ASSERT_EQUAL(m.request_to, 2);
	CU_ASSERT_EQUAL(m.request_id, 5);
	CU_ASSERT_EQUAL(m.request_time, 1764000000);
	CU_ASSERT(!wd_node_request_active(&r, 1000 + WD_CLUSTER_REPEAT_MS));
	wd_node_request_fill(&r, &m, 1000 + WD_CLUSTER_REPEAT_MS);
	CU_ASSERT_EQUAL(m.request, 0);
	CU_ASSERT_STRING_EQUAL(wd_node_request_tool(SHM_FO_NODE_UP), "pcp_attach_node");
}

/* The slot in shared memory: one request at a time, taken whole; out-of-range ones refused. */
static void
test_shm_slot(void)
{
	pool_config *cfg = cfg_create();
	shm_wd_node_request in = {.kind = SHM_FO_PROMOTE, .node = 127, .flags = 0x3, .leader = 31};
	shm_wd_node_request out;

	CU_ASSERT_EQUAL_FATAL(shm_create(cfg), 0);
	CU_ASSERT_EQUAL(shm_wd_node_request_take(&out), 0);
	CU_ASSERT_EQUAL(shm_wd_node_request_post(&in), 0);
	CU_ASSERT_EQUAL(shm_wd_node_request_post(&in), -1);	/* not taken yet */
	CU_ASSERT_EQUAL(shm_wd_node_request_take(&out), 1);
	CU_ASSERT_EQUAL(out.kind, SHM_FO_PROMOTE);
	CU_ASSERT_EQUAL(out.node, 127);
	CU_ASSERT_EQUAL(out.flags, 0x3);
	CU_ASSERT_EQUAL(out.leader, 31);
	CU_ASSERT_EQUAL(shm_wd_node_request_take(&out), 0);
	in.node = CFG_MAX_BACKENDS;
	CU_ASSERT_EQUAL(shm_wd_node_request_post(&in), -1);
	in.node = 0;
	in.leader = SHM_WD_MAX_NODES;
	CU_ASSERT_EQUAL(shm_wd_node_request_post(&in), -1);
	in.leader = 0;
	in.kind = 0;
	CU_ASSERT_EQUAL(shm_wd_node_request_post(&in), -1);
	/* posted for a node 0 with no flags to leader 0: still a request, not "none" */
	in.kind = SHM_FO_NODE_DOWN;
	in.flags = 0;
	CU_ASSERT_EQUAL(shm_wd_node_request_post(&in), 0);
	CU_ASSERT_EQUAL(shm_wd_node_request_take(&out), 1);
	CU_ASSERT_EQUAL(out.node, 0);
	CU_ASSERT_EQUAL(out.leader, 0);
	shm_destroy();
	cfg_destroy(cfg);
}

CU_TestInfo wd_node_request_tests[] = {
	{"route: local without watchdog or as leader, to the leader, refused without one", test_route},
	{"leader acts once, for itself, while leading, known incarnation, recent", test_should_act},
	{"heartbeats carry the request for the repeat window only", test_fill},
	{"shared-memory slot: one at a time, taken whole, range checked", test_shm_slot},
	CU_TEST_INFO_NULL
};
