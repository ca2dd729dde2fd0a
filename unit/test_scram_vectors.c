/*
 * SCRAM secrets captured from a real PostgreSQL 15 (SASLprep included, and raw bytes), checked
 * against our verifier, our client/server exchange and our secret builder; and SASLprep itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/aes.h"
#include "auth/saslprep.h"
#include "auth/scram.h"
#include "common/util.h"
#include "unit/test_scram.h"

/* Secrets PostgreSQL 15.x wrote (password_encryption scram-sha-256, CREATE ROLE ... PASSWORD). */
typedef struct pg_vector
{
	const char *role;
	const char *password;
	const char *secret;
} pg_vector;

static const pg_vector pg_vectors[] = {
	{"u_actrl", "a\x01""b\x7f",
	 "SCRAM-SHA-256$4096:JYRLU+TnWL6VYX2tEjT9yg=="
	 "$h97BWPO6pP5v6g9nH2f7CVxqelTORdjg9zt8aunHTGA=:u1KwpAaV6+TCp++jchrnSgBjaDP1Vz54mFc585NJ0uU="},
	{"u_ascii", "pencil",
	 "SCRAM-SHA-256$4096:z663OxqpLaQjIQtL0x4P0Q=="
	 "$HWLpIL/zlGNE0cQAYLkWP3RWX5EmEYARBY74bUdKlw0=:01S3NprOwbfi68zVpzDF8mYPr0jvWHFf0wT0NXVxKF4="},
	{"u_bidimix", "abc\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",
	 "SCRAM-SHA-256$4096:oYYOBe4LE5E9nhsP6/hryg=="
	 "$Pzl18NHPEVVofrIzziVg7Wn5hS8u2gkpziic17tw1TM=:ti5RKa7DaeCuRskpO0/O6TBEeZiiH2X54O9FC7Pcn5g="},
	{"u_decomp", "pa\xcc\x88ssword",
	 "SCRAM-SHA-256$4096:Lrmb6kBnm5rFgGKRe12hnw=="
	 "$z4m1ycC6y7budh5KJJwKCaoCcfgE2V3nglTLsv+sgY4=:BehQHLUyiCKlRufM69R+1yO+Y32gMB3xCDaiALlze94="},
	{"u_emoji", "smile\xf0\x9f\x98\x80",
	 "SCRAM-SHA-256$4096:nyiLnAZSgF7kw2yN0F0bcg=="
	 "$lIqcH4Tlne4Xw3c11qZYkZbYk2i++CFwigTEepzYV3s=:QjO6y8wS7mRsVJrcb6eDRhPH9LZQI+eiqoOtHRDTvtk="},
	{"u_full", "\xef\xbd\x90\xef\xbd\x81\xef\xbd\x93\xef\xbd\x93",
	 "SCRAM-SHA-256$4096:cgOCj7nFJzAGIG6gMj459Q=="
	 "$RlmBYXcFL/GaMXscXMbn+1m4hIF/U3psldGZRaFbyUE=:NYsx1HyntJfyTxSVnStsC58oKimuNV9B1MMbx036i3o="},
	{"u_hangul", "\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab\xe1\x84\x80\xe1\x85\xb3\xe1\x86\xaf",
	 "SCRAM-SHA-256$4096:WmFNnlcHX+Ax+wAel+6/mw=="
	 "$G7BKdijUzo1zuPA345FKqB4UEXpcv8FEe1/7CCkHD9M=:6lrhVF0xGMZRYihMkJ0zR/tlXh3709bqos7t+qZWuOo="},
	{"u_hebrew", "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",
	 "SCRAM-SHA-256$4096:+zsZjQ8dj6YQtRkQWYAsZQ=="
	 "$gqn5Z2bV6P8SBc9xCpRlZTLx+/7hTGQTV+wKt7MiwiU=:vBCoJuk2XH5+kA8KJT+ppVN9paDju4OZrE5dAjK2I8M="},
	{"u_lig", "\xef\xac\x81ne",
	 "SCRAM-SHA-256$4096:ZnoLStiFTqH6lwh6eyDTFQ=="
	 "$HUwZsYnlkR4ToSLDjz9XGHKvh7nHsybmghVxiBB0J3E=:X7zA0/I+zkKlguRTdEOEAaI3uR6zF+gF9lD76BxQyz4="},
	{"u_mctrl", "\xc3\xa4\x01",
	 "SCRAM-SHA-256$4096:S6l79atDN9Hf8K8XZ2V+iA=="
	 "$xZ05Bc2ADwBNVFUy4s6oXuFp3ET80p6WTdYS7UZ/DoM=:AFU58vbWv6tgIB+6Ijk3Pb0qj/SfPyl52J6I/4b+i+4="},
	{"u_nbsp", "pass\xc2\xa0word",
	 "SCRAM-SHA-256$4096:wiwzoTgjv1vNTCQlEudE3w=="
	 "$kb25MfTvaWQ9l+V5Igwfh7QFnj2o7shP7mz/W6UVXvQ=:vY2lGd/AYvEkEY19AM1FZP+qYI+PliDKqes8CAqdSgY="},
	{"u_ohm", "\xe2\x84\xa6mega",
	 "SCRAM-SHA-256$4096:opR/yc2yd0VRDtpTZpRPzg=="
	 "$Nv3eJHLXQ83NQJpPEYG2fbEDLIqENoJr3negz1FbtZg=:zQ2ShvraAbFhxplYzOp2Uwilp/OrLX0ka/3n0Q6xYUk="},
	{"u_order", "q\xcc\xa3\xcc\x87x",
	 "SCRAM-SHA-256$4096:+tV7Q41d5mixT1PwShyZpw=="
	 "$pwOvdS0cCGYn1OdVJ7bl/DM0vil+ygJa56e/CKwFKUI=:gpDk702dwk4mRcok9c4UHo1QRbfcblpJckp5TGgS5gM="},
	{"u_order2", "q\xcc\x87\xcc\xa3x",
	 "SCRAM-SHA-256$4096:KesMeGHBIKQAaJKlgpOZ5g=="
	 "$3MYho4fxBinqF89nBTRfRAUmy21IGlOOnSq4CkH9M7o=:UKOOoOdoVPrkAJdSB8bXMKt4QFv0Mywm/zNVY0nzXUI="},
	{"u_shy", "pass\xc2\xadword",
	 "SCRAM-SHA-256$4096:8ND4cHq3z6w/Gkv+G8kPWQ=="
	 "$Cmy90abYIf4eh5yEAq1Wg9ve6/ERv54DLQM0lA7AEO8=:f4BCjX4eRqqoqmGEFif+hwohk6KP9GMCFVGkwQO3Iyw="},
	{"u_unassigned", "x\xc8\xa1",
	 "SCRAM-SHA-256$4096:lA4n4TzWWaMIeQ47AKtmMA=="
	 "$PCwecuFog/V2gA6Tn1AXp5vZaXdPcvMzVtCDVREWeE4=:piobPqmBu0c6GtMPMez7VLAWs9XS/HOzarWBlN8MFy8="},
	{"u_utf8", "p\xc3\xa4ssw\xc3\xb6rd",
	 "SCRAM-SHA-256$4096:uYZhtpQ3vQ6/eujYLsPP2g=="
	 "$eeeL2Wnsvvu7X3d0VvEPV3X3rDLu58V/v/dgcQL/1ys=:M6azdtjVz0gBBoxbtesOjZQ1jhu3psXRind52bGg5YQ="},
	{"u_zwsp", "pass\xe2\x80\x8bword",
	 "SCRAM-SHA-256$4096:M4XP3e/Xsrzew4oLtiDKNg=="
	 "$4ounVenjaWeUVXzLaimg89LtL/AUwK1kq/1sowPEaw0=:BdK/IcrI+3Y0HBk2PTJK8gpyvFWQXwcawZny+4o90aA="},
	/* not UTF-8: raw bytes (created in a SQL_ASCII database) */
	{"u_rawbytes", "pw\xff\xfe\xc3",
	 "SCRAM-SHA-256$4096:P9XVf/YqCD7CMu2myFfWZA=="
	 "$kyHiNOyrC4HWGqtKS49RpjivYkJJ0GUdP9xCt8MFMm8=:HL4h+7bRYc5qOG3jiAoUzp41Iy6i5BWObyr8SvFYS1g="},
	/* U+1F190: unassigned in Unicode 3.2, so raw, not its NFKC "DJ" */
	{"u_dj", "\xf0\x9f\x86\x90",
	 "SCRAM-SHA-256$4096:qUqAJkMi8x/2SwIc+zupAg=="
	 "$IdroIL2XeDXNigGsvTq5h6/Lb2+yWXQF2wkcLkd7GMI=:liFvkqoz2aAOA73kRHC1P4yjYHUB//7C/PAdW0OsQGo="},
	/* U+10781 (Unicode 14): raw as well */
	{"u_uni14", "a\xf0\x90\x9e\x81",
	 "SCRAM-SHA-256$4096:VKaFZhmRv6UkBhVXyIBvRg=="
	 "$m+BA+K7A46mf7vN9tIa71OACCR0JY4VoJN2ub0K66vI=:42r8BqktEac2JjvJK1zfrkDE7ifOmhSRFyrcIgTfmfk="},
};

#define N_PG_VECTORS (sizeof(pg_vectors) / sizeof(pg_vectors[0]))

void
test_pg_vectors(void)
{
	for (size_t i = 0; i < N_PG_VECTORS; i++)
	{
		const pg_vector *v = &pg_vectors[i];
		char	   *wrong = xasprintf("%s!", v->password);
		exchange	x = {.server_secret = v->secret, .client_password = v->password};

		if (!scram_verify_password(v->secret, v->password))
			fprintf(stderr, "\n  PostgreSQL vector %s not accepted\n", v->role);
		CU_ASSERT_TRUE(scram_verify_password(v->secret, v->password));
		CU_ASSERT_FALSE(scram_verify_password(v->secret, wrong));
		expect_success(&x);
		x.client_password = wrong;
		expect_failure(&x, AUTH_FAILED);
		free(wrong);
	}
}

/* Rebuilding each secret with PostgreSQL's salt must give PostgreSQL's text, byte for byte. */
void
test_pg_vectors_rebuilt(void)
{
	for (size_t i = 0; i < N_PG_VECTORS; i++)
	{
		const pg_vector *v = &pg_vectors[i];
		const char *salt_b64 = strchr(v->secret, ':') + 1;
		char	   *salt_text = xstrndup(salt_b64, (size_t) (strchr(salt_b64, '$') - salt_b64));
		unsigned char *salt = NULL;
		int			len = aes_base64_decode(salt_text, &salt);
		char	   *built = scram_build_secret_with_salt(v->password, salt, (size_t) len, 4096);

		CU_ASSERT_STRING_EQUAL(built, v->secret);
		free(built);
		free(salt);
		free(salt_text);
	}
}

/* Expected outputs follow PostgreSQL 15's pg_saslprep (checked through the vectors above). */
void
test_saslprep(void)
{
	const struct
	{
		const char *in;
		saslprep_result rc;
		const char *out;
	}			cases[] = {
		{"pencil", SASLPREP_OK, "pencil"},
		{"a\x01 b\x7f", SASLPREP_OK, "a\x01 b\x7f"},	/* ASCII passes unchecked */
		{"", SASLPREP_OK, ""},
		{"\xff", SASLPREP_INVALID_UTF8, NULL},
		{"a\xc3", SASLPREP_INVALID_UTF8, NULL},
		{"\xc0\xaf", SASLPREP_INVALID_UTF8, NULL},	/* overlong '/' */
		{"\xed\xa0\x80", SASLPREP_INVALID_UTF8, NULL},	/* surrogate */
		{"\xf4\x90\x80\x80", SASLPREP_INVALID_UTF8, NULL},	/* beyond U+10FFFF */
		{"\xe2\x82", SASLPREP_INVALID_UTF8, NULL},
		{"p\xc2\xa0w\xe3\x80\x80x", SASLPREP_OK, "p w x"},	/* NBSP, ideographic space */
		{"p\xc2\xadw\xe2\x80\x8dx\xef\xbb\xbf", SASLPREP_OK, "pwx"},	/* mapped to nothing */
		{"\xe2\x80\x8b", SASLPREP_OK, " "},	/* U+200B is a space first */
		{"\xef\xac\x81", SASLPREP_OK, "fi"},
		{"\xe2\x85\xa8", SASLPREP_OK, "IX"},	/* roman numeral nine */
		{"a\xcc\x88", SASLPREP_OK, "\xc3\xa4"},
		{"\xe2\x84\xab", SASLPREP_OK, "\xc3\x85"},	/* angstrom sign */
		{"\xe1\xba\x9b\xcc\xa3", SASLPREP_OK, "\xe1\xb9\xa9"},	/* long s, dots */
		{"q\xcc\x87\xcc\xa3", SASLPREP_OK, "q\xcc\xa3\xcc\x87"},	/* canonical order */
		{"\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab", SASLPREP_OK, "\xed\x95\x9c"},	/* jamo */
		{"\xea\xb0\x80\xe1\x86\xa8", SASLPREP_OK, "\xea\xb0\x81"},	/* LV + T */
		{"\xe3\x8c\x80", SASLPREP_OK, "\xe3\x82\xa2\xe3\x83\x91\xe3\x83\xbc\xe3\x83\x88"},
		{"\xef\xb7\xba", SASLPREP_OK, NULL},	/* U+FDFA: 18 code points */
		{"\xd7\xa9\xd7\x9c", SASLPREP_OK, "\xd7\xa9\xd7\x9c"},
		{"a\xd7\xa9", SASLPREP_PROHIBITED, NULL},	/* RandAL with L */
		{"\xd7\xa9" "1", SASLPREP_PROHIBITED, NULL},	/* must end with RandAL */
		{"\xd7\xa9" "1\xd7\x9c", SASLPREP_OK, "\xd7\xa9" "1\xd7\x9c"},
		{"\xc3\xa4\x01", SASLPREP_PROHIBITED, NULL},
		{"\xee\x80\x80", SASLPREP_PROHIBITED, NULL},	/* private use */
		{"x\xc8\xa1", SASLPREP_PROHIBITED, NULL},	/* unassigned in Unicode 3.2 */
		{"\xf0\x9f\x98\x80", SASLPREP_PROHIBITED, NULL},
		{"\xf0\x9f\x86\x90", SASLPREP_PROHIBITED, NULL},	/* checked before NFKC ("DJ") */
		{"\xef\xbf\xbe", SASLPREP_PROHIBITED, NULL},	/* non-character */
		{"\xe2\x80\x8e", SASLPREP_PROHIBITED, NULL},	/* left-to-right mark */
		{"\xc3\xa4\xc2\x80", SASLPREP_PROHIBITED, NULL},	/* C1 control */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char	   *out = NULL;
		saslprep_result rc = saslprep(cases[i].in, &out);

		if (rc != cases[i].rc)
			fprintf(stderr, "\n  saslprep case %zu: %d\n", i, (int) rc);
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (cases[i].rc != SASLPREP_OK)
		{
			CU_ASSERT_PTR_NULL(out);
		}
		else if (cases[i].out != NULL && out != NULL)
		{
			CU_ASSERT_STRING_EQUAL(out, cases[i].out);
		}
		free(out);
	}
}
