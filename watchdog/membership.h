/*
 * Membership: the watchdog nodes of pgpool.conf (hostnameN, wd_portN, pgpool_portN, heartbeat_*N),
 * what each last told us, and whether it is alive. Only the watchdog process uses it.
 */
#ifndef PGNG_WATCHDOG_MEMBERSHIP_H
#define PGNG_WATCHDOG_MEMBERSHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "config/config.h"
#include "watchdog/election.h"
#include "watchdog/wire.h"

typedef struct wd_peer
{
	char		host[WD_WIRE_NAME_MAX + 1];	/* hostnameN */
	int			wd_port;
	int			pgpool_port;
	struct sockaddr_storage hb_addr;	/* where its heartbeats go */
	socklen_t	hb_addr_len;	/* 0: no usable address */
	bool		heard;			/* a message of it was accepted since we started */
	bool		shut_down;		/* its last word was that it shuts down */
	int64_t		last_heard_ms;	/* CLOCK_MONOTONIC */
	time_t		last_heard_wall;
	uint64_t	boot_id;		/* of the last accepted message; a new one means it restarted */
	uint64_t	seq;
	int64_t		vote_expires_ms;
	wd_msg		last;			/* its last accepted message */
} wd_peer;

typedef struct wd_members
{
	int			self;
	int			num_nodes;
	int			heartbeat_port;	/* our UDP port */
	int			priority;		/* ours */
	char		node_name[WD_WIRE_NAME_MAX + 1];	/* ours: "host:port Linux nodename" */
	wd_peer		peers[WD_MAX_NODES];	/* indexed by node id; peers[self] is us */
} wd_members;

/*
 * Builds the table from the configuration; resolves heartbeat addresses (numeric or from the
 * local resolver, once, at start). Returns 0, or -1 with err set.
 */
int			wd_members_init(wd_members *m, const pool_config *cfg, char *err, size_t err_size);

typedef enum
{
	WD_ACCEPTED,
	WD_STALE,					/* a repeat or an older message of the same incarnation */
	WD_UNKNOWN_NODE				/* not a node of ours (or ourselves) */
} wd_accept_result;

/* Records a decoded, authenticated message received at now_ms. */
wd_accept_result wd_members_accept(wd_members *m, const wd_msg *msg, int64_t now_ms, time_t now_wall);

/* Drops every vote received so far (after this process was not scheduled for a while). */
void		wd_members_forget_votes(wd_members *m);

/* What election needs: alive (heard within dead_ms) and fresh, votes with their local expiry. */
void		wd_members_elect_view(const wd_members *m, const wd_timing *t, int64_t now_ms,
								  wd_elect_peer *out);

/* Alive nodes, self included. */
int			wd_members_alive(const wd_members *m, const wd_timing *t, int64_t now_ms);

/* The state to show for peer i: its own word while alive, LOST after that, DEAD if never heard. */
int			wd_members_peer_state(const wd_members *m, const wd_timing *t, int i, int64_t now_ms);

#endif
