/*
 * Whether a session survives the loss of a node of its connection set (see node_loss.h).
 */
#include "child/node_loss.h"

#include <stdbool.h>
#include <stddef.h>

static bool
has(uint32_t mask, int node)
{
	return node >= 0 && node < NODE_LOSS_MAX_NODES && (mask & (1u << node)) != 0;
}

/*
 * The order says what the client hears first: a statement waiting on the node, then work it
 * would lose there, then the node the session was bound to.
 */
node_loss_use
node_loss_use_of(const node_loss_view *v, int node)
{
	if (!has(v->connected, node))
		return NODE_LOSS_UNUSED;
	if (node == v->current)
		return NODE_LOSS_CURRENT;
	if (has(v->in_transaction, node))
		return NODE_LOSS_TRANSACTION;
	if (node == v->main_node)
		return NODE_LOSS_MAIN;
	if (node == v->lb_node)
		return NODE_LOSS_LB_NODE;
	return NODE_LOSS_UNUSED;
}

int
node_loss_decide(const node_loss_view *v, uint32_t *drop)
{
	int			ends = -1;

	*drop = 0;
	for (int n = 0; n < NODE_LOSS_MAX_NODES; n++)
	{
		if (!has(v->connected, n) || !has(v->down, n))
			continue;
		if (node_loss_use_of(v, n) == NODE_LOSS_UNUSED)
			*drop |= 1u << n;
		else if (ends < 0 || node_loss_use_of(v, n) < node_loss_use_of(v, ends))
			ends = n;
	}
	return ends;
}

const char *
node_loss_use_text(node_loss_use use)
{
	switch (use)
	{
		case NODE_LOSS_CURRENT:
			return "the session's statements ran there";
		case NODE_LOSS_TRANSACTION:
			return "a transaction of the session was open there";
		case NODE_LOSS_MAIN:
			return "the session was bound to it";
		case NODE_LOSS_LB_NODE:
			return "the session's reads were balanced there";
		case NODE_LOSS_UNUSED:
			break;
	}
	return "the session used it";
}
