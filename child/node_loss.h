/*
 * A node of a session's connection set went down (failover, pcp_detach_node, the watchdog leader's
 * word): does the session end, or close that connection and go on? Pure logic; the relay applies
 * the answer (relay_nodes.c).
 */
#ifndef PGNG_CHILD_NODE_LOSS_H
#define PGNG_CHILD_NODE_LOSS_H

#include <stdint.h>

/* Nodes at or above this number are not looked at (the router balances over these only). */
#define NODE_LOSS_MAX_NODES 32

/* What the session is doing with its nodes; bit n of a mask stands for node n. */
typedef struct node_loss_view
{
	uint32_t	connected;		/* nodes it holds a connection to */
	uint32_t	down;			/* nodes the backend table no longer has usable */
	uint32_t	in_transaction; /* nodes where a transaction of the session is open */
	int			current;		/* the node its statements run on now */
	int			main_node;		/* the node it logged in on (the primary, as a rule) */
	int			lb_node;		/* its load-balance node; -1: none, or drawn per statement */
} node_loss_view;

/* Why the session cannot do without a node. */
typedef enum
{
	NODE_LOSS_UNUSED = 0,		/* it does not use the node */
	NODE_LOSS_CURRENT,			/* its statements run there */
	NODE_LOSS_TRANSACTION,		/* a transaction of it is open there */
	NODE_LOSS_MAIN,				/* it logged in there */
	NODE_LOSS_LB_NODE			/* its reads are balanced there */
} node_loss_use;

node_loss_use node_loss_use_of(const node_loss_view *v, int node);

/*
 * The down node whose loss ends the session, or -1. *drop gets the down nodes the session holds
 * only an idle connection to: it closes them and goes on, as when it never had them.
 */
int			node_loss_decide(const node_loss_view *v, uint32_t *drop);

/* A few words on the use, for the client's error: "its statements ran there", ... */
const char *node_loss_use_text(node_loss_use use);

#endif
