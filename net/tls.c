/*
 * TLS contexts from the ssl_* parameters and deadline-bounded handshakes for both ends of the
 * pooler (see tls.h). The data phase over a finished session is net/conn.c's.
 */
#include "net/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "config/config.h"
#include "net/sock.h"

/* The file parameters, made absolute against the configuration directory; "" when unset. */
typedef struct tls_paths
{
	char	   *cert;
	char	   *key;
	char	   *ca_cert;
	char	   *ca_cert_dir;
	char	   *crl_file;
	char	   *dh_params_file;
} tls_paths;

/* What the private key's passphrase callback needs and reports back. */
typedef struct passphrase_request
{
	const char *command;
	bool		asked;
	char		error[256];
} passphrase_request;

/* OpenSSL's own prompt, which PostgreSQL and pgpool hand to the command as %p. */
#define PASSPHRASE_PROMPT "Enter PEM pass phrase:"

/* ---- errors ---- */

/* The reason of the oldest queued OpenSSL error (the root cause), and clears the queue. */
static const char *
openssl_reason(char *buf, size_t len)
{
	unsigned long code = ERR_get_error();
	const char *reason;

	ERR_clear_error();
	if (code == 0)
		return "no OpenSSL error reported";
	if (ERR_SYSTEM_ERROR(code))
		return strerror(ERR_GET_REASON(code));
	reason = ERR_reason_error_string(code);
	if (reason != NULL)
		return reason;
	snprintf(buf, len, "OpenSSL error %lu", code);
	return buf;
}

static void
set_openssl_error(char *err, size_t errlen, const char *what)
{
	char		buf[64];

	snprintf(err, errlen, "%s: %s", what, openssl_reason(buf, sizeof(buf)));
}

/* ---- paths ---- */

static char *
resolve(const char *dir, const char *value)
{
	return value[0] == '\0' ? xstrdup("") : path_join_relative(dir, value);
}

static void
paths_resolve(tls_paths *p, const pool_config *cfg, const char *config_file)
{
	char	   *dir = config_file != NULL ? path_dirname(config_file) : NULL;

	p->cert = resolve(dir, cfg->ssl_cert);
	p->key = resolve(dir, cfg->ssl_key);
	p->ca_cert = resolve(dir, cfg->ssl_ca_cert);
	p->ca_cert_dir = resolve(dir, cfg->ssl_ca_cert_dir);
	p->crl_file = resolve(dir, cfg->ssl_crl_file);
	p->dh_params_file = resolve(dir, cfg->ssl_dh_params_file);
	free(dir);
}

static void
paths_free(tls_paths *p)
{
	free(p->cert);
	free(p->key);
	free(p->ca_cert);
	free(p->ca_cert_dir);
	free(p->crl_file);
	free(p->dh_params_file);
}

/* ---- the passphrase command ---- */

/* command with %p replaced by prompt and %% by %; other % sequences are kept. malloc'd. */
static char *
expand_passphrase_command(const char *command, const char *prompt)
{
	size_t		cap = strlen(command) + 1;
	size_t		n = 0;
	char	   *out;

	for (const char *s = command; *s; s++)
		if (s[0] == '%' && s[1] == 'p')
			cap += strlen(prompt);
	out = xmalloc(cap);
	for (const char *s = command; *s; s++)
	{
		if (s[0] == '%' && s[1] == 'p')
		{
			memcpy(out + n, prompt, strlen(prompt));
			n += strlen(prompt);
			s++;
		}
		else if (s[0] == '%' && s[1] == '%')
		{
			out[n++] = '%';
			s++;
		}
		else
			out[n++] = *s;
	}
	out[n] = '\0';
	return out;
}

/* In the forked child: stdout to the pipe, stdin from /dev/null, its own process group. */
static void
exec_passphrase_child(const char *command, int out_fd)
{
	int			null_fd = open("/dev/null", O_RDONLY);
	long		max_fd = sysconf(_SC_OPEN_MAX);

	setpgid(0, 0);
	if (null_fd >= 0)
		dup2(null_fd, STDIN_FILENO);
	dup2(out_fd, STDOUT_FILENO);
	/* listen and client sockets must not live on in a lingering helper */
	for (int fd = STDERR_FILENO + 1; fd < (max_fd > 0 && max_fd < 65536 ? max_fd : 65536); fd++)
		close(fd);
	execl("/bin/sh", "sh", "-c", command, (char *) NULL);
	_exit(127);
}

/* Reads the child's output into buf (keeping size - 1 bytes) until EOF: 0, -1 timeout, -2 error. */
static int
read_until_eof(int fd, char *buf, size_t size, int64_t deadline_ms)
{
	size_t		used = 0;
	char		scratch[256];
	int			rc = 0;

	for (;;)
	{
		size_t		room = size - 1 - used;
		ssize_t		n = room > 0 ? read(fd, buf + used, room) : read(fd, scratch, sizeof(scratch));

		if (n > 0)
			used += room > 0 ? (size_t) n : 0;
		else if (n == 0)
			break;
		else if (errno == EAGAIN)
		{
			int			ready = net_wait_with_deadline(fd, POLLIN, deadline_ms);

			if (ready <= 0)
			{
				rc = ready == 0 ? -1 : -2;
				break;
			}
		}
		else if (errno != EINTR)
		{
			rc = -2;
			break;
		}
	}
	buf[used] = '\0';
	return rc;
}

/* Waits for the child by the deadline; kills its process group at the deadline. 0 or -1. */
static int
reap_with_deadline(pid_t pid, int64_t deadline_ms, int *status)
{
	for (;;)
	{
		pid_t		r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
		{
			/* reaped by a SIGCHLD handler elsewhere: the exit status is lost, trust the output */
			*status = 0;
			return 0;
		}
		if (net_now_ms() >= deadline_ms)
		{
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		poll(NULL, 0, 5);
	}
}

/* Cuts the output at its first line end. */
static int
first_line_length(char *buf)
{
	size_t		len = strcspn(buf, "\r\n");

	buf[len] = '\0';
	return (int) len;
}

int
tls_run_passphrase_command(const char *command, const char *prompt, char *buf, size_t size,
						   int timeout_ms, char *err, size_t errlen)
{
	int64_t		deadline = net_deadline_after(timeout_ms);
	char	   *expanded = expand_passphrase_command(command, prompt);
	int			fds[2];
	int			status = 0;
	int			rc;
	pid_t		pid;

	if (size == 0 || pipe(fds) != 0)
	{
		snprintf(err, errlen, "could not run \"%s\": %s", command, size == 0 ? "no room" : strerror(errno));
		free(expanded);
		return -1;
	}
	/* other children forked meanwhile must not hold the write end open */
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	pid = fork();
	if (pid == 0)
		exec_passphrase_child(expanded, fds[1]);
	free(expanded);
	close(fds[1]);
	if (pid < 0)
	{
		snprintf(err, errlen, "could not run \"%s\": %s", command, strerror(errno));
		close(fds[0]);
		return -1;
	}
	net_set_nonblocking(fds[0]);
	rc = read_until_eof(fds[0], buf, size, deadline);
	if (rc == -2)
		snprintf(err, errlen, "could not read the output of \"%s\": %s", command, strerror(errno));
	close(fds[0]);
	if (reap_with_deadline(pid, rc < 0 ? 0 : deadline, &status) < 0 && rc == 0)
		rc = -1;
	if (rc < 0)
	{
		if (rc == -1)
			snprintf(err, errlen, "\"%s\" timed out after %d ms", command, timeout_ms);
		OPENSSL_cleanse(buf, size);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
	{
		snprintf(err, errlen, "\"%s\" exited with status %d", command,
				 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		OPENSSL_cleanse(buf, size);
		return -1;
	}
	return first_line_length(buf);
}

/* OpenSSL asks here when the key is encrypted; without a command it gets no passphrase at all. */
static int
passphrase_callback(char *buf, int size, int rwflag, void *userdata)
{
	passphrase_request *req = userdata;
	int			n;

	(void) rwflag;
	if (req == NULL)
		return 0;
	req->asked = true;
	if (req->command == NULL || req->command[0] == '\0' || size <= 0)
		return 0;
	n = tls_run_passphrase_command(req->command, PASSPHRASE_PROMPT, buf, (size_t) size,
								   TLS_PASSPHRASE_TIMEOUT_MS, req->error, sizeof(req->error));
	return n < 0 ? 0 : n;
}

/* ---- server context pieces ---- */

/* pgpool only warns when others can read the key; so do we. */
static int
check_key_file(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) != 0)
	{
		snprintf(err, errlen, "could not access private key file \"%s\": %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode))
	{
		snprintf(err, errlen, "private key file \"%s\" is not a regular file", path);
		return -1;
	}
	if ((st.st_uid == geteuid() && (st.st_mode & (S_IRWXG | S_IRWXO))) ||
		(st.st_uid == 0 && (st.st_mode & (S_IWGRP | S_IXGRP | S_IRWXO))))
		log_warning("private key file \"%s\" has group or world access; it should be 0600 or less "
					"(0640 when owned by root)", path);
	return 0;
}

static void
key_load_error(const tls_paths *p, const passphrase_request *req, char *err, size_t errlen)
{
	char		buf[64];

	if (req->error[0] != '\0')
	{
		ERR_clear_error();
		snprintf(err, errlen, "could not load private key file \"%s\": ssl_passphrase_command %s",
				 p->key, req->error);
	}
	else if (req->asked && (req->command == NULL || req->command[0] == '\0'))
	{
		ERR_clear_error();
		snprintf(err, errlen, "private key file \"%s\" needs a passphrase and "
				 "ssl_passphrase_command is not set", p->key);
	}
	else if (ERR_GET_LIB(ERR_peek_last_error()) == ERR_LIB_X509 &&
			 ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
	{
		ERR_clear_error();
		snprintf(err, errlen, "private key file \"%s\" does not match certificate file \"%s\"",
				 p->key, p->cert);
	}
	else
		snprintf(err, errlen, "could not load private key file \"%s\": %s", p->key,
				 openssl_reason(buf, sizeof(buf)));
}

static int
load_cert_and_key(SSL_CTX *ctx, const tls_paths *p, const pool_config *cfg, char *err, size_t errlen)
{
	passphrase_request req = {.command = cfg->ssl_passphrase_command};
	char		what[1100];
	int			ok;

	if (p->cert[0] == '\0' || p->key[0] == '\0')
	{
		snprintf(err, errlen, "%s is not set", p->cert[0] == '\0' ? "ssl_cert" : "ssl_key");
		return -1;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, p->cert) != 1)
	{
		snprintf(what, sizeof(what), "could not load server certificate file \"%s\"", p->cert);
		set_openssl_error(err, errlen, what);
		return -1;
	}
	if (check_key_file(p->key, err, errlen) < 0)
		return -1;
	SSL_CTX_set_default_passwd_cb(ctx, passphrase_callback);
	SSL_CTX_set_default_passwd_cb_userdata(ctx, &req);
	ok = SSL_CTX_use_PrivateKey_file(ctx, p->key, SSL_FILETYPE_PEM) == 1 &&
		SSL_CTX_check_private_key(ctx) == 1;
	/* never leave a pointer to this frame, nor OpenSSL's default of prompting on the tty */
	SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);
	if (!ok)
		key_load_error(p, &req, err, errlen);
	return ok ? 0 : -1;
}

/* DH parameters from path; NULL with reason set when they cannot be used. */
static EVP_PKEY *
read_dh_params(const char *path, const char **reason, char *buf, size_t len)
{
	BIO		   *bio = BIO_new_file(path, "r");
	EVP_PKEY   *params = bio != NULL ? PEM_read_bio_Parameters(bio, NULL) : NULL;

	BIO_free(bio);
	if (params == NULL)
		*reason = openssl_reason(buf, len);
	else if (!EVP_PKEY_is_a(params, "DH"))
	{
		*reason = "the file holds no DH parameters";
		EVP_PKEY_free(params);
		params = NULL;
	}
	return params;
}

/* ssl_dh_params_file, or OpenSSL's built-in groups; like pgpool, a bad file only costs a warning. */
static void
setup_dh(SSL_CTX *ctx, const char *path)
{
	EVP_PKEY   *params;
	const char *reason = NULL;
	char		buf[64];

	if (path[0] != '\0')
	{
		params = read_dh_params(path, &reason, buf, sizeof(buf));
		if (params != NULL && SSL_CTX_set0_tmp_dh_pkey(ctx, params) == 1)
			return;
		if (params != NULL)
		{
			reason = openssl_reason(buf, sizeof(buf));
			EVP_PKEY_free(params);
		}
		log_warning("could not load DH parameters file \"%s\": %s; using built-in parameters",
					path, reason);
	}
	SSL_CTX_set_dh_auto(ctx, 1);
}

static int
setup_key_exchange(SSL_CTX *ctx, const tls_paths *p, const pool_config *cfg, char *err, size_t errlen)
{
	char		what[300];

	setup_dh(ctx, p->dh_params_file);
	if (cfg->ssl_ecdh_curve[0] != '\0' && SSL_CTX_set1_groups_list(ctx, cfg->ssl_ecdh_curve) != 1)
	{
		snprintf(what, sizeof(what), "ssl_ecdh_curve \"%s\" is not a known curve", cfg->ssl_ecdh_curve);
		set_openssl_error(err, errlen, what);
		return -1;
	}
	return 0;
}

static int
load_crl(SSL_CTX *ctx, const char *path, char *err, size_t errlen)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	char		what[1100];

	if (path[0] == '\0')
		return 0;
	if (store == NULL || X509_STORE_load_file(store, path) != 1)
	{
		snprintf(what, sizeof(what), "could not load SSL certificate revocation list file \"%s\"", path);
		set_openssl_error(err, errlen, what);
		return -1;
	}
	X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
	return 0;
}

/* Client certificates: asked for (not required) when ssl_ca_cert is set, as pgpool does. */
static int
setup_client_verification(SSL_CTX *ctx, const tls_paths *p, char *err, size_t errlen)
{
	STACK_OF(X509_NAME) *names;
	char		what[1100];

	if (p->ca_cert[0] == '\0')
		return load_crl(ctx, p->crl_file, err, errlen);
	if (SSL_CTX_load_verify_file(ctx, p->ca_cert) != 1 ||
		(p->ca_cert_dir[0] != '\0' && SSL_CTX_load_verify_dir(ctx, p->ca_cert_dir) != 1) ||
		(names = SSL_load_client_CA_file(p->ca_cert)) == NULL)
	{
		snprintf(what, sizeof(what), "could not load root certificate file \"%s\"%s%s%s", p->ca_cert,
				 p->ca_cert_dir[0] ? " or directory \"" : "", p->ca_cert_dir, p->ca_cert_dir[0] ? "\"" : "");
		set_openssl_error(err, errlen, what);
		return -1;
	}
	SSL_CTX_set_client_CA_list(ctx, names);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, NULL);
	return load_crl(ctx, p->crl_file, err, errlen);
}

/* What both ends share: the method, modes that suit non-blocking relaying, and the ciphers. */
static SSL_CTX *
context_base(const pool_config *cfg, bool server, char *err, size_t errlen)
{
	SSL_CTX    *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	char		what[300];

	if (ctx == NULL)
	{
		set_openssl_error(err, errlen, "could not create SSL context");
		return NULL;
	}
	/* net_conn_send may be retried with a moved buffer and accepts partial writes */
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
	SSL_CTX_set_default_passwd_cb(ctx, passphrase_callback);
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	if (cfg->ssl_ciphers[0] != '\0' && SSL_CTX_set_cipher_list(ctx, cfg->ssl_ciphers) != 1)
	{
		snprintf(what, sizeof(what), "ssl_ciphers \"%s\" selects no usable cipher", cfg->ssl_ciphers);
		set_openssl_error(err, errlen, what);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

SSL_CTX *
tls_server_context_new(const pool_config *cfg, const char *config_file, char *err, size_t errlen)
{
	SSL_CTX    *ctx = context_base(cfg, true, err, errlen);
	tls_paths	p;
	int			rc;

	if (ctx == NULL)
		return NULL;
	paths_resolve(&p, cfg, config_file);
	/* one handshake per session: nothing is resumed, as in pgpool and PostgreSQL */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (cfg->ssl_prefer_server_ciphers)
		SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	rc = load_cert_and_key(ctx, &p, cfg, err, errlen);
	if (rc == 0)
		rc = setup_key_exchange(ctx, &p, cfg, err, errlen);
	if (rc == 0)
		rc = setup_client_verification(ctx, &p, err, errlen);
	paths_free(&p);
	if (rc < 0)
	{
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int
tls_server_context_reload(SSL_CTX **ctx, const pool_config *cfg, const char *config_file,
						  char *err, size_t errlen)
{
	SSL_CTX    *fresh = tls_server_context_new(cfg, config_file, err, errlen);

	if (fresh == NULL)
		return -1;
	/* sessions created from the old context hold a reference; it goes when the last one ends */
	SSL_CTX_free(*ctx);
	*ctx = fresh;
	return 0;
}

SSL_CTX *
tls_client_context_new(const pool_config *cfg, const char *config_file, char *err, size_t errlen)
{
	SSL_CTX    *ctx = context_base(cfg, false, err, errlen);
	tls_paths	p;
	char		what[2200];
	bool		ok = true;

	if (ctx == NULL)
		return NULL;
	paths_resolve(&p, cfg, config_file);
	if (p.ca_cert[0] != '\0' || p.ca_cert_dir[0] != '\0')
	{
		ok = (p.ca_cert[0] == '\0' || SSL_CTX_load_verify_file(ctx, p.ca_cert) == 1) &&
			(p.ca_cert_dir[0] == '\0' || SSL_CTX_load_verify_dir(ctx, p.ca_cert_dir) == 1);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	if (!ok)
	{
		snprintf(what, sizeof(what), "could not load root certificates from \"%s%s%s\"",
				 p.ca_cert, p.ca_cert[0] && p.ca_cert_dir[0] ? "\" and \"" : "", p.ca_cert_dir);
		set_openssl_error(err, errlen, what);
		SSL_CTX_free(ctx);
		ctx = NULL;
	}
	paths_free(&p);
	return ctx;
}

/* ---- handshakes ---- */

/* Explains a failed SSL_accept/SSL_connect. */
static void
handshake_error(SSL *ssl, int ssl_error, int saved_errno, char *err, size_t errlen)
{
	char		buf[64];
	long		verify = SSL_get_verify_result(ssl);

	if (ssl_error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && saved_errno != 0)
		snprintf(err, errlen, "TLS handshake failed: %s", strerror(saved_errno));
	else if ((ssl_error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) ||
			 ssl_error == SSL_ERROR_ZERO_RETURN ||
			 ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
		snprintf(err, errlen, "TLS handshake failed: connection closed by peer");
	else if (verify != X509_V_OK)
	{
		ERR_clear_error();
		snprintf(err, errlen, "TLS handshake failed: certificate verify failed: %s",
				 X509_verify_cert_error_string(verify));
	}
	else
		snprintf(err, errlen, "TLS handshake failed: %s", openssl_reason(buf, sizeof(buf)));
	ERR_clear_error();
}

static int
handshake_with_deadline(net_conn *c, SSL *ssl, bool server, int64_t deadline_ms,
						char *err, size_t errlen)
{
	for (;;)
	{
		int			rc;
		int			ssl_error;
		int			ready;
		short		events;

		ERR_clear_error();
		errno = 0;
		rc = server ? SSL_accept(ssl) : SSL_connect(ssl);
		if (rc == 1)
			return 0;
		ssl_error = SSL_get_error(ssl, rc);
		if (ssl_error != SSL_ERROR_WANT_READ && ssl_error != SSL_ERROR_WANT_WRITE)
		{
			handshake_error(ssl, ssl_error, errno, err, errlen);
			return -1;
		}
		events = ssl_error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		ready = net_wait_with_deadline(c->fd, events, deadline_ms);
		if (ready == 0)
		{
			snprintf(err, errlen, "TLS handshake timed out");
			return -1;
		}
		if (ready < 0)
		{
			snprintf(err, errlen, "TLS handshake failed: %s", strerror(errno));
			return -1;
		}
	}
}

/* A fresh session on c->fd, handshaken; c->ssl set only on success. */
static int
start_session(net_conn *c, SSL_CTX *ctx, bool server, const char *sni, int64_t deadline_ms,
			  char *err, size_t errlen)
{
	SSL		   *ssl = SSL_new(ctx);

	if (ssl == NULL || SSL_set_fd(ssl, c->fd) != 1 ||
		(sni != NULL && SSL_set_tlsext_host_name(ssl, sni) != 1))
	{
		set_openssl_error(err, errlen, "could not create TLS session");
		SSL_free(ssl);
		return -1;
	}
	if (handshake_with_deadline(c, ssl, server, deadline_ms, err, errlen) < 0)
	{
		SSL_free(ssl);
		return -1;
	}
	c->ssl = ssl;
	c->want_events = POLLIN;
	return 0;
}

int
tls_server_accept_with_deadline(net_conn *c, SSL_CTX *ctx, int64_t deadline_ms, char *err, size_t errlen)
{
	return start_session(c, ctx, true, NULL, deadline_ms, err, errlen);
}

/* SNI carries DNS names only: not addresses, not Unix socket directories. */
static bool
host_is_dns_name(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return host != NULL && host[0] != '\0' && host[0] != '/' &&
		inet_pton(AF_INET, host, addr) != 1 && inet_pton(AF_INET6, host, addr) != 1;
}

int
tls_client_connect_with_deadline(net_conn *c, SSL_CTX *ctx, const char *host, int64_t deadline_ms,
								 char *err, size_t errlen)
{
	return start_session(c, ctx, false, host_is_dns_name(host) ? host : NULL, deadline_ms, err, errlen);
}

/* ---- what authentication asks of a session ---- */

char *
tls_peer_common_name(const net_conn *c)
{
	X509	   *peer;
	X509_NAME_ENTRY *entry;
	unsigned char *utf8 = NULL;
	char	   *cn = NULL;
	int			idx;
	int			len;

	if (c->ssl == NULL || (peer = SSL_get0_peer_certificate(c->ssl)) == NULL ||
		SSL_get_verify_result(c->ssl) != X509_V_OK)
		return NULL;
	idx = X509_NAME_get_index_by_NID(X509_get_subject_name(peer), NID_commonName, -1);
	if (idx < 0 || (entry = X509_NAME_get_entry(X509_get_subject_name(peer), idx)) == NULL)
		return NULL;
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
	/* a CN with an embedded NUL could pass for a shorter user name */
	if (len >= 0 && strlen((char *) utf8) == (size_t) len)
		cn = xstrdup((char *) utf8);
	OPENSSL_free(utf8);
	return cn;
}

int
tls_cert_end_point_hash(X509 *cert, unsigned char *out, size_t outlen, char *err, size_t errlen)
{
	const EVP_MD *md;
	unsigned int len = 0;
	int			md_nid;

	if (cert == NULL || X509_get_signature_info(cert, &md_nid, NULL, NULL, NULL) != 1)
	{
		snprintf(err, errlen, "could not determine the server certificate's signature algorithm");
		ERR_clear_error();
		return -1;
	}
	/* RFC 5929 4.1: MD5 and SHA-1 are replaced by SHA-256 */
	if (md_nid == NID_md5 || md_nid == NID_sha1)
		md_nid = NID_sha256;
	md = md_nid == NID_undef ? NULL : EVP_get_digestbynid(md_nid);
	if (md == NULL)
	{
		snprintf(err, errlen, "the server certificate's signature algorithm has no single digest "
				 "for tls-server-end-point");
		return -1;
	}
	if (outlen < (size_t) EVP_MD_get_size(md) || X509_digest(cert, md, out, &len) != 1)
	{
		set_openssl_error(err, errlen, "could not hash the server certificate");
		return -1;
	}
	return (int) len;
}

int
tls_server_end_point_hash(const net_conn *c, unsigned char *out, size_t outlen, char *err, size_t errlen)
{
	X509	   *cert;

	if (c->ssl == NULL)
	{
		snprintf(err, errlen, "the connection does not use TLS");
		return -1;
	}
	cert = SSL_is_server(c->ssl) ? SSL_get_certificate(c->ssl) : SSL_get0_peer_certificate(c->ssl);
	return tls_cert_end_point_hash(cert, out, outlen, err, errlen);
}
