/*
 * Unit tests for auth/: md5 and AES helpers (with vectors produced by Debian's pgpool2 4.3.5
 * pg_md5 and pg_enc), pool_passwd reading and writing, and pcp.conf. pool_hba.conf tests are
 * in test_auth_hba.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/aes.h"
#include "auth/md5.h"
#include "auth/passwd.h"
#include "auth/pcp_users.h"
#include "common/diag.h"
#include "common/util.h"
#include "unit/runner.h"

extern CU_TestInfo hba_tests[];

static void
test_md5_vectors(void)
{
	char		hex[MD5_HEX_LEN + 1];
	char		secret[MD5_PASSWD_LEN + 1];

	md5_hex("", 0, hex);
	CU_ASSERT_STRING_EQUAL(hex, "d41d8cd98f00b204e9800998ecf8427e");
	md5_hex("hello", 5, hex);
	CU_ASSERT_STRING_EQUAL(hex, "5d41402abc4b2a76b9719d911017c592");
	md5_hex("h\xc3\xa9llo", 6, hex);	/* pg_md5 'héllo' */
	CU_ASSERT_STRING_EQUAL(hex, "be50e8478cf24ff3595bc7307fb91b50");
	/* pg_md5 -m -u alice secret wrote this line */
	md5_password_secret("secret", "alice", secret);
	CU_ASSERT_STRING_EQUAL(secret, "md54a0a68b43b6cd5cf266fa02f196e2371");
	CU_ASSERT_TRUE(md5_is_hex("4a0a68b43b6cd5cf266fa02f196e2371"));
	CU_ASSERT_FALSE(md5_is_hex("4a0a68b43b6cd5cf266fa02f196e237"));
	CU_ASSERT_FALSE(md5_is_hex("4a0a68b43b6cd5cf266fa02f196e237z"));
}

static void
test_md5_client_answer(void)
{
	const unsigned char salt[4] = {0xde, 0xad, 0xbe, 0xef};
	char		answer[MD5_PASSWD_LEN + 1];

	CU_ASSERT_TRUE(md5_client_answer("md54a0a68b43b6cd5cf266fa02f196e2371", salt, answer));
	CU_ASSERT_STRING_EQUAL(answer, "md53e1d73ba00a55e8805aa0277d29996c5");
	CU_ASSERT_TRUE(md5_answer_matches(answer, "md53e1d73ba00a55e8805aa0277d29996c5"));
	CU_ASSERT_FALSE(md5_answer_matches(answer, "md53e1d73ba00a55e8805aa0277d29996c4"));
	CU_ASSERT_FALSE(md5_answer_matches(answer, "md5"));
	CU_ASSERT_FALSE(md5_client_answer("TEXTsecret", salt, answer));
}

static void
check_decrypts(const char *b64, const char *key, const char *expected)
{
	char	   *plain = NULL;

	CU_ASSERT_EQUAL_FATAL(aes_decrypt_b64(b64, key, &plain), 0);
	CU_ASSERT_STRING_EQUAL(plain, expected);
	free(plain);
}

static void
check_encrypts(const char *plain, const char *key, const char *expected)
{
	char	   *b64 = NULL;

	CU_ASSERT_EQUAL_FATAL(aes_encrypt_b64(plain, strlen(plain), key, &b64), 0);
	CU_ASSERT_STRING_EQUAL(b64, expected);
	free(b64);
}

/* Fixed vectors from Debian's /usr/sbin/pg_enc -K KEY PASSWORD (no salt: deterministic). */
static void
test_aes_debian_vectors(void)
{
	const char *long_pw = "a much longer password: 0123456789 \xc3\xbc";
	const char *long_ct = "BqfljI9vYFh9QfZFCNVqnEFtYQOjPR0X+bwEXx98E9dmT90F3ucJy7HN0qh79ViS";

	check_decrypts("TVTe6Y89KiLaE0PWkPIhgw==", "secretkey", "hello");
	check_decrypts("mezHUOomUbFTiplzDaPs0Q==", "secretkey", "");
	check_decrypts("MwJaAGt/727r3nFNZxIgIg==", "secretkey", "new");
	check_decrypts(long_ct, "pass phrase", long_pw);
	check_encrypts("hello", "secretkey", "TVTe6Y89KiLaE0PWkPIhgw==");
	check_encrypts("", "secretkey", "mezHUOomUbFTiplzDaPs0Q==");
	check_encrypts(long_pw, "pass phrase", long_ct);
}

static void
test_aes_failures(void)
{
	char	   *out = NULL;

	CU_ASSERT_EQUAL(aes_decrypt_b64("TVTe6Y89KiLaE0PWkPIhgw==", "wrong key", &out), -1);
	CU_ASSERT_EQUAL(aes_decrypt_b64("not base64!", "secretkey", &out), -1);
	CU_ASSERT_EQUAL(aes_decrypt_b64("TVTe6Y89KiLaE0PWkPIhgw", "secretkey", &out), -1);
	CU_ASSERT_EQUAL(aes_decrypt_b64("", "secretkey", &out), -1);
	CU_ASSERT_PTR_NULL(out);
}

static void
test_base64(void)
{
	unsigned char *raw;
	char	   *text = aes_base64_encode((const unsigned char *) "any carnal pleasure", 19);

	CU_ASSERT_STRING_EQUAL(text, "YW55IGNhcm5hbCBwbGVhc3VyZQ==");
	CU_ASSERT_EQUAL(aes_base64_decode(text, &raw), 19);
	CU_ASSERT_EQUAL(memcmp(raw, "any carnal pleasure", 19), 0);
	free(raw);
	free(text);
	CU_ASSERT_EQUAL(aes_base64_decode("YW55\nIGNh", &raw), 6);
	free(raw);
	CU_ASSERT_EQUAL(aes_base64_decode("YW5=5", &raw), -1);
	CU_ASSERT_EQUAL(aes_base64_decode("YW5", &raw), -1);
}

static void
test_key_file(void)
{
	char	   *path = unit_write_temp_file("secretkey\nsecond line\n");
	char	   *key;
	diag_list	diags;

	diag_init(&diags);
	chmod(path, 0600);
	key = aes_read_key_file(path, &diags);
	CU_ASSERT_STRING_EQUAL(key, "secretkey");
	CU_ASSERT_EQUAL(diags.count, 0);
	free(key);
	chmod(path, 0644);
	key = aes_read_key_file(path, &diags);
	CU_ASSERT_STRING_EQUAL(key, "secretkey");
	CU_ASSERT_PTR_NOT_NULL(diag_find(&diags, "group or world access"));
	free(key);
	CU_ASSERT_PTR_NULL(aes_read_key_file("/nonexistent/key", &diags));
	CU_ASSERT_PTR_NULL(aes_read_key_file("/tmp", &diags));
	CU_ASSERT_PTR_NOT_NULL(diag_find(&diags, "is not a plain file"));
	unlink(path);
	free(path);
	diag_free(&diags);
	setenv(AES_KEY_FILE_ENV, "/some/where/key", 1);
	key = aes_key_file_default();
	CU_ASSERT_STRING_EQUAL(key, "/some/where/key");
	free(key);
	unsetenv(AES_KEY_FILE_ENV);
}

static const char passwd_text[] =
"alice:md54a0a68b43b6cd5cf266fa02f196e2371\n"
"carol:AESTVTe6Y89KiLaE0PWkPIhgw==\n"
"\n"
"# comment\n"
"dave:TEXTplain pass\n"
"erin:bare\n"
"frank:SCRAM-SHA-256$4096\\:c2FsdA==$c3RvcmVk\\:c2VydmVy\n"
"no separator here\n"
":md54a0a68b43b6cd5cf266fa02f196e2371\n"
"gina:\n"
"hank:AES***\n"
"alice:md500000000000000000000000000000000\n"
"ivan:md5short\n"
"jo\\:hn:TEXTx:backend:TEXTy\n";

static void
test_passwd_load(void)
{
	char	   *path = unit_write_temp_file(passwd_text);
	passwd_file *file;
	diag_list	diags;
	const passwd_entry *e;

	diag_init(&diags);
	CU_ASSERT_EQUAL(passwd_load(path, &file, &diags), -1);
	CU_ASSERT_EQUAL(file->count, 8);
	CU_ASSERT_EQUAL(diag_count(&diags, DIAG_ERROR), 4);
	CU_ASSERT_EQUAL(diag_find(&diags, "missing ':'")->line, 8);
	CU_ASSERT_EQUAL(diag_find(&diags, "empty user name")->line, 9);
	CU_ASSERT_EQUAL(diag_find(&diags, "empty password")->line, 10);
	CU_ASSERT_EQUAL(diag_find(&diags, "not valid base64")->line, 11);
	CU_ASSERT_EQUAL(diag_find(&diags, "duplicate entry for user \"alice\"")->line, 12);
	CU_ASSERT_EQUAL(diag_find(&diags, "ivan")->line, 13);
	e = passwd_find(file, "alice");
	CU_ASSERT_EQUAL_FATAL(e->kind, PASSWD_MD5);
	CU_ASSERT_STRING_EQUAL(e->secret, "md54a0a68b43b6cd5cf266fa02f196e2371");
	CU_ASSERT_EQUAL(passwd_find(file, "carol")->kind, PASSWD_AES);
	CU_ASSERT_EQUAL(passwd_find(file, "dave")->kind, PASSWD_TEXT);
	CU_ASSERT_EQUAL(passwd_find(file, "erin")->kind, PASSWD_PLAIN);
	CU_ASSERT_EQUAL(passwd_find(file, "ivan")->kind, PASSWD_PLAIN);
	e = passwd_find(file, "frank");
	CU_ASSERT_EQUAL_FATAL(e->kind, PASSWD_SCRAM);
	CU_ASSERT_STRING_EQUAL(e->secret, "SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy");
	e = passwd_find(file, "jo:hn");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_STRING_EQUAL(e->backend_user, "backend");
	CU_ASSERT_STRING_EQUAL(e->backend_secret, "TEXTy");
	CU_ASSERT_PTR_NULL(passwd_find(file, "nobody"));
	passwd_free(file);
	diag_free(&diags);
	unlink(path);
	free(path);
}

static void
test_passwd_cleartext(void)
{
	char	   *out = NULL;

	CU_ASSERT_EQUAL(passwd_cleartext("AESTVTe6Y89KiLaE0PWkPIhgw==", "secretkey", &out), 0);
	CU_ASSERT_STRING_EQUAL(out, "hello");
	free(out);
	CU_ASSERT_EQUAL(passwd_cleartext("TEXTplain pass", NULL, &out), 0);
	CU_ASSERT_STRING_EQUAL(out, "plain pass");
	free(out);
	CU_ASSERT_EQUAL(passwd_cleartext("bare", NULL, &out), 0);
	CU_ASSERT_STRING_EQUAL(out, "bare");
	free(out);
	CU_ASSERT_EQUAL(passwd_cleartext("AESTVTe6Y89KiLaE0PWkPIhgw==", NULL, &out), -1);
	CU_ASSERT_EQUAL(passwd_cleartext("md54a0a68b43b6cd5cf266fa02f196e2371", "k", &out), -1);
	CU_ASSERT_STRING_EQUAL(passwd_kind_name(PASSWD_SCRAM), "SCRAM-SHA-256");
}

static char *
read_all(const char *path)
{
	FILE	   *fp = fopen(path, "r");
	char	   *buf = xcalloc(1, 4096);

	if (fp != NULL)
	{
		size_t		n = fread(buf, 1, 4095, fp);

		buf[n] = '\0';
		fclose(fp);
	}
	return buf;
}

static void
test_passwd_update(void)
{
	char	   *path = unit_write_temp_file("alice:md5old\nbob:TEXTb\nalice:md5second\n");
	char	   *error;
	char	   *text;
	struct stat st;

	chmod(path, 0640);
	CU_ASSERT_EQUAL(passwd_update_file(path, "alice", "md5new", &error), 0);
	CU_ASSERT_EQUAL(passwd_update_file(path, "carol", "AESx", &error), 0);
	CU_ASSERT_EQUAL(passwd_update_file(path, "a:b", "TEXTz", &error), 0);
	text = read_all(path);
	CU_ASSERT_STRING_EQUAL(text, "alice:md5new\nbob:TEXTb\nalice:md5second\ncarol:AESx\na\\:b:TEXTz\n");
	free(text);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0640);
	unlink(path);
	/* a missing file is created, readable by its owner only */
	CU_ASSERT_EQUAL(passwd_update_file(path, "zed", "md5z", &error), 0);
	text = read_all(path);
	CU_ASSERT_STRING_EQUAL(text, "zed:md5z\n");
	free(text);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	unlink(path);
	free(path);
	CU_ASSERT_EQUAL(passwd_update_file("/nonexistent/dir/pool_passwd", "u", "md5", &error), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(error, "/nonexistent/dir/pool_passwd"));
	free(error);
}

static void
test_pcp_users(void)
{
	const unsigned char salt[4] = {1, 2, 3, 4};
	char	   *path = unit_write_temp_file(
											"# PCP users\n"
											"\n"
											"admin:0d0e5266f9ff6a4235a45222acf90cbb\n"
											"broken line\n"
											":0d0e5266f9ff6a4235a45222acf90cbb\n"
											"plain:notahash\n"
											"admin:ffffffffffffffffffffffffffffffff\n");
	pcp_users  *users;
	diag_list	diags;
	char		answer[MD5_HEX_LEN + 1];

	diag_init(&diags);
	CU_ASSERT_EQUAL(pcp_users_load(path, &users, &diags), -1);
	CU_ASSERT_EQUAL(users->count, 3);
	CU_ASSERT_EQUAL(diag_find(&diags, "missing ':'")->line, 4);
	CU_ASSERT_EQUAL(diag_find(&diags, "empty user name")->line, 5);
	CU_ASSERT_EQUAL(diag_find(&diags, "not an md5 hash")->line, 6);
	CU_ASSERT_EQUAL(diag_find(&diags, "duplicate")->line, 7);
	CU_ASSERT_EQUAL(diag_count(&diags, DIAG_ERROR), 2);
	pcp_users_expected_answer("0d0e5266f9ff6a4235a45222acf90cbb", "admin", salt, answer);
	CU_ASSERT_STRING_EQUAL(answer, "4faecc7f647852264a1667e5e7eafb40");
	CU_ASSERT_EQUAL(pcp_users_verify(users, "admin", salt, "4faecc7f647852264a1667e5e7eafb40"),
					PCP_USERS_AUTH_OK);
	CU_ASSERT_EQUAL(pcp_users_verify(users, "admin", salt, "4faecc7f647852264a1667e5e7eafb41"),
					PCP_USERS_AUTH_MISMATCH);
	CU_ASSERT_EQUAL(pcp_users_verify(users, "nobody", salt, "x"), PCP_USERS_AUTH_NO_USER);
	pcp_users_free(users);
	diag_free(&diags);
	unlink(path);
	free(path);
	CU_ASSERT_EQUAL(pcp_users_load("/nonexistent/pcp.conf", &users, &diags), -1);
	CU_ASSERT_EQUAL(users->count, 0);
	pcp_users_free(users);
	diag_free(&diags);
}

static CU_TestInfo crypto_tests[] = {
	{"md5 vectors", test_md5_vectors},
	{"md5 client answer", test_md5_client_answer},
	{"aes Debian pg_enc vectors", test_aes_debian_vectors},
	{"aes failures", test_aes_failures},
	{"base64", test_base64},
	{"key file", test_key_file},
	CU_TEST_INFO_NULL
};

static CU_TestInfo file_tests[] = {
	{"pool_passwd load", test_passwd_load},
	{"pool_passwd cleartext", test_passwd_cleartext},
	{"pool_passwd update", test_passwd_update},
	{"pcp.conf", test_pcp_users},
	CU_TEST_INFO_NULL
};

int
main(void)
{
	CU_SuiteInfo suites[] = {
		{"auth crypto", NULL, NULL, NULL, NULL, crypto_tests},
		{"auth files", NULL, NULL, NULL, NULL, file_tests},
		{"pool_hba", NULL, NULL, NULL, NULL, hba_tests},
		CU_SUITE_INFO_NULL
	};

	return unit_run("test_auth", suites);
}
