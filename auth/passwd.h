/*
 * pool_passwd: "user:secret[:backend_user:backend_secret]" lines, where the secret is
 * "md5"+32 hex, "AES"+base64, "SCRAM-SHA-256$...", "TEXT"+cleartext or bare cleartext.
 * Reading with file:line diagnostics, lookup, decryption, and the add-or-replace writer.
 */
#ifndef PGNG_AUTH_PASSWD_H
#define PGNG_AUTH_PASSWD_H

#include "common/diag.h"

typedef enum
{
	PASSWD_MD5,					/* "md5" + md5hex(password + user) */
	PASSWD_AES,					/* "AES" + base64(AES-256-CBC(password)) */
	PASSWD_SCRAM,				/* "SCRAM-SHA-256$iterations:salt$storedkey:serverkey" */
	PASSWD_TEXT,				/* "TEXT" + cleartext */
	PASSWD_PLAIN				/* anything else: cleartext */
} passwd_kind;

typedef struct passwd_entry
{
	char	   *user;
	char	   *secret;			/* as written, prefix included */
	passwd_kind kind;
	char	   *backend_user;	/* NULL unless the line maps to another backend user */
	char	   *backend_secret;
	passwd_kind backend_kind;
	int			line;
} passwd_entry;

typedef struct passwd_file
{
	char	   *path;
	passwd_entry *entries;
	int			count;
} passwd_file;

/*
 * Reads path into *out (always set, possibly empty). Returns 0 when no error was found
 * (warnings allowed), -1 otherwise; bad lines are skipped and reported in diags.
 */
int			passwd_load(const char *path, passwd_file **out, diag_list *diags);
void		passwd_free(passwd_file *file);

/* The first entry for user, as pgpool takes the first match; NULL when absent. */
const passwd_entry *passwd_find(const passwd_file *file, const char *user);

/* How pgpool classifies a secret ("md5" with a wrong length counts as cleartext). */
passwd_kind passwd_kind_of(const char *secret);
const char *passwd_kind_name(passwd_kind kind);

/*
 * The cleartext password behind secret when it can be known (AES with key, TEXT, bare
 * cleartext), malloc'd in *out. Returns 0, or -1 (md5/SCRAM, no key, or decryption failure).
 */
int			passwd_cleartext(const char *secret, const char *aes_key, char **out);

/*
 * Replaces the first line for user with "user:secret" or appends it, creating the file when
 * missing, like pgpool's pg_md5 -m / pg_enc -m. On failure returns -1 and *error (malloc'd).
 */
int			passwd_update_file(const char *path, const char *user, const char *secret,
							   char **error);

#endif
