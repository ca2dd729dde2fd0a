/*
 * Unit tests for watchdog/consensus.c: which failover requests the watchdog decides on, the gate
 * without quorum, the votes needed and how they are counted; how a standby's backends differ from
 * its leader's view.
 */
#include <string.h>

#include "unit/test_watchdog.h"
#include "watchdog/backend_sync.h"
#include "watchdog/cluster_command.h"
#include "watchdog/consensus.h"
#include "watchdog/election.h"

static void
test_gate(void)
{
	unsigned int hc = SHM_FO_HEALTH_CHECK;

	/* without the watchdog, or for operators' and the leader's own requests: as asked */
	CU_ASSERT_EQUAL(wd_gate_decide(false, SHM_FO_NODE_DOWN, hc, false, WD_QUORUM_ABSENT, true),
					WD_GATE_PROCEED);
	CU_ASSERT_EQUAL(wd_gate_decide(true, SHM_FO_NODE_DOWN, 0, true, WD_QUORUM_ABSENT, true),
					WD_GATE_PROCEED);
	CU_ASSERT_EQUAL(wd_gate_decide(true, SHM_FO_NODE_UP, hc, true, WD_QUORUM_ABSENT, true),
					WD_GATE_PROCEED);
	CU_ASSERT_EQUAL(wd_gate_decide(true, SHM_FO_NODE_DOWN, hc | WD_FO_CONSENSUS, true,
								   WD_QUORUM_EXISTS, true), WD_GATE_PROCEED);
	/* a standby taking the leader's status: decided there, even without a view or quorum here */
	CU_ASSERT_EQUAL(wd_gate_decide(true, SHM_FO_NODE_DOWN, hc | SHM_FO_FROM_LEADER, false,
								   WD_QUORUM_ABSENT, true), WD_GATE_PROCEED);
	/* a health check's request: a vote with quorum, refused without (unless the switch is off) */
	CU_ASSERT_EQUAL(wd_gate_decide(true, SHM_FO_NODE_DOWN, hc, true, WD_QUORUM_EXISTS, true),
					WD_GATE_VOTED);
	CU_ASSERT_EQUAL(wd_gate_decide(true, SHM_FO_NODE_DOWN, hc, true, WD_QUORUM_ON_THE_EDGE, true),
					WD_GATE_VOTED);
	CU_ASSERT_EQUAL(wd_gate_decide(true, SHM_FO_NODE_DOWN, hc, true, WD_QUORUM_ABSENT, true),
					WD_GATE_REFUSED);
	CU_ASSERT_EQUAL(wd_gate_decide(true, SHM_FO_NODE_DOWN, hc, true, WD_QUORUM_ABSENT, false),
					WD_GATE_PROCEED);
	/* a child's failover_on_backend_error request is a vote like the health check's */
	CU_ASSERT_EQUAL(wd_gate_decide(true, SHM_FO_NODE_DOWN, SHM_FO_BACKEND_ERROR, true,
								   WD_QUORUM_EXISTS, true), WD_GATE_VOTED);
	CU_ASSERT_EQUAL(wd_gate_decide(true, SHM_FO_NODE_DOWN, SHM_FO_BACKEND_ERROR, true,
								   WD_QUORUM_ABSENT, true), WD_GATE_REFUSED);
	CU_ASSERT_EQUAL(wd_gate_decide(false, SHM_FO_NODE_DOWN, SHM_FO_BACKEND_ERROR, false,
								   WD_QUORUM_ABSENT, true), WD_GATE_PROCEED);
	/* no current view: nobody knows about quorum, so no failover */
	CU_ASSERT_EQUAL(wd_gate_decide(true, SHM_FO_NODE_DOWN, hc, false, 0, false), WD_GATE_REFUSED);
}

static void
test_needed_and_count(void)
{
	uint8_t		a[WD_WIRE_VOTE_BYTES] = {0};
	uint8_t		b[WD_WIRE_VOTE_BYTES] = {0};
	const uint8_t *voters[4] = {a, b, NULL, a};

	CU_ASSERT_EQUAL(wd_consensus_needed(3, false, true), 2);
	CU_ASSERT_EQUAL(wd_consensus_needed(4, false, true), 3);
	CU_ASSERT_EQUAL(wd_consensus_needed(4, true, true), 2);	/* enable_consensus_with_half_votes */
	CU_ASSERT_EQUAL(wd_consensus_needed(3, false, false), 1);
	a[0] = 0x04;				/* backend 2 */
	b[0] = 0x04;
	b[15] = 0x80;				/* backend 127 */
	CU_ASSERT_EQUAL(wd_consensus_count(voters, 4, 2), 3);	/* node 2 is not counted */
	CU_ASSERT_EQUAL(wd_consensus_count(voters, 4, 127), 1);
	CU_ASSERT_EQUAL(wd_consensus_count(voters, 4, 0), 0);
	CU_ASSERT_EQUAL(wd_consensus_count(voters, 4, 128), 0);
	CU_ASSERT_EQUAL(wd_consensus_count(voters, 4, -1), 0);
}

/* Cluster-wide commands: once per command, only from a known incarnation, only when recent. */
static void
test_cluster_command(void)
{
	wd_cluster	c;
	wd_msg		m;
	time_t		now = 1764000000;

	memset(&c, 0, sizeof(c));
	memset(&m, 0, sizeof(m));
	m.node_id = 1;
	m.boot_id = 42;
	m.command = WD_CLUSTER_STOP_FAST;
	m.command_id = 1;
	m.command_time = now - 2;
	CU_ASSERT(!wd_cluster_should_act(&c, &m, false, now));	/* first word of an incarnation */
	CU_ASSERT(wd_cluster_should_act(&c, &m, true, now));
	c.acted_boot[1] = 42;
	c.acted_id[1] = 1;
	CU_ASSERT(!wd_cluster_should_act(&c, &m, true, now));	/* the repeats */
	m.command_id = 2;
	CU_ASSERT(wd_cluster_should_act(&c, &m, true, now));
	m.command_time = now - WD_CLUSTER_MAX_AGE_S - 1;
	CU_ASSERT(!wd_cluster_should_act(&c, &m, true, now));	/* a replay, too old */
	m.command_time = now;
	m.command = WD_CLUSTER_NONE;
	CU_ASSERT(!wd_cluster_should_act(&c, &m, true, now));
	CU_ASSERT_EQUAL(wd_cluster_stop_command('f'), WD_CLUSTER_STOP_FAST);
	CU_ASSERT_EQUAL(wd_cluster_stop_command('s'), WD_CLUSTER_STOP_SMART);
	CU_ASSERT_EQUAL(wd_cluster_stop_command('i'), WD_CLUSTER_STOP_IMMEDIATE);
	CU_ASSERT_EQUAL(wd_cluster_stop_command('x'), WD_CLUSTER_NONE);
}

/* The leader's view against ours: down, up, nothing for unused or uncovered nodes. */
static void
test_backend_sync_diff(void)
{
	static shm_backend_table t;
	wd_msg		v;

	memset(&t, 0, sizeof(t));
	memset(&v, 0, sizeof(v));
	t.num_backends = 4;
	t.nodes[0].status = SHM_CON_UP;
	t.nodes[1].status = SHM_CON_CONNECT_WAIT;
	t.nodes[2].status = SHM_CON_DOWN;
	t.nodes[3].status = SHM_CON_UNUSED;
	v.backend_count = 4;
	v.backend_up[0] = 0x0d;		/* 0, 2 and 3 up; 1 down */
	CU_ASSERT_EQUAL(wd_backend_sync_diff(&v, &t, 0), WD_SYNC_NONE);
	CU_ASSERT_EQUAL(wd_backend_sync_diff(&v, &t, 1), WD_SYNC_DOWN);
	CU_ASSERT_EQUAL(wd_backend_sync_diff(&v, &t, 2), WD_SYNC_UP);
	CU_ASSERT_EQUAL(wd_backend_sync_diff(&v, &t, 3), WD_SYNC_NONE);	/* not configured here */
	CU_ASSERT_EQUAL(wd_backend_sync_diff(&v, &t, 4), WD_SYNC_NONE);
	CU_ASSERT_EQUAL(wd_backend_sync_diff(&v, &t, -1), WD_SYNC_NONE);
	v.backend_count = 1;		/* a view that does not cover node 1 says nothing of it */
	CU_ASSERT_EQUAL(wd_backend_sync_diff(&v, &t, 1), WD_SYNC_NONE);
}

CU_TestInfo wd_consensus_tests[] = {
	{"backend status: a standby's differences from the leader's view", test_backend_sync_diff},
	{"cluster-wide commands: once, known incarnation, recent", test_cluster_command},
	{"gate: health-check requests are votes; none without quorum", test_gate},
	{"votes needed and counted per backend", test_needed_and_count},
	CU_TEST_INFO_NULL
};
