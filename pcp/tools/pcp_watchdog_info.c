/*
 * pcp_watchdog_info: the watchdog cluster, from the JSON document the server sends (pgpool-ng's
 * and pgpool-II's alike), in pgpool's layout.
 */
#include <stdio.h>

#include "pcp/tool.h"
#include "pcp/wd_info.h"

static void
print(const pcp_tool_args *a, const pcp_result *res)
{
	const char *doc = pcp_field(pcp_result_find(res, "CommandComplete"), 0);

	if (pcp_wd_info_print(stdout, doc, a->verbose) != 0)
		fprintf(stderr, "ERROR: the watchdog information from the server cannot be read\n");
}

int
main(int argc, char **argv)
{
	static const pcp_tool tool = {"pcp_watchdog_info", "show the watchdog cluster",
	TOOL_OPT_WD_NODE};

	return pcp_tool_main(&tool, argc, argv, 'W', pcp_tool_payload_node, print);
}
