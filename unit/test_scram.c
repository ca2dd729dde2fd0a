/*
 * Unit tests for auth/scram*.c: RFC 7677's exchange, our client against our server, secrets and
 * malformed messages. PostgreSQL 15's secrets and SASLprep are in unit/test_scram_vectors.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/aes.h"
#include "auth/scram.h"
#include "common/util.h"
#include "unit/runner.h"
#include "unit/test_scram.h"

/* RFC 7677 section 3: user "user", password "pencil". */
#define RFC_CLIENT_FIRST "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
#define RFC_SERVER_FIRST \
	"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
#define RFC_CLIENT_FINAL \
	"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," \
	"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
#define RFC_SERVER_FINAL "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

static char *
rfc_secret(void)
{
	unsigned char *salt = NULL;
	int			len = aes_base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==", &salt);
	char	   *secret;

	CU_ASSERT_FATAL(len == 16);
	secret = scram_build_secret_with_salt("pencil", salt, (size_t) len, 4096);
	free(salt);
	return secret;
}

static void
test_rfc7677_client(void)
{
	scram_client *c = scram_client_new("pencil");
	char	   *first;
	char	   *final = NULL;
	char	   *error = NULL;

	scram_client_set_username(c, "user");
	scram_client_set_nonce(c, "rOprNGfwEbeRWgbNEkqO");
	first = scram_client_first_message(c, SCRAM_MECHANISM);
	CU_ASSERT_STRING_EQUAL(first, RFC_CLIENT_FIRST);
	CU_ASSERT_EQUAL(scram_client_handle_server_first(c, RFC_SERVER_FIRST, strlen(RFC_SERVER_FIRST),
													 &final, &error), 0);
	CU_ASSERT_STRING_EQUAL(final, RFC_CLIENT_FINAL);
	CU_ASSERT_EQUAL(scram_client_verify_server_final(c, RFC_SERVER_FINAL,
													 strlen(RFC_SERVER_FINAL), &error), 0);
	free(first);
	free(final);
	scram_client_free(c);
}

/* The same exchange, but a server signature with one character changed must be refused. */
static void
test_rfc7677_client_bad_signature(void)
{
	scram_client *c = scram_client_new("pencil");
	char	   *first;
	char	   *final = NULL;
	char	   *error = NULL;
	const char *bad = "v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

	scram_client_set_username(c, "user");
	scram_client_set_nonce(c, "rOprNGfwEbeRWgbNEkqO");
	first = scram_client_first_message(c, SCRAM_MECHANISM);
	CU_ASSERT_EQUAL(scram_client_handle_server_first(c, RFC_SERVER_FIRST, strlen(RFC_SERVER_FIRST),
													 &final, &error), 0);
	CU_ASSERT_EQUAL(scram_client_verify_server_final(c, bad, strlen(bad), &error), -1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(error);
	CU_ASSERT_STRING_EQUAL(error, "incorrect server signature");
	free(error);
	free(first);
	free(final);
	scram_client_free(c);
}

static void
test_rfc7677_server(void)
{
	char	   *secret = rfc_secret();
	scram_server *s = scram_server_new(secret, "user");
	char	   *out = NULL;
	char	   *error = NULL;

	CU_ASSERT_STRING_EQUAL(secret, "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$"
						   "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
						   "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=");
	scram_server_set_nonce(s, "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
	CU_ASSERT_EQUAL(scram_server_handle_client_first(s, RFC_CLIENT_FIRST,
													 strlen(RFC_CLIENT_FIRST), &out, &error), 0);
	CU_ASSERT_STRING_EQUAL(out, RFC_SERVER_FIRST);
	free(out);
	CU_ASSERT_FALSE(scram_server_succeeded(s));
	CU_ASSERT_EQUAL(scram_server_handle_client_final(s, RFC_CLIENT_FINAL,
													 strlen(RFC_CLIENT_FINAL), &out, &error), 0);
	CU_ASSERT_STRING_EQUAL(out, RFC_SERVER_FINAL);
	CU_ASSERT_TRUE(scram_server_succeeded(s));
	free(out);
	scram_server_free(s);
	free(secret);
}

/* One exchange between our client and our server (exchange: unit/test_scram.h); the server's verdict. */
static int
run_exchange(exchange *x)
{
	scram_client *c = scram_client_new(x->client_password);
	scram_server *s = scram_server_new(x->server_secret, "alice");
	const char *mech = x->mechanism != NULL ? x->mechanism : SCRAM_MECHANISM;
	char	   *first = NULL;
	char	   *server_first = NULL;
	char	   *final = NULL;
	char	   *server_final = NULL;
	int			rc = -1;

	if (x->client_hash != NULL)
		scram_client_set_channel_binding(c, x->client_hash, 32);
	first = scram_client_first_message(c, mech);
	CU_ASSERT_PTR_NOT_NULL_FATAL(first);
	if (scram_server_select_mechanism(s, mech, x->server_hash, x->server_hash ? 32 : 0,
									  &x->error) == 0 &&
		scram_server_handle_client_first(s, first, strlen(first), &server_first,
										 &x->error) == 0 &&
		scram_client_handle_server_first(c, server_first, strlen(server_first), &final,
										 &x->error) == 0)
		rc = scram_server_handle_client_final(s, final, strlen(final), &server_final,
											  &x->error);
	CU_ASSERT_EQUAL(rc == 0, scram_server_succeeded(s));
	x->client_verified = rc == 0 &&
		scram_client_verify_server_final(c, server_final, strlen(server_final), &x->error) == 0;
	free(first);
	free(server_first);
	free(final);
	free(server_final);
	scram_client_free(c);
	scram_server_free(s);
	return rc;
}

void
expect_failure(exchange *x, const char *error)
{
	CU_ASSERT_EQUAL(run_exchange(x), -1);
	CU_ASSERT_FALSE(x->client_verified);
	CU_ASSERT_PTR_NOT_NULL(x->error);
	if (x->error != NULL)
		CU_ASSERT_STRING_EQUAL(x->error, error);
	free(x->error);
	x->error = NULL;
}

void
expect_success(exchange *x)
{
	CU_ASSERT_EQUAL(run_exchange(x), 0);
	CU_ASSERT_TRUE(x->client_verified);
	CU_ASSERT_PTR_NULL(x->error);
	free(x->error);
	x->error = NULL;
}

static void
test_round_trip_secret(void)
{
	char	   *secret = scram_build_secret("s3cret", 0);
	exchange	x = {.server_secret = secret, .client_password = "s3cret"};

	CU_ASSERT_PTR_NOT_NULL_FATAL(secret);
	CU_ASSERT_EQUAL(strncmp(secret, "SCRAM-SHA-256$4096:", 19), 0);
	expect_success(&x);
	x.client_password = "s3cret ";
	expect_failure(&x, AUTH_FAILED);
	x.client_password = "";
	expect_failure(&x, AUTH_FAILED);
	free(secret);
}

static void
test_round_trip_cleartext(void)
{
	exchange	x = {.server_secret = "open sesame", .client_password = "open sesame"};

	expect_success(&x);
	x.client_password = "open sesamE";
	expect_failure(&x, AUTH_FAILED);
	/* the server prepares the cleartext too: NBSP and a soft hyphen equal what SASLprep makes */
	x.server_secret = "p\xc2\xa0w\xc2\xadx";
	x.client_password = "p wx";
	expect_success(&x);
}

/* Unknown users, md5 secrets and broken secrets fail exactly like a wrong password. */
static void
test_round_trip_doomed(void)
{
	exchange	x = {.server_secret = NULL, .client_password = "anything"};

	expect_failure(&x, AUTH_FAILED);
	x.server_secret = "md54a0a68b43b6cd5cf266fa02f196e2371";
	x.client_password = "secret";
	expect_failure(&x, AUTH_FAILED);
	x.server_secret = "SCRAM-SHA-256$0:W22ZaJ0SNY7soEsUEjb6gQ==$AAAA:AAAA";
	expect_failure(&x, AUTH_FAILED);
}

static void
test_doomed_session_shape(void)
{
	scram_server *a = scram_server_new(NULL, "ghost");
	scram_server *b = scram_server_new(NULL, "ghost");
	scram_server *other = scram_server_new(NULL, "phantom");
	const char *first = "n,,n=,r=abc";
	char	   *fa = NULL;
	char	   *fb = NULL;
	char	   *fo = NULL;
	char	   *error = NULL;

	scram_server_set_nonce(a, "N");
	scram_server_set_nonce(b, "N");
	scram_server_set_nonce(other, "N");
	CU_ASSERT_EQUAL(scram_server_handle_client_first(a, first, strlen(first), &fa, &error), 0);
	CU_ASSERT_EQUAL(scram_server_handle_client_first(b, first, strlen(first), &fb, &error), 0);
	CU_ASSERT_EQUAL(scram_server_handle_client_first(other, first, strlen(first), &fo, &error), 0);
	/* the same name always shows the same salt, another name another one */
	CU_ASSERT_STRING_EQUAL(fa, fb);
	CU_ASSERT_STRING_NOT_EQUAL(fa, fo);
	CU_ASSERT_EQUAL(strncmp(fa, "r=abcN,s=", 9), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(fa, ",i=4096"));
	CU_ASSERT_PTR_NOT_NULL(scram_server_log_detail(a));
	free(fa);
	free(fb);
	free(fo);
	scram_server_free(a);
	scram_server_free(b);
	scram_server_free(other);
}

static const unsigned char hash_a[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
static const unsigned char hash_b[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11};

static void
test_channel_binding(void)
{
	exchange	x = {.server_secret = "pw", .client_password = "pw",
		.mechanism = SCRAM_MECHANISM_PLUS, .client_hash = hash_a, .server_hash = hash_a};

	expect_success(&x);
	/* a man in the middle presents another certificate to the client */
	x.client_hash = hash_b;
	expect_failure(&x, "SCRAM channel binding check failed");
	x.client_hash = hash_a;
	x.client_password = "wrong";
	expect_failure(&x, AUTH_FAILED);
	/* the client could bind ("y,,") but chose plain SCRAM while the server can bind */
	x.mechanism = SCRAM_MECHANISM;
	x.client_password = "pw";
	expect_failure(&x, "SCRAM channel binding negotiation error");
	/* "y,," is fine when the server cannot bind */
	x.server_hash = NULL;
	expect_success(&x);
	/* -PLUS on a server connection without TLS */
	x.mechanism = SCRAM_MECHANISM_PLUS;
	expect_failure(&x, "client selected an invalid SASL authentication mechanism");
}

static void
test_secret_parse(void)
{
	char	   *rfc = rfc_secret();
	scram_secret s;
	const char *bad[] = {
		"SCRAM-SHA-1$4096:W22ZaJ0SNY7soEsUEjb6gQ==$AAAA:AAAA",
		"SCRAM-SHA-256$0:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=",
		"SCRAM-SHA-256$-5:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=",
		"SCRAM-SHA-256$4x:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=",
		"SCRAM-SHA-256$4096:W22Z!J0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=",
		"SCRAM-SHA-256$4096:$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=",
		"SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4q==:WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=",
		"SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=",
		"SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:",
		"SCRAM-SHA-256$4096",
	};

	CU_ASSERT_EQUAL_FATAL(scram_secret_parse(rfc, &s), 0);
	CU_ASSERT_EQUAL(s.iterations, 4096);
	CU_ASSERT_STRING_EQUAL(s.salt_b64, "W22ZaJ0SNY7soEsUEjb6gQ==");
	CU_ASSERT_EQUAL(s.stored_key[0], 0x58);	/* 'WG5d' */
	scram_secret_clear(&s);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		CU_ASSERT_EQUAL(scram_secret_parse(bad[i], &s), -1);
		CU_ASSERT_FALSE(scram_verify_password(bad[i], "pencil"));
	}
	CU_ASSERT_TRUE(scram_verify_password(rfc, "pencil"));
	CU_ASSERT_FALSE(scram_verify_password(rfc, "Pencil"));
	CU_ASSERT_TRUE(scram_is_secret(rfc));
	CU_ASSERT_FALSE(scram_is_secret("md54a0a68b43b6cd5cf266fa02f196e2371"));
	free(rfc);
}

static void
test_build_secret_random_salt(void)
{
	char	   *a = scram_build_secret("same", 0);
	char	   *b = scram_build_secret("same", 1000);

	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	CU_ASSERT_EQUAL(strncmp(b, "SCRAM-SHA-256$1000:", 19), 0);
	CU_ASSERT_TRUE(scram_verify_password(a, "same"));
	CU_ASSERT_TRUE(scram_verify_password(b, "same"));
	CU_ASSERT_FALSE(scram_verify_password(b, "Same"));
	free(a);
	free(b);
}

/* A server session that has consumed "n,,n=,r=abc" and answered with nonce "abcXYZ". */
static scram_server *
server_after_first(const char *mechanism)
{
	scram_server *s = scram_server_new("pw", "alice");
	const char *first = strcmp(mechanism, SCRAM_MECHANISM) == 0 ?
		"n,,n=,r=abc" : "p=tls-server-end-point,,n=,r=abc";
	char	   *out = NULL;
	char	   *error = NULL;

	CU_ASSERT_EQUAL(scram_server_select_mechanism(s, mechanism, hash_a, 32, &error), 0);
	scram_server_set_nonce(s, "XYZ");
	CU_ASSERT_EQUAL(scram_server_handle_client_first(s, first, strlen(first), &out, &error), 0);
	free(out);
	return s;
}

typedef struct bad_message
{
	const char *msg;
	size_t		len;			/* 0: strlen(msg) */
	const char *error;
	const char *detail;			/* NULL: no DETAIL expected */
} bad_message;

static void
check_server_rejects(const bad_message *m, bool final, const char *mechanism)
{
	scram_server *s;
	char	   *out = (char *) "unset";
	char	   *error = NULL;
	size_t		len = m->len ? m->len : strlen(m->msg);
	int			rc;

	if (final)
	{
		s = server_after_first(mechanism);
		rc = scram_server_handle_client_final(s, m->msg, len, &out, &error);
	}
	else
	{
		s = scram_server_new("pw", "alice");
		CU_ASSERT_EQUAL(scram_server_select_mechanism(s, mechanism, hash_a, 32, &error), 0);
		rc = scram_server_handle_client_first(s, m->msg, len, &out, &error);
	}
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(error);
	if (strcmp(error, m->error) != 0)
		fprintf(stderr, "\n  %s: got error \"%s\"\n", m->msg, error);
	CU_ASSERT_STRING_EQUAL(error, m->error);
	if (m->detail == NULL)
	{
		CU_ASSERT_PTR_NULL(scram_server_error_detail(s));
	}
	else if (scram_server_error_detail(s) == NULL ||
			 strcmp(scram_server_error_detail(s), m->detail) != 0)
		CU_FAIL(m->detail);
	CU_ASSERT_PTR_NOT_NULL(scram_server_error_sqlstate(s));
	CU_ASSERT_FALSE(scram_server_succeeded(s));
	/* a failed session accepts nothing more */
	free(error);
	error = NULL;
	CU_ASSERT_EQUAL(scram_server_handle_client_final(s, "c=biws", 6, &out, &error), -1);
	free(error);
	scram_server_free(s);
}

#define M "malformed SCRAM message"

static void
test_server_bad_client_first(void)
{
	const bad_message plain[] = {
		{"", 0, M, "The message is empty."},
		{"n,,n=,r=a\0b", 11, M, "Message length does not match input length."},
		{"x,,n=,r=abc", 0, M, "Unexpected channel-binding flag \"'x'\"."},
		{"n;,n=,r=abc", 0, M, "Comma expected, but found character \"';'\"."},
		{"n,a=bob,n=,r=abc", 0, "client uses authorization identity, but it is not supported", NULL},
		{"n,x,n=,r=abc", 0, M, "Unexpected attribute \"'x'\" in client-first-message."},
		{"n,,m=ext,n=,r=abc", 0, "client requires an unsupported SCRAM extension", NULL},
		{"n,,r=abc", 0, M, "Expected attribute \"n\" but found \"'r'\"."},
		{"n,,n=", 0, M, "Expected attribute \"r\" but found \"0x00\"."},
		{"n,,n=,r", 0, M, "Expected character \"=\" for attribute \"r\"."},
		{"n,,n=,r=a\x01z", 0, "non-printable characters in SCRAM nonce", NULL},
		{"n,,n=,r=abc,1=x", 0, M, "Attribute expected, but found invalid character \"'1'\"."},
		{"p=tls-server-end-point,,n=,r=abc", 0, M,
		"The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data."},
		{"y,,n=,r=abc", 0, "SCRAM channel binding negotiation error",
		"The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding."},
	};
	const bad_message plus[] = {
		{"p=tls-unique,,n=,r=abc", 0, "unsupported SCRAM channel-binding type \"tls-unique\"", NULL},
		{"n,,n=,r=abc", 0, M,
		"The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data."},
	};

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		check_server_rejects(&plain[i], false, SCRAM_MECHANISM);
	for (size_t i = 0; i < sizeof(plus) / sizeof(plus[0]); i++)
		check_server_rejects(&plus[i], false, SCRAM_MECHANISM_PLUS);
}

#define PROOF0 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

static void
test_server_bad_client_final(void)
{
	const bad_message plain[] = {
		{"", 0, M, "The message is empty."},
		{"r=abcXYZ,p=" PROOF0, 0, M, "Expected attribute \"c\" but found \"'r'\"."},
		{"c=eSws,r=abcXYZ,p=" PROOF0, 0,
		"unexpected SCRAM channel-binding attribute in client-final-message", NULL},
		{"c=biws,p=" PROOF0, 0, M, "Expected attribute \"r\" but found \"'p'\"."},
		{"c=biws,r=abcXYZ", 0, M, "Attribute expected, but found end of string."},
		{"c=biws,r=abcXYZ,p=!!!!", 0, M, "Malformed proof in client-final-message."},
		{"c=biws,r=abcXYZ,p=QUJD", 0, M, "Malformed proof in client-final-message."},
		{"c=biws,r=abcXYZ,p=" PROOF0 ",x=1", 0, M,
		"Garbage found at the end of client-final-message."},
		{"c=biws,r=abcXYW,p=" PROOF0, 0, "invalid SCRAM response", "Nonce does not match."},
		{"c=biws,r=abc,p=" PROOF0, 0, "invalid SCRAM response", "Nonce does not match."},
		{"c=biws,r=abcXYZ,x=ext,p=" PROOF0, 0, AUTH_FAILED, NULL},
	};
	const bad_message plus[] = {
		{"c=biws,r=abcXYZ,p=" PROOF0, 0, "SCRAM channel binding check failed", NULL},
		{"c=cD10bHMtc2VydmVyLWVuZC1wb2ludCws,r=abcXYZ,p=" PROOF0, 0,
		"SCRAM channel binding check failed", NULL},
		{"c=!,r=abcXYZ,p=" PROOF0, 0, "SCRAM channel binding check failed", NULL},
	};

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		check_server_rejects(&plain[i], true, SCRAM_MECHANISM);
	for (size_t i = 0; i < sizeof(plus) / sizeof(plus[0]); i++)
		check_server_rejects(&plus[i], true, SCRAM_MECHANISM_PLUS);
}

static void
test_server_order_and_empty_initial(void)
{
	scram_server *s = scram_server_new("pw", "alice");
	char	   *out = NULL;
	char	   *error = NULL;
	const char *first = "n,,n=,r=abc";

	/* SASLInitialResponse without data: an empty challenge, then the real client-first */
	CU_ASSERT_EQUAL(scram_server_handle_client_first(s, NULL, 0, &out, &error), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	free(out);
	CU_ASSERT_EQUAL(scram_server_handle_client_first(s, first, strlen(first), &out, &error), 0);
	CU_ASSERT_EQUAL(strncmp(out, "r=abc", 5), 0);
	CU_ASSERT_EQUAL(strlen(out), strlen("r=abc,s=,i=4096") + 24 + 24);
	free(out);
	CU_ASSERT_EQUAL(scram_server_handle_client_first(s, first, strlen(first), &out, &error), -1);
	CU_ASSERT_PTR_NULL(out);
	free(error);
	scram_server_free(s);
	s = scram_server_new("pw", "alice");
	CU_ASSERT_EQUAL(scram_server_handle_client_final(s, "c=biws", 6, &out, &error), -1);
	CU_ASSERT_STRING_EQUAL(error, "unexpected SCRAM message in this state");
	free(error);
	scram_server_free(s);
	s = scram_server_new("pw", "alice");
	CU_ASSERT_EQUAL(scram_server_select_mechanism(s, "MD5", NULL, 0, &error), -1);
	CU_ASSERT_STRING_EQUAL(error, "client selected an invalid SASL authentication mechanism");
	scram_server_free(s);
	free(error);
}

/* A client that sent "n,,n=,r=abc"; msg is its server-first (or, when final, its server-final). */
static void
check_client_rejects(const char *msg, size_t len, bool final, const char *expected)
{
	scram_client *c = scram_client_new("pencil");
	char	   *first;
	char	   *out = NULL;
	char	   *error = NULL;
	int			rc;
	const char *server_first = "r=abcXYZ,s=QUJD,i=4096";

	scram_client_set_nonce(c, "abc");
	first = scram_client_first_message(c, SCRAM_MECHANISM);
	CU_ASSERT_STRING_EQUAL(first, "n,,n=,r=abc");
	if (final)
	{
		CU_ASSERT_EQUAL(scram_client_handle_server_first(c, server_first, strlen(server_first),
														 &out, &error), 0);
		rc = scram_client_verify_server_final(c, msg, len ? len : strlen(msg), &error);
	}
	else
	{
		rc = scram_client_handle_server_first(c, msg, len ? len : strlen(msg), &out, &error);
		CU_ASSERT_PTR_NULL(out);
	}
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(error);
	if (strcmp(error, expected) != 0)
		fprintf(stderr, "\n  %s: got \"%s\"\n", msg, error);
	CU_ASSERT_STRING_EQUAL(error, expected);
	free(error);
	free(out);
	free(first);
	scram_client_free(c);
}

static void
test_client_bad_server_messages(void)
{
	check_client_rejects("", 0, false, M " (empty message)");
	check_client_rejects("r=abcX\0,s=QUJD,i=1", 18, false, M " (length mismatch)");
	check_client_rejects("s=QUJD,i=4096", 0, false, M " (attribute \"r\" expected)");
	check_client_rejects("r", 0, false, M " (expected character \"=\" for attribute \"r\")");
	check_client_rejects("r=abd123,s=QUJD,i=4096", 0, false, "invalid SCRAM response (nonce mismatch)");
	check_client_rejects("r=abc,s=QUJD,i=4096", 0, false, "invalid SCRAM response (nonce mismatch)");
	check_client_rejects("r=abc1,i=4096", 0, false, M " (attribute \"s\" expected)");
	check_client_rejects("r=abc1,s=Q!JD,i=4096", 0, false, M " (invalid salt)");
	check_client_rejects("r=abc1,s=,i=4096", 0, false, M " (invalid salt)");
	check_client_rejects("r=abc1,s=QUJD", 0, false, M " (attribute \"i\" expected)");
	check_client_rejects("r=abc1,s=QUJD,i=0", 0, false, M " (invalid iteration count)");
	check_client_rejects("r=abc1,s=QUJD,i=-1", 0, false, M " (invalid iteration count)");
	check_client_rejects("r=abc1,s=QUJD,i=12x", 0, false, M " (invalid iteration count)");
	check_client_rejects("r=abc1,s=QUJD,i=99999999999", 0, false, M " (invalid iteration count)");
	check_client_rejects("r=abc1,s=QUJD,i=1,x=y", 0, false,
						 M " (garbage at end of server-first-message)");
	check_client_rejects("e=invalid-proof", 0, true,
						 "error received from server in SCRAM exchange: invalid-proof");
	check_client_rejects("x=1", 0, true, M " (attribute \"v\" expected)");
	check_client_rejects("v=QUJD", 0, true, M " (invalid server signature)");
	check_client_rejects("v=" PROOF0, 0, true, "incorrect server signature");
	check_client_rejects("v=" PROOF0 ",x=1", 0, true,
						 M " (garbage at end of server-final-message)");
}

static void
test_client_first_variants(void)
{
	scram_client *c = scram_client_new("pw");
	char	   *first;

	/* -PLUS needs the certificate hash; unknown mechanisms are refused */
	CU_ASSERT_PTR_NULL(scram_client_first_message(c, SCRAM_MECHANISM_PLUS));
	CU_ASSERT_PTR_NULL(scram_client_first_message(c, "SCRAM-SHA-1"));
	scram_client_set_nonce(c, "N0nce");
	scram_client_set_username(c, "a,b=c");
	first = scram_client_first_message(c, SCRAM_MECHANISM);
	CU_ASSERT_STRING_EQUAL(first, "n,,n=a=2Cb=3Dc,r=N0nce");
	free(first);
	/* one client-first per session */
	CU_ASSERT_PTR_NULL(scram_client_first_message(c, SCRAM_MECHANISM));
	scram_client_free(c);

	c = scram_client_new("pw");
	scram_client_set_channel_binding(c, hash_a, 32);
	first = scram_client_first_message(c, SCRAM_MECHANISM);
	CU_ASSERT_EQUAL(strncmp(first, "y,,n=,r=", 8), 0);
	CU_ASSERT_EQUAL(strlen(first), 8 + 24);	/* 18 random bytes in base64 */
	free(first);
	scram_client_free(c);

	c = scram_client_new("pw");
	scram_client_set_channel_binding(c, hash_a, 32);
	first = scram_client_first_message(c, SCRAM_MECHANISM_PLUS);
	CU_ASSERT_EQUAL(strncmp(first, "p=tls-server-end-point,,n=,r=", 29), 0);
	free(first);
	scram_client_free(c);
}

static void
check_choice(const char *list, size_t len, bool tls, bool bind, const char *expected)
{
	const char *mech = NULL;
	char	   *error = NULL;
	int			rc = scram_choose_mechanism(list, len, tls, bind, &mech, &error);

	if (strncmp(expected, "SCRAM", 5) == 0)
	{
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(mech);
		CU_ASSERT_STRING_EQUAL(mech, expected);
	}
	else
	{
		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(error);
		CU_ASSERT_STRING_EQUAL(error, expected);
		free(error);
	}
}

static void
test_choose_mechanism(void)
{
	size_t		len;
	const char *both = scram_mechanism_list(true, &len);
	const char *plain;

	CU_ASSERT_EQUAL(len, 34);
	CU_ASSERT_EQUAL(memcmp(both, "SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0", 34), 0);
	check_choice(both, len, true, true, SCRAM_MECHANISM_PLUS);
	check_choice(both, len, true, false, SCRAM_MECHANISM);
	check_choice(both, len, false, false,
				 "server offered SCRAM-SHA-256-PLUS authentication over a non-SSL connection");
	plain = scram_mechanism_list(false, &len);
	CU_ASSERT_EQUAL(len, 15);
	check_choice(plain, len, true, true, SCRAM_MECHANISM);
	check_choice(plain, len, false, false, SCRAM_MECHANISM);
	check_choice("OAUTHBEARER\0\0", 13, false, false,
				 "none of the server's SASL authentication mechanisms are supported");
	check_choice("SCRAM-SHA-256", 13, false, false, "invalid SASL mechanism list from server");
	check_choice("SCRAM-SHA-256\0", 14, false, false, "invalid SASL mechanism list from server");
}

static CU_TestInfo protocol_tests[] = {
	{"RFC 7677 client", test_rfc7677_client},
	{"RFC 7677 client, bad server signature", test_rfc7677_client_bad_signature},
	{"RFC 7677 server", test_rfc7677_server},
	{"round trip with a secret", test_round_trip_secret},
	{"round trip with a cleartext password", test_round_trip_cleartext},
	{"doomed sessions fail like wrong passwords", test_round_trip_doomed},
	{"doomed sessions show a stable salt", test_doomed_session_shape},
	{"channel binding", test_channel_binding},
	{"server: malformed client-first", test_server_bad_client_first},
	{"server: malformed client-final", test_server_bad_client_final},
	{"server: order and empty initial response", test_server_order_and_empty_initial},
	{"client: malformed server messages", test_client_bad_server_messages},
	{"client: first message variants", test_client_first_variants},
	{"client: mechanism choice", test_choose_mechanism},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo secret_tests[] = {
	{"parse secrets", test_secret_parse},
	{"random salts", test_build_secret_random_salt},
	{"PostgreSQL 15 secrets verify", test_pg_vectors},
	{"PostgreSQL 15 secrets rebuilt", test_pg_vectors_rebuilt},
	{"SASLprep", test_saslprep},
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	CU_SuiteInfo suites[] = {
		{"scram protocol", NULL, NULL, NULL, NULL, protocol_tests},
		{"scram secrets", NULL, NULL, NULL, NULL, secret_tests},
		CU_SUITE_INFO_NULL,
	};

	return unit_run("test_scram", suites);
}
