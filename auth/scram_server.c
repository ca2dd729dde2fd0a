/*
 * The server side of SCRAM-SHA-256: checks a client's client-first and client-final messages
 * against a stored secret, with PostgreSQL's error wording and its "doomed" exchange for users
 * without a usable secret, so that failures never tell whether a user exists.
 */
#include "auth/scram.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "auth/aes.h"
#include "auth/md5.h"
#include "auth/scram_internal.h"
#include "common/util.h"

#define SQLSTATE_PROTOCOL "08P01"
#define SQLSTATE_AUTH_SPEC "28000"
#define SQLSTATE_BAD_PASSWORD "28P01"
#define SQLSTATE_NOT_SUPPORTED "0A000"
#define MALFORMED "malformed SCRAM message"

typedef enum
{
	SERVER_EXPECT_FIRST,
	SERVER_EXPECT_FINAL,
	SERVER_DONE
} server_step;

struct scram_server
{
	char	   *username;
	scram_secret secret;
	bool		doomed;			/* no usable secret: run the exchange, then fail */
	bool		binding_offered;	/* our certificate hash is known (TLS) */
	bool		binding_used;	/* the client chose SCRAM-SHA-256-PLUS */
	unsigned char *cert_hash;
	size_t		cert_hash_len;
	char		cbind_flag;		/* 'n', 'y' or 'p' from the gs2 header */
	char	   *client_first_bare;
	char	   *client_nonce;
	char	   *server_nonce;
	char	   *server_first;
	server_step step;
	bool		succeeded;
	const char *sqlstate;
	char	   *detail;
	char	   *log_detail;
};

/* Records an error; *error gets message, the session accepts nothing more. Returns -1. */
static int
fail(scram_server *s, char **error, const char *sqlstate, const char *message,
	 const char *detail_fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int
fail(scram_server *s, char **error, const char *sqlstate, const char *message,
	 const char *detail_fmt, ...)
{
	va_list		ap;

	free(s->detail);
	s->detail = NULL;
	if (detail_fmt != NULL)
	{
		va_start(ap, detail_fmt);
		s->detail = xvasprintf(detail_fmt, ap);
		va_end(ap);
	}
	s->sqlstate = sqlstate;
	s->step = SERVER_DONE;
	*error = xstrdup(message);
	return -1;
}

static int
fail_attr(scram_server *s, char **error, scram_attr_status status, char expected, const char *at)
{
	char		shown[8];

	scram_show_char(*at, shown, sizeof(shown));
	if (status == SCRAM_ATTR_NO_EQUALS)
		return fail(s, error, SQLSTATE_PROTOCOL, MALFORMED,
					"Expected character \"=\" for attribute \"%c\".", *at);
	if (expected != 0)
		return fail(s, error, SQLSTATE_PROTOCOL, MALFORMED,
					"Expected attribute \"%c\" but found \"%s\".", expected, shown);
	if (status == SCRAM_ATTR_END)
		return fail(s, error, SQLSTATE_PROTOCOL, MALFORMED,
					"Attribute expected, but found end of string.");
	return fail(s, error, SQLSTATE_PROTOCOL, MALFORMED,
				"Attribute expected, but found invalid character \"%s\".", shown);
}

/* Reads one attribute; on failure records the error and returns NULL. */
static char *
read_attr(scram_server *s, const char **p, char expected, char *attr, char **error)
{
	char		found = 0;
	char	   *value = NULL;
	scram_attr_status status = scram_read_attr(p, expected, &found, &value);

	if (status != SCRAM_ATTR_OK)
	{
		fail_attr(s, error, status, expected, *p);
		return NULL;
	}
	if (attr != NULL)
		*attr = found;
	return value;
}

/* A mock secret: a stable salt for the name and keys nobody can match. */
static void
make_doomed(scram_server *s, const char *why_fmt)
{
	unsigned char salt[SCRAM_DEFAULT_SALT_LEN];

	scram_secret_clear(&s->secret);
	s->doomed = true;
	s->log_detail = xasprintf(why_fmt, s->username);
	if (scram_mock_salt(s->username, salt) != 0)
		memset(salt, 0, sizeof(salt));
	s->secret.iterations = SCRAM_DEFAULT_ITERATIONS;
	s->secret.salt_b64 = aes_base64_encode(salt, sizeof(salt));
	if (RAND_bytes(s->secret.stored_key, SCRAM_KEY_LEN) != 1)
		memset(s->secret.stored_key, 0, SCRAM_KEY_LEN);
}

/* The secret for a cleartext password, salted with the user's stable mock salt. */
static int
secret_from_password(scram_server *s, const char *password)
{
	unsigned char salt[SCRAM_DEFAULT_SALT_LEN];
	char	   *text;
	int			rc;

	if (scram_mock_salt(s->username, salt) != 0)
		return -1;
	text = scram_build_secret_with_salt(password, salt, sizeof(salt), SCRAM_DEFAULT_ITERATIONS);
	if (text == NULL)
		return -1;
	rc = scram_secret_parse(text, &s->secret);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	return rc;
}

static bool
is_md5_secret(const char *text)
{
	return strlen(text) == MD5_PASSWD_LEN && strncmp(text, "md5", 3) == 0 &&
		md5_is_hex(text + 3);
}

scram_server *
scram_server_new(const char *secret_or_password, const char *username)
{
	scram_server *s = xcalloc(1, sizeof(*s));

	s->username = xstrdup(username != NULL ? username : "");
	s->step = SERVER_EXPECT_FIRST;
	if (secret_or_password == NULL)
		make_doomed(s, "No password is known for user \"%s\".");
	else if (scram_is_secret(secret_or_password))
	{
		if (scram_secret_parse(secret_or_password, &s->secret) != 0)
			make_doomed(s, "User \"%s\" has an invalid SCRAM secret.");
	}
	else if (is_md5_secret(secret_or_password))
		make_doomed(s, "User \"%s\" does not have a valid SCRAM secret.");
	else if (secret_from_password(s, secret_or_password) != 0)
		make_doomed(s, "Could not derive a SCRAM secret for user \"%s\".");
	return s;
}

void
scram_server_free(scram_server *s)
{
	if (s == NULL)
		return;
	scram_secret_clear(&s->secret);
	free(s->username);
	free(s->cert_hash);
	free(s->client_first_bare);
	free(s->client_nonce);
	free(s->server_nonce);
	free(s->server_first);
	free(s->detail);
	free(s->log_detail);
	free(s);
}

int
scram_server_select_mechanism(scram_server *s, const char *mechanism,
							  const unsigned char *cert_hash, size_t hash_len, char **error)
{
	bool		plus = strcmp(mechanism, SCRAM_MECHANISM_PLUS) == 0;

	if ((plus && (cert_hash == NULL || hash_len == 0)) ||
		(!plus && strcmp(mechanism, SCRAM_MECHANISM) != 0))
		return fail(s, error, SQLSTATE_PROTOCOL,
					"client selected an invalid SASL authentication mechanism", NULL);
	free(s->cert_hash);
	s->cert_hash = NULL;
	s->cert_hash_len = 0;
	if (cert_hash != NULL && hash_len > 0)
	{
		s->cert_hash = xmalloc(hash_len);
		memcpy(s->cert_hash, cert_hash, hash_len);
		s->cert_hash_len = hash_len;
	}
	s->binding_offered = s->cert_hash != NULL;
	s->binding_used = plus;
	return 0;
}

/* The gs2 header up to the comma before the username; advances *p. */
static int
read_gs2_header(scram_server *s, const char **p, char **error)
{
	char	   *type;
	char		shown[8];

	s->cbind_flag = **p;
	if (**p == 'p')
	{
		if (!s->binding_used)
			return fail(s, error, SQLSTATE_PROTOCOL, MALFORMED,
						"The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.");
		if ((type = read_attr(s, p, 'p', NULL, error)) == NULL)
			return -1;
		if (strcmp(type, "tls-server-end-point") != 0)
		{
			char	   *message = xasprintf("unsupported SCRAM channel-binding type \"%s\"",
											type);

			fail(s, error, SQLSTATE_PROTOCOL, message, NULL);
			free(message);
			free(type);
			return -1;
		}
		free(type);
		return 0;
	}
	if (**p != 'n' && **p != 'y')
	{
		scram_show_char(**p, shown, sizeof(shown));
		return fail(s, error, SQLSTATE_PROTOCOL, MALFORMED,
					"Unexpected channel-binding flag \"%s\".", shown);
	}
	if (s->binding_used)
		return fail(s, error, SQLSTATE_PROTOCOL, MALFORMED,
					"The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data.");
	if (**p == 'y' && s->binding_offered)
		return fail(s, error, SQLSTATE_AUTH_SPEC, "SCRAM channel binding negotiation error",
					"The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.");
	(*p)++;
	if (**p != ',')
	{
		scram_show_char(**p, shown, sizeof(shown));
		return fail(s, error, SQLSTATE_PROTOCOL, MALFORMED,
					"Comma expected, but found character \"%s\".", shown);
	}
	(*p)++;
	return 0;
}

/* After the gs2 header: no authzid, then the comma that starts client-first-message-bare. */
static int
read_authzid(scram_server *s, const char **p, char **error)
{
	char		shown[8];

	if (**p == 'a')
		return fail(s, error, SQLSTATE_NOT_SUPPORTED,
					"client uses authorization identity, but it is not supported", NULL);
	if (**p != ',')
	{
		scram_show_char(**p, shown, sizeof(shown));
		return fail(s, error, SQLSTATE_PROTOCOL, MALFORMED,
					"Unexpected attribute \"%s\" in client-first-message.", shown);
	}
	(*p)++;
	return 0;
}

/* client-first-message-bare: [no m=], n=, r=, then any extensions, which are ignored. */
static int
read_first_bare(scram_server *s, const char *p, char **error)
{
	char	   *value;
	char		attr;

	s->client_first_bare = xstrdup(p);
	if (*p == 'm')
		return fail(s, error, SQLSTATE_NOT_SUPPORTED,
					"client requires an unsupported SCRAM extension", NULL);
	/* the name in n= is ignored: the startup packet's user is the one authenticated */
	if ((value = read_attr(s, &p, 'n', NULL, error)) == NULL)
		return -1;
	free(value);
	if ((s->client_nonce = read_attr(s, &p, 'r', NULL, error)) == NULL)
		return -1;
	if (!scram_is_printable(s->client_nonce))
		return fail(s, error, SQLSTATE_PROTOCOL, "non-printable characters in SCRAM nonce",
					NULL);
	while (*p != '\0')
	{
		if ((value = read_attr(s, &p, 0, &attr, error)) == NULL)
			return -1;
		free(value);
	}
	return 0;
}

static int
fail_message_shape(scram_server *s, const char *msg, size_t len, char **error)
{
	if (msg == NULL || len == 0 || msg[0] == '\0')
		return fail(s, error, SQLSTATE_PROTOCOL, MALFORMED, "The message is empty.");
	return fail(s, error, SQLSTATE_PROTOCOL, MALFORMED,
				"Message length does not match input length.");
}

static int
fail_out_of_order(scram_server *s, char **error)
{
	return fail(s, error, SQLSTATE_PROTOCOL, "unexpected SCRAM message in this state", NULL);
}

int
scram_server_handle_client_first(scram_server *s, const char *msg, size_t len,
								 char **server_first_out, char **error)
{
	char	   *copy;
	const char *p;
	int			rc;

	*server_first_out = NULL;
	if (s->step != SERVER_EXPECT_FIRST)
		return fail_out_of_order(s, error);
	if (msg == NULL)
	{
		*server_first_out = xstrdup("");
		return 0;
	}
	if ((copy = scram_message_copy(msg, len)) == NULL)
		return fail_message_shape(s, msg, len, error);
	p = copy;
	rc = read_gs2_header(s, &p, error);
	if (rc == 0)
		rc = read_authzid(s, &p, error);
	if (rc == 0)
		rc = read_first_bare(s, p, error);
	free(copy);
	if (rc != 0)
		return -1;
	if (s->server_nonce == NULL && (s->server_nonce = scram_nonce_new()) == NULL)
		return fail(s, error, SQLSTATE_PROTOCOL, "could not generate random nonce", NULL);
	s->server_first = xasprintf("r=%s%s,s=%s,i=%d", s->client_nonce, s->server_nonce,
								s->secret.salt_b64, s->secret.iterations);
	*server_first_out = xstrdup(s->server_first);
	s->step = SERVER_EXPECT_FINAL;
	return 0;
}

/* The c= attribute must repeat the gs2 header, plus our certificate hash with -PLUS. */
static int
check_binding(scram_server *s, const char *value, char **error)
{
	size_t		header_len = strlen(SCRAM_GS2_PLUS ",,");
	unsigned char *data;
	size_t		len;
	bool		ok;

	if (!s->binding_used)
	{
		if ((strcmp(value, "biws") == 0 && s->cbind_flag == 'n') ||
			(strcmp(value, "eSws") == 0 && s->cbind_flag == 'y'))
			return 0;
		return fail(s, error, SQLSTATE_PROTOCOL,
					"unexpected SCRAM channel-binding attribute in client-final-message", NULL);
	}
	data = scram_b64_decode(value, 0, &len);
	ok = data != NULL && len == header_len + s->cert_hash_len &&
		memcmp(data, SCRAM_GS2_PLUS ",,", header_len) == 0 &&
		CRYPTO_memcmp(data + header_len, s->cert_hash, s->cert_hash_len) == 0;
	free(data);
	if (!ok)
		return fail(s, error, SQLSTATE_AUTH_SPEC, "SCRAM channel binding check failed", NULL);
	return 0;
}

/* Parses client-final: c=, r=, extensions, p=; *proof_at is where ",p=" starts. */
static int
read_final(scram_server *s, const char *copy, char **nonce, unsigned char **proof,
		   size_t *proof_at, char **error)
{
	const char *p = copy;
	const char *attr_start;
	char	   *value;
	char		attr = 0;
	int			rc;

	if ((value = read_attr(s, &p, 'c', NULL, error)) == NULL)
		return -1;
	rc = check_binding(s, value, error);
	free(value);
	if (rc != 0 || (*nonce = read_attr(s, &p, 'r', NULL, error)) == NULL)
		return -1;
	do
	{
		attr_start = p;
		if ((value = read_attr(s, &p, 0, &attr, error)) == NULL)
			return -1;
		if (attr != 'p')
			free(value);
	} while (attr != 'p');
	*proof = scram_b64_decode(value, SCRAM_KEY_LEN, NULL);
	free(value);
	if (*proof == NULL)
		return fail(s, error, SQLSTATE_PROTOCOL, MALFORMED,
					"Malformed proof in client-final-message.");
	if (*p != '\0')
		return fail(s, error, SQLSTATE_PROTOCOL, MALFORMED,
					"Garbage found at the end of client-final-message.");
	*proof_at = (size_t) (attr_start - copy) - 1;	/* the comma before "p=" */
	return 0;
}

/* ClientKey = proof XOR HMAC(StoredKey, AuthMessage); H(ClientKey) must be StoredKey. */
static bool
proof_is_valid(scram_server *s, const char *auth_message, const unsigned char *proof)
{
	unsigned char signature[SCRAM_KEY_LEN];
	unsigned char client_key[SCRAM_KEY_LEN];
	unsigned char stored[SCRAM_KEY_LEN];
	bool		ok;

	if (scram_hmac(s->secret.stored_key, auth_message, strlen(auth_message), signature) != 0)
		return false;
	for (int i = 0; i < SCRAM_KEY_LEN; i++)
		client_key[i] = proof[i] ^ signature[i];
	ok = scram_sha256(client_key, SCRAM_KEY_LEN, stored) == 0 &&
		scram_keys_equal(stored, s->secret.stored_key);
	OPENSSL_cleanse(client_key, sizeof(client_key));
	return ok && !s->doomed;
}

static char *
server_final(scram_server *s, const char *auth_message)
{
	unsigned char signature[SCRAM_KEY_LEN];
	char	   *b64;
	char	   *out;

	if (scram_hmac(s->secret.server_key, auth_message, strlen(auth_message), signature) != 0)
		return NULL;
	b64 = aes_base64_encode(signature, SCRAM_KEY_LEN);
	out = xasprintf("v=%s", b64);
	free(b64);
	return out;
}

/* Checks the nonce and the proof of a parsed client-final; returns the server-final or NULL. */
static char *
verify_final(scram_server *s, const char *copy, size_t proof_at, const char *nonce,
			 const unsigned char *proof, char **error)
{
	char	   *expected = xasprintf("%s%s", s->client_nonce, s->server_nonce);
	char	   *auth_message;
	char	   *out = NULL;
	bool		nonce_ok = strcmp(nonce, expected) == 0;

	free(expected);
	if (!nonce_ok)
	{
		fail(s, error, SQLSTATE_PROTOCOL, "invalid SCRAM response", "Nonce does not match.");
		return NULL;
	}
	auth_message = xasprintf("%s,%s,%.*s", s->client_first_bare, s->server_first,
							 (int) proof_at, copy);
	if (proof_is_valid(s, auth_message, proof))
		out = server_final(s, auth_message);
	free(auth_message);
	if (out == NULL)
	{
		char	   *message = xasprintf("password authentication failed for user \"%s\"",
										s->username);

		fail(s, error, SQLSTATE_BAD_PASSWORD, message, NULL);
		free(message);
	}
	return out;
}

int
scram_server_handle_client_final(scram_server *s, const char *msg, size_t len,
								 char **server_final_out, char **error)
{
	char	   *copy;
	char	   *nonce = NULL;
	unsigned char *proof = NULL;
	size_t		proof_at = 0;

	*server_final_out = NULL;
	if (s->step != SERVER_EXPECT_FINAL)
		return fail_out_of_order(s, error);
	if ((copy = scram_message_copy(msg, len)) == NULL)
		return fail_message_shape(s, msg, len, error);
	if (read_final(s, copy, &nonce, &proof, &proof_at, error) == 0)
		*server_final_out = verify_final(s, copy, proof_at, nonce, proof, error);
	free(copy);
	free(nonce);
	free(proof);
	if (*server_final_out == NULL)
		return -1;
	s->step = SERVER_DONE;
	s->succeeded = true;
	return 0;
}

bool
scram_server_succeeded(const scram_server *s)
{
	return s->succeeded;
}

const char *
scram_server_error_sqlstate(const scram_server *s)
{
	return s->sqlstate;
}

const char *
scram_server_error_detail(const scram_server *s)
{
	return s->detail;
}

const char *
scram_server_log_detail(const scram_server *s)
{
	return s->log_detail;
}

void
scram_server_set_nonce(scram_server *s, const char *nonce)
{
	free(s->server_nonce);
	s->server_nonce = xstrdup(nonce);
}
