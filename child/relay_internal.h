/*
 * Internal to the relay (relay.c, relay_route.c): the state of one session's relay.
 */
#ifndef PGNG_CHILD_RELAY_INTERNAL_H
#define PGNG_CHILD_RELAY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "child/route.h"
#include "child/session.h"
#include "protocol/scan.h"

#define RELAY_BUFFER_SIZE (64 * 1024)
/* Longest a peer may keep a message half-sent, or leave our output unread, before we give up. */
#define RELAY_STALL_MS_MIN 60000
/* How often the loop looks at shutdown requests and the backend table while it waits. */
#define RELAY_WAKE_MS 1000
/* After the client's Terminate, how long the backend may stay silent while answers are owed. */
#define RELAY_LEAVE_MS 2000

typedef struct relay_dir
{
	net_conn   *src;
	net_conn   *dst;
	uint8_t    *buf;
	size_t		sent;			/* bytes of buf already written to dst */
	size_t		ready;			/* bytes of buf that may be written (scanned, not held back) */
	size_t		filled;			/* bytes of buf read from src */
	pq_scan		scan;
	bool		stop;			/* a message that must not be forwarded was reached */
	bool		src_eof;
	bool		readable;		/* src may have input: poll said so, or a read filled the buffer */
	bool		z_pending;		/* a ReadyForQuery's status byte is still to come */
	bool		ext_pending;	/* c2b: extended-protocol messages sent since the last Sync */
	bool		drop_output;	/* b2c: the client has left; answers are read and dropped */
	bool		hold;			/* c2b: a Query that may be a pgpool command is not complete yet */
	size_t		intercept_len;	/* c2b: a pgpool command of this many bytes starts at ready */
	long		sync_points;	/* c2b: Query/Sync/FunctionCall forwarded; b2c: ReadyForQuery seen */
	int			slot;			/* the child's shared-memory slot, for its status */
	int			node;			/* c2b: the backend node the client's statements run on */
	bool		routed;			/* c2b: units are routed (the session uses several nodes) */
	bool		route_pending;	/* c2b: a unit starts at ready and has no node yet */
	bool		in_unit;		/* c2b: the messages up to the end of the current unit pass */
} relay_dir;

/* What went wrong in a direction. */
#define PUMP_OK 0
#define PUMP_SRC_FAILED 1
#define PUMP_DST_FAILED 2

typedef struct relay
{
	session    *s;
	backend_conn *backend;
	relay_dir	c2b;
	relay_dir	b2c;
	int64_t		last_progress;
	route_state *route;			/* NULL: one backend, no routing */
	int			current;		/* the node c2b.dst and b2c.src talk to */
	bool		again;			/* a unit was just let through: step again before waiting */
	int			lost_node;		/* the node whose failure ends the session, or -1 */
	const char *lost_what;		/* "reading from", "writing to" */
	uint64_t	table_generation;	/* of the backend table relay_nodes_check last looked at */
} relay;

/*
 * relay.c: I/O on node failed (errno err, 0 for an end of stream). A node failure (see
 * backend_error.h) is reported and remembered for the client's error; the caller decides whether
 * the session goes on.
 */
void		relay_backend_failed(relay *r, int node, const char *what, int err);

/*
 * relay.c: before an error of ours, the client gets what is ready for it. False when an error does
 * not fit in its stream (in the middle of a message, or the client does not read).
 */
bool		relay_flush_to_client(relay *r);

/*
 * relay_nodes.c: a node of the session's set went down in the backend table. Ends the session
 * (the client told why) when it uses the node: -1; else closes an idle connection to it: 0.
 */
int			relay_nodes_check(relay *r);

/* relay_nodes.c: whether the backend table has node down (not usable) now. */
bool		relay_node_down(int node);

/* relay.c: every ReadyForQuery owed for what the client sent has been passed on. */
bool		relay_answered(const relay *r);

/* relay.c: walks newly read client or backend bytes from offset from. */
void		relay_scan_new_bytes(relay *r, relay_dir *d, size_t from);

/*
 * relay_route.c: a unit starts at c2b.ready: decide its node, switch to it when every answer
 * owed is in, bring the node up to date, then let the unit through. 0 (done or waiting for input
 * or answers), -1 the backend failed.
 */
int			relay_route_unit(relay *r);

/*
 * relay_route.c: the current backend closed. A standby that owed nothing (every answer in, no
 * transaction of the client open on it) is left out and the session goes on with the primary: 0.
 * Otherwise -1: the session cannot go on.
 */
int			relay_route_node_lost(relay *r);

/* relay_route.c: set up routing for the session when it holds connections to several nodes. */
void		relay_route_begin(relay *r);
void		relay_route_end(relay *r);

#endif
