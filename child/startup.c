/*
 * The client's first packets: SSLRequest and GSSENCRequest negotiation, CancelRequest, and the
 * StartupMessage itself, all bounded by authentication_timeout.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "child/cancel.h"
#include "child/session.h"
#include "common/log.h"
#include "common/util.h"
#include "net/tls.h"

/* Reads one length-prefixed start-up packet into s->startup_packet; 0, or -1 (logged). */
static int
read_packet(session *s, uint8_t **packet, size_t *len)
{
	uint8_t		prefix[4];
	size_t		total;

	if (net_conn_recv_exact_with_deadline(&s->client, prefix, sizeof(prefix), s->auth_deadline) != 0)
	{
		if (errno != ECONNRESET)
			log_info("could not read start-up packet from %s: %s", s->client_host, msgio_error_text(errno));
		return -1;
	}
	if (pq_startup_length(prefix, &total) != PQ_STARTUP_OK)
	{
		session_report(s, "FATAL", "08P01", "invalid length of startup packet", NULL);
		return -1;
	}
	*packet = xmalloc(total);
	memcpy(*packet, prefix, sizeof(prefix));
	if (net_conn_recv_exact_with_deadline(&s->client, *packet + 4, total - 4, s->auth_deadline) != 0)
	{
		log_info("incomplete start-up packet from %s: %s", s->client_host, msgio_error_text(errno));
		free(*packet);
		*packet = NULL;
		return -1;
	}
	*len = total;
	return 0;
}

/* Answers an SSLRequest: 'S' and the handshake when TLS is set up, else 'N'. 0, or -1 to end. */
static int
negotiate_tls(session *s)
{
	char		answer = s->ctx->tls_server != NULL && s->client.ssl == NULL ? 'S' : 'N';
	char		err[256];

	if (net_conn_send_all_with_deadline(&s->client, &answer, 1, s->auth_deadline) != 0)
		return -1;
	if (answer == 'N')
		return 0;
	if (tls_server_accept_with_deadline(&s->client, s->ctx->tls_server, s->auth_deadline,
										err, sizeof(err)) != 0)
	{
		log_info("TLS handshake with %s failed: %s", s->client_host, err);
		return -1;
	}
	return 0;
}

static startup_result
check_startup(session *s, pq_startup_status status)
{
	char		detail[128];

	if (status == PQ_STARTUP_OK)
		return STARTUP_READY;
	if (status == PQ_STARTUP_UNSUPPORTED_PROTOCOL)
	{
		snprintf(detail, sizeof(detail), "frontend protocol %u.%u is not supported; 3.0 is",
				 s->startup.major, s->startup.minor);
		session_report(s, "FATAL", "0A000", "unsupported frontend protocol", detail);
	}
	else if (status == PQ_STARTUP_NO_USER)
		session_report(s, "FATAL", "28000", "no PostgreSQL user name specified in startup packet", NULL);
	else
	{
		const char *why = pq_startup_status_text(status);

		session_report(s, "FATAL", "08P01", "invalid startup packet layout",
					   strcmp(why, "invalid startup packet layout") != 0 ? why : NULL);
	}
	return STARTUP_FAILED;
}

startup_result
session_read_startup(session *s)
{
	/* a client may try SSL then GSS (or the reverse) before its StartupMessage */
	for (int round = 0; round < 3; round++)
	{
		uint8_t    *packet = NULL;
		size_t		len = 0;
		pq_startup_status status;

		if (read_packet(s, &packet, &len) != 0)
			return STARTUP_DONE;
		status = pq_parse_startup(packet, len, &s->startup);
		if (status == PQ_STARTUP_OK && s->startup.kind == PQ_STARTUP_SSL_REQUEST)
		{
			free(packet);
			if (negotiate_tls(s) != 0)
				return STARTUP_DONE;
			continue;
		}
		if (status == PQ_STARTUP_OK && s->startup.kind == PQ_STARTUP_GSSENC_REQUEST)
		{
			free(packet);
			if (net_conn_send_all_with_deadline(&s->client, "N", 1, s->auth_deadline) != 0)
				return STARTUP_DONE;
			continue;
		}
		if (status == PQ_STARTUP_OK && s->startup.kind == PQ_STARTUP_CANCEL_REQUEST)
		{
			cancel_forward(s->cfg, s->startup.cancel_pid, s->startup.cancel_key);
			pq_startup_free(&s->startup);
			free(packet);
			return STARTUP_DONE;
		}
		s->startup_packet = packet;
		return check_startup(s, status);
	}
	session_report(s, "FATAL", "08P01", "too many encryption requests before the startup packet", NULL);
	return STARTUP_FAILED;
}
