/*
 * The PCP client library behind the pcp_* tools: connecting (TCP or Unix socket, with timeouts),
 * md5 salt authentication, and one request with all of its reply packets.
 */
#ifndef PGNG_PCP_CLIENT_H
#define PGNG_PCP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

/* How long connecting and authenticating, and then each request, may take. */
#define PCP_CLIENT_CONNECT_TIMEOUT_MS 10000
#define PCP_CLIENT_REQUEST_TIMEOUT_MS 600000	/* graceful detach may wait for sessions */

/* One reply packet after its tag ("NodeInfo", "CommandComplete", ...): its string fields. */
typedef struct pcp_record
{
	char		kind;
	char	   *tag;
	char	  **fields;
	int			nfields;
} pcp_record;

/* Everything a request got back: records in order; ok false when the server sent an error. */
typedef struct pcp_result
{
	bool		ok;
	bool		from_server;	/* the error came in an 'E' packet (else: connection trouble) */
	pcp_record *records;
	int			nrecords;
	char		severity[16];	/* of the error, e.g. "ERROR", "FATAL" */
	char	   *message;
	char	   *detail;
} pcp_result;

typedef struct pcp_conn pcp_conn;

typedef struct pcp_conn_params
{
	const char *host;			/* NULL or "": Unix socket in socket_dir; "/dir": in dir */
	const char *socket_dir;		/* "/tmp" when NULL */
	int			port;
	const char *user;
	const char *password;
	bool		debug;			/* trace packets on stderr */
} pcp_conn_params;

/*
 * Connects and authenticates. NULL on failure, with the problem in *err (a result whose message is
 * what the tools print: the connection error, or the server's FATAL with its detail).
 */
pcp_conn   *pcp_connect(const pcp_conn_params *params, pcp_result *err);

/* Sends X and closes. */
void		pcp_disconnect(pcp_conn *conn);

/*
 * Sends one request (kind + payload) and collects replies until CommandComplete or an error.
 * Returns 0 with *res filled (res->ok false for a server error), or -1 on a connection problem
 * (res->message says what).
 */
int			pcp_request(pcp_conn *conn, char kind, const void *payload, size_t len, pcp_result *res);

/* The answer to a salt: md5hex(md5hex(md5hex(password) + user) + salt), into out (33 bytes). */
void		pcp_client_auth_answer(const char *password, const char *user,
								   const unsigned char *salt, char *out);

void		pcp_result_init(pcp_result *res);
void		pcp_result_free(pcp_result *res);

/* The first record with this tag, or NULL. */
const pcp_record *pcp_result_find(const pcp_result *res, const char *tag);

#endif
