/*
 * failover_on_backend_error (see backend_error.h): classifying what a backend connection did and
 * asking for the failover of a node that failed.
 */
#include "child/backend_error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "child/backend_shutdown.h"
#include "child/session.h"
#include "common/log.h"
#include "main/failover_request.h"
#include "protocol/message.h"

bool
backend_error_is_goodbye(uint8_t type, const uint8_t *body, size_t len)
{
	pq_error	err;

	if ((type != PQ_MSG_ERROR_RESPONSE && type != PQ_MSG_NOTICE_RESPONSE) || !pq_parse_error(body, len, &err))
		return false;
	if (type == PQ_MSG_ERROR_RESPONSE && pq_error_is_fatal(&err))
		return true;
	return err.sqlstate != NULL && strncmp(err.sqlstate, "57P0", 4) == 0 && err.sqlstate[4] >= '1' &&
		err.sqlstate[4] <= '3' && err.sqlstate[5] == '\0';
}

void
backend_error_note_message(backend_conn *b, uint8_t type, const uint8_t *body, size_t len)
{
	char		code[6];

	if (!backend_error_is_goodbye(type, body, len))
		return;
	b->goodbye = true;
	/* a later goodbye (the FATAL after an immediate shutdown's WARNING) does not clear it */
	if (backend_shutdown_notice_code(type, body, len, code))
		memcpy(b->shutdown_notice, code, sizeof(code));
}

bool
backend_error_request_failover(const pool_config *cfg, int node, const char *why, const char *param)
{
	char		err[256];
	int			rc;

	/* told to end, our waits give up (net_set_interrupt_flag): that is not the node's failure */
	if (child_fast_exit_requested)
		return false;
	rc = failover_request(cfg, SHM_FO_NODE_DOWN, node, SHM_FO_BACKEND_ERROR, NULL, err, sizeof(err));
	if (rc == FO_REQUEST_QUEUED)
		log_warning("%s; failover of the node requested (%s)", why, param);
	else
		log_warning("%s; no failover: %s", why, err);
	return rc == FO_REQUEST_QUEUED;
}

bool
backend_error_report(const pool_config *cfg, int node, const char *what, const char *detail)
{
	char		why[512];

	if (node < 0 || node >= cfg->num_backends || child_fast_exit_requested)
		return false;
	if (!cfg->failover_on_backend_error)
	{
		log_warning("%s backend node %d (%s:%d) failed: %s; not detaching it (failover_on_backend_error is off)",
					what, node, cfg->backends[node].hostname, cfg->backends[node].port, detail);
		return false;
	}
	snprintf(why, sizeof(why), "%s backend node %d (%s:%d) failed: %s", what, node,
			 cfg->backends[node].hostname, cfg->backends[node].port, detail);
	return backend_error_request_failover(cfg, node, why, "failover_on_backend_error");
}

/*
 * PostgreSQL also ends a session without a word when the session's own input broke the protocol
 * ("invalid message length"): a client must not be able to fail a node over that way. Only a server
 * that no longer takes connections has failed.
 */
static bool
server_still_serves(const pool_config *cfg, int node, const char *what)
{
	char		why[512];

	if (!cfg->failover_on_backend_error || node < 0 || node >= cfg->num_backends ||
		child_fast_exit_requested ||
		backend_probe_server(cfg, node, why, sizeof(why)) != BACKEND_SERVER_ALIVE)
		return false;
	log_info("%s backend node %d (%s:%d): the server closed the session's connection without a word; %s: it "
			 "still accepts connections (the session's own input, most likely); no failover", what, node,
			 cfg->backends[node].hostname, cfg->backends[node].port, why);
	return true;
}

bool
backend_error_io(const pool_config *cfg, int node, const backend_conn *b, const char *what, int err)
{
	char		detail[160];

	if (b->goodbye)
	{
		/* the server ended it; a shutdown notice may still mean the whole server is going away */
		if (b->shutdown_notice[0] != '\0')
			backend_shutdown_check(cfg, node, b->shutdown_notice);
		return false;
	}
	if (err == ETIMEDOUT || err == EMSGSIZE)
		return false;
	if ((err == 0 || err == ECONNRESET) && server_still_serves(cfg, node, what))
		return false;
	if (err == 0 || err == ECONNRESET)
		snprintf(detail, sizeof(detail), "the server closed the connection without a word");
	else
		snprintf(detail, sizeof(detail), "%s", strerror(err));
	backend_error_report(cfg, node, what, detail);
	return true;
}
