/*
 * pcp_pool_status: pgpool's configuration values, as SHOW pool_status lists them.
 */
#include <stdio.h>
#include <string.h>

#include "pcp/tool.h"

/* Fields after the tag: name, value, description. */
static void
print(const pcp_tool_args *a, const pcp_result *res)
{
	int			n = 0;

	for (int i = 0; i < res->nrecords; i++)
	{
		const pcp_record *r = &res->records[i];

		if (strcmp(r->tag, "ProcessConfig") != 0)
			continue;
		if (a->verbose)
			printf("Name [%3d]:\t%s\nValue:      \t%s\nDescription:\t%s\n\n", n,
				   pcp_field(r, 0), pcp_field(r, 1), pcp_field(r, 2));
		else
			printf("name : %s\nvalue: %s\ndesc : %s\n\n", pcp_field(r, 0), pcp_field(r, 1),
				   pcp_field(r, 2));
		n++;
	}
}

int
main(int argc, char **argv)
{
	static const pcp_tool tool = {"pcp_pool_status", "show pgpool's configuration values", 0};

	return pcp_tool_main(&tool, argc, argv, 'B', pcp_tool_payload_none, print);
}
