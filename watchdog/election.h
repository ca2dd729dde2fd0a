/*
 * Leader election and quorum, as pure logic over what this node knows of the others (no I/O, no
 * clock: the caller passes the time). Election is by leased votes: each node supports at most one
 * leader at a time and moves its support only after its previous grant has expired everywhere, so
 * two nodes can never both count a majority of votes. The choice is deterministic (an incumbent
 * leader keeps its place; otherwise highest wd_priority, then lowest node id), so one round suffices.
 */
#ifndef PGNG_WATCHDOG_ELECTION_H
#define PGNG_WATCHDOG_ELECTION_H

#include <stdbool.h>
#include <stdint.h>

#define WD_MAX_NODES 32

/* Node states, with pgpool's numbers (pcp_watchdog_info prints them). */
typedef enum
{
	WD_STATE_DEAD = 0,
	WD_STATE_LOADING = 1,
	WD_STATE_JOINING = 2,
	WD_STATE_INITIALIZING = 3,
	WD_STATE_LEADER = 4,
	WD_STATE_PARTICIPATING = 5,
	WD_STATE_STANDING = 6,
	WD_STATE_STANDBY = 7,
	WD_STATE_LOST = 8,
	WD_STATE_NETWORK_TROUBLE = 9,
	WD_STATE_SHUTDOWN = 10
} wd_node_state;

/* Quorum status, pgpool's numbers. */
#define WD_QUORUM_EXISTS 1
#define WD_QUORUM_ON_THE_EDGE 0
#define WD_QUORUM_ABSENT (-1)

/* What this node knows of node i (for i == self only priority is used). */
typedef struct wd_elect_peer
{
	bool		alive;			/* heard within wd_heartbeat_deadtime */
	bool		fresh;			/* heard recently enough to be supported (see wd_election_fresh_ms) */
	int32_t		priority;
	int32_t		state;			/* what it last said it is */
	int32_t		vote_for;		/* whom it last said it supports */
	int64_t		vote_expires_ms;	/* when that support runs out here (receipt + lease) */
} wd_elect_peer;

typedef struct wd_election
{
	int			self;
	int			num_nodes;
	bool		half_votes;		/* enable_consensus_with_half_votes */
	int			lease_ms;		/* how long a vote we send holds */
	int			margin_ms;		/* allowance for delivery delay when moving a vote */
	int64_t		may_vote_after_ms;	/* after start: votes we gave before a restart have expired */
	int32_t		vote_for;		/* whom we support (what we publish), -1: nobody */
	int32_t		pending_vote;	/* whom we will support once our last grant has expired */
	int64_t		granted_until_ms;	/* our last published support holds until then */
	bool		leader;			/* we hold a majority of unexpired votes */
} wd_election;

typedef struct wd_timing
{
	int			interval_ms;	/* heartbeat sending interval */
	int			lease_ms;
	int			fresh_ms;		/* a peer not heard for longer loses our support */
	int			dead_ms;		/* a peer not heard for longer is dead (deadtime) */
	int			margin_ms;
} wd_timing;

/* Derives the timings from wd_heartbeat_keepalive and wd_heartbeat_deadtime (seconds). */
void		wd_timing_from_config(int keepalive_s, int deadtime_s, wd_timing *t);

void		wd_election_init(wd_election *e, int self, int num_nodes, bool half_votes,
							 const wd_timing *t, int64_t now_ms);

/* Nodes (self included) needed for quorum and for a leader's majority of votes. */
int			wd_quorum_needed(int num_nodes, bool half_votes);

/* WD_QUORUM_* for this many alive nodes (self included). */
int			wd_quorum_status(int alive, int num_nodes, bool half_votes);

/*
 * One step: decide whom to support and whether we lead, from peers[0..num_nodes). Returns true when
 * what we publish (vote or leadership) changed, so the caller should send a heartbeat now.
 */
bool		wd_election_step(wd_election *e, const wd_elect_peer *peers, int64_t now_ms);

/* The caller sent our vote at now_ms: our grant holds until now + lease. */
void		wd_election_note_sent(wd_election *e, int64_t now_ms);

/* Votes for us that hold at now_ms (ours included). */
int			wd_election_votes_for_self(const wd_election *e, const wd_elect_peer *peers,
									   int64_t now_ms);

/*
 * While we lead: the time until which our majority holds if no further vote arrives (the
 * quorum-th latest expiry of the votes for us, ours counting as lasting). No other node can be
 * elected before it, which is what the virtual IP's lease is measured against. 0 when we do not
 * lead.
 */
int64_t		wd_election_majority_until(const wd_election *e, const wd_elect_peer *peers,
									   int64_t now_ms);

/* Our own state as pgpool names it (LEADER, STANDBY, ...), and the leader we follow (-1: none). */
int			wd_election_local_state(const wd_election *e, const wd_elect_peer *peers, int64_t now_ms);
int			wd_election_leader(const wd_election *e, const wd_elect_peer *peers);

const char *wd_state_name(int state);

#endif
