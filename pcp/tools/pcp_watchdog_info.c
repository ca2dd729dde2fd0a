/*
 * pcp_watchdog_info: the watchdog cluster. pgpool-ng has no watchdog yet, so its server always
 * answers with an error; against pgpool-II the JSON document it sends is printed as it came.
 */
#include <stdio.h>

#include "pcp/tool.h"

static void
print(const pcp_tool_args *a, const pcp_result *res)
{
	(void) a;
	printf("%s\n", pcp_field(pcp_result_find(res, "CommandComplete"), 0));
}

int
main(int argc, char **argv)
{
	static const pcp_tool tool = {"pcp_watchdog_info", "show the watchdog cluster",
	TOOL_OPT_WD_NODE};

	return pcp_tool_main(&tool, argc, argv, 'W', pcp_tool_payload_node, print);
}
