/*
 * Opening one backend connection for a session: connect (TLS when configured), send the client's
 * start-up parameters, authenticate with the password pool_passwd or the client provides (or by
 * passing the backend's md5/cleartext challenge through to the client), and collect what the
 * backend says before its first ReadyForQuery.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/md5.h"
#include "auth/scram.h"
#include "child/backend_error.h"
#include "child/credentials.h"
#include "child/router.h"
#include "child/session.h"
#include "common/log.h"
#include "common/util.h"
#include "net/sock.h"
#include "net/tls.h"

/* Longest a backend may take to connect when connect_timeout is 0 ("no timeout" in pgpool). */
#define BACKEND_CONNECT_MAX_MS 60000

typedef struct backend_login
{
	session    *s;
	int			node;
	backend_conn *b;
	scram_client *scram;
	bool		extra;			/* a further node: never ask the client, never write to it */
	char		err[1024];
} backend_login;

static int64_t
connect_deadline(const pool_config *cfg)
{
	int			ms = cfg->connect_timeout > 0 ? cfg->connect_timeout : BACKEND_CONNECT_MAX_MS;

	return net_deadline_after(ms);
}

/* SSLRequest to the backend when ssl is on; plain when it answers 'N'. 0 or -1 (err set). */
static int
negotiate_backend_tls(backend_login *l, const char *host, int64_t deadline)
{
	pq_out	   *out = &l->s->out;
	char		answer;

	if (l->s->ctx->tls_client == NULL)
		return 0;
	pq_put_ssl_request(out);
	if (msgio_send(&l->b->conn, out, deadline) != 0 ||
		net_conn_recv_exact_with_deadline(&l->b->conn, &answer, 1, deadline) != 0)
	{
		snprintf(l->err, sizeof(l->err), "SSL negotiation failed: %s", msgio_error_text(errno));
		return -1;
	}
	if (answer != 'S')
		return 0;
	return tls_client_connect_with_deadline(&l->b->conn, l->s->ctx->tls_client, host, deadline,
											l->err, sizeof(l->err));
}

static int
open_socket(backend_login *l)
{
	const cfg_backend *be = &l->s->cfg->backends[l->node];
	int64_t		deadline = connect_deadline(l->s->cfg);
	int			fd = net_connect_with_deadline(be->hostname, be->port, deadline, l->err, sizeof(l->err));

	if (fd < 0)
	{
		/* pgpool too takes a node it cannot connect to for failed (not one that refuses the login) */
		backend_error_report(l->s->cfg, l->node, "connecting to", l->err);
		return -1;
	}
	l->b->goodbye = false;
	l->b->shutdown_notice[0] = '\0';
	net_conn_init(&l->b->conn, fd);
	if (negotiate_backend_tls(l, be->hostname, deadline) != 0)
	{
		net_conn_close(&l->b->conn);
		return -1;
	}
	return 0;
}

static int
send_startup(backend_login *l)
{
	const pq_startup *st = &l->s->startup;

	if (!pq_put_startup(&l->s->out, st->params, st->nparams))
	{
		snprintf(l->err, sizeof(l->err), "start-up packet too long");
		return -1;
	}
	return msgio_send(&l->b->conn, &l->s->out, l->s->auth_deadline);
}

/* Sends one password-type message to the backend. */
static int
send_password(backend_login *l, const char *password)
{
	pq_put_password(&l->s->out, password);
	return msgio_send(&l->b->conn, &l->s->out, l->s->auth_deadline);
}

/* The backend asks for a password that neither the client nor pool_passwd can give: say why. */
static void
missing_password(backend_login *l, const char *method)
{
	char		why[400];

	credentials_missing_reason(l->s, why, sizeof(why));
	snprintf(l->err, sizeof(l->err), "%s authentication of user \"%s\" to backend %d needs its password: %s%s",
			 method, l->s->startup.user, l->node, why,
			 strcmp(method, "SCRAM") == 0 && !l->s->cfg->enable_pool_hba && !l->s->cfg->allow_clear_text_frontend_auth ?
			 " (allow_clear_text_frontend_auth = on would ask the client for it)" : "");
}

static int
answer_md5(backend_login *l, const pq_auth_request *req)
{
	char		answer[40];

	l->s->entry->backend_method = HBA_METHOD_MD5;
	if (credentials_md5_answer(l->s, req->md5_salt, answer) == 0)
		return send_password(l, answer);
	if (!l->extra && credentials_can_pass_through(l->s))
		return credentials_pass_through_md5(l->s, &l->b->conn, req->md5_salt);
	missing_password(l, "md5");
	return -1;
}

static int
answer_cleartext(backend_login *l)
{
	const char *password = credentials_cleartext(l->s);

	l->s->entry->backend_method = HBA_METHOD_PASSWORD;
	if (password != NULL)
		return send_password(l, password);
	if (!l->extra && credentials_can_pass_through(l->s))
		return credentials_pass_through_cleartext(l->s, &l->b->conn);
	missing_password(l, "password");
	return -1;
}

static int
start_scram(backend_login *l, const pq_auth_request *req)
{
	const char *password = credentials_cleartext(l->s);
	const char *mechanism;
	char	   *error = NULL;
	char	   *first;

	l->s->entry->backend_method = HBA_METHOD_SCRAM;
	/* before the client is asked anything: req points into the message buffer that reuses */
	if (scram_choose_mechanism((const char *) req->data, req->data_len, l->b->conn.ssl != NULL,
							   false, &mechanism, &error) != 0)
	{
		snprintf(l->err, sizeof(l->err), "SCRAM with backend %d: %s", l->node, error);
		free(error);
		return -1;
	}
	if (password == NULL && !l->extra && l->s->cfg->allow_clear_text_frontend_auth &&
		credentials_can_pass_through(l->s))
	{
		password = credentials_ask_client_cleartext(l->s);
		if (password == NULL)
		{
			snprintf(l->err, sizeof(l->err), "the client gave no password for SCRAM authentication to backend %d",
					 l->node);
			return -1;
		}
	}
	if (password == NULL)
	{
		missing_password(l, "SCRAM");
		return -1;
	}
	l->scram = scram_client_new(password);
	first = scram_client_first_message(l->scram, mechanism);
	pq_put_sasl_initial_response(&l->s->out, mechanism, (const uint8_t *) first, strlen(first));
	free(first);
	return msgio_send(&l->b->conn, &l->s->out, l->s->auth_deadline);
}

static int
continue_scram(backend_login *l, const pq_auth_request *req, bool final)
{
	char	   *error = NULL;
	char	   *reply = NULL;
	int			rc;

	if (l->scram == NULL)
	{
		snprintf(l->err, sizeof(l->err), "backend %d sent a SASL message out of order", l->node);
		return -1;
	}
	if (final)
		rc = scram_client_verify_server_final(l->scram, (const char *) req->data, req->data_len, &error);
	else
		rc = scram_client_handle_server_first(l->scram, (const char *) req->data, req->data_len,
											  &reply, &error);
	if (rc != 0)
	{
		snprintf(l->err, sizeof(l->err), "SCRAM with backend %d: %s", l->node, error ? error : "failed");
		free(error);
		return -1;
	}
	if (final)
		return 0;
	pq_put_sasl_response(&l->s->out, (const uint8_t *) reply, strlen(reply));
	free(reply);
	return msgio_send(&l->b->conn, &l->s->out, l->s->auth_deadline);
}

static int
handle_auth_request(backend_login *l, const msg_buf *m)
{
	pq_auth_request req;

	if (!pq_parse_auth_request(m->data, m->len, &req))
	{
		snprintf(l->err, sizeof(l->err), "backend %d sent a malformed authentication request", l->node);
		return -1;
	}
	switch (req.type)
	{
		case PQ_AUTH_OK:
			return 0;
		case PQ_AUTH_CLEARTEXT_PASSWORD:
			return answer_cleartext(l);
		case PQ_AUTH_MD5_PASSWORD:
			return answer_md5(l, &req);
		case PQ_AUTH_SASL:
			return start_scram(l, &req);
		case PQ_AUTH_SASL_CONTINUE:
			return continue_scram(l, &req, false);
		case PQ_AUTH_SASL_FINAL:
			return continue_scram(l, &req, true);
		default:
			snprintf(l->err, sizeof(l->err), "backend %d asks for authentication method %d, which pgpool-ng does not support",
					 l->node, (int) req.type);
			return -1;
	}
}

/* Keeps a ParameterStatus for the clients of this entry (the first one now, later ones on reuse). */
static void
remember_parameter(pool_entry *e, const msg_buf *m)
{
	size_t		need = PQ_HEADER_SIZE + m->len;

	e->welcome = xrealloc(e->welcome, e->welcome_len + need);
	e->welcome[e->welcome_len] = m->type;
	pq_be32_set(e->welcome + e->welcome_len + 1, (uint32_t) (m->len + PQ_LENGTH_SIZE));
	memcpy(e->welcome + e->welcome_len + PQ_HEADER_SIZE, m->data, m->len);
	e->welcome_len += need;
}

/* The backend refused us: its ErrorResponse goes to the client as is. */
static void
relay_backend_error(backend_login *l, const msg_buf *m)
{
	pq_error	err;

	if (pq_parse_error(m->data, m->len, &err))
		snprintf(l->err, sizeof(l->err), "backend %d: %s: %s", l->node,
				 err.severity ? err.severity : "ERROR", err.message ? err.message : "");
	else
		snprintf(l->err, sizeof(l->err), "backend %d sent a malformed error", l->node);
	if (l->extra)
		return;
	pq_out_begin(&l->s->out, m->type);
	pq_out_bytes(&l->s->out, m->data, m->len);
	pq_out_end(&l->s->out);
	msgio_send(&l->s->client, &l->s->out, net_deadline_after(1000));
}

/* Reads the backend until its first ReadyForQuery. 0, 1 (error already sent to client), or -1. */
static int
login_dialogue(backend_login *l)
{
	msg_buf    *m = &l->s->msg;

	for (;;)
	{
		if (msgio_read(&l->b->conn, m, SESSION_STARTUP_MAX_MESSAGE, l->s->auth_deadline) != 0)
		{
			snprintf(l->err, sizeof(l->err), "backend %d: %s", l->node, msgio_error_text(errno));
			return -1;
		}
		switch (m->type)
		{
			case PQ_MSG_AUTHENTICATION:
				if (handle_auth_request(l, m) != 0)
					return -1;
				break;
			case PQ_MSG_PARAMETER_STATUS:
				if (!l->extra)	/* the client has the main node's already */
					remember_parameter(l->s->entry, m);
				break;
			case PQ_MSG_BACKEND_KEY_DATA:
				pq_parse_backend_key_data(m->data, m->len, &l->b->pid, &l->b->key);
				break;
			case PQ_MSG_ERROR_RESPONSE:
				relay_backend_error(l, m);
				return 1;
			case PQ_MSG_NOTICE_RESPONSE:
				break;
			case PQ_MSG_READY_FOR_QUERY:
				if (!pq_parse_ready_for_query(m->data, m->len, &l->b->tx_status))
					return -1;
				return 0;
			default:
				snprintf(l->err, sizeof(l->err), "backend %d sent unexpected message '%c' during start-up",
						 l->node, m->type);
				return -1;
		}
	}
}

/* Connects and logs in; 0, 1 (the backend refused: its error was passed on), or -1 (l->err). */
static int
connect_and_login(backend_login *l)
{
	int			rc = -1;

	if (open_socket(l) == 0)
	{
		l->b->connected = true;
		l->b->connected_at = time(NULL);
		if (send_startup(l) == 0)
			rc = login_dialogue(l);
	}
	scram_client_free(l->scram);
	l->scram = NULL;
	if (rc == 0)
		router_note_connected(l->node);
	else
		log_error("could not connect session of user \"%s\" to backend %d (%s:%d): %s",
				  l->s->startup.user, l->node, l->s->cfg->backends[l->node].hostname,
				  l->s->cfg->backends[l->node].port, l->err);
	return rc;
}

int
session_connect_backend(session *s, int node)
{
	backend_login l = {.s = s, .node = node, .b = &s->entry->backends[node]};
	int			rc = connect_and_login(&l);

	if (rc < 0)
		session_report(s, "FATAL", "08006", "failed to connect to the PostgreSQL backend", l.err);
	return rc == 0 ? 0 : -1;
}

int
session_connect_extra_backend(session *s, int node)
{
	backend_login l = {.s = s, .node = node, .b = &s->entry->backends[node], .extra = true};
	hba_method	main_method = s->entry->backend_method;	/* what the client's own login used */
	int			rc = connect_and_login(&l);

	s->entry->backend_method = main_method;
	if (rc == 0)
		return 0;
	if (l.b->connected)
	{
		net_conn_close(&l.b->conn);
		l.b->connected = false;
	}
	return -1;
}
