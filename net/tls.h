/*
 * TLS for both ends of the pooler: contexts built from the ssl_* parameters, handshakes on
 * non-blocking sockets bounded by a deadline, and what authentication needs from a finished
 * session (the client certificate's CN, the tls-server-end-point channel binding).
 */
#ifndef PGNG_NET_TLS_H
#define PGNG_NET_TLS_H

#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>

#include "net/conn.h"

struct pool_config;

/* How long ssl_passphrase_command may run before it is killed and the key is not loaded. */
#define TLS_PASSPHRASE_TIMEOUT_MS 10000

/* Room for any channel binding hash (SHA-512 at most). */
#define TLS_MAX_HASH_LEN 64

/*
 * The context for clients of the pooler, from ssl_cert, ssl_key (both required), ssl_ca_cert (asks
 * for a client certificate and verifies it when one is sent, for the `cert` method; ssl_ca_cert_dir
 * is searched too), ssl_crl_file, ssl_ciphers, ssl_prefer_server_ciphers, ssl_ecdh_curve,
 * ssl_dh_params_file and ssl_passphrase_command. Relative file names are taken from the directory
 * of config_file, as pgpool 4.2+ does (config_file NULL: used as given). cfg->ssl is not looked at.
 * Returns NULL with a message naming the parameter or file in err. pgpool answers 'N' to clients'
 * SSLRequest when this fails, and keeps running.
 */
SSL_CTX    *tls_server_context_new(const struct pool_config *cfg, const char *config_file,
								   char *err, size_t errlen);

/*
 * Replaces *ctx by a context built from cfg. Sessions already running keep the old one (each
 * session holds its own reference); on failure *ctx is left alone and -1 returned with err set.
 */
int			tls_server_context_reload(SSL_CTX **ctx, const struct pool_config *cfg,
									  const char *config_file, char *err, size_t errlen);

/*
 * The context for connections to backends: no verification (like sslmode=require) unless
 * ssl_ca_cert or ssl_ca_cert_dir is set, then the backend's chain is verified (not its host name,
 * as pgpool). ssl_ciphers applies. NULL with err set on failure.
 */
SSL_CTX    *tls_client_context_new(const struct pool_config *cfg, const char *config_file,
								   char *err, size_t errlen);

/*
 * Runs the server handshake on c->fd after 'S' was sent, giving up at the deadline ("timed out" in
 * err). On success c->ssl is set and 0 returned; on failure -1 and c is still a plain connection
 * (the caller closes it). The caller must have checked that the client sent nothing after its
 * SSLRequest that was read into a buffer: such bytes would be plaintext injected before TLS.
 */
int			tls_server_accept_with_deadline(net_conn *c, SSL_CTX *ctx, int64_t deadline_ms,
											char *err, size_t errlen);

/*
 * The client handshake with a backend after it answered 'S'. host (may be NULL) is sent as SNI
 * when it is a DNS name, not an address or a socket directory. Same results as the server side.
 */
int			tls_client_connect_with_deadline(net_conn *c, SSL_CTX *ctx, const char *host,
											 int64_t deadline_ms, char *err, size_t errlen);

/*
 * The CN of the certificate the peer sent and the context verified, malloc'd; NULL when there is
 * none, it did not verify, or the CN holds a NUL byte.
 */
char	   *tls_peer_common_name(const net_conn *c);

/*
 * The tls-server-end-point channel binding data (RFC 5929) of the server certificate of c's
 * session: ours on the server side, the backend's on the client side. Writes the hash to out and
 * returns its length, or -1 with err set.
 */
int			tls_server_end_point_hash(const net_conn *c, unsigned char *out, size_t outlen,
									  char *err, size_t errlen);

/*
 * The same for one certificate: its DER hashed with its signature's digest, SHA-256 when that is
 * MD5 or SHA-1; an error for signatures without a single digest (Ed25519).
 */
int			tls_cert_end_point_hash(X509 *cert, unsigned char *out, size_t outlen,
									char *err, size_t errlen);

/*
 * Runs an ssl_passphrase_command through /bin/sh with %p replaced by prompt and %% by %, and
 * returns the length of the first line of its output (in buf, NUL-terminated, truncated to
 * size - 1), or -1 with err set when it fails, exits non-zero or runs past timeout_ms (then its
 * process group is killed).
 */
int			tls_run_passphrase_command(const char *command, const char *prompt, char *buf,
									   size_t size, int timeout_ms, char *err, size_t errlen);

#endif
