/*
 * failover_on_backend_shutdown (see backend_shutdown.h): recognising the shutdown notice, probing
 * the node with a new connection, and deciding from the answer whether to ask for its failover.
 */
#include "child/backend_shutdown.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "child/backend_error.h"
#include "child/msgio.h"
#include "child/session.h"
#include "common/log.h"
#include "common/util.h"
#include "net/conn.h"
#include "net/sock.h"
#include "protocol/message.h"

/* Largest first answer the probe reads; an ErrorResponse or AuthenticationSASL is far smaller. */
#define PROBE_MAX_MESSAGE 8192

static bool
is_shutdown_code(const char *sqlstate)
{
	return sqlstate != NULL && (strcmp(sqlstate, "57P01") == 0 || strcmp(sqlstate, "57P02") == 0);
}

static const char *
code_name(const char *sqlstate)
{
	return strcmp(sqlstate, "57P02") == 0 ? "crash_shutdown" : "admin_shutdown";
}

bool
backend_shutdown_notice_code(uint8_t type, const uint8_t *body, size_t len, char *sqlstate)
{
	pq_error	err;

	sqlstate[0] = '\0';
	if ((type != PQ_MSG_ERROR_RESPONSE && type != PQ_MSG_NOTICE_RESPONSE) || !pq_parse_error(body, len, &err))
		return false;
	if (type == PQ_MSG_ERROR_RESPONSE && !pq_error_is_fatal(&err))
		return false;
	if (!is_shutdown_code(err.sqlstate))
		return false;
	str_copy(sqlstate, err.sqlstate, 6);
	return true;
}

/* The verdict on an ErrorResponse as the first answer to a new connection. */
static backend_server_state
error_verdict(const backend_probe_answer *a, char *why, size_t why_size)
{
	pq_error	err;
	const char *code;

	if (!pq_parse_error(a->body, a->len, &err))
	{
		snprintf(why, why_size, "a new connection got a malformed error message");
		return BACKEND_SERVER_UNKNOWN;
	}
	code = err.sqlstate ? err.sqlstate : "";
	snprintf(why, why_size, "a new connection is answered with %s %s: %s", err.severity ? err.severity : "ERROR",
			 code, err.message ? err.message : "");
	/* 57P03 cannot_connect_now: shutting down, in recovery mode after a crash, starting up */
	if (is_shutdown_code(code) || strcmp(code, "57P03") == 0)
		return BACKEND_SERVER_GOING_AWAY;
	/* the server ran the start-up far enough to judge the login: it is up */
	return BACKEND_SERVER_ALIVE;
}

backend_server_state
backend_probe_verdict(const backend_probe_answer *a, char *why, size_t why_size)
{
	const char *error = a->error ? a->error : "no detail";

	switch (a->outcome)
	{
		case BACKEND_PROBE_REFUSED:
			snprintf(why, why_size, "it refuses new connections (%s)", error);
			return BACKEND_SERVER_GOING_AWAY;
		case BACKEND_PROBE_CLOSED:
			snprintf(why, why_size, "it closes new connections without an answer (%s)", error);
			return BACKEND_SERVER_GOING_AWAY;
		case BACKEND_PROBE_TIMED_OUT:
			snprintf(why, why_size, "a new connection got no answer in time (%s)", error);
			return BACKEND_SERVER_UNKNOWN;
		case BACKEND_PROBE_ANSWERED:
			break;
	}
	if (a->type == PQ_MSG_AUTHENTICATION)
	{
		snprintf(why, why_size, "a new connection is asked to authenticate");
		return BACKEND_SERVER_ALIVE;
	}
	if (a->type == PQ_MSG_ERROR_RESPONSE)
		return error_verdict(a, why, why_size);
	snprintf(why, why_size, "a new connection got an unexpected message '%c'", a->type);
	return BACKEND_SERVER_UNKNOWN;
}

/* Opens the probe connection; false with a->outcome and a->error set when it could not. */
static bool
probe_connect(const cfg_backend *be, int64_t deadline, net_conn *c, backend_probe_answer *a,
			  char *err, size_t err_size)
{
	int			fd = net_connect_with_deadline(be->hostname, be->port, deadline, err, err_size);

	if (fd >= 0)
	{
		net_conn_init(c, fd);
		return true;
	}
	/* net_connect_with_deadline fails at the deadline only when it timed out */
	a->outcome = net_now_ms() >= deadline ? BACKEND_PROBE_TIMED_OUT : BACKEND_PROBE_REFUSED;
	a->error = err;
	return false;
}

/* Sends the start-up packet and reads the first answer into msg; a says how it went. */
static void
probe_exchange(const cfg_health_check *hc, net_conn *c, int64_t deadline, msg_buf *msg,
			   backend_probe_answer *a)
{
	pq_param	params[3];
	size_t		n = 0;
	pq_out		out;

	params[n++] = (pq_param) {"user", hc->health_check_user};
	/* no database: PostgreSQL takes the user's name */
	if (hc->health_check_database != NULL && hc->health_check_database[0] != '\0')
		params[n++] = (pq_param) {"database", hc->health_check_database};
	params[n++] = (pq_param) {"application_name", "pgpool-ng shutdown probe"};
	pq_out_init(&out);
	if (!pq_put_startup(&out, params, n))
	{
		a->outcome = BACKEND_PROBE_TIMED_OUT;
		a->error = "start-up packet too long";
	}
	else if (msgio_send(c, &out, deadline) != 0 || msgio_read(c, msg, PROBE_MAX_MESSAGE, deadline) != 0)
	{
		a->outcome = errno == ETIMEDOUT || errno == EINTR ? BACKEND_PROBE_TIMED_OUT : BACKEND_PROBE_CLOSED;
		a->error = msgio_error_text(errno);
	}
	else
	{
		a->outcome = BACKEND_PROBE_ANSWERED;
		a->type = msg->type;
		a->body = msg->data;
		a->len = msg->len;
	}
	pq_out_free(&out);
}

/*
 * A new connection to node with the health check's user and database, up to the first answer.
 * Nothing is authenticated: the connection is closed after the server's first message, which
 * PostgreSQL takes silently while it waits for a password.
 */
static void
probe_node_with_deadline(const pool_config *cfg, int node, int64_t deadline, msg_buf *msg,
						 backend_probe_answer *a, char *err, size_t err_size)
{
	net_conn	c;

	memset(a, 0, sizeof(*a));
	if (!probe_connect(&cfg->backends[node], deadline, &c, a, err, err_size))
		return;
	probe_exchange(&cfg->health_check_params[node], &c, deadline, msg, a);
	net_conn_close(&c);
}

backend_server_state
backend_probe_server(const pool_config *cfg, int node, char *why, size_t why_size)
{
	int64_t		started = net_now_ms();
	msg_buf		msg = {0};
	backend_probe_answer a;
	backend_server_state state;
	char		err[256] = "";
	char		verdict[400];

	probe_node_with_deadline(cfg, node, net_deadline_after(BACKEND_SHUTDOWN_PROBE_MS), &msg, &a, err,
							 sizeof(err));
	state = backend_probe_verdict(&a, verdict, sizeof(verdict));
	msg_buf_free(&msg);
	snprintf(why, why_size, "probed in %lld ms: %s", (long long) (net_now_ms() - started), verdict);
	return state;
}

/* Probes node and logs or requests what its answer calls for. */
static bool
probe_and_decide(const pool_config *cfg, int node, const char *said)
{
	const cfg_backend *be = &cfg->backends[node];
	backend_server_state state;
	char		why[512];
	char		line[1024];
	bool		requested = false;

	state = backend_probe_server(cfg, node, why, sizeof(why));
	if (child_fast_exit_requested)
		return false;			/* the probe's waits gave up: its answer says nothing */
	snprintf(line, sizeof(line), "backend node %d (%s:%d) %s; %s", node, be->hostname, be->port, said, why);
	if (state == BACKEND_SERVER_GOING_AWAY)
	{
		str_copy(line + strlen(line), ": the server is shutting down", sizeof(line) - strlen(line));
		requested = backend_error_request_failover(cfg, node, line, "failover_on_backend_shutdown");
	}
	else if (state == BACKEND_SERVER_ALIVE)
		log_info("%s: the server still accepts connections, only the session's backend was terminated "
				 "(pg_terminate_backend?); no failover", line);
	else
		log_warning("%s: whether the server is going away is not known; no failover requested, the health "
					"check decides", line);
	return requested;
}

bool
backend_shutdown_check(const pool_config *cfg, int node, const char *sqlstate)
{
	char		said[128];

	if (node < 0 || node >= cfg->num_backends || child_fast_exit_requested)
		return false;
	snprintf(said, sizeof(said), "ended the session's connection with %s %s", sqlstate, code_name(sqlstate));
	if (!cfg->failover_on_backend_shutdown)
	{
		log_info("backend node %d (%s:%d) %s; not probing it (failover_on_backend_shutdown is off)", node,
				 cfg->backends[node].hostname, cfg->backends[node].port, said);
		return false;
	}
	return probe_and_decide(cfg, node, said);
}
