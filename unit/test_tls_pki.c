/*
 * The test PKI for the TLS unit tests: a CA, leaf certificates and keys (one passphrase-protected)
 * made with OpenSSL at suite start and written to a temporary directory, removed at the end.
 */
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "unit/test_tls_pki.h"

char		pki_dir[] = "/tmp/pgng-tls-XXXXXX";
char	   *config_file;
static EVP_PKEY *ca_key;
static X509 *ca_cert;
X509	   *server_cert;
static long next_serial = 1;

EVP_PKEY *
make_key(void)
{
	return EVP_EC_gen("P-256");
}

static void
add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
}

X509 *
make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, const EVP_MD *md, int is_ca)
{
	X509	   *cert = X509_new();
	X509_NAME  *name = X509_get_subject_name(cert);

	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), next_serial++);
	X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
	X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
	X509_set_pubkey(cert, key);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *) cn, -1, -1, 0);
	X509_set_issuer_name(cert, issuer != NULL ? X509_get_subject_name(issuer) : name);
	if (is_ca)
	{
		add_ext(cert, issuer != NULL ? issuer : cert, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(cert, issuer != NULL ? issuer : cert, NID_key_usage, "critical,keyCertSign,cRLSign");
	}
	X509_sign(cert, issuer_key != NULL ? issuer_key : key, md);
	return cert;
}

char *
pki_path(const char *name)
{
	return xasprintf("%s/%s", pki_dir, name);
}

static void
write_cert(const char *name, X509 *cert)
{
	char	   *path = pki_path(name);
	FILE	   *f = fopen(path, "w");

	PEM_write_X509(f, cert);
	fclose(f);
	free(path);
}

static void
write_key(const char *name, EVP_PKEY *key, const char *passphrase)
{
	char	   *path = pki_path(name);
	FILE	   *f = fdopen(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), "w");

	PEM_write_PrivateKey(f, key, passphrase ? EVP_aes_256_cbc() : NULL,
						 (const unsigned char *) passphrase, passphrase ? (int) strlen(passphrase) : 0,
						 NULL, NULL);
	fclose(f);
	free(path);
}

/* A leaf certificate signed by the test CA, with its key, written as name.crt and name.key. */
static X509 *
write_leaf(const char *name, const char *cn)
{
	EVP_PKEY   *key = make_key();
	X509	   *cert = make_cert(cn, key, ca_cert, ca_key, EVP_sha256(), 0);
	char		file[64];

	snprintf(file, sizeof(file), "%s.crt", name);
	write_cert(file, cert);
	snprintf(file, sizeof(file), "%s.key", name);
	write_key(file, key, NULL);
	EVP_PKEY_free(key);
	return cert;
}

int
tls_pki_create(void)
{
	EVP_PKEY   *key;
	X509	   *cert;

	if (mkdtemp(pki_dir) == NULL)
		return -1;
	config_file = pki_path("pgpool.conf");
	ca_key = make_key();
	ca_cert = make_cert("pgng test CA", ca_key, NULL, NULL, EVP_sha256(), 1);
	write_cert("ca.crt", ca_cert);
	server_cert = write_leaf("server", "pgng-server");
	X509_free(write_leaf("server2", "pgng-server-2"));
	X509_free(write_leaf("client", "alice"));
	key = make_key();
	write_key("wrong.key", key, NULL);
	write_key("encrypted.key", key, "secret");
	cert = make_cert("pgng-server-enc", key, ca_cert, ca_key, EVP_sha256(), 0);
	write_cert("encrypted.crt", cert);
	X509_free(cert);
	cert = make_cert("other CA", key, NULL, NULL, EVP_sha256(), 1);
	write_cert("other-ca.crt", cert);
	X509_free(cert);
	EVP_PKEY_free(key);
	return 0;
}

int
tls_pki_remove(void)
{
	char	   *cmd = xasprintf("rm -rf '%s'", pki_dir);
	int			rc = system(cmd);

	free(cmd);
	free(config_file);
	X509_free(server_cert);
	X509_free(ca_cert);
	EVP_PKEY_free(ca_key);
	return rc == 0 ? 0 : -1;
}
