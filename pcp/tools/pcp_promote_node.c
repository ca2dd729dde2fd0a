/*
 * pcp_promote_node: make a standby pgpool's primary (-s: switchover, -g: gracefully).
 */
#include <stdio.h>

#include "pcp/tool.h"

/* pgpool's clients send "<id> ", its NUL, then 's' (switchover) or 'n'. */
static int
payload(const pcp_tool_args *args, char *buf, int size)
{
	int			n = snprintf(buf, (size_t) size - 1, "%d ", args->node) + 1;

	buf[n++] = args->switchover ? 's' : 'n';
	return n;
}

int
main(int argc, char **argv)
{
	static const pcp_tool tool = {"pcp_promote_node", "promote a backend node to primary",
	TOOL_OPT_NODE | TOOL_OPT_NODE_REQUIRED | TOOL_OPT_GRACEFUL | TOOL_OPT_SWITCHOVER};
	pcp_tool_args a;
	int			rc = pcp_tool_parse(&tool, argc, argv, &a);

	if (rc >= 0)
		return rc;
	return pcp_tool_main(&tool, argc, argv, a.graceful ? 'j' : 'J', payload,
						 pcp_tool_print_success);
}
