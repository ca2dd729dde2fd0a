/*
 * Unit tests for tools/tool_common.c: where pg_md5 -m and pg_enc -m find pool_passwd, and
 * reading a password from a pipe.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "tools/tool_common.h"
#include "unit/runner.h"

/* Writes a pgpool.conf with the given text in a fresh directory; returns its path. */
static char *
write_conf(const char *text)
{
	char		dir[] = "/tmp/pgng-unit-tools-XXXXXX";
	char	   *path;
	FILE	   *fp;

	if (mkdtemp(dir) == NULL)
		return NULL;
	path = xasprintf("%s/pgpool.conf", dir);
	fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
	return path;
}

static void
remove_conf(char *path)
{
	char	   *dir = path_dirname(path);

	unlink(path);
	rmdir(dir);
	free(dir);
	free(path);
}

static void
test_pool_passwd_path(void)
{
	char	   *conf = write_conf("port = 9999\n");
	char	   *dir = path_dirname(conf);
	char	   *expected = xasprintf("%s/pool_passwd", dir);
	char	   *got = tool_pool_passwd_path(conf);

	/* the default name, next to pgpool.conf */
	CU_ASSERT_STRING_EQUAL(got, expected);
	free(got);
	free(expected);
	free(dir);
	remove_conf(conf);

	conf = write_conf("pool_passwd = 'auth/users'\n");
	dir = path_dirname(conf);
	expected = xasprintf("%s/auth/users", dir);
	got = tool_pool_passwd_path(conf);
	CU_ASSERT_STRING_EQUAL(got, expected);
	free(got);
	free(expected);
	free(dir);
	remove_conf(conf);

	conf = write_conf("pool_passwd = '/etc/pgpool2/pool_passwd'\n");
	got = tool_pool_passwd_path(conf);
	CU_ASSERT_STRING_EQUAL(got, "/etc/pgpool2/pool_passwd");
	free(got);
	remove_conf(conf);
}

static void
test_pool_passwd_path_failures(void)
{
	char	   *conf = write_conf("pool_passwd = ''\n");

	/* both print their reason on stderr */
	CU_ASSERT_PTR_NULL(tool_pool_passwd_path(conf));
	remove_conf(conf);
	CU_ASSERT_PTR_NULL(tool_pool_passwd_path("/nonexistent/pgpool.conf"));
}

static void
test_prompt_from_pipe(void)
{
	char		buf[8];
	int			fds[2];
	int			saved = dup(STDIN_FILENO);

	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	CU_ASSERT_EQUAL(write(fds[1], "secret\nnext\n", 12), 12);
	close(fds[1]);
	dup2(fds[0], STDIN_FILENO);
	close(fds[0]);
	CU_ASSERT_EQUAL(tool_prompt("password: ", buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "secret");
	dup2(saved, STDIN_FILENO);
	close(saved);
	clearerr(stdin);
}

static CU_TestInfo tools_tests[] = {
	{"pool_passwd path from pgpool.conf", test_pool_passwd_path},
	{"pool_passwd path failures", test_pool_passwd_path_failures},
	{"prompt reads a pipe", test_prompt_from_pipe},
	CU_TEST_INFO_NULL
};

int
main(void)
{
	CU_SuiteInfo suites[] = {
		{"tools", NULL, NULL, NULL, NULL, tools_tests},
		CU_SUITE_INFO_NULL
	};

	return unit_run("test_tools", suites);
}
