/*
 * Password sources for backend authentication (see credentials.h).
 */
#include "child/credentials.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/aes.h"
#include "auth/md5.h"
#include "common/log.h"
#include "common/util.h"

static passwd_file *pool_passwd;
static bool pool_passwd_loaded;
static char *aes_key;
static char *aes_key_path;
static bool aes_key_loaded;

void
credentials_reload(void)
{
	passwd_free(pool_passwd);
	pool_passwd = NULL;
	pool_passwd_loaded = false;
	free(aes_key);
	aes_key = NULL;
	free(aes_key_path);
	aes_key_path = NULL;
	aes_key_loaded = false;
}

static void
load_pool_passwd(const session *s)
{
	char	   *dir;
	char	   *path;
	diag_list	diags;

	pool_passwd_loaded = true;
	if (s->cfg->pool_passwd == NULL || s->cfg->pool_passwd[0] == '\0')
		return;
	dir = path_dirname(s->ctx->config_file);
	path = path_join_relative(dir, s->cfg->pool_passwd);
	diag_init(&diags);
	if (passwd_load(path, &pool_passwd, &diags) != 0 && errno != ENOENT)
		log_warning("pool_passwd \"%s\" has errors; see pgpool --check-config", path);
	diag_free(&diags);
	free(dir);
	free(path);
}

const passwd_entry *
credentials_pool_passwd_entry(session *s)
{
	if (!pool_passwd_loaded)
		load_pool_passwd(s);
	if (pool_passwd == NULL)
		return NULL;
	return passwd_find(pool_passwd, s->startup.user);
}

static const char *
key(const session *s)
{
	if (!aes_key_loaded)
	{
		aes_key_path = s->ctx->key_file ? xstrdup(s->ctx->key_file) : aes_key_file_default();
		aes_key = aes_read_key_file(aes_key_path, NULL);
		aes_key_loaded = true;
	}
	return aes_key;
}

const char *
credentials_cleartext(session *s)
{
	const passwd_entry *e;
	char	   *clear = NULL;

	if (s->client_password != NULL)
		return s->client_password;
	e = credentials_pool_passwd_entry(s);
	if (e == NULL || e->kind == PASSWD_MD5 || e->kind == PASSWD_SCRAM)
		return NULL;
	if (passwd_cleartext(e->secret, e->kind == PASSWD_AES ? key(s) : NULL, &clear) != 0)
	{
		if (e->kind == PASSWD_AES)
			log_warning("AES password of user \"%s\" in pool_passwd could not be decrypted (key file missing or wrong)",
						s->startup.user);
		return NULL;
	}
	s->client_password = clear;	/* kept for the session; freed with it */
	return clear;
}

void
credentials_missing_reason(session *s, char *buf, size_t len)
{
	const passwd_entry *e = credentials_pool_passwd_entry(s);
	const char *user = s->startup.user;

	if (e == NULL)
		snprintf(buf, len, "pool_passwd file does not contain an entry for \"%s\"", user);
	else if (e->kind == PASSWD_MD5)
		snprintf(buf, len, "pool_passwd holds only an md5 hash for \"%s\", from which no password can be derived", user);
	else if (e->kind == PASSWD_SCRAM)
		snprintf(buf, len, "pool_passwd holds only a SCRAM secret for \"%s\", from which no password can be derived", user);
	else if (e->kind == PASSWD_AES && key(s) == NULL)
		snprintf(buf, len, "the AES password of \"%s\" in pool_passwd cannot be decrypted: key file \"%s\" is missing or empty",
				 user, aes_key_path ? aes_key_path : "");
	else if (e->kind == PASSWD_AES)
		snprintf(buf, len, "the AES password of \"%s\" in pool_passwd cannot be decrypted with the key in \"%s\"",
				 user, aes_key_path ? aes_key_path : "");
	else
		snprintf(buf, len, "the pool_passwd entry of \"%s\" could not be read", user);
}

int
credentials_md5_answer(session *s, const uint8_t salt[4], char out[40])
{
	const char *clear = credentials_cleartext(s);
	const passwd_entry *e;
	char		secret[40];

	if (clear != NULL)
	{
		md5_password_secret(clear, s->startup.user, secret);
		return md5_client_answer(secret, salt, out) ? 0 : -1;
	}
	e = credentials_pool_passwd_entry(s);
	if (e != NULL && e->kind == PASSWD_MD5)
		return md5_client_answer(e->secret, salt, out) ? 0 : -1;
	return -1;
}

bool
credentials_can_pass_through(session *s)
{
	return !s->cfg->enable_pool_hba && !s->entry->passed_through;
}

char *
credentials_read_client_password(session *s)
{
	if (msgio_read(&s->client, &s->msg, SESSION_STARTUP_MAX_MESSAGE, s->auth_deadline) != 0)
	{
		log_info("client %s did not send a password: %s", s->client_host, msgio_error_text(errno));
		return NULL;
	}
	if (s->msg.type != PQ_MSG_PASSWORD || s->msg.len == 0 || s->msg.data[s->msg.len - 1] != '\0')
	{
		session_report(s, "FATAL", "08P01", "expected password response", NULL);
		return NULL;
	}
	return xstrdup((const char *) s->msg.data);
}

static int
forward_password(session *s, net_conn *backend, const char *password)
{
	pq_put_password(&s->out, password);
	return msgio_send(backend, &s->out, s->auth_deadline);
}

int
credentials_pass_through_md5(session *s, net_conn *backend, const uint8_t salt[4])
{
	char	   *answer;

	pq_put_auth_md5(&s->out, salt);
	if (msgio_send(&s->client, &s->out, s->auth_deadline) != 0)
		return -1;
	answer = credentials_read_client_password(s);
	if (answer == NULL)
		return -1;
	s->entry->passed_through = true;
	memcpy(s->entry->md5_salt, salt, 4);
	free(s->entry->secret);
	s->entry->secret = answer;
	return forward_password(s, backend, answer);
}

const char *
credentials_ask_client_cleartext(session *s)
{
	char	   *password;

	pq_put_auth_cleartext(&s->out);
	if (msgio_send(&s->client, &s->out, s->auth_deadline) != 0)
		return NULL;
	password = credentials_read_client_password(s);
	if (password == NULL)
		return NULL;
	s->entry->passed_through = true;
	free(s->entry->secret);
	s->entry->secret = password;
	free(s->client_password);
	s->client_password = xstrdup(password);
	return s->client_password;
}

int
credentials_pass_through_cleartext(session *s, net_conn *backend)
{
	const char *password = credentials_ask_client_cleartext(s);

	if (password == NULL)
		return -1;
	return forward_password(s, backend, password);
}
