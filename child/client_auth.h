/*
 * Authenticating clients: by pool_hba.conf when enable_pool_hba is on; otherwise with the method
 * the backend used for the user, checked against pool_passwd or replayed from the first client.
 */
#ifndef PGNG_CHILD_CLIENT_AUTH_H
#define PGNG_CHILD_CLIENT_AUTH_H

#include "auth/hba.h"
#include "child/session.h"

/* pool_hba.conf: match the connection, then run its method. 0, or -1 after telling the client. */
int			client_auth_hba(session *s);

/* Runs one method against pool_passwd (trust passes). 0, or -1 after telling the client. */
int			client_auth_method(session *s, hba_method method);

/* SCRAM-SHA-256 (and -PLUS over TLS) against pool_passwd; 0, or -1 after telling the client. */
int			client_auth_scram(session *s);

/* A client that gets a cached entry with pool_hba off: the entry's method again. 0 or -1. */
int			client_auth_reuse(session *s);

/* Forget the cached pool_hba.conf (after SIGHUP). */
void		client_auth_reload(void);

#endif
