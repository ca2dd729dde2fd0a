/*
 * pcp_watchdog_info's output from the JSON document a PCP server sends for a watchdog info request
 * (pgpool-II 4.3's keys), in pgpool's terse and verbose layouts. Just enough JSON to read it.
 */
#include "pcp/wd_info.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define VALUE_SIZE 256

/* ---- just enough JSON: walk an object's members, skip any value ---- */

static const char *
skip_space(const char *p)
{
	while (*p && isspace((unsigned char) *p))
		p++;
	return p;
}

/* Reads a string at p (at its opening quote) into out; returns the position after it or NULL. */
static const char *
read_string(const char *p, char *out, size_t size)
{
	size_t		n = 0;

	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"')
	{
		char		c = *p++;

		if (c == '\\' && *p)
		{
			c = *p++;
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
			if (c == 'u')
			{
				p += strnlen(p, 4);
				c = '?';
			}
		}
		if (out && n + 1 < size)
			out[n++] = c;
	}
	if (out)
		out[n] = '\0';
	return *p == '"' ? p + 1 : NULL;
}

/* Skips one value; returns the position after it or NULL when malformed. */
static const char *
skip_value(const char *p)
{
	int			depth = 0;

	p = skip_space(p);
	do
	{
		if (*p == '"')
			p = read_string(p, NULL, 0);
		else if (*p == '{' || *p == '[')
			depth++, p++;
		else if (*p == '}' || *p == ']')
			depth--, p++;
		else if (*p == '\0')
			return NULL;
		else
			p++;
		if (!p)
			return NULL;
		if (depth == 0)
			while (*p && !strchr(",}]", *p) && !isspace((unsigned char) *p) && *p != '"')
				p++;
	} while (depth > 0);
	return p;
}

/* The value of key in the object at obj: a pointer to its first character, or NULL. */
static const char *
member(const char *obj, const char *key)
{
	char		name[VALUE_SIZE];
	const char *p = skip_space(obj);

	if (*p++ != '{')
		return NULL;
	for (;;)
	{
		p = skip_space(p);
		if (*p != '"' || !(p = read_string(p, name, sizeof(name))))
			return NULL;
		p = skip_space(p);
		if (*p++ != ':')
			return NULL;
		p = skip_space(p);
		if (strcmp(name, key) == 0)
			return p;
		if (!(p = skip_value(p)))
			return NULL;
		p = skip_space(p);
		if (*p++ != ',')
			return NULL;
	}
}

/* A member as text ("" when absent); strings without their quotes. */
static const char *
get(const char *obj, const char *key, char *out)
{
	const char *v = member(obj, key);
	const char *end;

	out[0] = '\0';
	if (!v)
		return out;
	if (*v == '"')
	{
		read_string(v, out, VALUE_SIZE);
		return out;
	}
	end = skip_value(v);
	if (end && end - v < VALUE_SIZE)
	{
		memcpy(out, v, (size_t) (end - v));
		out[end - v] = '\0';
	}
	return out;
}

static int
get_int(const char *obj, const char *key)
{
	char		v[VALUE_SIZE];

	return atoi(get(obj, key, v));
}

/* ---- printing ---- */

static const char *
quorum_state(int status)
{
	switch (status)
	{
		case 1: return "QUORUM EXIST";
		case 0: return "QUORUM IS ON THE EDGE";
		case -1: return "QUORUM ABSENT";
		default: return "UNKNOWN";
	}
}

static void
print_cluster(FILE *out, bool verbose, const char *doc)
{
	char		leader[VALUE_SIZE], host[VALUE_SIZE];
	int			remote = get_int(doc, "RemoteNodeCount");
	const char *escalated = get_int(doc, "Escalated") ? "YES" : "NO";

	get(doc, "LeaderNodeName", leader);
	get(doc, "LeaderHostName", host);
	if (!verbose)
	{
		fprintf(out, "%d %d %s %s %s\n\n", remote + 1, get_int(doc, "MemberRemoteNodeCount") + 1,
			   escalated, leader, host);
		return;
	}
	fprintf(out, "Watchdog Cluster Information \n");
	fprintf(out, "Total Nodes              : %d\n", remote + 1);
	fprintf(out, "Remote Nodes             : %d\n", remote);
	fprintf(out, "Member Remote Nodes      : %d\n", get_int(doc, "MemberRemoteNodeCount"));
	fprintf(out, "Alive Remote Nodes       : %d\n", get_int(doc, "AliveNodeCount"));
	fprintf(out, "Nodes required for quorum: %d\n", get_int(doc, "NodesRequireForQuorum"));
	fprintf(out, "Quorum state             : %s\n", quorum_state(get_int(doc, "QuorumStatus")));
	fprintf(out, "Local node escalation    : %s\n", escalated);
	fprintf(out, "Leader Node Name         : %s\n", leader);
	fprintf(out, "Leader Host Name         : %s\n\n", host);
	fprintf(out, "Watchdog Node Information \n");
}

static void
print_node(FILE *out, bool verbose, const char *node)
{
	char		name[VALUE_SIZE], host[VALUE_SIZE], state[VALUE_SIZE], membership[VALUE_SIZE],
				vip[VALUE_SIZE];

	get(node, "NodeName", name);
	get(node, "HostName", host);
	get(node, "StateName", state);
	get(node, "MembershipString", membership);
	if (!verbose)
	{
		fprintf(out, "%s %s %d %d %d %s %d %s\n", name, host, get_int(node, "PgpoolPort"),
			   get_int(node, "WdPort"), get_int(node, "State"), state,
			   get_int(node, "Membership"), membership);
		return;
	}
	fprintf(out, "Node Name         : %s\nHost Name         : %s\nDelegate IP       : %s\n", name, host,
		   get(node, "DelegateIP", vip));
	fprintf(out, "Pgpool port       : %d\nWatchdog port     : %d\nNode priority     : %d\n",
		   get_int(node, "PgpoolPort"), get_int(node, "WdPort"), get_int(node, "Priority"));
	fprintf(out, "Status            : %d\nStatus Name       : %s\nMembership Status : %s\n\n",
		   get_int(node, "State"), state, membership);
}

int
pcp_wd_info_print(FILE *out, const char *doc, bool verbose)
{
	const char *p = member(doc, "WatchdogNodes");

	if (!p || *p != '[')
		return -1;
	print_cluster(out, verbose, doc);
	for (p = skip_space(p + 1); *p == '{';)
	{
		const char *end = skip_value(p);

		print_node(out, verbose, p);
		if (!end)
			return -1;
		p = skip_space(end);
		if (*p == ',')
			p = skip_space(p + 1);
	}
	return 0;
}
