/*
 * Unit tests for net/tls.c: real handshakes between our server and client sides over socket pairs
 * (the server in a forked child), with the certificates unit/test_tls_pki.c makes at suite start.
 */
#include <CUnit/CUnit.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/diag.h"
#include "common/log.h"
#include "common/util.h"
#include "config/config.h"
#include "net/conn.h"
#include "net/sock.h"
#include "net/tls.h"
#include "unit/runner.h"
#include "unit/test_tls_pki.h"

static int
suite_init(void)
{
	signal(SIGPIPE, SIG_IGN);
	return tls_pki_create();
}

static int
suite_cleanup(void)
{
	return tls_pki_remove();
}

static void
set(pool_config *cfg, const char *name, const char *value)
{
	diag_list	diags;

	diag_init(&diags);
	CU_ASSERT_EQUAL(cfg_set(cfg, name, value, NULL, 0, &diags), CFG_SET_OK);
	diag_free(&diags);
}

/* ssl_cert/ssl_key given relative to the configuration directory, as pgpool reads them. */
static pool_config *
server_config(const char *name)
{
	pool_config *cfg = cfg_create();
	char		file[64];

	set(cfg, "ssl", "on");
	snprintf(file, sizeof(file), "%s.crt", name);
	set(cfg, "ssl_cert", file);
	snprintf(file, sizeof(file), "%s.key", name);
	set(cfg, "ssl_key", file);
	return cfg;
}

/* A context for our server (certificate files name.crt/.key) or, when name is NULL, our client. */
static SSL_CTX *
make_context(const char *name, const char *ca)
{
	pool_config *cfg = name != NULL ? server_config(name) : cfg_create();
	char		err[512] = "";
	SSL_CTX    *ctx;

	if (ca != NULL)
		set(cfg, "ssl_ca_cert", ca);
	ctx = name != NULL ? tls_server_context_new(cfg, config_file, err, sizeof(err))
		: tls_client_context_new(cfg, config_file, err, sizeof(err));
	if (ctx == NULL)
		fprintf(stderr, "context: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL(ctx);
	cfg_destroy(cfg);
	return ctx;
}

#define server_context(name, ca) make_context(name, ca)
#define client_context(ca) make_context(NULL, ca)

/* A non-blocking socket pair: fds[0] for the server, fds[1] for the client. */
static void
make_pair(int fds[2])
{
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	net_set_nonblocking(fds[0]);
	net_set_nonblocking(fds[1]);
}

typedef int (*server_fn) (net_conn *c, SSL_CTX *ctx);

/* Runs fn in a child on the server end of the pair; the child's exit status is fn's result. */
static pid_t
fork_server(int fds[2], SSL_CTX *ctx, server_fn fn)
{
	pid_t		pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0)
	{
		net_conn	c;

		alarm(10);
		close(fds[1]);
		net_conn_init(&c, fds[0]);
		_exit(fn(&c, ctx));
	}
	close(fds[0]);
	return pid;
}

static int
wait_server(pid_t pid)
{
	int			status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

/* Our client in this process against our server (running fn) in a forked child. */
typedef struct pair_run
{
	SSL_CTX    *sctx;
	SSL_CTX    *cctx;
	net_conn	c;
	pid_t		pid;
	char		err[256];
} pair_run;

/* Starts the server child and runs the client handshake: its result. */
static int
pair_start(pair_run *r, SSL_CTX *sctx, SSL_CTX *cctx, server_fn fn, const char *host)
{
	int			fds[2];

	r->sctx = sctx;
	r->cctx = cctx;
	r->err[0] = '\0';
	make_pair(fds);
	r->pid = fork_server(fds, sctx, fn);
	net_conn_init(&r->c, fds[1]);
	return tls_client_connect_with_deadline(&r->c, cctx, host, net_deadline_after(5000), r->err, sizeof(r->err));
}

/* Closes the client, frees both contexts; the server child's exit status. */
static int
pair_finish(pair_run *r)
{
	int			status;

	net_conn_close(&r->c);
	status = wait_server(r->pid);
	SSL_CTX_free(r->sctx);
	SSL_CTX_free(r->cctx);
	return status;
}

/* Sends a length-prefixed string (server children use it to report what they saw). */
static int
send_text(net_conn *c, const char *text)
{
	unsigned char len = (unsigned char) strlen(text);
	int64_t		deadline = net_deadline_after(5000);

	if (net_conn_send_all_with_deadline(c, &len, 1, deadline) < 0)
		return -1;
	return net_conn_send_all_with_deadline(c, text, len, deadline);
}

static int
recv_text(net_conn *c, char *buf)
{
	unsigned char len;
	int64_t		deadline = net_deadline_after(5000);

	if (net_conn_recv_exact_with_deadline(c, &len, 1, deadline) < 0 ||
		net_conn_recv_exact_with_deadline(c, buf, len, deadline) < 0)
		return -1;
	buf[len] = '\0';
	return 0;
}

#define PAYLOAD 65536

static void
hex_of(const unsigned char *data, int n, char *hex)
{
	for (int i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", data[i]);
	hex[2 * n] = '\0';
}

/* The server handshake in a child, with a generous bound. */
static int
child_accept(net_conn *c, SSL_CTX *ctx)
{
	char		err[256];

	return tls_server_accept_with_deadline(c, ctx, net_deadline_after(5000), err, sizeof(err));
}

/* Echoes PAYLOAD bytes, then sends its channel binding hash in hex. */
static int
serve_echo(net_conn *c, SSL_CTX *ctx)
{
	static char buf[PAYLOAD];
	unsigned char hash[TLS_MAX_HASH_LEN];
	char		hex[2 * TLS_MAX_HASH_LEN + 1];
	char		err[256];
	int			n;

	if (child_accept(c, ctx) < 0)
		return 1;
	if (net_conn_recv_exact_with_deadline(c, buf, PAYLOAD, net_deadline_after(5000)) < 0 ||
		net_conn_send_all_with_deadline(c, buf, PAYLOAD, net_deadline_after(5000)) < 0)
		return 2;
	if ((n = tls_server_end_point_hash(c, hash, sizeof(hash), err, sizeof(err))) < 0)
		return 3;
	hex_of(hash, n, hex);
	if (send_text(c, hex) < 0)
		return 4;
	net_conn_close(c);
	return 0;
}

/* Reports the client certificate's CN, or "<none>". */
static int
serve_cn(net_conn *c, SSL_CTX *ctx)
{
	char	   *cn;
	int			rc;

	if (child_accept(c, ctx) < 0)
		return 1;
	cn = tls_peer_common_name(c);
	rc = send_text(c, cn != NULL ? cn : "<none>") < 0 ? 2 : 0;
	free(cn);
	net_conn_close(c);
	return rc;
}

/* Expects the handshake to fail. */
static int
serve_expect_failure(net_conn *c, SSL_CTX *ctx)
{
	return child_accept(c, ctx) < 0 ? 0 : 1;
}

/* SHA-256 over the DER, computed here without tls.c (the certificate is signed with SHA-256). */
static void
independent_hash_hex(X509 *cert, char *hex)
{
	unsigned char *der = NULL;
	int			len = i2d_X509(cert, &der);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	EVP_Digest(der, (size_t) len, md, &mdlen, EVP_sha256(), NULL);
	hex_of(md, (int) mdlen, hex);
	OPENSSL_free(der);
}

static void
test_handshake_and_data(void)
{
	static char out[PAYLOAD], in[PAYLOAD];
	unsigned char hash[TLS_MAX_HASH_LEN];
	char		theirs[200], ours[200], independent[200];
	pair_run	r;
	int			n;

	CU_ASSERT_EQUAL_FATAL(pair_start(&r, server_context("server", NULL), client_context(NULL),
									 serve_echo, "db.example"), 0);
	CU_ASSERT_STRING_EQUAL(SSL_get_version(r.c.ssl), "TLSv1.3");
	for (int i = 0; i < PAYLOAD; i++)
		out[i] = (char) (i * 7);
	CU_ASSERT_EQUAL(net_conn_send_all_with_deadline(&r.c, out, PAYLOAD, net_deadline_after(5000)), 0);
	CU_ASSERT_EQUAL(net_conn_recv_exact_with_deadline(&r.c, in, PAYLOAD, net_deadline_after(5000)), 0);
	CU_ASSERT_EQUAL(memcmp(in, out, PAYLOAD), 0);
	CU_ASSERT_EQUAL(recv_text(&r.c, theirs), 0);
	n = tls_server_end_point_hash(&r.c, hash, sizeof(hash), r.err, sizeof(r.err));
	CU_ASSERT_EQUAL_FATAL(n, 32);
	hex_of(hash, n, ours);
	independent_hash_hex(server_cert, independent);
	CU_ASSERT_STRING_EQUAL(ours, independent);
	CU_ASSERT_STRING_EQUAL(theirs, independent);
	CU_ASSERT_EQUAL(pair_finish(&r), 0);
}

/* Runs a handshake against serve_cn, the client showing certificate with_cert; what the server saw. */
static void
client_cert_cn(const char *server_ca, const char *with_cert, char *seen)
{
	SSL_CTX    *cctx = client_context("ca.crt");
	pair_run	r;

	if (with_cert != NULL)
	{
		char	   *crt = xasprintf("%s/%s.crt", pki_dir, with_cert);
		char	   *key = xasprintf("%s/%s.key", pki_dir, with_cert);

		CU_ASSERT_EQUAL(SSL_CTX_use_certificate_file(cctx, crt, SSL_FILETYPE_PEM), 1);
		CU_ASSERT_EQUAL(SSL_CTX_use_PrivateKey_file(cctx, key, SSL_FILETYPE_PEM), 1);
		free(crt);
		free(key);
	}
	strcpy(seen, "<handshake failed>");
	if (pair_start(&r, server_context("server", server_ca), cctx, serve_cn, "localhost") == 0)
		CU_ASSERT_EQUAL(recv_text(&r.c, seen), 0);
	CU_ASSERT_EQUAL(pair_finish(&r), 0);
}

static void
test_client_certificate_cn(void)
{
	char		seen[256];

	client_cert_cn("ca.crt", "client", seen);
	CU_ASSERT_STRING_EQUAL(seen, "alice");
	/* asked, not required: a client without a certificate still gets in, without a CN */
	client_cert_cn("ca.crt", NULL, seen);
	CU_ASSERT_STRING_EQUAL(seen, "<none>");
	/* no ssl_ca_cert: no certificate is asked for */
	client_cert_cn(NULL, "client", seen);
	CU_ASSERT_STRING_EQUAL(seen, "<none>");
}

static void
test_client_rejects_unknown_server(void)
{
	pair_run	r;

	CU_ASSERT_EQUAL(pair_start(&r, server_context("server", NULL), client_context("other-ca.crt"),
							   serve_expect_failure, "127.0.0.1"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "certificate verify failed"));
	CU_ASSERT_PTR_NULL(r.c.ssl);
	CU_ASSERT_EQUAL(pair_finish(&r), 0);
}

static void
test_server_handshake_timeout(void)
{
	SSL_CTX    *sctx = server_context("server", NULL);
	char		err[256] = "";
	int			fds[2];
	int64_t		start = net_now_ms();
	net_conn	c;

	make_pair(fds);
	net_conn_init(&c, fds[0]);
	CU_ASSERT_EQUAL(tls_server_accept_with_deadline(&c, sctx, net_deadline_after(300), err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "timed out"));
	CU_ASSERT(net_now_ms() - start >= 290);
	CU_ASSERT(net_now_ms() - start < 1500);
	CU_ASSERT_PTR_NULL(c.ssl);
	net_conn_close(&c);
	close(fds[1]);
	SSL_CTX_free(sctx);
}

static void
test_client_handshake_timeout(void)
{
	SSL_CTX    *cctx = client_context(NULL);
	char		err[256] = "", hello[5];
	int			fds[2];
	int64_t		start = net_now_ms();
	net_conn	c;

	make_pair(fds);
	net_conn_init(&c, fds[1]);
	CU_ASSERT_EQUAL(tls_client_connect_with_deadline(&c, cctx, NULL, net_deadline_after(300), err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "timed out"));
	CU_ASSERT(net_now_ms() - start < 1500);
	/* the ClientHello did go out: a TLS handshake record */
	CU_ASSERT_EQUAL(read(fds[0], hello, sizeof(hello)), (ssize_t) sizeof(hello));
	CU_ASSERT_EQUAL(hello[0], 0x16);
	net_conn_close(&c);
	close(fds[0]);
	SSL_CTX_free(cctx);
}

/* Our server handshake against a peer that sent bytes and hung up: a prompt error holding expect. */
static void
server_against_bytes(const char *bytes, size_t len, const char *expect)
{
	SSL_CTX    *sctx = server_context("server", NULL);
	char		err[256] = "";
	int			fds[2];
	int64_t		start = net_now_ms();
	net_conn	c;

	make_pair(fds);
	CU_ASSERT_EQUAL(write(fds[1], bytes, len), (ssize_t) len);
	close(fds[1]);
	net_conn_init(&c, fds[0]);
	CU_ASSERT_EQUAL(tls_server_accept_with_deadline(&c, sctx, net_deadline_after(3000), err, sizeof(err)), -1);
	CU_ASSERT_PTR_NULL(c.ssl);
	CU_ASSERT(net_now_ms() - start < 1000);
	if (strstr(err, expect) == NULL)
		fprintf(stderr, "looking for \"%s\": %s\n", expect, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, expect));
	net_conn_close(&c);
	SSL_CTX_free(sctx);
}

static void
test_garbage_instead_of_client_hello(void)
{
	const char	http[] = "GET / HTTP/1.1\r\nHost: pgpool\r\n\r\n";
	const char	junk[] = "\x16\x03\x01\x00\x05garbage that is not a handshake";

	server_against_bytes(http, sizeof(http) - 1, "TLS handshake failed: http request");
	server_against_bytes(junk, sizeof(junk) - 1, "TLS handshake failed: unexpected message");
	server_against_bytes("", 0, "TLS handshake failed: connection closed by peer");
}

/* Builds a server context from cfg, expecting failure with an error containing needle. */
static void
expect_context_error(pool_config *cfg, const char *needle)
{
	char		err[1024] = "";
	SSL_CTX    *ctx = tls_server_context_new(cfg, config_file, err, sizeof(err));

	CU_ASSERT_PTR_NULL(ctx);
	if (strstr(err, needle) == NULL)
		fprintf(stderr, "looking for \"%s\": %s\n", needle, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, needle));
	SSL_CTX_free(ctx);
	cfg_destroy(cfg);
}

static void
test_server_context_errors(void)
{
	/* parameter, value, expected in the message (%s stands for the test directory) */
	static const char *const cases[][3] = {
		{"ssl_cert", "missing.crt", "could not load server certificate file \"%s/missing.crt\""},
		{"ssl_key", "wrong.key", "\"%s/wrong.key\" does not match certificate file \"%s/server.crt\""},
		{"ssl_key", "missing.key", "could not access private key file \"%s/missing.key\""},
		{"ssl_cert", "", "ssl_cert is not set"},
		{"ssl_ciphers", "NO-SUCH-CIPHER", "ssl_ciphers \"NO-SUCH-CIPHER\""},
		{"ssl_ecdh_curve", "no-such-curve", "ssl_ecdh_curve \"no-such-curve\""},
		{"ssl_ca_cert", "/nonexistent/ca.crt", "root certificate file \"/nonexistent/ca.crt\""},
		{"ssl_crl_file", "missing.crl", "revocation list file \"%s/missing.crl\""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		pool_config *cfg = server_config("server");
		char		needle[512];

		snprintf(needle, sizeof(needle), cases[i][2], pki_dir, pki_dir);
		set(cfg, cases[i][0], cases[i][1]);
		expect_context_error(cfg, needle);
	}
}

/* Builds a server context from cfg, which must succeed; returns it for inspection. */
static SSL_CTX *
expect_context_ok(pool_config *cfg)
{
	char		err[512] = "";
	SSL_CTX    *ctx = tls_server_context_new(cfg, config_file, err, sizeof(err));

	if (ctx == NULL)
		fprintf(stderr, "context: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL(ctx);
	cfg_destroy(cfg);
	return ctx;
}

static void
test_server_context_options(void)
{
	pool_config *cfg = server_config("server");
	char		err[512] = "";
	char	   *crt = pki_path("server.crt");
	SSL_CTX    *ctx;

	set(cfg, "ssl_prefer_server_ciphers", "on");
	set(cfg, "ssl_ecdh_curve", "secp384r1");
	ctx = expect_context_ok(cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CU_ASSERT((SSL_CTX_get_options(ctx) & SSL_OP_CIPHER_SERVER_PREFERENCE) != 0);
	CU_ASSERT((SSL_CTX_get_options(ctx) & SSL_OP_NO_TICKET) != 0);
	CU_ASSERT_EQUAL(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_NONE);
	SSL_CTX_free(ctx);
	ctx = server_context("server", "ca.crt");
	CU_ASSERT_EQUAL(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE);
	SSL_CTX_free(ctx);
	/* absolute names are kept, relative ones follow the configuration file */
	cfg = server_config("server");
	set(cfg, "ssl_cert", crt);
	ctx = tls_server_context_new(cfg, "/nonexistent/dir/pgpool.conf", err, sizeof(err));
	CU_ASSERT_PTR_NULL(ctx);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "\"/nonexistent/dir/server.key\""));
	cfg_destroy(cfg);
	free(crt);
}

/* Writes RFC 7919 ffdhe2048 parameters as dh.pem (a named group: nothing to generate). */
static void
write_dh_params(void)
{
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	EVP_PKEY   *params = NULL;
	char	   *path = pki_path("dh.pem");
	BIO		   *bio = BIO_new_file(path, "w");

	CU_ASSERT(EVP_PKEY_paramgen_init(pctx) == 1 && EVP_PKEY_CTX_set_dh_nid(pctx, NID_ffdhe2048) == 1 &&
			  EVP_PKEY_paramgen(pctx, &params) == 1 && PEM_write_bio_Parameters(bio, params) == 1);
	BIO_free(bio);
	EVP_PKEY_free(params);
	EVP_PKEY_CTX_free(pctx);
	free(path);
}

/* Builds a context with ssl_dh_params_file = file; says whether a warning was logged. */
static int
dh_file_warns(const char *file)
{
	pool_config *cfg = server_config("server");
	FILE	   *log = tmpfile();
	int			warned;

	set(cfg, "ssl_dh_params_file", file);
	log_set_stream(log);
	SSL_CTX_free(expect_context_ok(cfg));
	log_set_stream(stderr);
	warned = ftell(log) > 0;
	fclose(log);
	return warned;
}

static void
test_dh_params_file(void)
{
	write_dh_params();
	CU_ASSERT_FALSE(dh_file_warns("dh.pem"));
	/* pgpool only warns and falls back to built-in parameters */
	CU_ASSERT_TRUE(dh_file_warns("no-such-dh.pem"));
	CU_ASSERT_TRUE(dh_file_warns("ca.crt"));
}

static void
test_passphrase_protected_key(void)
{
	pool_config *cfg = server_config("encrypted");

	set(cfg, "ssl_passphrase_command", "echo secret");
	SSL_CTX_free(expect_context_ok(cfg));
	expect_context_error(server_config("encrypted"), "ssl_passphrase_command is not set");
	cfg = server_config("encrypted");
	set(cfg, "ssl_passphrase_command", "echo wrong");
	expect_context_error(cfg, "encrypted.key");
	cfg = server_config("encrypted");
	set(cfg, "ssl_passphrase_command", "exit 3");
	expect_context_error(cfg, "exited with status 3");
}

static void
test_passphrase_command(void)
{
	char		buf[64], err[256] = "";
	int64_t		start;

	CU_ASSERT_EQUAL(tls_run_passphrase_command("echo '%p' 100%%", "Prompt:", buf, sizeof(buf), 2000,
											   err, sizeof(err)), 12);
	CU_ASSERT_STRING_EQUAL(buf, "Prompt: 100%");
	CU_ASSERT_EQUAL(tls_run_passphrase_command("printf 'first\\nsecond\\n'", "", buf, sizeof(buf), 2000,
											   err, sizeof(err)), 5);
	CU_ASSERT_STRING_EQUAL(buf, "first");
	CU_ASSERT_EQUAL(tls_run_passphrase_command("echo 0123456789", "", buf, 5, 2000, err, sizeof(err)), 4);
	CU_ASSERT_STRING_EQUAL(buf, "0123");
	start = net_now_ms();
	CU_ASSERT_EQUAL(tls_run_passphrase_command("sleep 5", "", buf, sizeof(buf), 300, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "timed out"));
	CU_ASSERT(net_now_ms() - start < 2000);
	/* output closed early but the command lingers: still bounded */
	start = net_now_ms();
	CU_ASSERT_EQUAL(tls_run_passphrase_command("echo x; exec >&-; sleep 5", "", buf, sizeof(buf), 300,
											   err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "timed out"));
	CU_ASSERT(net_now_ms() - start < 2000);
}

static void
expect_end_point_digest(X509 *cert, const EVP_MD *expected_md)
{
	unsigned char hash[TLS_MAX_HASH_LEN];
	unsigned char want[EVP_MAX_MD_SIZE];
	unsigned int want_len = 0;
	char		err[256] = "";
	int			n = tls_cert_end_point_hash(cert, hash, sizeof(hash), err, sizeof(err));

	X509_digest(cert, expected_md, want, &want_len);
	CU_ASSERT_EQUAL_FATAL(n, (int) want_len);
	CU_ASSERT_EQUAL(memcmp(hash, want, want_len), 0);
}

static void
test_end_point_hash_rules(void)
{
	EVP_PKEY   *key = make_key();
	EVP_PKEY   *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	X509	   *sha1 = make_cert("sha1", key, NULL, NULL, EVP_sha1(), 0);
	X509	   *sha384 = make_cert("sha384", key, NULL, NULL, EVP_sha384(), 0);
	X509	   *ed_cert = make_cert("ed25519", ed, NULL, NULL, NULL, 0);
	unsigned char hash[TLS_MAX_HASH_LEN];
	char		err[256] = "";

	expect_end_point_digest(server_cert, EVP_sha256());
	expect_end_point_digest(sha1, EVP_sha256());	/* SHA-1 is upgraded */
	expect_end_point_digest(sha384, EVP_sha384());
	CU_ASSERT_EQUAL(tls_cert_end_point_hash(ed_cert, hash, sizeof(hash), err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "digest"));
	CU_ASSERT_EQUAL(tls_cert_end_point_hash(sha384, hash, 32, err, sizeof(err)), -1);
	X509_free(sha1);
	X509_free(sha384);
	X509_free(ed_cert);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ed);
}

static int reload_second_fd = -1;

/*
 * Child: accepts a session, reloads to server2's certificate, echoes on the old session, then
 * accepts a second session with the new context.
 */
static int
serve_reload(net_conn *c, SSL_CTX *ctx)
{
	pool_config *cfg = server_config("server2");
	char		err[512], buf[16];
	net_conn	second;

	if (child_accept(c, ctx) < 0)
		return 1;
	if (tls_server_context_reload(&ctx, cfg, config_file, err, sizeof(err)) < 0)
		return 2;
	set(cfg, "ssl_cert", "missing.crt");
	if (tls_server_context_reload(&ctx, cfg, config_file, err, sizeof(err)) == 0)
		return 3;
	if (recv_text(c, buf) < 0 || send_text(c, buf) < 0)
		return 4;
	net_conn_init(&second, reload_second_fd);
	if (tls_server_accept_with_deadline(&second, ctx, net_deadline_after(5000), err, sizeof(err)) < 0)
		return 5;
	net_conn_close(&second);
	net_conn_close(c);
	SSL_CTX_free(ctx);
	cfg_destroy(cfg);
	return 0;
}

/* The CN of the certificate the server showed on c. */
static const char *
server_cn(const net_conn *c, char *buf, size_t len)
{
	X509	   *cert = SSL_get0_peer_certificate(c->ssl);

	buf[0] = '\0';
	if (cert != NULL)
		X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, (int) len);
	return buf;
}

static void
test_reload_keeps_sessions(void)
{
	char		buf[64];
	int			fds2[2];
	net_conn	second;
	pair_run	r;

	make_pair(fds2);
	reload_second_fd = fds2[0];
	CU_ASSERT_EQUAL_FATAL(pair_start(&r, server_context("server", NULL), client_context("ca.crt"),
									 serve_reload, NULL), 0);
	close(fds2[0]);
	net_conn_init(&second, fds2[1]);
	CU_ASSERT_STRING_EQUAL(server_cn(&r.c, buf, sizeof(buf)), "pgng-server");
	CU_ASSERT_EQUAL(send_text(&r.c, "still here"), 0);
	CU_ASSERT_EQUAL(recv_text(&r.c, buf), 0);
	CU_ASSERT_STRING_EQUAL(buf, "still here");
	CU_ASSERT_EQUAL(tls_client_connect_with_deadline(&second, r.cctx, NULL, net_deadline_after(5000),
													 r.err, sizeof(r.err)), 0);
	CU_ASSERT_STRING_EQUAL(server_cn(&second, buf, sizeof(buf)), "pgng-server-2");
	net_conn_close(&second);
	CU_ASSERT_EQUAL(pair_finish(&r), 0);
}

static void
test_client_context_errors(void)
{
	pool_config *cfg = cfg_create();
	char		err[512] = "";
	char	   *path = pki_path("no-such-ca.crt");

	set(cfg, "ssl_ca_cert", "no-such-ca.crt");
	CU_ASSERT_PTR_NULL(tls_client_context_new(cfg, config_file, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	free(path);
	cfg_destroy(cfg);
}

static CU_TestInfo tls_tests[] = {
	{"handshake, 64 KB echo and channel binding", test_handshake_and_data},
	{"client certificate CN", test_client_certificate_cn},
	{"client rejects a server from another CA", test_client_rejects_unknown_server},
	{"server handshake timeout", test_server_handshake_timeout},
	{"client handshake timeout", test_client_handshake_timeout},
	{"garbage instead of a ClientHello", test_garbage_instead_of_client_hello},
	{"server context errors name the file", test_server_context_errors},
	{"server context options and path resolution", test_server_context_options},
	{"DH parameters file", test_dh_params_file},
	{"passphrase-protected key", test_passphrase_protected_key},
	{"passphrase command", test_passphrase_command},
	{"tls-server-end-point digest rules", test_end_point_hash_rules},
	{"reload keeps running sessions", test_reload_keeps_sessions},
	{"client context errors", test_client_context_errors},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"tls", suite_init, suite_cleanup, NULL, NULL, tls_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return unit_run("test_tls", suites);
}
