/*
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it, for both sides of the pooler: the
 * server side authenticates clients, the client side authenticates us to backends. Pure functions
 * over SASL payloads; the caller moves them in AuthenticationSASL* / SASL*Response messages.
 */
#ifndef PGNG_AUTH_SCRAM_H
#define PGNG_AUTH_SCRAM_H

#include <stdbool.h>
#include <stddef.h>

#define SCRAM_MECHANISM "SCRAM-SHA-256"
#define SCRAM_MECHANISM_PLUS "SCRAM-SHA-256-PLUS"
#define SCRAM_KEY_LEN 32			/* SHA-256 digest */
#define SCRAM_DEFAULT_ITERATIONS 4096
#define SCRAM_DEFAULT_SALT_LEN 16

/* The parts of "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>". */
typedef struct scram_secret
{
	int			iterations;
	char	   *salt_b64;		/* as written in the secret, sent as is in server-first */
	unsigned char stored_key[SCRAM_KEY_LEN];
	unsigned char server_key[SCRAM_KEY_LEN];
} scram_secret;

/* True when text starts like a SCRAM secret (it may still fail to parse). */
bool		scram_is_secret(const char *text);

/* Parses a secret into *out (salt_b64 malloc'd). 0, or -1 when text is not a valid secret. */
int			scram_secret_parse(const char *text, scram_secret *out);
void		scram_secret_clear(scram_secret *secret);

/*
 * Builds the secret PostgreSQL would store for password (SASLprep applied), with a random
 * 16-byte salt, or with the given salt. iterations <= 0 means 4096. malloc'd; NULL only when
 * OpenSSL fails.
 */
char	   *scram_build_secret(const char *password, int iterations);
char	   *scram_build_secret_with_salt(const char *password, const unsigned char *salt,
										 size_t salt_len, int iterations);

/* Checks a cleartext password against a secret (for password/PAM-style exchanges). */
bool		scram_verify_password(const char *secret, const char *password);

/*
 * The key that derives the salts of unknown users (and of users whose password is known in
 * cleartext), so that every session shows the same salt for the same name. Call once in the
 * parent before forking; otherwise each process draws its own key on first use.
 */
int			scram_mock_key_init(void);

/* The AuthenticationSASL mechanism list: NUL-separated names and a final empty name. */
const char *scram_mechanism_list(bool channel_binding, size_t *len);

/* ---- client side: the pooler authenticating itself to a backend ---- */

typedef struct scram_client scram_client;

scram_client *scram_client_new(const char *password);
void		scram_client_free(scram_client *c);

/*
 * The connection is TLS and hash is the tls-server-end-point hash of the backend's certificate:
 * SCRAM-SHA-256-PLUS becomes possible and plain SCRAM-SHA-256 is announced with "y,,".
 */
void		scram_client_set_channel_binding(scram_client *c, const unsigned char *hash,
											 size_t len);

/*
 * Picks the mechanism from an AuthenticationSASL list (NUL-separated, ending with an empty
 * name), like libpq: -PLUS when channel binding is possible, else SCRAM-SHA-256. Returns 0 and
 * *mechanism (a static string), or -1 and *error (malloc'd).
 */
int			scram_choose_mechanism(const char *list, size_t len, bool tls_in_use,
								   bool channel_binding, const char **mechanism, char **error);

/* client-first-message for mechanism (malloc'd), or NULL when it cannot be used. */
char	   *scram_client_first_message(scram_client *c, const char *mechanism);

/* Consumes server-first, produces client-final. 0, or -1 and *error (malloc'd). */
int			scram_client_handle_server_first(scram_client *c, const char *msg, size_t len,
											 char **client_final_out, char **error);

/* Checks server-final (AuthenticationSASLFinal). 0 when the server proved it knows the key. */
int			scram_client_verify_server_final(scram_client *c, const char *msg, size_t len,
											 char **error);

/* Test hooks: a fixed nonce and the username sent in client-first (libpq sends ""). */
void		scram_client_set_nonce(scram_client *c, const char *nonce);
void		scram_client_set_username(scram_client *c, const char *username);

/* ---- server side: the pooler authenticating a client ---- */

typedef struct scram_server scram_server;

/*
 * secret_or_password: a SCRAM secret, or a cleartext password from which one is derived. NULL
 * (unknown user), an md5 secret or an unparsable SCRAM secret give a doomed session: the
 * exchange runs with a mock secret and fails at the end, as for a wrong password.
 */
scram_server *scram_server_new(const char *secret_or_password, const char *username);
void		scram_server_free(scram_server *s);

/*
 * The mechanism from SASLInitialResponse, and the tls-server-end-point hash of our certificate
 * when the client connection is TLS (NULL otherwise). Without this call the session expects
 * SCRAM-SHA-256 over a connection without channel binding. 0, or -1 and *error.
 */
int			scram_server_select_mechanism(scram_server *s, const char *mechanism,
										  const unsigned char *cert_hash, size_t hash_len,
										  char **error);

/*
 * Consumes client-first (msg NULL: SASLInitialResponse had no data, *server_first_out is then
 * "" and the next message is client-first). 0 and *server_first_out, or -1 and *error.
 */
int			scram_server_handle_client_first(scram_server *s, const char *msg, size_t len,
											 char **server_first_out, char **error);

/* Consumes client-final. 0 and *server_final_out ("v=..."), or -1 and *error. */
int			scram_server_handle_client_final(scram_server *s, const char *msg, size_t len,
											 char **server_final_out, char **error);

bool		scram_server_succeeded(const scram_server *s);

/*
 * About the last error: its SQLSTATE, the DETAIL to send (or NULL), and a detail for the server
 * log only (or NULL; never sent, it may tell that the user does not exist).
 */
const char *scram_server_error_sqlstate(const scram_server *s);
const char *scram_server_error_detail(const scram_server *s);
const char *scram_server_log_detail(const scram_server *s);

/* Test hook: a fixed server nonce (the part appended to the client's). */
void		scram_server_set_nonce(scram_server *s, const char *nonce);

#endif
