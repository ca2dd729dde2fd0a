/*
 * SCRAM-SHA-256 building blocks: key derivation (RFC 5802 section 3), PostgreSQL's secret text,
 * nonces, the mock salt key, and the attribute reader both protocol sides parse messages with.
 */
#include "auth/scram.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/aes.h"
#include "auth/saslprep.h"
#include "auth/scram_internal.h"
#include "common/util.h"

#define SCRAM_PREFIX "SCRAM-SHA-256$"
#define MOCK_KEY_LEN 32

/* The salt key for unknown users; drawn once, in the parent when scram_mock_key_init is called. */
static unsigned char mock_key[MOCK_KEY_LEN];
static bool mock_key_ready = false;

int
scram_salted_password(const char *password, const unsigned char *salt, size_t salt_len,
					  int iterations, unsigned char *out)
{
	char	   *prepared = NULL;
	const char *use = password;
	int			ok;

	/* PostgreSQL falls back to the raw bytes when SASLprep refuses the password */
	if (saslprep(password, &prepared) == SASLPREP_OK)
		use = prepared;
	ok = PKCS5_PBKDF2_HMAC(use, (int) strlen(use), salt, (int) salt_len, iterations,
						   EVP_sha256(), SCRAM_KEY_LEN, out);
	if (prepared != NULL)
	{
		OPENSSL_cleanse(prepared, strlen(prepared));
		free(prepared);
	}
	return ok == 1 ? 0 : -1;
}

int
scram_hmac(const unsigned char *key, const void *data, size_t len, unsigned char *out)
{
	unsigned int out_len = 0;

	if (HMAC(EVP_sha256(), key, SCRAM_KEY_LEN, data, len, out, &out_len) == NULL)
		return -1;
	return out_len == SCRAM_KEY_LEN ? 0 : -1;
}

int
scram_sha256(const void *data, size_t len, unsigned char *out)
{
	unsigned int out_len = 0;

	if (EVP_Digest(data, len, out, &out_len, EVP_sha256(), NULL) != 1)
		return -1;
	return out_len == SCRAM_KEY_LEN ? 0 : -1;
}

int
scram_client_key(const unsigned char *salted, unsigned char *out)
{
	return scram_hmac(salted, "Client Key", strlen("Client Key"), out);
}

int
scram_server_key(const unsigned char *salted, unsigned char *out)
{
	return scram_hmac(salted, "Server Key", strlen("Server Key"), out);
}

char *
scram_nonce_new(void)
{
	unsigned char raw[SCRAM_RAW_NONCE_LEN];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return NULL;
	return aes_base64_encode(raw, sizeof(raw));
}

int
scram_mock_key_init(void)
{
	if (RAND_bytes(mock_key, sizeof(mock_key)) != 1)
		return -1;
	mock_key_ready = true;
	return 0;
}

int
scram_mock_salt(const char *username, unsigned char *out)
{
	unsigned char digest[SCRAM_KEY_LEN];

	if (!mock_key_ready && scram_mock_key_init() != 0)
		return -1;
	if (scram_hmac(mock_key, username, strlen(username), digest) != 0)
		return -1;
	memcpy(out, digest, SCRAM_DEFAULT_SALT_LEN);
	return 0;
}

bool
scram_keys_equal(const unsigned char *a, const unsigned char *b)
{
	return CRYPTO_memcmp(a, b, SCRAM_KEY_LEN) == 0;
}

unsigned char *
scram_b64_decode(const char *text, size_t want, size_t *len)
{
	unsigned char *buf = NULL;
	int			n = aes_base64_decode(text, &buf);

	if (n < 0 || (want > 0 && (size_t) n != want))
	{
		free(buf);
		return NULL;
	}
	if (len != NULL)
		*len = (size_t) n;
	return buf;
}

bool
scram_is_printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e || *s == ',')
			return false;
	return true;
}

char *
scram_message_copy(const char *msg, size_t len)
{
	if (msg == NULL || len == 0 || memchr(msg, '\0', len) != NULL)
		return NULL;
	return xstrndup(msg, len);
}

scram_attr_status
scram_read_attr(const char **p, char expected, char *attr, char **value)
{
	const char *s = *p;
	const char *end;

	if (*s == '\0')
		return SCRAM_ATTR_END;
	if (expected != 0 && *s != expected)
		return SCRAM_ATTR_UNEXPECTED;
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return SCRAM_ATTR_NOT_LETTER;
	*attr = *s++;
	if (*s != '=')
		return SCRAM_ATTR_NO_EQUALS;
	s++;
	end = strchr(s, ',');
	if (end == NULL)
		end = s + strlen(s);
	*value = xstrndup(s, (size_t) (end - s));
	*p = *end == ',' ? end + 1 : end;
	return SCRAM_ATTR_OK;
}

void
scram_show_char(char c, char *buf, size_t size)
{
	if (c >= 0x21 && c <= 0x7e)
		snprintf(buf, size, "'%c'", c);
	else
		snprintf(buf, size, "0x%02x", (unsigned char) c);
}

bool
scram_is_secret(const char *text)
{
	return text != NULL && strncmp(text, SCRAM_PREFIX, strlen(SCRAM_PREFIX)) == 0;
}

/* Decodes one base64 key of exactly SCRAM_KEY_LEN bytes from [start, end). */
static int
parse_key(const char *start, const char *end, unsigned char *out)
{
	char	   *text = xstrndup(start, (size_t) (end - start));
	unsigned char *key = scram_b64_decode(text, SCRAM_KEY_LEN, NULL);

	free(text);
	if (key == NULL)
		return -1;
	memcpy(out, key, SCRAM_KEY_LEN);
	free(key);
	return 0;
}

static int
parse_iterations(const char *start, const char *end)
{
	char	   *text = xstrndup(start, (size_t) (end - start));
	char	   *stop;
	long		n;

	errno = 0;
	n = strtol(text, &stop, 10);
	if (text[0] < '0' || text[0] > '9' || *stop != '\0' || errno != 0 || n < 1 ||
		n > 0x7fffffff)
		n = -1;
	free(text);
	return (int) n;
}

int
scram_secret_parse(const char *text, scram_secret *out)
{
	const char *iter;
	const char *colon1;
	const char *dollar;
	const char *colon2;
	size_t		salt_len;
	unsigned char *salt;

	memset(out, 0, sizeof(*out));
	if (!scram_is_secret(text))
		return -1;
	iter = text + strlen(SCRAM_PREFIX);
	if ((colon1 = strchr(iter, ':')) == NULL || (dollar = strchr(colon1, '$')) == NULL ||
		(colon2 = strchr(dollar, ':')) == NULL || strchr(colon2 + 1, ':') != NULL)
		return -1;
	out->iterations = parse_iterations(iter, colon1);
	out->salt_b64 = xstrndup(colon1 + 1, (size_t) (dollar - colon1 - 1));
	salt = scram_b64_decode(out->salt_b64, 0, &salt_len);
	free(salt);
	if (out->iterations < 1 || salt == NULL || salt_len == 0 ||
		parse_key(dollar + 1, colon2, out->stored_key) != 0 ||
		parse_key(colon2 + 1, colon2 + strlen(colon2), out->server_key) != 0)
	{
		scram_secret_clear(out);
		return -1;
	}
	return 0;
}

void
scram_secret_clear(scram_secret *secret)
{
	free(secret->salt_b64);
	OPENSSL_cleanse(secret, sizeof(*secret));
}

char *
scram_build_secret_with_salt(const char *password, const unsigned char *salt, size_t salt_len,
							 int iterations)
{
	unsigned char salted[SCRAM_KEY_LEN];
	unsigned char client_key[SCRAM_KEY_LEN];
	unsigned char stored_key[SCRAM_KEY_LEN];
	unsigned char server_key[SCRAM_KEY_LEN];
	char	   *parts[3];
	char	   *secret = NULL;

	if (iterations <= 0)
		iterations = SCRAM_DEFAULT_ITERATIONS;
	if (scram_salted_password(password, salt, salt_len, iterations, salted) == 0 &&
		scram_client_key(salted, client_key) == 0 &&
		scram_sha256(client_key, SCRAM_KEY_LEN, stored_key) == 0 &&
		scram_server_key(salted, server_key) == 0)
	{
		parts[0] = aes_base64_encode(salt, salt_len);
		parts[1] = aes_base64_encode(stored_key, SCRAM_KEY_LEN);
		parts[2] = aes_base64_encode(server_key, SCRAM_KEY_LEN);
		secret = xasprintf(SCRAM_PREFIX "%d:%s$%s:%s", iterations, parts[0], parts[1],
						   parts[2]);
		for (int i = 0; i < 3; i++)
			free(parts[i]);
	}
	OPENSSL_cleanse(salted, sizeof(salted));
	OPENSSL_cleanse(client_key, sizeof(client_key));
	return secret;
}

char *
scram_build_secret(const char *password, int iterations)
{
	unsigned char salt[SCRAM_DEFAULT_SALT_LEN];

	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return NULL;
	return scram_build_secret_with_salt(password, salt, sizeof(salt), iterations);
}

bool
scram_verify_password(const char *secret, const char *password)
{
	scram_secret parsed;
	unsigned char *salt;
	size_t		salt_len;
	unsigned char salted[SCRAM_KEY_LEN];
	unsigned char server_key[SCRAM_KEY_LEN];
	bool		ok = false;

	if (scram_secret_parse(secret, &parsed) != 0)
		return false;
	salt = scram_b64_decode(parsed.salt_b64, 0, &salt_len);
	/* like PostgreSQL, compare the ServerKey: it comes from the same SaltedPassword */
	if (salt != NULL &&
		scram_salted_password(password, salt, salt_len, parsed.iterations, salted) == 0 &&
		scram_server_key(salted, server_key) == 0)
		ok = scram_keys_equal(server_key, parsed.server_key);
	free(salt);
	OPENSSL_cleanse(salted, sizeof(salted));
	scram_secret_clear(&parsed);
	return ok;
}

const char *
scram_mechanism_list(bool channel_binding, size_t *len)
{
	static const char with_plus[] = SCRAM_MECHANISM_PLUS "\0" SCRAM_MECHANISM "\0";
	static const char plain[] = SCRAM_MECHANISM "\0";

	/* each literal ends with the empty name's NUL after the explicit one */
	*len = channel_binding ? sizeof(with_plus) : sizeof(plain);
	return channel_binding ? with_plus : plain;
}
