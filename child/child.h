/*
 * A preforked child: waits for a client on the shared listen sockets, serves one session at a
 * time, and exits when told to or when child_life_time / child_max_connections say so.
 */
#ifndef PGNG_CHILD_H
#define PGNG_CHILD_H

#include <openssl/ssl.h>

#include "config/config.h"

#define CHILD_MAX_LISTENERS 16

typedef struct child_context
{
	int			slot;			/* 0 .. num_init_children-1 */
	pool_config *cfg;			/* this process's configuration (re-read on SIGHUP) */
	const char *config_file;
	const char *hba_file;		/* -a */
	const char *key_file;		/* -k: AES key for pool_passwd; NULL = default */
	int			listen_fds[CHILD_MAX_LISTENERS];
	int			num_listen_fds;
	SSL_CTX    *tls_server;		/* NULL when ssl is off or its set-up failed */
	SSL_CTX    *tls_client;		/* for backends; NULL when ssl is off */
} child_context;

/* Runs the child until it must exit; never returns. */
void		child_main(child_context *ctx) __attribute__((noreturn));

#endif
