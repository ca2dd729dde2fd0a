/*
 * Client authentication (see client_auth.h). Every failure names the user, the method and what
 * was missing or wrong. For md5 and password a user without a pool_passwd entry is told so, as
 * pgpool does; SCRAM runs a doomed exchange instead, so that an unknown user looks exactly like a
 * wrong password (the reason goes to the log only).
 */
#include "child/client_auth.h"

#include <errno.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/md5.h"
#include "auth/scram.h"
#include "child/credentials.h"
#include "common/log.h"
#include "common/util.h"
#include "net/tls.h"

static hba_file *hba;
static bool hba_loaded;

void
client_auth_reload(void)
{
	hba_free(hba);
	hba = NULL;
	hba_loaded = false;
}

static void
auth_failed(session *s, const char *method, const char *detail)
{
	char		message[256];

	snprintf(message, sizeof(message), "%s authentication failed for user \"%s\"", method,
			 s->startup.user);
	/* PostgreSQL: 28P01 (invalid_password) for password methods, 28000 for the others */
	session_report(s, "FATAL", strcmp(method, "certificate") == 0 ? "28000" : "28P01", message, detail);
}

/* The expected md5 secret ("md5" + hex) of the user from pool_passwd, into out; -1 (why set) when unknown. */
static int
stored_md5_secret(session *s, char out[40], char *why, size_t why_len)
{
	const passwd_entry *e = credentials_pool_passwd_entry(s);
	const char *clear;

	if (e != NULL && e->kind == PASSWD_MD5)
	{
		str_copy(out, e->secret, 40);
		return 0;
	}
	clear = credentials_cleartext(s);
	if (clear == NULL)
	{
		credentials_missing_reason(s, why, why_len);
		return -1;
	}
	md5_password_secret(clear, s->startup.user, out);
	return 0;
}

static int
auth_md5(session *s)
{
	uint8_t		salt[4];
	char		secret[40];
	char		expected[40];
	char		why[400] = "";
	char	   *answer;
	int			known;

	known = stored_md5_secret(s, secret, why, sizeof(why));
	RAND_bytes(salt, sizeof(salt));
	pq_put_auth_md5(&s->out, salt);
	if (msgio_send(&s->client, &s->out, s->auth_deadline) != 0 ||
		(answer = credentials_read_client_password(s)) == NULL)
		return -1;
	if (known != 0 || !md5_client_answer(secret, salt, expected) || !md5_answer_matches(expected, answer))
	{
		free(answer);
		if (known == 0)
			str_copy(why, "password does not match", sizeof(why));
		log_info("md5 authentication of user \"%s\" from %s failed: %s", s->startup.user,
				 s->client_host, why);
		auth_failed(s, "md5", why);
		return -1;
	}
	free(answer);
	return 0;
}

/* Checks a cleartext password against whatever pool_passwd holds. */
static bool
password_matches(session *s, const char *password)
{
	const passwd_entry *e = credentials_pool_passwd_entry(s);
	const char *clear;
	char		secret[40];

	if (e == NULL)
		return false;
	if (e->kind == PASSWD_MD5)
	{
		md5_password_secret(password, s->startup.user, secret);
		return md5_answer_matches(e->secret, secret);
	}
	if (e->kind == PASSWD_SCRAM)
		return scram_verify_password(e->secret, password);
	clear = credentials_cleartext(s);
	return clear != NULL && strlen(clear) == strlen(password) && md5_answer_matches(clear, password);
}

static int
auth_password(session *s)
{
	char	   *password;

	if (!s->cfg->allow_clear_text_frontend_auth && s->client.ssl == NULL && !s->client_is_local)
		log_debug("cleartext password requested from %s over an unencrypted connection", s->client_host);
	pq_put_auth_cleartext(&s->out);
	if (msgio_send(&s->client, &s->out, s->auth_deadline) != 0 ||
		(password = credentials_read_client_password(s)) == NULL)
		return -1;
	if (!password_matches(s, password))
	{
		char		why[400] = "password does not match";
		const passwd_entry *e = credentials_pool_passwd_entry(s);

		if (e == NULL || (e->kind != PASSWD_MD5 && e->kind != PASSWD_SCRAM && credentials_cleartext(s) == NULL))
			credentials_missing_reason(s, why, sizeof(why));
		free(password);
		auth_failed(s, "password", why);
		return -1;
	}
	free(s->client_password);
	s->client_password = password;
	return 0;
}

static int
auth_cert(session *s)
{
	char	   *cn = tls_peer_common_name(&s->client);
	int			rc = 0;

	if (cn == NULL)
	{
		auth_failed(s, "certificate", "the client sent no verified certificate");
		rc = -1;
	}
	else if (strcmp(cn, s->startup.user) != 0)
	{
		char		detail[300];

		snprintf(detail, sizeof(detail), "certificate common name \"%s\" does not match the user name", cn);
		auth_failed(s, "certificate", detail);
		rc = -1;
	}
	free(cn);
	return rc;
}

int
client_auth_method(session *s, hba_method method)
{
	switch (method)
	{
		case HBA_METHOD_TRUST:
			return 0;
		case HBA_METHOD_MD5:
			return auth_md5(s);
		case HBA_METHOD_PASSWORD:
			return auth_password(s);
		case HBA_METHOD_SCRAM:
			return client_auth_scram(s);
		case HBA_METHOD_CERT:
			return auth_cert(s);
		case HBA_METHOD_REJECT:
		default:
			{
				char		message[200];

				snprintf(message, sizeof(message), "authentication method \"%s\" is not supported by pgpool-ng",
						 hba_method_name(method));
				session_report(s, "FATAL", "28000", message, NULL);
				return -1;
			}
	}
}

static const hba_rule *
match_rule(session *s, hba_client *client)
{
	if (!hba_loaded)
	{
		diag_list	diags;

		diag_init(&diags);
		if (hba_load(s->ctx->hba_file, &hba, &diags) != 0)
			log_warning("pool_hba.conf \"%s\" has errors; see pgpool --check-config", s->ctx->hba_file);
		diag_free(&diags);
		hba_loaded = true;
	}
	memset(client, 0, sizeof(*client));
	client->local = s->client_is_local;
	client->ssl = s->client.ssl != NULL;
	client->addr = s->client_addr;
	client->database = s->startup.database;
	client->user = s->startup.user;
	return hba ? hba_match(hba, client) : NULL;
}

int
client_auth_hba(session *s)
{
	hba_client	client;
	const hba_rule *rule = match_rule(s, &client);
	char		detail[400];
	int			rc;

	if (rule == NULL || rule->method == HBA_METHOD_REJECT)
	{
		snprintf(detail, sizeof(detail), "%s for host \"%s\", user \"%s\", database \"%s\", %s",
				 rule ? "pool_hba.conf rejects connection" : "no pool_hba.conf entry",
				 s->client_host, s->startup.user, s->startup.database,
				 s->client.ssl ? "SSL on" : "SSL off");
		session_report(s, "FATAL", "28000", "client authentication failed", detail);
		hba_client_clear(&client);
		return -1;
	}
	hba_client_clear(&client);
	rc = client_auth_method(s, rule->method);
	return rc;
}
