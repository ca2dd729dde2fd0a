/*
 * pgpool-compatible AES: the key and IV come from EVP_BytesToKey(AES-256-CBC, SHA-1, no salt,
 * one round) over the passphrase, the cipher pads with PKCS#7, and the result travels as base64.
 * Without salt the same password and passphrase always give the same text, as with pg_enc.
 */
#include "auth/aes.h"

#include <openssl/evp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

static const char b64_chars[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
derive_key(const char *passphrase, unsigned char *key, unsigned char *iv)
{
	int			n = EVP_BytesToKey(EVP_aes_256_cbc(), EVP_sha1(), NULL,
								   (const unsigned char *) passphrase, (int) strlen(passphrase),
								   1, key, iv);

	return n == 32 ? 0 : -1;
}

/* One EVP pass (encrypt when enc is 1); *out is malloc'd and NUL-terminated for convenience. */
static int
aes_run(int enc, const unsigned char *in, size_t len, const char *passphrase,
		unsigned char **out, int *out_len)
{
	unsigned char key[EVP_MAX_KEY_LENGTH];
	unsigned char iv[EVP_MAX_IV_LENGTH];
	EVP_CIPHER_CTX *ctx;
	unsigned char *buf = xmalloc(len + 2 * EVP_MAX_BLOCK_LENGTH + 1);
	int			n1 = 0;
	int			n2 = 0;
	int			ok;

	if (derive_key(passphrase, key, iv) != 0 || (ctx = EVP_CIPHER_CTX_new()) == NULL)
	{
		free(buf);
		return -1;
	}
	ok = EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, iv, enc) == 1 &&
		EVP_CipherUpdate(ctx, buf, &n1, in, (int) len) == 1 &&
		EVP_CipherFinal_ex(ctx, buf + n1, &n2) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
	{
		free(buf);
		return -1;
	}
	buf[n1 + n2] = '\0';
	*out = buf;
	*out_len = n1 + n2;
	return 0;
}

int
aes_encrypt_b64(const void *plaintext, size_t len, const char *passphrase, char **out)
{
	unsigned char *cipher;
	int			cipher_len;

	if (aes_run(1, plaintext, len, passphrase, &cipher, &cipher_len) != 0)
		return -1;
	*out = aes_base64_encode(cipher, (size_t) cipher_len);
	free(cipher);
	return 0;
}

int
aes_decrypt_b64(const char *b64, const char *passphrase, char **out)
{
	unsigned char *cipher;
	unsigned char *plain;
	int			cipher_len = aes_base64_decode(b64, &cipher);
	int			plain_len;
	int			rc;

	if (cipher_len <= 0)
	{
		if (cipher_len == 0)
			free(cipher);
		return -1;
	}
	rc = aes_run(0, cipher, (size_t) cipher_len, passphrase, &plain, &plain_len);
	free(cipher);
	if (rc == 0)
		*out = (char *) plain;
	return rc;
}

char *
aes_base64_encode(const unsigned char *data, size_t len)
{
	char	   *out = xmalloc((len + 2) / 3 * 4 + 1);
	char	   *p = out;

	for (size_t i = 0; i < len; i += 3)
	{
		unsigned	v = (unsigned) data[i] << 16;

		if (i + 1 < len)
			v |= (unsigned) data[i + 1] << 8;
		if (i + 2 < len)
			v |= data[i + 2];
		*p++ = b64_chars[(v >> 18) & 63];
		*p++ = b64_chars[(v >> 12) & 63];
		*p++ = i + 1 < len ? b64_chars[(v >> 6) & 63] : '=';
		*p++ = i + 2 < len ? b64_chars[v & 63] : '=';
	}
	*p = '\0';
	return out;
}

int
aes_base64_decode(const char *text, unsigned char **out)
{
	unsigned char *buf = xmalloc(strlen(text) / 4 * 3 + 3);
	unsigned	acc = 0;
	int			bits = 0;
	int			len = 0;
	int			pad = 0;

	for (const char *s = text; *s; s++)
	{
		const char *pos;

		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			continue;
		if (*s == '=')
		{
			pad++;
			continue;
		}
		pos = strchr(b64_chars, *s);
		if (pos == NULL || pad > 0)
			goto invalid;
		acc = (acc << 6) | (unsigned) (pos - b64_chars);
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			buf[len++] = (unsigned char) (acc >> bits);
		}
	}
	/* Padding must complete the last quantum, as PostgreSQL's decoder requires. */
	if (pad > 2 || (bits == 0 && pad != 0) || (bits == 4 && pad != 2) ||
		(bits == 2 && pad != 1) || bits == 6)
		goto invalid;
	*out = buf;
	return len;

invalid:
	free(buf);
	*out = NULL;
	return -1;
}

char *
aes_key_file_default(void)
{
	const char *env = getenv(AES_KEY_FILE_ENV);
	struct passwd *pw;

	if (env != NULL)
		return xstrdup(env);
	/* pgpool takes the home directory from the password database, not from $HOME */
	pw = getpwuid(geteuid());
	if (pw == NULL || pw->pw_dir == NULL)
		return NULL;
	return xasprintf("%s/%s", pw->pw_dir, AES_KEY_FILE_NAME);
}

char *
aes_read_key_file(const char *path, diag_list *diags)
{
	char		line[AES_MAX_KEY_LEN + 1];
	struct stat st;
	FILE	   *fp = fopen(path, "r");
	size_t		len;

	if (fp == NULL)
		return NULL;
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode))
	{
		diag_add(diags, DIAG_WARNING, path, 0, "pool key file \"%s\" is not a plain file", path);
		fclose(fp);
		return NULL;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		diag_add(diags, DIAG_WARNING, path, 0,
				 "pool key file \"%s\" has group or world access; permissions should be u=rw (0600) or less",
				 path);
	if (fgets(line, sizeof(line), fp) == NULL)
	{
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	len = strlen(line);
	if (len > 0 && line[len - 1] == '\n')
		line[len - 1] = '\0';
	return xstrdup(line);
}
