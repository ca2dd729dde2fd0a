/*
 * Where a session finds the password it authenticates to backends with: the client's own
 * cleartext password when it gave one, else pool_passwd (cleartext, AES with the key file, or an
 * md5 secret for md5 only); failing those, the backend's md5/cleartext challenge passed through
 * to the client, which is what pgpool does with enable_pool_hba off.
 */
#ifndef PGNG_CHILD_CREDENTIALS_H
#define PGNG_CHILD_CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/passwd.h"
#include "child/session.h"

/* The pool_passwd entry of the session's user, or NULL (file read once per child). */
const passwd_entry *credentials_pool_passwd_entry(session *s);

/* Forget the cached pool_passwd and key (after SIGHUP). */
void		credentials_reload(void);

/* The cleartext password for the session's user, or NULL when none is known. */
const char *credentials_cleartext(session *s);

/*
 * Why credentials_cleartext gave NULL, for the client and the log: no pool_passwd entry, an md5 or
 * SCRAM secret, or an AES password the key file cannot decrypt (naming the user and key file).
 */
void		credentials_missing_reason(session *s, char *buf, size_t len);

/* "md5..." answer for a backend's salt from known credentials: 0, or -1 when none are known. */
int			credentials_md5_answer(session *s, const uint8_t salt[4], char out[40]);

/* Whether the client may be asked directly (pool_hba off, and it has not authenticated yet). */
bool		credentials_can_pass_through(session *s);

/* Asks the client for md5 with the backend's salt and forwards its answer; records it for reuse. */
int			credentials_pass_through_md5(session *s, net_conn *backend, const uint8_t salt[4]);

/*
 * Asks the client for its cleartext password (the backend wants SCRAM, pool_passwd has no
 * password and allow_clear_text_frontend_auth is on); records it for reuse like a pass-through.
 * The password (owned by the session), or NULL when the client did not give one.
 */
const char *credentials_ask_client_cleartext(session *s);

/* Asks the client for its cleartext password and forwards it; records it for reuse. */
int			credentials_pass_through_cleartext(session *s, net_conn *backend);

/* Reads the client's password message ('p') into a malloc'd string; NULL after reporting. */
char	   *credentials_read_client_password(session *s);

#endif
