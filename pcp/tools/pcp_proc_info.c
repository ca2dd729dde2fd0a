/*
 * pcp_proc_info: pgpool's child processes, one line per pool slot and backend (-a: the unused ones
 * too; -P: one child).
 */
#include <stdio.h>
#include <string.h>

#include "pcp/tool.h"

/* The wire's field for each printed column (the wire order is SHOW pool_pools'). */
static const int columns[] = {5, 6, 1, 2, 11, 12, 7, 8, 10, 9, 13, 14, 15, 0, 4, 16};
static const char *const labels[] = {
	"Database", "Username", "Start time", "Client connection count", "Major", "Minor",
	"Backend connection time", "Client connection time", "Client idle duration",
	"Client disconnection time", "Pool Counter", "Backend PID", "Connected", "PID",
	"Backend ID", "Status"
};

#define NCOLUMNS ((int) (sizeof(columns) / sizeof(columns[0])))
#define CONNECTED_FIELD 15

static void
print_slot(const pcp_tool_args *a, const pcp_record *r)
{
	for (int i = 0; i < NCOLUMNS; i++)
	{
		if (a->verbose)
			printf("%-26s: %s\n", labels[i], pcp_field(r, columns[i]));
		else
			printf(i ? " %s" : "%s", pcp_field(r, columns[i]));
	}
	printf("\n");
}

static void
print(const pcp_tool_args *a, const pcp_result *res)
{
	int			printed = 0;

	for (int i = 0; i < res->nrecords; i++)
	{
		const pcp_record *r = &res->records[i];

		if (strcmp(r->tag, "ProcessInfo") != 0)
			continue;
		if (!a->all && strcmp(pcp_field(r, CONNECTED_FIELD), "1") != 0)
			continue;
		print_slot(a, r);
		printed++;
	}
	if (printed == 0)
		printf("No process information available\n\n");
}

static int
payload(const pcp_tool_args *args, char *buf, int size)
{
	return snprintf(buf, (size_t) size, "%d", args->pid) + 1;
}

int
main(int argc, char **argv)
{
	static const pcp_tool tool = {"pcp_proc_info", "show pgpool's child processes and their pools",
	TOOL_OPT_PID | TOOL_OPT_ALL};

	return pcp_tool_main(&tool, argc, argv, 'P', payload, print);
}
