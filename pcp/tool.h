/*
 * What the pcp_* tools share: pgpool's command-line flags, the password ($PCPPASSFILE / ~/.pcppass
 * or a prompt), connecting, printing errors, and pgpool's exit codes (1 when connecting or
 * authenticating fails or the arguments are wrong; 0 otherwise, even after a server ERROR).
 */
#ifndef PGNG_PCP_TOOL_H
#define PGNG_PCP_TOOL_H

#include <stdbool.h>

#include "pcp/client.h"

/* Options a tool takes besides the common ones (-h -p -U -w -W -d -v -?). */
#define TOOL_OPT_NODE 0x01		/* -n node-id, or a positional node id */
#define TOOL_OPT_NODE_REQUIRED 0x02
#define TOOL_OPT_ALL 0x04		/* -a */
#define TOOL_OPT_GRACEFUL 0x08	/* -g */
#define TOOL_OPT_SWITCHOVER 0x10	/* -s (promote) */
#define TOOL_OPT_SCOPE 0x20		/* -s local|cluster */
#define TOOL_OPT_MODE 0x40		/* -m smart|fast|immediate */
#define TOOL_OPT_PID 0x80		/* -P pid, or a positional pid */
#define TOOL_OPT_WD_NODE 0x100	/* -n watchdog node, or positional */

typedef struct pcp_tool
{
	const char *name;
	const char *summary;		/* one line for --help */
	unsigned int options;		/* TOOL_OPT_* */
} pcp_tool;

#define TOOL_PASSWORD_DEFAULT 0	/* the password file, else a prompt */
#define TOOL_PASSWORD_NEVER_ASK 1	/* -w */
#define TOOL_PASSWORD_ASK 2		/* -W */

typedef struct pcp_tool_args
{
	const char *tool_name;
	pcp_conn_params conn;
	int			password_mode;
	bool		verbose;
	bool		all;
	bool		graceful;
	bool		switchover;
	bool		cluster_scope;
	char		mode;			/* 's', 'f', 'i' */
	int			node;			/* -1 when not given */
	int			pid;			/* 0 when not given */
} pcp_tool_args;

/*
 * Parses argv. Returns -1 when the tool must go on, else the exit code (after --help or a usage
 * error, already printed).
 */
int			pcp_tool_parse(const pcp_tool *tool, int argc, char **argv, pcp_tool_args *args);

/* Connects with the password from the file or a prompt; NULL after printing why (exit 1). */
pcp_conn   *pcp_tool_connect(const pcp_tool *tool, pcp_tool_args *args);

/* Prints an error the way pgpool's tools do (server errors with their DETAIL and a blank line). */
void		pcp_tool_print_error(const pcp_result *res);

/*
 * Parses, connects, sends one request and, on CommandComplete, calls print (may be NULL). Prints
 * errors and returns the exit code.
 */
typedef void (*pcp_tool_print_fn) (const pcp_tool_args *args, const pcp_result *res);
typedef int (*pcp_tool_payload_fn) (const pcp_tool_args *args, char *buf, int size);
int			pcp_tool_main(const pcp_tool *tool, int argc, char **argv, char kind,
						  pcp_tool_payload_fn payload, pcp_tool_print_fn print);

/* "<tool> -- Command Successful". */
void		pcp_tool_print_success(const pcp_tool_args *args, const pcp_result *res);

/* Payload helpers: the node id as text with its NUL; nothing. */
int			pcp_tool_payload_node(const pcp_tool_args *args, char *buf, int size);
int			pcp_tool_payload_none(const pcp_tool_args *args, char *buf, int size);

/* The field, or "" when the record has fewer. */
const char *pcp_field(const pcp_record *rec, int i);

#endif
