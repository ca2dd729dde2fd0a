/*
 * pcp_detach_node: detach a backend node from pgpool (-g: once the clients' sessions have ended).
 */
#include "pcp/tool.h"

int
main(int argc, char **argv)
{
	static const pcp_tool tool = {"pcp_detach_node", "detach a backend node from pgpool",
	TOOL_OPT_NODE | TOOL_OPT_NODE_REQUIRED | TOOL_OPT_GRACEFUL};
	pcp_tool_args a;
	int			rc = pcp_tool_parse(&tool, argc, argv, &a);

	if (rc >= 0)
		return rc;
	return pcp_tool_main(&tool, argc, argv, a.graceful ? 'd' : 'D', pcp_tool_payload_node,
						 pcp_tool_print_success);
}
