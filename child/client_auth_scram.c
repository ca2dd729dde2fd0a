/*
 * SCRAM-SHA-256 authentication of a client against pool_passwd (a SCRAM secret, or a cleartext or
 * AES password from which one is derived), and the re-check of clients that reuse a cached entry.
 */
#include <stdlib.h>
#include <string.h>

#include "auth/md5.h"
#include "auth/scram.h"
#include "child/client_auth.h"
#include "child/credentials.h"
#include "common/log.h"
#include "net/tls.h"

/* Reads the client's SASL message into s->msg; 0 or -1. */
static int
read_sasl(session *s)
{
	if (msgio_read(&s->client, &s->msg, SESSION_STARTUP_MAX_MESSAGE, s->auth_deadline) != 0)
		return -1;
	if (s->msg.type != PQ_MSG_PASSWORD)
	{
		session_report(s, "FATAL", "08P01", "expected SASL response", NULL);
		return -1;
	}
	return 0;
}

/* The secret scram_server_new wants: pool_passwd's SCRAM secret, or the cleartext password. */
static const char *
scram_secret_for(session *s)
{
	const passwd_entry *e = credentials_pool_passwd_entry(s);

	if (e != NULL && e->kind == PASSWD_SCRAM)
		return e->secret;
	return credentials_cleartext(s);
}

static void
scram_failed(session *s, scram_server *srv)
{
	char		message[200];
	const char *log_detail = scram_server_log_detail(srv);

	snprintf(message, sizeof(message), "SCRAM authentication failed for user \"%s\"", s->startup.user);
	if (log_detail)
		log_info("%s: %s", message, log_detail);
	session_report(s, "FATAL", scram_server_error_sqlstate(srv) ? scram_server_error_sqlstate(srv) : "28P01",
				   message, scram_server_error_detail(srv));
}

/* SASLInitialResponse: mechanism, then client-first. Returns the server-first message or NULL. */
static char *
scram_initial(session *s, scram_server *srv)
{
	pq_in		in;
	const char *mechanism;
	int32_t		len;
	const uint8_t *data = NULL;
	unsigned char hash[64];
	int			hash_len = 0;
	char	   *reply = NULL;
	char	   *error = NULL;

	pq_in_init(&in, s->msg.data, s->msg.len);
	if (!pq_in_string(&in, &mechanism) || !pq_in_int32(&in, &len) ||
		(len > 0 && !pq_in_bytes(&in, (size_t) len, &data)))
	{
		session_report(s, "FATAL", "08P01", "malformed SASLInitialResponse", NULL);
		return NULL;
	}
	if (s->client.ssl != NULL)
		hash_len = tls_server_end_point_hash(&s->client, hash, sizeof(hash), NULL, 0);
	if (scram_server_select_mechanism(srv, mechanism, hash_len > 0 ? hash : NULL,
									  hash_len > 0 ? (size_t) hash_len : 0, &error) != 0 ||
		scram_server_handle_client_first(srv, (const char *) data, len > 0 ? (size_t) len : 0,
										 &reply, &error) != 0)
	{
		free(error);
		scram_failed(s, srv);
		return NULL;
	}
	return reply;
}

static int
scram_exchange(session *s, scram_server *srv)
{
	char	   *reply;
	char	   *error = NULL;
	size_t		mech_len;
	const char *mechs = scram_mechanism_list(s->client.ssl != NULL, &mech_len);

	pq_out_begin(&s->out, PQ_MSG_AUTHENTICATION);
	pq_out_int32(&s->out, PQ_AUTH_SASL);
	pq_out_bytes(&s->out, mechs, mech_len);
	pq_out_end(&s->out);
	if (msgio_send(&s->client, &s->out, s->auth_deadline) != 0 || read_sasl(s) != 0)
		return -1;
	if ((reply = scram_initial(s, srv)) == NULL)
		return -1;
	pq_put_auth_sasl_continue(&s->out, (const uint8_t *) reply, strlen(reply));
	free(reply);
	if (msgio_send(&s->client, &s->out, s->auth_deadline) != 0 || read_sasl(s) != 0)
		return -1;
	if (scram_server_handle_client_final(srv, (const char *) s->msg.data, s->msg.len, &reply, &error) != 0)
	{
		free(error);
		scram_failed(s, srv);
		return -1;
	}
	pq_put_auth_sasl_final(&s->out, (const uint8_t *) reply, strlen(reply));
	free(reply);
	return msgio_send(&s->client, &s->out, s->auth_deadline);
}

int
client_auth_scram(session *s)
{
	scram_server *srv = scram_server_new(scram_secret_for(s), s->startup.user);
	int			rc = scram_exchange(s, srv);

	if (rc == 0 && !scram_server_succeeded(srv))
	{
		scram_failed(s, srv);
		rc = -1;
	}
	scram_server_free(srv);
	return rc;
}

/* The first client answered the backend's own challenge: the next one must give the same answer. */
static int
replay_passed_through(session *s)
{
	pool_entry *e = s->entry;
	char	   *answer;
	bool		ok;

	if (e->backend_method == HBA_METHOD_MD5)
		pq_put_auth_md5(&s->out, e->md5_salt);
	else
		pq_put_auth_cleartext(&s->out);
	if (msgio_send(&s->client, &s->out, s->auth_deadline) != 0 ||
		(answer = credentials_read_client_password(s)) == NULL)
		return -1;
	ok = strlen(answer) == strlen(e->secret) && md5_answer_matches(e->secret, answer);
	if (ok && e->backend_method != HBA_METHOD_MD5)
	{
		free(s->client_password);
		s->client_password = answer;
		return 0;
	}
	free(answer);
	if (ok)
		return 0;
	{
		char		message[200];

		snprintf(message, sizeof(message), "%s authentication failed for user \"%s\"",
				 e->backend_method == HBA_METHOD_MD5 ? "md5" : "password", s->startup.user);
		session_report(s, "FATAL", "28P01", message, "password does not match");
	}
	return -1;
}

int
client_auth_reuse(session *s)
{
	if (s->entry->passed_through)
		return replay_passed_through(s);
	return client_auth_method(s, s->entry->backend_method);
}
