/*
 * pcp_node_count: the number of backend nodes pgpool has.
 */
#include <stdio.h>

#include "pcp/tool.h"

static void
print(const pcp_tool_args *args, const pcp_result *res)
{
	const char *count = pcp_field(pcp_result_find(res, "CommandComplete"), 0);

	if (args->verbose)
		printf("Node Count\n____________\n %s\n", count);
	else
		printf("%s\n", count);
}

int
main(int argc, char **argv)
{
	static const pcp_tool tool = {"pcp_node_count", "show the number of backend nodes", 0};

	return pcp_tool_main(&tool, argc, argv, 'L', pcp_tool_payload_none, print);
}
