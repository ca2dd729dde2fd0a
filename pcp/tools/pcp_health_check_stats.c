/*
 * pcp_health_check_stats: the health-check statistics of one backend node.
 */
#include <stdio.h>

#include "pcp/tool.h"

static const char *const labels[] = {
	"Node Id", "Host Name", "Port", "Status", "Role", "Last Status Change", "Total Count",
	"Success Count", "Fail Count", "Skip Count", "Retry Count", "Average Retry Count",
	"Max Retry Count", "Max Health Check Duration", "Minimum Health Check Duration",
	"Average Health Check Duration", "Last Health Check", "Last Successful Health Check",
	"Last Skip Health Check", "Last Failed Health Check"
};

#define NLABELS ((int) (sizeof(labels) / sizeof(labels[0])))

static void
print(const pcp_tool_args *a, const pcp_result *res)
{
	const pcp_record *r = pcp_result_find(res, "CommandComplete");

	for (int i = 0; i < NLABELS; i++)
	{
		if (a->verbose)
			printf("%-30s: %s\n", labels[i], pcp_field(r, i));
		else
			printf(i ? " %s" : "%s", pcp_field(r, i));
	}
	printf("\n");
}

int
main(int argc, char **argv)
{
	static const pcp_tool tool = {"pcp_health_check_stats",
		"show the health-check statistics of a backend node",
	TOOL_OPT_NODE | TOOL_OPT_NODE_REQUIRED};

	return pcp_tool_main(&tool, argc, argv, 'H', pcp_tool_payload_node, print);
}
