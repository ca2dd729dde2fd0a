/*
 * MD5 helpers over OpenSSL's EVP interface (see md5.h). The formats are PostgreSQL's: lowercase
 * hex, and the "md5" prefix on stored secrets and client answers.
 */
#include "auth/md5.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
digest_to_hex(const unsigned char *digest, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 16; i++)
	{
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0x0f];
	}
	out[MD5_HEX_LEN] = '\0';
}

void
md5_hex_concat(const void *prefix, size_t prefix_len, const void *suffix, size_t suffix_len,
			   char *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0;

	if (ctx == NULL ||
		EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1 ||
		EVP_DigestUpdate(ctx, prefix, prefix_len) != 1 ||
		EVP_DigestUpdate(ctx, suffix, suffix_len) != 1 ||
		EVP_DigestFinal_ex(ctx, digest, &digest_len) != 1 || digest_len != 16)
	{
		/* Only an OpenSSL without MD5 (FIPS mode) gets here; nothing sensible to return. */
		fprintf(stderr, "FATAL: MD5 digest is not available from OpenSSL\n");
		abort();
	}
	EVP_MD_CTX_free(ctx);
	digest_to_hex(digest, out);
}

void
md5_hex(const void *data, size_t len, char *out)
{
	md5_hex_concat(data, len, "", 0, out);
}

void
md5_password_secret(const char *password, const char *user, char *out)
{
	memcpy(out, "md5", 3);
	md5_hex_concat(password, strlen(password), user, strlen(user), out + 3);
}

bool
md5_is_hex(const char *s)
{
	size_t		n = 0;

	for (; s[n] != '\0'; n++)
		if (!isxdigit((unsigned char) s[n]))
			return false;
	return n == MD5_HEX_LEN;
}

bool
md5_client_answer(const char *secret, const unsigned char *salt, char *out)
{
	if (strncmp(secret, "md5", 3) != 0 || !md5_is_hex(secret + 3))
		return false;
	memcpy(out, "md5", 3);
	md5_hex_concat(secret + 3, MD5_HEX_LEN, salt, MD5_SALT_LEN, out + 3);
	return true;
}

bool
md5_answer_matches(const char *expected, const char *answer)
{
	size_t		len = strlen(expected);
	unsigned char diff = 0;

	if (strlen(answer) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		diff |= (unsigned char) (expected[i] ^ answer[i]);
	return diff == 0;
}
