/*
 * Passwords of the checks (see check_password.h). Each call reads pool_passwd and the key file
 * afresh: they are small, a check runs at most once a second, and pgpool rereads them too.
 */
#include "main/check_password.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "auth/aes.h"
#include "auth/passwd.h"
#include "common/diag.h"
#include "common/log.h"
#include "common/util.h"

static char *config_dir;
static char *key_path;
static char *last_password;
static char *last_warning;		/* the last warning given, so that each is given once */

void
check_password_init(const char *config_file, const char *key_file)
{
	free(config_dir);
	free(key_path);
	config_dir = config_file ? path_dirname(config_file) : xstrdup(".");
	key_path = key_file ? xstrdup(key_file) : aes_key_file_default();
}

static void
warn_once(const char *user, const char *where, const char *why)
{
	char		text[512];

	snprintf(text, sizeof(text), "%s of user \"%s\" %s", where, user, why);
	if (last_warning != NULL && strcmp(last_warning, text) == 0)
		return;
	free(last_warning);
	last_warning = xstrdup(text);
	log_warning("%s; logging in without a password", text);
}

/* The cleartext behind a secret in one of pgpool's forms; NULL (after a warning) when none. */
static char *
cleartext_of(const char *secret, const char *user, const char *where)
{
	passwd_kind kind = passwd_kind_of(secret);
	char	   *key = NULL;
	char	   *clear = NULL;

	if (kind == PASSWD_MD5 || kind == PASSWD_SCRAM)
	{
		warn_once(user, where, kind == PASSWD_MD5 ?
				  "is an md5 hash; the checks log in through libpq, which needs the password itself (use TEXT or AES)" :
				  "is a SCRAM secret, from which no password can be derived (use TEXT or AES)");
		return NULL;
	}
	if (kind == PASSWD_AES)
		key = aes_read_key_file(key_path ? key_path : "", NULL);
	if (passwd_cleartext(secret, key, &clear) != 0)
		warn_once(user, where, key == NULL ? "is AES-encrypted but the key file is missing or empty" :
				  "is AES-encrypted and could not be decrypted with the key file");
	free(key);
	return clear;
}

/* The user's pool_passwd secret (malloc'd), or NULL when the file or the entry is missing. */
static char *
pool_passwd_secret(const pool_config *cfg, const char *user)
{
	passwd_file *file = NULL;
	const passwd_entry *e;
	diag_list	diags;
	char	   *path;
	char	   *secret = NULL;

	if (cfg->pool_passwd == NULL || cfg->pool_passwd[0] == '\0')
		return NULL;
	path = path_join_relative(config_dir ? config_dir : ".", cfg->pool_passwd);
	diag_init(&diags);
	if (passwd_load(path, &file, &diags) != 0 && errno != ENOENT)
		log_warning("pool_passwd \"%s\" has errors; see pgpool --check-config", path);
	e = file ? passwd_find(file, user) : NULL;
	if (e != NULL)
		secret = xstrdup(e->secret);
	passwd_free(file);
	diag_free(&diags);
	free(path);
	return secret;
}

const char *
check_password(const pool_config *cfg, const char *user, const char *configured)
{
	char	   *secret;

	free(last_password);
	last_password = NULL;
	if (user == NULL || user[0] == '\0')
		return NULL;
	if (configured != NULL && configured[0] != '\0')
	{
		last_password = cleartext_of(configured, user, "the configured password");
		return last_password;
	}
	secret = pool_passwd_secret(cfg, user);
	if (secret != NULL)
		last_password = cleartext_of(secret, user, "the pool_passwd entry");
	free(secret);
	return last_password;
}
