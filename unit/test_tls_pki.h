/*
 * The certificates every TLS test uses, written to files in a temporary directory, and the helpers
 * that make them (unit/test_tls_pki.c).
 */
#ifndef PGNG_UNIT_TEST_TLS_PKI_H
#define PGNG_UNIT_TEST_TLS_PKI_H

#include <openssl/evp.h>
#include <openssl/x509.h>

extern char pki_dir[];			/* the temporary directory */
extern char *config_file;		/* pki_dir/pgpool.conf: relative ssl_* names resolve against pki_dir */
extern X509 *server_cert;		/* server.crt, CN pgng-server */

/*
 * Makes pki_dir and writes ca.crt, server.crt/.key (CN pgng-server), server2.crt/.key
 * (pgng-server-2), client.crt/.key (alice), wrong.key, encrypted.crt/.key (passphrase "secret")
 * and other-ca.crt; -1 when the directory cannot be made.
 */
int			tls_pki_create(void);

/* Removes pki_dir and frees what tls_pki_create() made; -1 when the removal failed. */
int			tls_pki_remove(void);

EVP_PKEY   *make_key(void);

/* A certificate for key with the given CN, signed by issuer (self-signed when NULL). */
X509	   *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, const EVP_MD *md,
					  int is_ca);

/* pki_dir/name, malloc'd. */
char	   *pki_path(const char *name);

#endif
