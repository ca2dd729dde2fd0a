/*
 * The client side of SCRAM-SHA-256, used when the pooler logs in to a backend: builds
 * client-first and client-final, checks the server's signature, and picks the mechanism from
 * AuthenticationSASL, all the way libpq does (empty username, "y,," when TLS could bind).
 */
#include "auth/scram.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "auth/aes.h"
#include "auth/scram_internal.h"
#include "common/util.h"

typedef enum
{
	CLIENT_START,
	CLIENT_SENT_FIRST,
	CLIENT_SENT_FINAL,
	CLIENT_DONE
} client_step;

struct scram_client
{
	char	   *password;
	char	   *username;		/* "" unless a test sets one */
	char	   *nonce;
	unsigned char *cert_hash;	/* TLS with a known server certificate hash */
	size_t		cert_hash_len;
	bool		plus;
	const char *gs2_header;
	char	   *first_bare;
	unsigned char server_signature[SCRAM_KEY_LEN];
	client_step step;
};

scram_client *
scram_client_new(const char *password)
{
	scram_client *c = xcalloc(1, sizeof(*c));

	c->password = xstrdup(password != NULL ? password : "");
	c->username = xstrdup("");
	c->step = CLIENT_START;
	return c;
}

void
scram_client_free(scram_client *c)
{
	if (c == NULL)
		return;
	OPENSSL_cleanse(c->password, strlen(c->password));
	free(c->password);
	free(c->username);
	free(c->nonce);
	free(c->cert_hash);
	free(c->first_bare);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

void
scram_client_set_channel_binding(scram_client *c, const unsigned char *hash, size_t len)
{
	free(c->cert_hash);
	c->cert_hash = NULL;
	c->cert_hash_len = 0;
	if (hash != NULL && len > 0)
	{
		c->cert_hash = xmalloc(len);
		memcpy(c->cert_hash, hash, len);
		c->cert_hash_len = len;
	}
}

void
scram_client_set_nonce(scram_client *c, const char *nonce)
{
	free(c->nonce);
	c->nonce = xstrdup(nonce);
}

void
scram_client_set_username(scram_client *c, const char *username)
{
	free(c->username);
	c->username = xstrdup(username);
}

int
scram_choose_mechanism(const char *list, size_t len, bool tls_in_use, bool channel_binding,
					   const char **mechanism, char **error)
{
	const char *end = list + len;

	*mechanism = NULL;
	for (const char *name = list; ; name += strlen(name) + 1)
	{
		if (name >= end || memchr(name, '\0', (size_t) (end - name)) == NULL)
		{
			*error = xstrdup("invalid SASL mechanism list from server");
			return -1;
		}
		if (*name == '\0')
			break;
		if (strcmp(name, SCRAM_MECHANISM_PLUS) == 0)
		{
			if (!tls_in_use)
			{
				*error = xstrdup("server offered SCRAM-SHA-256-PLUS authentication over a non-SSL connection");
				return -1;
			}
			if (channel_binding)
				*mechanism = SCRAM_MECHANISM_PLUS;
		}
		else if (strcmp(name, SCRAM_MECHANISM) == 0 && *mechanism == NULL)
			*mechanism = SCRAM_MECHANISM;
	}
	if (*mechanism == NULL)
	{
		*error = xstrdup("none of the server's SASL authentication mechanisms are supported");
		return -1;
	}
	return 0;
}

/* RFC 5802 saslname: ',' and '=' are written =2C and =3D. */
static char *
escape_username(const char *name)
{
	char	   *out = xmalloc(strlen(name) * 3 + 1);
	char	   *o = out;

	for (; *name; name++)
	{
		if (*name == ',' || *name == '=')
		{
			memcpy(o, *name == ',' ? "=2C" : "=3D", 3);
			o += 3;
		}
		else
			*o++ = *name;
	}
	*o = '\0';
	return out;
}

char *
scram_client_first_message(scram_client *c, const char *mechanism)
{
	bool		plus = strcmp(mechanism, SCRAM_MECHANISM_PLUS) == 0;
	char	   *user;

	if (c->step != CLIENT_START || (plus && c->cert_hash == NULL) ||
		(!plus && strcmp(mechanism, SCRAM_MECHANISM) != 0))
		return NULL;
	if (c->nonce == NULL && (c->nonce = scram_nonce_new()) == NULL)
		return NULL;
	c->plus = plus;
	if (plus)
		c->gs2_header = SCRAM_GS2_PLUS ",,";
	else
		c->gs2_header = c->cert_hash != NULL ? "y,," : "n,,";
	user = escape_username(c->username);
	c->first_bare = xasprintf("n=%s,r=%s", user, c->nonce);
	free(user);
	c->step = CLIENT_SENT_FIRST;
	return xasprintf("%s%s", c->gs2_header, c->first_bare);
}

/* Errors of libpq's wording for a message that is empty or has a NUL inside. */
static char *
copy_or_error(const char *msg, size_t len, char **error)
{
	char	   *copy = scram_message_copy(msg, len);

	if (copy == NULL)
		*error = xstrdup(msg == NULL || len == 0 || msg[0] == '\0' ?
						 "malformed SCRAM message (empty message)" :
						 "malformed SCRAM message (length mismatch)");
	return copy;
}

static char *
read_value(const char **p, char attr, char **error)
{
	char		found;
	char	   *value = NULL;
	scram_attr_status status = scram_read_attr(p, attr, &found, &value);

	if (status == SCRAM_ATTR_NO_EQUALS)
		*error = xasprintf("malformed SCRAM message (expected character \"=\" for attribute \"%c\")",
						   attr);
	else if (status != SCRAM_ATTR_OK)
		*error = xasprintf("malformed SCRAM message (attribute \"%c\" expected)", attr);
	return value;
}

/* The parsed server-first: combined nonce, salt and iteration count. */
typedef struct server_first
{
	char	   *nonce;
	unsigned char *salt;
	size_t		salt_len;
	int			iterations;
} server_first;

static int
parse_iterations(const char *text)
{
	char	   *stop;
	long		n;

	errno = 0;
	n = strtol(text, &stop, 10);
	if (text[0] < '0' || text[0] > '9' || *stop != '\0' || errno != 0 || n < 1 ||
		n > 0x7fffffff)
		return -1;
	return (int) n;
}

static int
parse_server_first(scram_client *c, const char *p, server_first *sf, char **error)
{
	char	   *value;
	size_t		own = strlen(c->nonce);

	if ((sf->nonce = read_value(&p, 'r', error)) == NULL)
		return -1;
	if (strlen(sf->nonce) <= own || memcmp(sf->nonce, c->nonce, own) != 0)
	{
		*error = xstrdup("invalid SCRAM response (nonce mismatch)");
		return -1;
	}
	if ((value = read_value(&p, 's', error)) == NULL)
		return -1;
	sf->salt = scram_b64_decode(value, 0, &sf->salt_len);
	free(value);
	if (sf->salt == NULL || sf->salt_len == 0)
	{
		*error = xstrdup("malformed SCRAM message (invalid salt)");
		return -1;
	}
	if ((value = read_value(&p, 'i', error)) == NULL)
		return -1;
	sf->iterations = parse_iterations(value);
	free(value);
	if (sf->iterations < 1)
	{
		*error = xstrdup("malformed SCRAM message (invalid iteration count)");
		return -1;
	}
	if (*p != '\0')
	{
		*error = xstrdup("malformed SCRAM message (garbage at end of server-first-message)");
		return -1;
	}
	return 0;
}

/* c= carries the gs2 header again, followed by the certificate hash with -PLUS. */
static char *
binding_attr(const scram_client *c)
{
	size_t		header_len = strlen(c->gs2_header);
	size_t		len = header_len + (c->plus ? c->cert_hash_len : 0);
	unsigned char *data = xmalloc(len);
	char	   *b64;

	memcpy(data, c->gs2_header, header_len);
	if (c->plus)
		memcpy(data + header_len, c->cert_hash, c->cert_hash_len);
	b64 = aes_base64_encode(data, len);
	free(data);
	return b64;
}

/* Derives the keys, remembers the expected server signature and returns the proof (base64). */
static char *
make_proof(scram_client *c, const server_first *sf, const char *auth_message)
{
	unsigned char salted[SCRAM_KEY_LEN];
	unsigned char client_key[SCRAM_KEY_LEN];
	unsigned char stored_key[SCRAM_KEY_LEN];
	unsigned char server_key[SCRAM_KEY_LEN];
	unsigned char signature[SCRAM_KEY_LEN];
	char	   *proof = NULL;
	size_t		len = strlen(auth_message);

	if (scram_salted_password(c->password, sf->salt, sf->salt_len, sf->iterations,
							  salted) == 0 &&
		scram_client_key(salted, client_key) == 0 &&
		scram_sha256(client_key, SCRAM_KEY_LEN, stored_key) == 0 &&
		scram_server_key(salted, server_key) == 0 &&
		scram_hmac(stored_key, auth_message, len, signature) == 0 &&
		scram_hmac(server_key, auth_message, len, c->server_signature) == 0)
	{
		for (int i = 0; i < SCRAM_KEY_LEN; i++)
			signature[i] ^= client_key[i];
		proof = aes_base64_encode(signature, SCRAM_KEY_LEN);
	}
	OPENSSL_cleanse(salted, sizeof(salted));
	OPENSSL_cleanse(client_key, sizeof(client_key));
	OPENSSL_cleanse(server_key, sizeof(server_key));
	return proof;
}

int
scram_client_handle_server_first(scram_client *c, const char *msg, size_t len,
								 char **client_final_out, char **error)
{
	server_first sf = {0};
	char	   *copy;
	char	   *binding;
	char	   *without_proof = NULL;
	char	   *auth_message;
	char	   *proof = NULL;

	*client_final_out = NULL;
	if (c->step != CLIENT_SENT_FIRST)
	{
		*error = xstrdup("unexpected SCRAM server-first-message");
		return -1;
	}
	c->step = CLIENT_DONE;
	if ((copy = copy_or_error(msg, len, error)) == NULL)
		return -1;
	if (parse_server_first(c, copy, &sf, error) == 0)
	{
		binding = binding_attr(c);
		without_proof = xasprintf("c=%s,r=%s", binding, sf.nonce);
		free(binding);
		auth_message = xasprintf("%s,%s,%s", c->first_bare, copy, without_proof);
		if ((proof = make_proof(c, &sf, auth_message)) == NULL)
			*error = xstrdup("could not compute the SCRAM client proof");
		else
			*client_final_out = xasprintf("%s,p=%s", without_proof, proof);
		free(auth_message);
	}
	free(copy);
	free(without_proof);
	free(proof);
	free(sf.nonce);
	free(sf.salt);
	if (*client_final_out == NULL)
		return -1;
	c->step = CLIENT_SENT_FINAL;
	return 0;
}

static int
check_server_final(scram_client *c, const char *p, char **error)
{
	char	   *value;
	unsigned char *signature;
	bool		ok;

	if (*p == 'e')
	{
		if ((value = read_value(&p, 'e', error)) == NULL)
			return -1;
		*error = xasprintf("error received from server in SCRAM exchange: %s", value);
		free(value);
		return -1;
	}
	if ((value = read_value(&p, 'v', error)) == NULL)
		return -1;
	signature = scram_b64_decode(value, SCRAM_KEY_LEN, NULL);
	free(value);
	if (signature == NULL)
	{
		*error = xstrdup("malformed SCRAM message (invalid server signature)");
		return -1;
	}
	ok = scram_keys_equal(signature, c->server_signature);
	free(signature);
	if (*p != '\0')
		*error = xstrdup("malformed SCRAM message (garbage at end of server-final-message)");
	else if (!ok)
		*error = xstrdup("incorrect server signature");
	return *p == '\0' && ok ? 0 : -1;
}

int
scram_client_verify_server_final(scram_client *c, const char *msg, size_t len, char **error)
{
	char	   *copy;
	int			rc;

	if (c->step != CLIENT_SENT_FINAL)
	{
		*error = xstrdup("unexpected SCRAM server-final-message");
		return -1;
	}
	c->step = CLIENT_DONE;
	if ((copy = copy_or_error(msg, len, error)) == NULL)
		return -1;
	rc = check_server_final(c, copy, error);
	free(copy);
	return rc;
}
