/*
 * The password the health check, the sr check, the primary search and the failover process log in
 * with, as pgpool finds it: the configured health_check_password / sr_check_password, or, when that
 * is empty, the user's pool_passwd entry. Either may be cleartext, "TEXT" + cleartext or "AES" +
 * base64 (decrypted with the key file, -k or ~/.pgpoolkey).
 */
#ifndef PGNG_MAIN_CHECK_PASSWORD_H
#define PGNG_MAIN_CHECK_PASSWORD_H

#include "config/config.h"

/* Where pool_passwd (relative to the configuration file) and the AES key file are; parent, once. */
void		check_password_init(const char *config_file, const char *key_file);

/*
 * The cleartext password for user, or NULL for none (empty everywhere, or only an md5 hash or a
 * SCRAM secret, from which libpq cannot log in: a warning says so once). pool_passwd is read again
 * on every call, so that edits need no restart. The result is valid until the next call.
 */
const char *check_password(const pool_config *cfg, const char *user, const char *configured);

#endif
