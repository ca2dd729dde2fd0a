/*
 * pcp_stop_pgpool: stop pgpool (-m smart|fast|immediate, -s local|cluster).
 */
#include "pcp/tool.h"

static int
payload(const pcp_tool_args *args, char *buf, int size)
{
	(void) size;
	buf[0] = args->mode;
	return 1;
}

int
main(int argc, char **argv)
{
	static const pcp_tool tool = {"pcp_stop_pgpool", "stop pgpool",
	TOOL_OPT_SCOPE | TOOL_OPT_MODE};
	pcp_tool_args a;
	int			rc = pcp_tool_parse(&tool, argc, argv, &a);

	if (rc >= 0)
		return rc;
	return pcp_tool_main(&tool, argc, argv, a.cluster_scope ? 't' : 'T', payload,
						 pcp_tool_print_success);
}
