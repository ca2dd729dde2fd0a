/*
 * Command line, password and output conventions of the pcp_* tools (see tool.h).
 */
#include "pcp/tool.h"

#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcp/pcppass.h"
#include "tools/tool_common.h"

#define DEFAULT_PCP_PORT 9898
#define MAX_NODE_ID 128			/* pgpool's MAX_NUM_BACKENDS */
#define PASSWORD_MAX 1024

static void
usage(const pcp_tool *t)
{
	unsigned int o = t->options;

	fprintf(stderr, "%s - %s\nUsage:\n%s [OPTION...] %s\nOptions:\n", t->name, t->summary, t->name,
			(o & TOOL_OPT_NODE) ? "[node-id]" : (o & TOOL_OPT_PID) ? "[process-id]" :
			(o & TOOL_OPT_WD_NODE) ? "[watchdog-id]" : "");
	fprintf(stderr, "  -U, --username=NAME    PCP user name (default: the OS user)\n"
			"  -h, --host=HOSTNAME    pgpool host (default: the Unix socket in /tmp)\n"
			"  -p, --port=PORT        PCP port (default: %d)\n"
			"  -w, --no-password      do not ask for a password\n"
			"  -W, --password         always ask for a password\n", DEFAULT_PCP_PORT);
	if (o & TOOL_OPT_NODE)
		fprintf(stderr, "  -n, --node-id=NODEID   backend node id\n");
	if (o & TOOL_OPT_WD_NODE)
		fprintf(stderr, "  -n, --node-id=NODEID   watchdog node id (0: this pgpool; default: all)\n");
	if (o & TOOL_OPT_PID)
		fprintf(stderr, "  -P, --process-id=PID   only this child process\n");
	if (o & TOOL_OPT_ALL)
		fprintf(stderr, "  -a, --all              every entry, not only those in use\n");
	if (o & TOOL_OPT_GRACEFUL)
		fprintf(stderr, "  -g, --gracefully       wait for the clients' sessions to end first\n");
	if (o & TOOL_OPT_SWITCHOVER)
		fprintf(stderr, "  -s, --switchover       detach the current primary (switchover)\n");
	if (o & TOOL_OPT_MODE)
		fprintf(stderr, "  -m, --mode=MODE        shutdown mode: s[mart], f[ast] or i[mmediate]\n");
	if (o & TOOL_OPT_SCOPE)
		fprintf(stderr, "  -s, --scope=SCOPE      c[luster] or l[ocal] (default: local)\n");
	fprintf(stderr, "  -d, --debug            trace the protocol on stderr\n"
			"  -v, --verbose          labelled output\n"
			"  -?, --help             this help, then exit\n\n");
}

static int
usage_error(const pcp_tool *t)
{
	fprintf(stderr, "Try \"%s --help\" for more information.\n\n", t->name);
	return 1;
}

static bool
parse_scope(const pcp_tool *t, const char *v, pcp_tool_args *a)
{
	if (strcmp(v, "c") == 0 || strcasecmp(v, "cluster") == 0)
		a->cluster_scope = true;
	else if (strcmp(v, "l") == 0 || strcasecmp(v, "local") == 0)
		a->cluster_scope = false;
	else
	{
		fprintf(stderr, "%s: Invalid command scope \"%s\", must be either \"cluster\" or "
				"\"local\" \n", t->name, v);
		return false;
	}
	return true;
}

static bool
parse_mode(const pcp_tool *t, const char *v, pcp_tool_args *a)
{
	if (strcmp(v, "s") == 0 || strcasecmp(v, "smart") == 0)
		a->mode = 's';
	else if (strcmp(v, "f") == 0 || strcasecmp(v, "fast") == 0)
		a->mode = 'f';
	else if (strcmp(v, "i") == 0 || strcasecmp(v, "immediate") == 0)
		a->mode = 'i';
	else
	{
		fprintf(stderr, "%s: Invalid shutdown mode \"%s\", must be either \"smart\" "
				"\"immediate\" or \"fast\" \n", t->name, v);
		return false;
	}
	return true;
}

/* pgpool reads ids with atoi: "abc" is 0. Out of range prints an error and exits 1 (pgpool: 0). */
static int
parse_node(const pcp_tool *t, const char *v, pcp_tool_args *a)
{
	a->node = atoi(v);
	if ((t->options & TOOL_OPT_NODE) && (a->node < 0 || a->node >= MAX_NODE_ID))
	{
		fprintf(stderr, "%s: Invalid node-id \"%s\", must be between 0 and %d\n", t->name, v,
				MAX_NODE_ID);
		return 1;
	}
	return -1;
}

static const char *
short_options(const pcp_tool *t)
{
	unsigned int o = t->options;

	if (o & TOOL_OPT_SCOPE)
		return (o & TOOL_OPT_MODE) ? "h:p:U:wWdv?m:s:" : "h:p:U:wWdv?s:";
	if (o & TOOL_OPT_PID)
		return "h:p:U:wWdv?P:a";
	if (o & (TOOL_OPT_SWITCHOVER | TOOL_OPT_GRACEFUL))
		return "h:p:U:wWdv?n:gs";
	return (o & TOOL_OPT_ALL) ? "h:p:U:wWdv?n:a" : "h:p:U:wWdv?n:";
}

/* The letters a tool does not take are rejected like unknown ones. */
static bool
option_allowed(const pcp_tool *t, int c)
{
	unsigned int o = t->options;

	switch (c)
	{
		case 'n': return o & (TOOL_OPT_NODE | TOOL_OPT_WD_NODE);
		case 'a': return o & TOOL_OPT_ALL;
		case 'g': return o & TOOL_OPT_GRACEFUL;
		case 's': return o & (TOOL_OPT_SWITCHOVER | TOOL_OPT_SCOPE);
		case 'm': return o & TOOL_OPT_MODE;
		case 'P': return o & TOOL_OPT_PID;
		default: return true;
	}
}

static const struct option long_options[] = {
	{"host", required_argument, NULL, 'h'}, {"port", required_argument, NULL, 'p'},
	{"username", required_argument, NULL, 'U'}, {"no-password", no_argument, NULL, 'w'},
	{"password", no_argument, NULL, 'W'}, {"debug", no_argument, NULL, 'd'},
	{"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, '?'},
	{"node-id", required_argument, NULL, 'n'}, {"all", no_argument, NULL, 'a'},
	{"gracefully", no_argument, NULL, 'g'}, {"switchover", no_argument, NULL, 's'},
	{"scope", required_argument, NULL, 's'}, {"mode", required_argument, NULL, 'm'},
	{"process-id", required_argument, NULL, 'P'}, {NULL, 0, NULL, 0}
};

static bool
is_help(const char *arg)
{
	return arg && (strcmp(arg, "-?") == 0 || strncmp(arg, "--he", 4) == 0);
}

static void
defaults(const pcp_tool *t, pcp_tool_args *a)
{
	const struct passwd *pw = getpwuid(getuid());

	memset(a, 0, sizeof(*a));
	a->tool_name = t->name;
	a->conn.port = DEFAULT_PCP_PORT;
	a->conn.user = pw ? pw->pw_name : "";
	a->conn.socket_dir = "/tmp";
	a->node = -1;
	a->mode = 's';
}

/* One option; -1 to go on, else the exit code. */
static int
apply_option(const pcp_tool *t, int c, const char *arg, pcp_tool_args *a)
{
	switch (c)
	{
		case 'h': a->conn.host = arg; break;
		case 'p': a->conn.port = atoi(arg); break;
		case 'U': a->conn.user = arg; break;
		case 'w': a->password_mode = TOOL_PASSWORD_NEVER_ASK; break;
		case 'W': a->password_mode = TOOL_PASSWORD_ASK; break;
		case 'd': a->conn.debug = true; break;
		case 'v': a->verbose = true; break;
		case 'a': a->all = true; break;
		case 'g': a->graceful = true; break;
		case 'P': a->pid = atoi(arg); break;
		case 'n': return parse_node(t, arg, a);
		case 'm': return parse_mode(t, arg, a) ? -1 : 1;
		case 's':
			if (t->options & TOOL_OPT_SCOPE)
				return parse_scope(t, arg, a) ? -1 : 1;
			a->switchover = true;
			break;
	}
	return -1;
}

/* A positional node id / pid, as pgpool's tools accept one. */
static int
positional(const pcp_tool *t, const char *arg, pcp_tool_args *a)
{
	if (t->options & (TOOL_OPT_NODE | TOOL_OPT_WD_NODE))
		return parse_node(t, arg, a);
	if (t->options & TOOL_OPT_PID)
	{
		a->pid = atoi(arg);
		return -1;
	}
	fprintf(stderr, "%s: too many command-line arguments (first is \"%s\")\n", t->name, arg);
	return usage_error(t);
}

int
pcp_tool_parse(const pcp_tool *t, int argc, char **argv, pcp_tool_args *a)
{
	int			c, rc;

	defaults(t, a);
	opterr = 0;
	optind = 0;				/* a tool may parse twice; 0 makes GNU getopt start over */
	while ((c = getopt_long(argc, argv, short_options(t), long_options, NULL)) != -1)
	{
		if (c == '?' && is_help(argv[optind - 1]))
		{
			usage(t);
			return 0;
		}
		if (c == '?' || c == ':' || !option_allowed(t, c))
		{
			if (optopt > 0 && optopt != '?')
				fprintf(stderr, "%s: invalid option -- '%c'\n", t->name, optopt);
			else
				fprintf(stderr, "%s: invalid option \"%s\"\n", t->name, argv[optind - 1]);
			return usage_error(t);
		}
		if ((rc = apply_option(t, c, optarg, a)) >= 0)
			return rc;
	}
	if (optind < argc && (rc = positional(t, argv[optind], a)) >= 0)
		return rc;
	if ((t->options & TOOL_OPT_NODE_REQUIRED) && a->node < 0)
	{
		fprintf(stderr, "%s: missing node-id\n", t->name);
		return usage_error(t);
	}
	a->switchover = a->switchover && (t->options & TOOL_OPT_SWITCHOVER);
	return -1;
}

void
pcp_tool_print_error(const pcp_result *res)
{
	if (!res->from_server)
	{
		fprintf(stderr, "%s: %s\n", res->severity, res->message ? res->message : "");
		return;
	}
	fprintf(stderr, "%s:  %s\n", res->severity, res->message ? res->message : "");
	if (res->detail)
		fprintf(stderr, "DETAIL:  %s\n", res->detail);
	fprintf(stderr, "\n");
}

/* -W asks; -w never does; by default the password file, else a prompt. */
static const char *
get_password(pcp_tool_args *a, char *buf, size_t size)
{
	char		port[16];

	snprintf(port, sizeof(port), "%d", a->conn.port);
	if (a->password_mode != TOOL_PASSWORD_ASK &&
		pcppass_lookup(a->conn.host && a->conn.host[0] ? a->conn.host : NULL, port, a->conn.user,
					   buf, size))
		return buf;
	if (a->password_mode == TOOL_PASSWORD_NEVER_ASK)
		return "";
	if (tool_prompt("Password: ", buf, size) != 0)
		return NULL;
	return buf;
}

pcp_conn *
pcp_tool_connect(const pcp_tool *t, pcp_tool_args *a)
{
	static char password[PASSWORD_MAX];
	pcp_result	err;
	pcp_conn   *conn;

	(void) t;
	a->conn.password = get_password(a, password, sizeof(password));
	if (!a->conn.password)
		return NULL;
	conn = pcp_connect(&a->conn, &err);
	if (!conn)
		pcp_tool_print_error(&err);
	pcp_result_free(&err);
	return conn;
}

const char *
pcp_field(const pcp_record *rec, int i)
{
	return rec && i >= 0 && i < rec->nfields ? rec->fields[i] : "";
}

void
pcp_tool_print_success(const pcp_tool_args *args, const pcp_result *res)
{
	(void) res;
	printf("%s -- Command Successful\n", args->tool_name);
}

int
pcp_tool_payload_node(const pcp_tool_args *args, char *buf, int size)
{
	return snprintf(buf, (size_t) size, "%d", args->node) + 1;
}

int
pcp_tool_payload_none(const pcp_tool_args *args, char *buf, int size)
{
	(void) args;
	(void) buf;
	(void) size;
	return 0;
}

int
pcp_tool_main(const pcp_tool *t, int argc, char **argv, char kind, pcp_tool_payload_fn payload,
			  pcp_tool_print_fn print)
{
	pcp_tool_args a;
	pcp_result	res;
	pcp_conn   *conn;
	char		buf[256];
	int			rc = pcp_tool_parse(t, argc, argv, &a);
	int			len;

	if (rc >= 0)
		return rc;
	conn = pcp_tool_connect(t, &a);
	if (!conn)
		return 1;
	len = payload(&a, buf, sizeof(buf));
	if (pcp_request(conn, kind, buf, (size_t) len, &res) != 0)
		rc = 1;
	else
		rc = 0;
	/* pgpool's tools exit 0 after the server's ERROR; a script must be able to tell */
	if (!res.ok)
	{
		pcp_tool_print_error(&res);
		rc = 1;
	}
	else if (print)
		print(&a, &res);
	pcp_result_free(&res);
	pcp_disconnect(conn);
	return rc;
}
