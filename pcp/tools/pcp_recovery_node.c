/*
 * pcp_recovery_node: recover a backend node and attach it.
 */
#include "pcp/tool.h"

int
main(int argc, char **argv)
{
	static const pcp_tool tool = {"pcp_recovery_node", "recover a backend node and attach it",
	TOOL_OPT_NODE | TOOL_OPT_NODE_REQUIRED};

	return pcp_tool_main(&tool, argc, argv, 'O', pcp_tool_payload_node,
						 pcp_tool_print_success);
}
