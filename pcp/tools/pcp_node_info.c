/*
 * pcp_node_info: one backend node (-n) or all of them, as pgpool sees it and as PostgreSQL answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pcp/tool.h"

/* pgpool's servers send the weight scaled by RAND_MAX. */
#define WEIGHT_SCALE 2147483647.0

static const char *
status_name(int status)
{
	static const char *const names[] = {"unused", "waiting", "up", "down"};

	return status >= 0 && status < 4 ? names[status] : "unknown";
}

static const char *
role_name(int role)
{
	static const char *const names[] = {"main", "replica", "primary", "standby"};

	return role >= 0 && role < 4 ? names[role] : "unknown";
}

/* Fields after the tag: host, port, status, quarantine, pg_status, weight, role, pg_role, delay,
 * replication state, sync state, status change time. */
static void
print_node(const pcp_tool_args *a, const pcp_record *r)
{
	char		weight[32], changed[32] = "";
	time_t		t = (time_t) atoll(pcp_field(r, 11));
	struct tm	tm;
	const char *state = pcp_field(r, 9)[0] ? pcp_field(r, 9) : "none";
	const char *sync = pcp_field(r, 10)[0] ? pcp_field(r, 10) : "none";
	const char *status = status_name(atoi(pcp_field(r, 2)));
	const char *role = role_name(atoi(pcp_field(r, 6)));

	snprintf(weight, sizeof(weight), "%f", atof(pcp_field(r, 5)) / WEIGHT_SCALE);
	if (localtime_r(&t, &tm))
		strftime(changed, sizeof(changed), "%Y-%m-%d %H:%M:%S", &tm);
	if (!a->verbose)
	{
		printf("%s %s %s %s %s %s %s %s %s %s %s %s\n", pcp_field(r, 0), pcp_field(r, 1),
			   pcp_field(r, 2), weight, status, pcp_field(r, 4), role, pcp_field(r, 7),
			   pcp_field(r, 8), state, sync, changed);
		return;
	}
	printf("Hostname               : %s\nPort                   : %s\n"
		   "Status                 : %s\nWeight                 : %s\n"
		   "Status Name            : %s\nBackend Status Name    : %s\n"
		   "Role                   : %s\nBackend Role           : %s\n"
		   "Replication Delay      : %s\nReplication State      : %s\n"
		   "Replication Sync State : %s\nLast Status Change     : %s\n\n",
		   pcp_field(r, 0), pcp_field(r, 1), pcp_field(r, 2), weight, status, pcp_field(r, 4),
		   role, pcp_field(r, 7), pcp_field(r, 8), state, sync, changed);
}

static void
print(const pcp_tool_args *a, const pcp_result *res)
{
	for (int i = 0; i < res->nrecords; i++)
		if (strcmp(res->records[i].tag, "NodeInfo") == 0)
			print_node(a, &res->records[i]);
}

int
main(int argc, char **argv)
{
	static const pcp_tool tool = {"pcp_node_info", "show the state of backend nodes",
	TOOL_OPT_NODE | TOOL_OPT_ALL};

	return pcp_tool_main(&tool, argc, argv, 'I', pcp_tool_payload_node, print);
}
