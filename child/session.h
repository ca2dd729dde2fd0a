/*
 * One client session inside a child: start-up, authentication, the backend connection set, the
 * relay, and the reset that returns the connections to the cache. The parts live in separate
 * files; this header is what they share.
 */
#ifndef PGNG_CHILD_SESSION_H
#define PGNG_CHILD_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "child/child.h"
#include "child/msgio.h"
#include "child/pool.h"
#include "net/conn.h"
#include "protocol/message.h"
#include "protocol/startup.h"

/* Largest message accepted from a client or backend during start-up and authentication. */
#define SESSION_STARTUP_MAX_MESSAGE (1024 * 1024)

typedef struct session
{
	child_context *ctx;
	const pool_config *cfg;		/* ctx->cfg, or session_cfg once PGPOOL SET was used */
	pool_config *session_cfg;	/* this session's copy with its PGPOOL SET values, or NULL */
	conn_pool  *pool;
	net_conn	client;
	char		client_host[64];	/* for logs and pool_hba */
	struct sockaddr_storage client_addr;
	bool		client_is_local;	/* Unix socket */
	uint8_t    *startup_packet;
	pq_startup	startup;
	int32_t		cancel_key;		/* our BackendKeyData key given to the client */
	char	   *client_password;	/* cleartext the client gave us, when it did */
	pq_out		out;			/* scratch for messages we build */
	msg_buf		msg;			/* scratch for messages we read */
	pool_entry *entry;			/* the connection set in use */
	int			lb_node;		/* the session's load-balance node (SHOW pool_nodes) */
	int64_t		auth_deadline;	/* authentication_timeout for the whole start-up */
	time_t		connected_at;
} session;

/* What reading the first packet led to. */
typedef enum
{
	STARTUP_READY,				/* a StartupMessage: go on with authentication */
	STARTUP_DONE,				/* a CancelRequest was handled, or the client left: no session */
	STARTUP_FAILED				/* an error was reported to the client */
} startup_result;

startup_result session_read_startup(session *s);

/* Connects node of s->entry and authenticates to it; 0, or -1 after telling the client why. */
int			session_connect_backend(session *s, int node);

/*
 * Connects one more node for load balancing, after the client has authenticated: only with
 * credentials pgpool-ng holds itself (never asking the client again). 0, or -1 after logging why;
 * the client is told nothing and its session goes on without that node.
 */
int			session_connect_extra_backend(session *s, int node);

/* How a relay ended. */
typedef enum
{
	RELAY_CLIENT_TERMINATED,	/* Terminate or EOF at a message boundary: backends reusable */
	RELAY_CLIENT_LOST,			/* the client vanished or stalled mid-message */
	RELAY_BACKEND_LOST,			/* a backend closed or failed: the entry is unusable */
	RELAY_SHUTDOWN,				/* fast shutdown requested */
	RELAY_NODE_DOWN				/* a node the session used went down: the client was told */
} relay_result;

/* Relays between the client and the entry's main backend until one of the above. */
relay_result session_relay(session *s);

/* Set by the child's signal handlers; read by the relay between polls. */
extern volatile int child_fast_exit_requested;

/*
 * On reuse: applies the client's start-up settings that differ from the cached set's, queueing
 * the backend's ParameterStatus (or its error) in for_client. 0 ok, 1 the server refused a
 * setting (error queued), -1 the connection failed.
 */
int			session_apply_parameters(session *s, pq_out *for_client);

/* Brings the entry back to a clean idle state for the next client; false = discard it. */
bool		session_reset_backends(session *s);

/* Sends an ErrorResponse (FATAL or ERROR) to the client, with a bounded wait, and logs it. */
void		session_report(session *s, const char *severity, const char *sqlstate,
						   const char *message, const char *detail);

/* Serves one accepted client from start to end. */
void		session_run(child_context *ctx, conn_pool *pool, int client_fd);

#endif
