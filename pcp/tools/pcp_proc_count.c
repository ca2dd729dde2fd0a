/*
 * pcp_proc_count: the pids of pgpool's child processes.
 */
#include <stdio.h>

#include "pcp/tool.h"

/* Fields after the tag: the count, then one pid each. */
static void
print(const pcp_tool_args *a, const pcp_result *res)
{
	const pcp_record *r = pcp_result_find(res, "CommandComplete");
	int			n = r ? r->nfields - 1 : 0;

	if (a->verbose)
		printf("No \t | \t PID\n_____________________\n");
	for (int i = 0; i < n; i++)
	{
		if (a->verbose)
			printf("%d \t | \t %s\n", i, pcp_field(r, i + 1));
		else
			printf("%s ", pcp_field(r, i + 1));
	}
	if (a->verbose)
		printf("\nTotal Processes:%d\n", n);
	else
		printf("\n");
}

int
main(int argc, char **argv)
{
	static const pcp_tool tool = {"pcp_proc_count", "list pgpool's child processes", 0};

	return pcp_tool_main(&tool, argc, argv, 'N', pcp_tool_payload_none, print);
}
