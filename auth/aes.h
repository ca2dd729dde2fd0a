/*
 * AES-256-CBC password encryption compatible with pgpool's pg_enc and the "AES" entries of
 * pool_passwd, plus the key file (~/.pgpoolkey) that holds the passphrase.
 */
#ifndef PGNG_AUTH_AES_H
#define PGNG_AUTH_AES_H

#include <stddef.h>

#include "common/diag.h"

#define AES_KEY_FILE_ENV "PGPOOLKEYFILE"
#define AES_KEY_FILE_NAME ".pgpoolkey"
#define AES_MAX_KEY_LEN 255			/* longest passphrase pgpool reads from a key file */

/*
 * Encrypts len bytes of plaintext with a key and IV derived from passphrase, returns the
 * base64 text (malloc'd, no "AES" prefix) in *out. 0 on success, -1 on an OpenSSL failure.
 */
int			aes_encrypt_b64(const void *plaintext, size_t len, const char *passphrase, char **out);

/*
 * Decodes base64 text (no "AES" prefix) and decrypts it; *out gets the NUL-terminated
 * plaintext (malloc'd). 0 on success, -1 on bad base64, bad padding or wrong passphrase.
 */
int			aes_decrypt_b64(const char *b64, const char *passphrase, char **out);

/* Standard base64 with padding and no line breaks; malloc'd. */
char	   *aes_base64_encode(const unsigned char *data, size_t len);

/* Decodes standard base64 (blanks ignored); *out malloc'd. Returns length or -1 when invalid. */
int			aes_base64_decode(const char *text, unsigned char **out);

/* $PGPOOLKEYFILE when set, else the home directory of the running user + "/.pgpoolkey". */
char	   *aes_key_file_default(void);

/*
 * The passphrase: the first line of the key file without its newline (malloc'd), or NULL when
 * the file cannot be opened, is not a regular file (warning) or is empty. Group or world access
 * only adds a warning, as in pgpool.
 */
char	   *aes_read_key_file(const char *path, diag_list *diags);

#endif
