/*
 * Leased-vote leader election and quorum (see election.h). Safety rests on two rules: a node
 * counts a vote only until the lease it came with runs out, and a voter moves its vote only after
 * its last grant has run out plus a margin for delivery delay. Liveness rests on the ranking being
 * the same on every node that sees the same peers.
 */
#include "watchdog/election.h"

#include <stddef.h>

#define WD_MIN_INTERVAL_MS 100
#define WD_MIN_LEASE_MS 400
#define WD_DEFAULT_MARGIN_MS 500

void
wd_timing_from_config(int keepalive_s, int deadtime_s, wd_timing *t)
{
	int			dead = (deadtime_s > 0 ? deadtime_s : 1) * 1000;
	int			cap;

	t->dead_ms = dead;
	t->interval_ms = (keepalive_s > 0 ? keepalive_s : 1) * 1000;
	t->margin_ms = dead / 10 < WD_DEFAULT_MARGIN_MS ? dead / 10 : WD_DEFAULT_MARGIN_MS;
	cap = dead / 2 - t->margin_ms;
	t->lease_ms = 2 * t->interval_ms < cap ? 2 * t->interval_ms : cap;
	if (t->lease_ms < WD_MIN_LEASE_MS)
		t->lease_ms = WD_MIN_LEASE_MS;
	/* leases are renewed at least twice per lease, or a leader would blink between heartbeats */
	if (t->interval_ms > t->lease_ms / 2)
		t->interval_ms = t->lease_ms / 2;
	if (t->interval_ms < WD_MIN_INTERVAL_MS)
		t->interval_ms = WD_MIN_INTERVAL_MS;
	/*
	 * Support for a silent node ends this long after its last word, so that the last vote given
	 * to it has run out when the deadtime passes: the successor is elected at the deadtime.
	 */
	t->fresh_ms = dead - t->lease_ms - t->margin_ms;
}

void
wd_election_init(wd_election *e, int self, int num_nodes, bool half_votes, const wd_timing *t,
				 int64_t now_ms)
{
	e->self = self;
	e->num_nodes = num_nodes;
	e->half_votes = half_votes;
	e->lease_ms = t->lease_ms;
	e->margin_ms = t->margin_ms;
	/* a vote we gave before a restart may still be counted somewhere for up to a lease */
	e->may_vote_after_ms = now_ms + t->lease_ms + t->margin_ms;
	e->vote_for = -1;
	e->pending_vote = -1;
	e->granted_until_ms = now_ms;
	e->leader = false;
}

int
wd_quorum_needed(int num_nodes, bool half_votes)
{
	if (half_votes && num_nodes % 2 == 0)
		return num_nodes / 2;
	return num_nodes / 2 + 1;
}

int
wd_quorum_status(int alive, int num_nodes, bool half_votes)
{
	if (2 * alive > num_nodes)
		return WD_QUORUM_EXISTS;
	if (2 * alive == num_nodes)
		return half_votes ? WD_QUORUM_ON_THE_EDGE : WD_QUORUM_ABSENT;
	return WD_QUORUM_ABSENT;
}

/* Higher priority first, then the lower node id. */
static bool
ranks_above(const wd_elect_peer *peers, int a, int b)
{
	if (b < 0)
		return true;
	if (peers[a].priority != peers[b].priority)
		return peers[a].priority > peers[b].priority;
	return a < b;
}

static bool
supportable(const wd_election *e, const wd_elect_peer *peers, int i)
{
	return i == e->self || peers[i].fresh;
}

static bool
claims_leadership(const wd_election *e, const wd_elect_peer *peers, int i)
{
	return i == e->self ? e->leader : peers[i].state == WD_STATE_LEADER;
}

/* Whom we should support now: a sitting leader if any (the best one), else the best-ranked node. */
static int
choose_candidate(const wd_election *e, const wd_elect_peer *peers)
{
	int			best_claimer = -1;
	int			best = -1;
	int			current = e->vote_for >= 0 ? e->vote_for : e->pending_vote;

	for (int i = 0; i < e->num_nodes; i++)
	{
		if (!supportable(e, peers, i))
			continue;
		if (claims_leadership(e, peers, i) && ranks_above(peers, i, best_claimer))
			best_claimer = i;
		if (ranks_above(peers, i, best))
			best = i;
	}
	if (current >= 0 && supportable(e, peers, current) && claims_leadership(e, peers, current))
		return current;
	return best_claimer >= 0 ? best_claimer : best;
}

int
wd_election_votes_for_self(const wd_election *e, const wd_elect_peer *peers, int64_t now_ms)
{
	int			votes = e->vote_for == e->self ? 1 : 0;

	for (int i = 0; i < e->num_nodes; i++)
	{
		if (i == e->self || !peers[i].alive)
			continue;
		if (peers[i].vote_for == e->self && peers[i].vote_expires_ms > now_ms)
			votes++;
	}
	return votes;
}

int64_t
wd_election_majority_until(const wd_election *e, const wd_elect_peer *peers, int64_t now_ms)
{
	int64_t		expiry[WD_MAX_NODES];
	int			n = 0;
	int			need = wd_quorum_needed(e->num_nodes, e->half_votes) - 1;	/* besides ours */

	if (!e->leader || e->vote_for != e->self)
		return 0;
	for (int i = 0; i < e->num_nodes; i++)
		if (i != e->self && peers[i].alive && peers[i].vote_for == e->self &&
			peers[i].vote_expires_ms > now_ms)
			expiry[n++] = peers[i].vote_expires_ms;
	if (need <= 0)
		return INT64_MAX;
	if (n < need)
		return 0;
	/* the need-th latest expiry: once it passes, fewer than need votes remain */
	for (int k = 0; k < need; k++)
		for (int j = k + 1; j < n; j++)
			if (expiry[j] > expiry[k])
			{
				int64_t		tmp = expiry[k];

				expiry[k] = expiry[j];
				expiry[j] = tmp;
			}
	return expiry[need - 1];
}

/* Moves our support towards want, never before our last grant has run out everywhere. */
static void
move_vote(wd_election *e, int want, int64_t now_ms)
{
	if (want == e->vote_for)
	{
		e->pending_vote = -1;
		return;
	}
	e->pending_vote = want;
	if (e->vote_for >= 0)
	{
		e->vote_for = -1;		/* withdraw now: stop renewing the old grant */
		return;
	}
	if (want >= 0 && now_ms >= e->granted_until_ms + e->margin_ms)
	{
		e->vote_for = want;
		e->pending_vote = -1;
	}
}

bool
wd_election_step(wd_election *e, const wd_elect_peer *peers, int64_t now_ms)
{
	int32_t		old_vote = e->vote_for;
	bool		old_leader = e->leader;
	int			want = now_ms < e->may_vote_after_ms ? -1 : choose_candidate(e, peers);

	move_vote(e, want, now_ms);
	e->leader = e->vote_for == e->self &&
		wd_election_votes_for_self(e, peers, now_ms) >= wd_quorum_needed(e->num_nodes, e->half_votes);
	return old_vote != e->vote_for || old_leader != e->leader;
}

void
wd_election_note_sent(wd_election *e, int64_t now_ms)
{
	if (e->vote_for >= 0 && e->vote_for != e->self)
		e->granted_until_ms = now_ms + e->lease_ms;
}

int
wd_election_leader(const wd_election *e, const wd_elect_peer *peers)
{
	int			best = -1;

	if (e->leader)
		return e->self;
	for (int i = 0; i < e->num_nodes; i++)
		if (i != e->self && peers[i].alive && peers[i].state == WD_STATE_LEADER &&
			ranks_above(peers, i, best))
			best = i;
	return best;
}

int
wd_election_local_state(const wd_election *e, const wd_elect_peer *peers, int64_t now_ms)
{
	if (e->leader)
		return WD_STATE_LEADER;
	if (now_ms < e->may_vote_after_ms)
		return WD_STATE_JOINING;
	if (wd_election_leader(e, peers) >= 0)
		return WD_STATE_STANDBY;
	if (e->vote_for == e->self)
		return WD_STATE_STANDING;
	return WD_STATE_PARTICIPATING;
}

const char *
wd_state_name(int state)
{
	static const char *const names[] = {
		"DEAD", "LOADING", "JOINING", "INITIALIZING", "LEADER", "PARTICIPATING IN ELECTION",
		"STANDING FOR LEADER", "STANDBY", "LOST", "IN NETWORK TROUBLE", "SHUTDOWN"
	};

	if (state < 0 || (size_t) state >= sizeof(names) / sizeof(names[0]))
		return "UNKNOWN";
	return names[state];
}
