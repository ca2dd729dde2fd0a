/*
 * What the SCRAM files share and nobody else calls: the key derivations of RFC 5802, nonces,
 * mock salts and the attribute reader for "a=value,b=value" messages.
 */
#ifndef PGNG_AUTH_SCRAM_INTERNAL_H
#define PGNG_AUTH_SCRAM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/scram.h"

#define SCRAM_RAW_NONCE_LEN 18		/* as PostgreSQL and libpq: 24 base64 characters */
#define SCRAM_GS2_PLUS "p=tls-server-end-point"

/* SaltedPassword = PBKDF2-HMAC-SHA-256(SASLprep(password) or raw, salt, iterations). */
int			scram_salted_password(const char *password, const unsigned char *salt,
								  size_t salt_len, int iterations, unsigned char *out);
int			scram_hmac(const unsigned char *key, const void *data, size_t len,
					   unsigned char *out);
int			scram_sha256(const void *data, size_t len, unsigned char *out);

/* ClientKey / ServerKey from a SaltedPassword (HMAC with "Client Key" / "Server Key"). */
int			scram_client_key(const unsigned char *salted, unsigned char *out);
int			scram_server_key(const unsigned char *salted, unsigned char *out);

/* A fresh nonce: 18 random bytes in base64 (malloc'd), NULL when RAND_bytes fails. */
char	   *scram_nonce_new(void);

/* The stable per-name salt used for unknown users and cleartext passwords. */
int			scram_mock_salt(const char *username, unsigned char *out);

/* Constant-time equality of two keys. */
bool		scram_keys_equal(const unsigned char *a, const unsigned char *b);

/* Base64 decoding that wants exactly want bytes (want 0: any length >= 0). NULL on failure. */
unsigned char *scram_b64_decode(const char *text, size_t want, size_t *len);

/* Printable ASCII except ',' (RFC 5802 "printable"). */
bool		scram_is_printable(const char *s);

/* Rejects empty messages and messages with a NUL inside; else a NUL-terminated copy. */
char	   *scram_message_copy(const char *msg, size_t len);

typedef enum
{
	SCRAM_ATTR_OK,
	SCRAM_ATTR_UNEXPECTED,		/* another attribute than the expected one */
	SCRAM_ATTR_NO_EQUALS,		/* attribute letter not followed by '=' */
	SCRAM_ATTR_END,				/* end of message where an attribute should start */
	SCRAM_ATTR_NOT_LETTER		/* an attribute must be an ASCII letter */
} scram_attr_status;

/*
 * Reads "x=value" at *p (expected 0: any letter) into *attr and *value (malloc'd), and moves *p
 * past the value and the comma after it.
 */
scram_attr_status scram_read_attr(const char **p, char expected, char *attr, char **value);

/* A character as PostgreSQL shows one in messages: itself when printable, else 0xNN. */
void		scram_show_char(char c, char *buf, size_t size);

#endif
