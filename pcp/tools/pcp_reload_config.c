/*
 * pcp_reload_config: make pgpool reread its configuration (-s local|cluster).
 */
#include "pcp/tool.h"

static int
payload(const pcp_tool_args *args, char *buf, int size)
{
	(void) size;
	buf[0] = args->cluster_scope ? 'c' : 'l';
	return 1;
}

int
main(int argc, char **argv)
{
	static const pcp_tool tool = {"pcp_reload_config", "reload the pgpool configuration file",
	TOOL_OPT_SCOPE};

	return pcp_tool_main(&tool, argc, argv, 'Z', payload, pcp_tool_print_success);
}
