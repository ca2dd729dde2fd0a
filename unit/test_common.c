/*
 * Unit tests for common/: string helpers, paths and the diagnostics list.
 */
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include "common/diag.h"
#include "common/log.h"
#include "common/ps_title.h"
#include "common/util.h"
#include "net/sock.h"
#include "unit/runner.h"

static void
test_trim(void)
{
	char		a[] = "  \t value  \n";
	char		b[] = "";
	char		c[] = "x";

	CU_ASSERT_STRING_EQUAL(str_trim(a), "value");
	CU_ASSERT_STRING_EQUAL(str_trim(b), "");
	CU_ASSERT_STRING_EQUAL(str_trim(c), "x");
}

static void
test_copy_truncates(void)
{
	char		buf[4];

	CU_ASSERT_EQUAL(str_copy(buf, "abcdef", sizeof(buf)), 6);
	CU_ASSERT_STRING_EQUAL(buf, "abc");
	CU_ASSERT_EQUAL(str_copy(buf, "ab", sizeof(buf)), 2);
	CU_ASSERT_STRING_EQUAL(buf, "ab");
}

static void
test_paths(void)
{
	char	   *d1 = path_dirname("/etc/pgpool2/pgpool.conf");
	char	   *d2 = path_dirname("pgpool.conf");
	char	   *d3 = path_dirname("/pgpool.conf");
	char	   *j1 = path_join_relative("/etc/pgpool2", "pool_passwd");
	char	   *j2 = path_join_relative("/etc/pgpool2", "/abs/pool_passwd");

	CU_ASSERT_STRING_EQUAL(d1, "/etc/pgpool2");
	CU_ASSERT_STRING_EQUAL(d2, ".");
	CU_ASSERT_STRING_EQUAL(d3, "/");
	CU_ASSERT_STRING_EQUAL(j1, "/etc/pgpool2/pool_passwd");
	CU_ASSERT_STRING_EQUAL(j2, "/abs/pool_passwd");
	free(d1);
	free(d2);
	free(d3);
	free(j1);
	free(j2);
}

static void
test_diag_list(void)
{
	diag_list	list;

	diag_init(&list);
	for (int i = 0; i < 40; i++)
		diag_add(&list, i % 4 == 0 ? DIAG_ERROR : DIAG_WARNING, "a.conf", i + 1, "problem %d", i);
	CU_ASSERT_EQUAL(list.count, 40);
	CU_ASSERT_EQUAL(diag_count(&list, DIAG_ERROR), 10);
	CU_ASSERT_EQUAL(diag_count(&list, DIAG_WARNING), 30);
	CU_ASSERT_PTR_NOT_NULL_FATAL(diag_find(&list, "problem 39"));
	CU_ASSERT_EQUAL(diag_find(&list, "problem 39")->line, 40);
	CU_ASSERT_PTR_NULL(diag_find(&list, "no such text"));
	diag_free(&list);
	CU_ASSERT_EQUAL(list.count, 0);
}

static void
test_asprintf(void)
{
	char	   *s = xasprintf("%s=%d", "port", 9999);

	CU_ASSERT_STRING_EQUAL(s, "port=9999");
	free(s);
}

/* Logs one line through a temporary file and returns it (malloc'd). */
static char *
log_one_line(log_level level, const char *text)
{
	FILE	   *f = tmpfile();
	char	   *line = xcalloc(1, 1024);

	log_set_stream(f);
	log_msg(level, "%s", text);
	log_set_stream(NULL);
	rewind(f);
	if (fgets(line, 1024, f) == NULL)
		line[0] = '\0';
	fclose(f);
	return line;
}

static void
test_log_prefix_escapes(void)
{
	char		expected[256];
	char	   *line;

	log_set_process_name("child");
	log_set_session("db1", "alice", "app");
	log_set_line_prefix("[%a|%p|%d|%u|%%|%q] ");
	line = log_one_line(LOG_LEVEL_LOG, "hello");
	snprintf(expected, sizeof(expected), "[child|%d|db1|alice|%%|] LOG:  hello\n", (int) getpid());
	CU_ASSERT_STRING_EQUAL(line, expected);
	free(line);
	log_set_line_prefix(NULL);
	log_set_session(NULL, NULL, NULL);
	log_set_process_name("main");
}

static void
test_log_levels_filter(void)
{
	char	   *line;

	log_set_min_level(LOG_LEVEL_WARNING);
	line = log_one_line(LOG_LEVEL_DEBUG1, "hidden");
	CU_ASSERT_STRING_EQUAL(line, "");
	free(line);
	line = log_one_line(LOG_LEVEL_WARNING, "shown");
	CU_ASSERT_PTR_NOT_NULL(strstr(line, ": main pid "));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "WARNING:  shown\n"));
	free(line);
	/* LOG is written whatever the minimum, as PostgreSQL's server log does */
	log_set_min_level(LOG_LEVEL_FATAL);
	line = log_one_line(LOG_LEVEL_LOG, "always");
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "LOG:  always"));
	free(line);
	log_set_min_level(LOG_LEVEL_WARNING);
}

/* A wait that would last a minute gives up at once once the interrupt flag is set. */
static void
test_wait_interrupted(void)
{
	volatile int flag = 0;
	int			fds[2];
	int64_t		start;

	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	net_set_interrupt_flag(&flag);
	/* not set: a wait with a short deadline times out as usual */
	CU_ASSERT_EQUAL(net_wait_with_deadline(fds[0], POLLIN, net_now_ms() + 50), 0);
	flag = 1;
	start = net_now_ms();
	errno = 0;
	CU_ASSERT_EQUAL(net_wait_with_deadline(fds[0], POLLIN, start + 60000), -1);
	CU_ASSERT_EQUAL(errno, EINTR);
	CU_ASSERT(net_now_ms() - start < 1000);
	net_set_interrupt_flag(NULL);
	CU_ASSERT_EQUAL(net_wait_with_deadline(fds[0], POLLIN, net_now_ms() + 50), 0);
	close(fds[0]);
	close(fds[1]);
}

static int saved_argc;
static char **saved_argv;

/* ps shows /proc/PID/cmdline: after ps_title_set it must read "pgpool: <text>". */
static void
test_ps_title(void)
{
	char		buf[256] = "";
	FILE	   *f;
	size_t		n;

	ps_title_init(saved_argc, saved_argv);
	/* the program keeps its own arguments */
	CU_ASSERT_PTR_NOT_NULL(strstr(saved_argv[0], "test_common"));
	ps_title_set("wait for connection request");
	f = fopen("/proc/self/cmdline", "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	CU_ASSERT_STRING_EQUAL(buf, "pgpool: wait for connection request");
	CU_ASSERT_PTR_NOT_NULL(strstr(saved_argv[0], "test_common"));
}

static CU_TestInfo common_tests[] = {
	{"process title", test_ps_title},
	{"log_line_prefix escapes", test_log_prefix_escapes},
	{"log level filter", test_log_levels_filter},
	{"str_trim", test_trim},
	{"str_copy truncates and terminates", test_copy_truncates},
	{"path helpers", test_paths},
	{"diag list grows and counts", test_diag_list},
	{"xasprintf", test_asprintf},
	{"net waits give up once the interrupt flag is set", test_wait_interrupted},
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{"common", NULL, NULL, NULL, NULL, common_tests},
	CU_SUITE_INFO_NULL
};

int
main(int argc, char **argv)
{
	saved_argc = argc;
	saved_argv = argv;
	return unit_run("test_common", suites);
}
