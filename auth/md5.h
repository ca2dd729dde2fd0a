/*
 * MD5 digests as PostgreSQL and pgpool use them: plain hex digests (pcp.conf, pg_md5), the
 * "md5" + md5hex(password + user) secret stored in pool_passwd, and salted challenge answers.
 */
#ifndef PGNG_AUTH_MD5_H
#define PGNG_AUTH_MD5_H

#include <stdbool.h>
#include <stddef.h>

#define MD5_HEX_LEN 32			/* lowercase hex digits of one digest */
#define MD5_PASSWD_LEN 35		/* "md5" + 32 hex digits */
#define MD5_SALT_LEN 4

/* Writes the 32 lowercase hex digits of md5(data) and a NUL into out (33 bytes). */
void		md5_hex(const void *data, size_t len, char *out);

/* md5hex(prefix + suffix) into out (33 bytes); the bytes are concatenated as given. */
void		md5_hex_concat(const void *prefix, size_t prefix_len, const void *suffix,
						   size_t suffix_len, char *out);

/* The pool_passwd / pg_authid secret: "md5" + md5hex(password + user), into out (36 bytes). */
void		md5_password_secret(const char *password, const char *user, char *out);

/*
 * What a PostgreSQL client sends for AuthenticationMD5Password when the stored secret is
 * "md5" + H: "md5" + md5hex(H + salt), into out (36 bytes). Returns false when secret is not
 * an md5 secret.
 */
bool		md5_client_answer(const char *secret, const unsigned char *salt, char *out);

/* Compares a client's answer to the expected one in constant time. */
bool		md5_answer_matches(const char *expected, const char *answer);

/* True when s is exactly 32 hex digits. */
bool		md5_is_hex(const char *s);

#endif
