/*
 * Unit tests for watchdog/election.c: an in-memory cluster with a simulated clock, lossy links,
 * crashes and restarts. After every 10 ms tick at most one node may hold a majority of votes, and at
 * most one node's built-in VIP address may be unexpired (vip_lease.c, with the kernel as late as the
 * lease allows; a crashed node's address stays until it runs out); once links are healed a leader
 * must exist within the deadtime plus two seconds.
 */
#include <stdlib.h>
#include <string.h>

#include "unit/test_watchdog.h"
#include "watchdog/election.h"
#include "watchdog/vip_lease.h"

#define TICK_MS 10
#define SIM_MAX 5
#define SIM_QUEUE 4096

/* A heartbeat on its way: delivered at `at` (delay below the election's margin). */
typedef struct sim_msg
{
	int64_t		at;
	int64_t		sent;
	int			from;
	int			to;
	int			state;
	int			vote_for;
	int			lease_ms;
} sim_msg;

typedef struct sim_node
{
	bool		up;
	wd_election e;
	int64_t		next_send;
	int64_t		heard[SIM_MAX];	/* when we last heard j, -1: never */
	int64_t		sent[SIM_MAX];	/* send time of j's last accepted message (its sequence) */
	wd_elect_peer seen[SIM_MAX];	/* j's last word, as we received it */
	wd_vip_lease vip;			/* the built-in VIP's lease */
	int64_t		vip_expires;	/* when the kernel drops our address (also while we are down) */
} sim_node;

typedef struct sim
{
	int			n;
	int64_t		now;
	wd_timing	t;
	bool		link[SIM_MAX][SIM_MAX];	/* a -> b delivers */
	int			drop_percent;
	int			priority[SIM_MAX];
	sim_node	node[SIM_MAX];
	int			max_leaders;	/* worst count seen at one instant */
	int			max_vip_holders;	/* the same for addresses not yet expired */
	unsigned	seed;
	int			max_delay_ms;	/* each message takes 0..max_delay_ms */
	sim_msg		queue[SIM_QUEUE];
	int			queued;
} sim;

static void
sim_start_node(sim *s, int i)
{
	sim_node   *x = &s->node[i];

	memset(x, 0, sizeof(*x));
	x->up = true;
	for (int j = 0; j < s->n; j++)
		x->heard[j] = -1;
	wd_election_init(&x->e, i, s->n, false, &s->t, s->now);
	/* a starting node removes a VIP it finds (vip.c); memset did that here */
	wd_vip_lease_init(&x->vip, true, s->t.lease_ms, s->t.interval_ms);
}

static void
sim_init(sim *s, int n, unsigned seed)
{
	memset(s, 0, sizeof(*s));
	s->n = n;
	s->now = 1000000;
	s->seed = seed;
	wd_timing_from_config(1, 5, &s->t);
	for (int a = 0; a < n; a++)
		for (int b = 0; b < n; b++)
			s->link[a][b] = true;
	for (int i = 0; i < n; i++)
		sim_start_node(s, i);
}

static void
peer_view(const sim *s, int i, wd_elect_peer *out)
{
	const sim_node *x = &s->node[i];

	for (int j = 0; j < s->n; j++)
	{
		out[j] = x->seen[j];
		out[j].priority = s->priority[j];
		if (j == i)
		{
			out[j].alive = out[j].fresh = true;
			continue;
		}
		out[j].alive = x->heard[j] >= 0 && s->now - x->heard[j] <= s->t.dead_ms;
		out[j].fresh = x->heard[j] >= 0 && s->now - x->heard[j] <= s->t.fresh_ms;
		if (!out[j].alive)
			out[j].state = WD_STATE_LOST;
	}
}

static void
sim_send(sim *s, int i, const wd_elect_peer *view)
{
	sim_node   *x = &s->node[i];
	int			state = wd_election_local_state(&x->e, view, s->now);

	for (int b = 0; b < s->n; b++)
	{
		sim_node   *y = &s->node[b];

		sim_msg    *m;

		if (b == i || !y->up || !s->link[i][b] || (int) (rand_r(&s->seed) % 100) < s->drop_percent ||
			s->queued == SIM_QUEUE)
			continue;
		m = &s->queue[s->queued++];
		m->at = s->now + (s->max_delay_ms ? (int) (rand_r(&s->seed) % (unsigned) (s->max_delay_ms + 1)) : 0);
		m->sent = s->now;
		m->from = i;
		m->to = b;
		m->state = state;
		m->vote_for = x->e.vote_for;
		m->lease_ms = x->e.lease_ms;
	}
	wd_election_note_sent(&x->e, s->now);
	x->next_send = s->now + s->t.interval_ms;
}

/* Delivers what is due; a node that went down in between loses what was sent to it. */
static void
sim_deliver(sim *s)
{
	int			kept = 0;

	for (int k = 0; k < s->queued; k++)
	{
		sim_msg    *m = &s->queue[k];
		sim_node   *y = &s->node[m->to];

		if (m->at > s->now)
		{
			s->queue[kept++] = *m;
			continue;
		}
		if (!y->up || (y->heard[m->from] >= 0 && y->sent[m->from] >= m->sent))
			continue;			/* lost, or overtaken by a newer one (stale ones are dropped) */
		y->heard[m->from] = s->now;
		y->sent[m->from] = m->sent;
		y->seen[m->from].state = m->state;
		y->seen[m->from].vote_for = m->vote_for;
		y->seen[m->from].vote_expires_ms = s->now + m->lease_ms;
	}
	s->queued = kept;
}

static int
sim_leaders(const sim *s, int *who)
{
	int			count = 0;

	for (int i = 0; i < s->n; i++)
		if (s->node[i].up && s->node[i].e.leader)
		{
			count++;
			*who = i;
		}
	return count;
}

/*
 * The VIP lease of node i after its election step; the kernel drops a renewed address up to
 * fuzz_ms after its lifetime (the worst the lease allows for).
 */
static void
sim_vip(sim *s, int i, const wd_elect_peer *view)
{
	sim_node   *x = &s->node[i];
	wd_vip_action a = wd_vip_lease_decide(&x->vip, x->e.leader,
										  wd_election_majority_until(&x->e, view, s->now), s->now);

	if (a == WD_VIP_ACQUIRE)
		x->vip_expires = s->now + x->vip.valid_s * 1000 +
			(int) (rand_r(&s->seed) % (unsigned) (x->vip.fuzz_ms + 1));
	else if (a == WD_VIP_RELEASE)
		x->vip_expires = 0;
	if (a != WD_VIP_NOTHING)
		wd_vip_lease_done(&x->vip, a, true, s->now);
}

/* Nodes whose address is still there (down ones included: nobody removed it). */
static int
sim_vip_holders(const sim *s, int *who)
{
	int			count = 0;

	for (int i = 0; i < s->n; i++)
		if (s->node[i].vip_expires > s->now)
		{
			count++;
			*who = i;
		}
	return count;
}

static void
sim_tick(sim *s)
{
	int			who = -1;
	int			count;

	s->now += TICK_MS;
	sim_deliver(s);
	for (int i = 0; i < s->n; i++)
	{
		wd_elect_peer view[SIM_MAX];
		sim_node   *x = &s->node[i];

		if (!x->up)
			continue;
		peer_view(s, i, view);
		if (wd_election_step(&x->e, view, s->now) || s->now >= x->next_send)
			sim_send(s, i, view);
		sim_vip(s, i, view);
	}
	count = sim_leaders(s, &who);
	if (count > s->max_leaders)
		s->max_leaders = count;
	count = sim_vip_holders(s, &who);
	if (count > s->max_vip_holders)
		s->max_vip_holders = count;
}

/* Runs until exactly one node leads (returns it, and *ms the time it took) or limit_ms passes (-1). */
static int
sim_until_other_leader(sim *s, int old, int limit_ms, int *ms)
{
	int64_t		start = s->now;
	int			who = -1;

	while (s->now - start <= limit_ms)
	{
		sim_tick(s);
		if (sim_leaders(s, &who) == 1 && who != old)
		{
			*ms = (int) (s->now - start);
			return who;
		}
	}
	return -1;
}

static int
sim_until_leader(sim *s, int limit_ms, int *ms)
{
	return sim_until_other_leader(s, -1, limit_ms, ms);
}

static void
sim_run(sim *s, int ms)
{
	int64_t		end = s->now + ms;

	while (s->now < end)
		sim_tick(s);
}

static void
cut_node(sim *s, int i, bool cut)
{
	for (int j = 0; j < s->n; j++)
		if (j != i)
			s->link[i][j] = s->link[j][i] = !cut;
}

static void
test_timing(void)
{
	wd_timing	t;

	wd_timing_from_config(1, 5, &t);
	CU_ASSERT_EQUAL(t.dead_ms, 5000);
	CU_ASSERT_EQUAL(t.lease_ms, 2000);
	CU_ASSERT(t.fresh_ms + t.lease_ms + t.margin_ms <= t.dead_ms);
	CU_ASSERT(t.interval_ms * 2 <= t.lease_ms);
	wd_timing_from_config(2, 30, &t);	/* pgpool's defaults */
	CU_ASSERT_EQUAL(t.interval_ms, 2000);
	CU_ASSERT_EQUAL(t.lease_ms, 4000);
	wd_timing_from_config(10, 3, &t);	/* keepalive above the deadtime: sends faster */
	CU_ASSERT(t.interval_ms * 2 <= t.lease_ms);
	CU_ASSERT(t.fresh_ms + t.lease_ms + t.margin_ms <= t.dead_ms);
}

static void
test_quorum(void)
{
	CU_ASSERT_EQUAL(wd_quorum_needed(3, false), 2);
	CU_ASSERT_EQUAL(wd_quorum_needed(4, false), 3);
	CU_ASSERT_EQUAL(wd_quorum_needed(4, true), 2);
	CU_ASSERT_EQUAL(wd_quorum_needed(3, true), 2);
	CU_ASSERT_EQUAL(wd_quorum_status(2, 3, false), WD_QUORUM_EXISTS);
	CU_ASSERT_EQUAL(wd_quorum_status(1, 3, false), WD_QUORUM_ABSENT);
	CU_ASSERT_EQUAL(wd_quorum_status(2, 4, false), WD_QUORUM_ABSENT);
	CU_ASSERT_EQUAL(wd_quorum_status(2, 4, true), WD_QUORUM_ON_THE_EDGE);
}

/* Start: the best-ranked node leads; priority beats node id. */
static void
test_start_and_priority(void)
{
	sim			s;
	int			ms = 0;

	sim_init(&s, 3, 1);
	CU_ASSERT_EQUAL(sim_until_leader(&s, 10000, &ms), 0);
	sim_init(&s, 3, 1);
	s.priority[2] = 5;
	CU_ASSERT_EQUAL(sim_until_leader(&s, 10000, &ms), 2);
	sim_run(&s, 20000);
	CU_ASSERT_EQUAL(s.max_leaders, 1);
	CU_ASSERT(s.max_vip_holders <= 1);
}

/* The leader crashes: the next one leads within deadtime + 2 s; the old one comes back as standby. */
static void
test_leader_crash_and_return(void)
{
	sim			s;
	int			ms = 0;
	int			who = -1;

	sim_init(&s, 3, 2);
	CU_ASSERT_EQUAL_FATAL(sim_until_leader(&s, 10000, &ms), 0);
	sim_run(&s, 3000);
	s.node[0].up = false;
	CU_ASSERT_EQUAL(sim_until_other_leader(&s, 0, s.t.dead_ms + 2000, &ms), 1);
	CU_ASSERT(ms <= s.t.dead_ms + 2000);
	sim_run(&s, wd_vip_takeover_wait_ms(&s.node[1].vip) + 200);
	CU_ASSERT_EQUAL(sim_vip_holders(&s, &who), 1);
	CU_ASSERT_EQUAL(who, 1);	/* the crashed leader's address ran out; the successor's is up */
	sim_start_node(&s, 0);
	sim_run(&s, 20000);
	CU_ASSERT_EQUAL(sim_leaders(&s, &who), 1);
	CU_ASSERT_EQUAL(who, 1);	/* an incumbent is not pushed out by a better-ranked returner */
	CU_ASSERT_EQUAL(s.max_leaders, 1);
	CU_ASSERT(s.max_vip_holders <= 1);
}

/* Losing two of three: the survivor never leads; a cut-off leader steps down within a lease. */
static void
test_minority_never_leads(void)
{
	sim			s;
	int			ms = 0;
	int			who = -1;

	sim_init(&s, 3, 3);
	CU_ASSERT_EQUAL_FATAL(sim_until_leader(&s, 10000, &ms), 0);
	s.node[1].up = false;
	s.node[2].up = false;
	sim_run(&s, s.t.lease_ms + s.t.margin_ms);
	CU_ASSERT_EQUAL(sim_leaders(&s, &who), 0);
	sim_run(&s, 30000);
	CU_ASSERT_EQUAL(sim_leaders(&s, &who), 0);
	/* the seed's failure: the leader's link is cut; the other two take over, never two leaders */
	sim_init(&s, 3, 4);
	CU_ASSERT_EQUAL_FATAL(sim_until_leader(&s, 10000, &ms), 0);
	cut_node(&s, 0, true);
	sim_run(&s, s.t.lease_ms + s.t.margin_ms);
	CU_ASSERT_FALSE(s.node[0].e.leader);
	CU_ASSERT_EQUAL(sim_until_other_leader(&s, 0, s.t.dead_ms + 2000, &ms), 1);
	cut_node(&s, 0, false);
	sim_run(&s, 20000);
	CU_ASSERT_EQUAL(sim_leaders(&s, &who), 1);
	CU_ASSERT_EQUAL(who, 1);
	CU_ASSERT_EQUAL(s.max_leaders, 1);
	CU_ASSERT(s.max_vip_holders <= 1);
}

/*
 * The leader goes deaf-mute one way: it still hears the others, they no longer hear it, and what
 * they send reaches it late. They elect another leader; the old one must have stepped down first.
 */
static void
test_one_way_cut(void)
{
	for (int run = 0; run < 40; run++)
	{
		sim			s;
		int			ms = 0;
		int			delay = (run % 5) * 100;

		sim_init(&s, 3, 100 + (unsigned) run);
		CU_ASSERT_EQUAL_FATAL(sim_until_leader(&s, 10000, &ms), 0);
		s.max_delay_ms = delay;
		s.link[0][1] = s.link[0][2] = false;
		CU_ASSERT_EQUAL(sim_until_other_leader(&s, 0, s.t.dead_ms + 2000, &ms), 1);
		sim_run(&s, 10000);
		CU_ASSERT_EQUAL(s.max_leaders, 1);
	CU_ASSERT(s.max_vip_holders <= 1);
	}
}

/* Random link flaps, loss, crashes and restarts, 3 and 5 nodes: never two leaders at once. */
static void
test_chaos(void)
{
	for (int n = 3; n <= 5; n += 2)
		for (unsigned seed = 10; seed < 20; seed++)
		{
			sim			s;
			int			ms = 0;

			sim_init(&s, n, seed);
			s.drop_percent = 20;
			s.max_delay_ms = s.t.margin_ms - 100;
			for (int round = 0; round < 200; round++)
			{
				int			a = (int) (rand_r(&s.seed) % (unsigned) n);
				int			b = (int) (rand_r(&s.seed) % (unsigned) n);
				int			what = (int) (rand_r(&s.seed) % 10);

				if (what < 6)
					s.link[a][b] = !s.link[a][b];
				else if (what < 8)
					s.node[a].up ? (void) (s.node[a].up = false) : sim_start_node(&s, a);
				sim_run(&s, 100 + (int) (rand_r(&s.seed) % 1500));
			}
			/* heal everything: a single leader follows */
			s.drop_percent = 0;
			for (int i = 0; i < n; i++)
			{
				if (!s.node[i].up)
					sim_start_node(&s, i);
				cut_node(&s, i, false);
			}
			CU_ASSERT(sim_until_leader(&s, 30000, &ms) >= 0);
			CU_ASSERT_EQUAL(s.max_leaders, 1);
	CU_ASSERT(s.max_vip_holders <= 1);
		}
}

CU_TestInfo wd_election_tests[] = {
	{"timings derived from keepalive and deadtime keep leases inside the deadtime", test_timing},
	{"quorum: more than half; half with enable_consensus_with_half_votes", test_quorum},
	{"start: one leader, highest priority then lowest id", test_start_and_priority},
	{"leader crash: successor within deadtime + 2 s; no preemption on return", test_leader_crash_and_return},
	{"minority never leads; a cut-off leader steps down", test_minority_never_leads},
	{"one-way cut of the leader with late delivery: never two leaders", test_one_way_cut},
	{"chaos: flaps, loss, crashes, 3 and 5 nodes: never two leaders", test_chaos},
	CU_TEST_INFO_NULL
};
