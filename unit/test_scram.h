/*
 * What the SCRAM unit tests share: our client against our server in one exchange (unit/test_scram.c),
 * and the PostgreSQL 15 vector and SASLprep tests (unit/test_scram_vectors.c).
 */
#ifndef PGNG_UNIT_TEST_SCRAM_H
#define PGNG_UNIT_TEST_SCRAM_H

#include <CUnit/CUnit.h>
#include <stdbool.h>

/* One exchange between our client and our server. */
typedef struct exchange
{
	const char *server_secret;	/* secret or cleartext; NULL for an unknown user */
	const char *client_password;
	const char *mechanism;
	const unsigned char *client_hash;	/* what the client saw of the server's certificate */
	const unsigned char *server_hash;	/* our own certificate's hash */
	char	   *error;			/* the first error, from whichever side */
	bool		client_verified;
} exchange;

#define AUTH_FAILED "password authentication failed for user \"alice\""

/* Runs x, which the server must refuse with error, and the client must not verify. */
void		expect_failure(exchange *x, const char *error);

/* Runs x, which must succeed on both sides. */
void		expect_success(exchange *x);

void		test_pg_vectors(void);
void		test_pg_vectors_rebuilt(void);
void		test_saslprep(void);

#endif
