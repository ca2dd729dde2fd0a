/*
 * pcp_attach_node: attach a backend node to pgpool.
 */
#include "pcp/tool.h"

int
main(int argc, char **argv)
{
	static const pcp_tool tool = {"pcp_attach_node", "attach a backend node to pgpool",
	TOOL_OPT_NODE | TOOL_OPT_NODE_REQUIRED};

	return pcp_tool_main(&tool, argc, argv, 'C', pcp_tool_payload_node,
						 pcp_tool_print_success);
}
