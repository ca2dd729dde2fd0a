/*
 * libFuzzer target for the server side of SCRAM: arbitrary bytes as client-first, then as
 * client-final, against a real secret and a doomed session, with and without channel binding.
 * Build, in a build directory: clang -g -O1 -fsanitize=fuzzer,address,undefined -I$SRCDIR -I.
 *   $SRCDIR/fuzz/fuzz_scram.c libpgng.a -lcrypto -o fuzz_scram  (then ./fuzz_scram CORPUS_DIR)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/scram.h"

static const unsigned char cert_hash[32] = {0x42};

static const char *
find_separator(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i + 4 <= size; i++)
		if (memcmp(data + i, "\n--\n", 4) == 0)
			return (const char *) data + i;
	return NULL;
}

/* The input is split at its first "\n--\n": client-first before it, client-final after. */
static void
run(const char *secret, const char *mechanism, const uint8_t *data, size_t size)
{
	scram_server *s = scram_server_new(secret, "fuzz");
	const char *msg = (const char *) data;
	const char *sep = find_separator(data, size);
	size_t		first_len = sep != NULL ? (size_t) (sep - msg) : size;
	char	   *out = NULL;
	char	   *error = NULL;

	scram_server_set_nonce(s, "fuzzNonce");
	if (scram_server_select_mechanism(s, mechanism, cert_hash, sizeof(cert_hash), &error) == 0 &&
		scram_server_handle_client_first(s, msg, first_len, &out, &error) == 0 && sep != NULL)
	{
		free(out);
		out = NULL;
		scram_server_handle_client_final(s, sep + 4, size - first_len - 4, &out, &error);
	}
	free(out);
	free(error);
	scram_server_free(s);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *secret;

	/* one iteration keeps the fuzzer fast; the secret is built once */
	if (secret == NULL)
		secret = scram_build_secret("pencil", 1);
	run(secret, size > 0 && data[0] == 'p' ? SCRAM_MECHANISM_PLUS : SCRAM_MECHANISM, data, size);
	run(NULL, SCRAM_MECHANISM, data, size);
	return 0;
}
