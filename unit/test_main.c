/*
 * Unit tests for the pgpool command line (main/options.c) and the pid file format (main/pidfile.c).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "main/options.h"
#include "main/pidfile.h"
#include "unit/runner.h"

static int
parse(pgpool_options *opts, int argc, const char **argv)
{
	int			rc;
	/* keep stderr quiet for the error cases */
	int			saved = dup(2);
	int			devnull = open("/dev/null", O_WRONLY);

	dup2(devnull, 2);
	rc = options_parse(argc, (char **) argv, opts);
	dup2(saved, 2);
	close(saved);
	close(devnull);
	return rc;
}

static void
test_start_flags(void)
{
	pgpool_options o;
	const char *argv[] = {"pgpool", "-n", "-D", "-d", "-f", "/x/p.conf", "-F", "/x/pcp.conf",
	"--hba-file=/x/hba", "-k", "/x/key", "-C", "-x"};

	CU_ASSERT_EQUAL_FATAL(parse(&o, 13, argv), 0);
	CU_ASSERT_EQUAL(o.command, PGPOOL_CMD_START);
	CU_ASSERT(o.dont_detach && o.discard_status && o.debug && o.clear_oidmaps && o.debug_assertions);
	CU_ASSERT_STRING_EQUAL(o.config_file, "/x/p.conf");
	CU_ASSERT_STRING_EQUAL(o.pcp_file, "/x/pcp.conf");
	CU_ASSERT_STRING_EQUAL(o.hba_file, "/x/hba");
	CU_ASSERT_STRING_EQUAL(o.key_file, "/x/key");
	CU_ASSERT(o.config_file_given && o.pcp_file_given && o.hba_file_given);
}

static void
test_stop_modes(void)
{
	pgpool_options o;
	const char *fast[] = {"pgpool", "-m", "fast", "stop"};
	const char *imm[] = {"pgpool", "--mode=immediate", "stop"};
	const char *smart[] = {"pgpool", "stop"};
	const char *bad[] = {"pgpool", "-m", "bogus", "stop"};

	CU_ASSERT_EQUAL_FATAL(parse(&o, 4, fast), 0);
	CU_ASSERT_EQUAL(o.command, PGPOOL_CMD_STOP);
	CU_ASSERT_EQUAL(o.shutdown, SHUTDOWN_FAST);
	CU_ASSERT_EQUAL_FATAL(parse(&o, 3, imm), 0);
	CU_ASSERT_EQUAL(o.shutdown, SHUTDOWN_IMMEDIATE);
	CU_ASSERT_EQUAL_FATAL(parse(&o, 2, smart), 0);
	CU_ASSERT_EQUAL(o.shutdown, SHUTDOWN_SMART);
	CU_ASSERT_EQUAL(parse(&o, 4, bad), -1);
}

static void
test_commands_and_errors(void)
{
	pgpool_options o;
	const char *reload[] = {"pgpool", "-f", "a.conf", "reload"};
	const char *check[] = {"pgpool", "--check-config", "-f", "a.conf"};
	const char *help[] = {"pgpool", "-h"};
	const char *version[] = {"pgpool", "--version"};
	const char *illegal[] = {"pgpool", "-c"};
	const char *word[] = {"pgpool", "restart"};
	const char *two[] = {"pgpool", "stop", "reload"};

	CU_ASSERT_EQUAL_FATAL(parse(&o, 4, reload), 0);
	CU_ASSERT_EQUAL(o.command, PGPOOL_CMD_RELOAD);
	CU_ASSERT_EQUAL_FATAL(parse(&o, 4, check), 0);
	CU_ASSERT_EQUAL(o.command, PGPOOL_CMD_CHECK_CONFIG);
	CU_ASSERT_EQUAL_FATAL(parse(&o, 2, help), 0);
	CU_ASSERT_EQUAL(o.command, PGPOOL_CMD_HELP);
	CU_ASSERT_EQUAL_FATAL(parse(&o, 2, version), 0);
	CU_ASSERT_EQUAL(o.command, PGPOOL_CMD_VERSION);
	CU_ASSERT_EQUAL(parse(&o, 2, illegal), -1);
	CU_ASSERT_EQUAL(parse(&o, 2, word), -1);
	CU_ASSERT_EQUAL(parse(&o, 3, two), -1);
}

static void
test_pidfile_round_trip(void)
{
	char		path[] = "/tmp/pgng-pid-XXXXXX";
	int			fd = mkstemp(path);
	char		raw[16];
	ssize_t		n;

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_EQUAL_FATAL(pidfile_write(path, 10843), 0);
	fd = open(path, O_RDONLY);
	n = read(fd, raw, sizeof(raw));
	close(fd);
	/* pgpool's format: digits then a NUL byte, no newline */
	CU_ASSERT_EQUAL(n, 6);
	CU_ASSERT_EQUAL(memcmp(raw, "10843\0", 6), 0);
	CU_ASSERT_EQUAL(pidfile_read(path), 10843);
	unlink(path);
	CU_ASSERT_EQUAL(pidfile_read(path), -1);
}

static void
test_pidfile_malformed(void)
{
	char	   *empty = unit_write_temp_file("");
	char	   *junk = unit_write_temp_file("abc\n");
	char	   *newline = unit_write_temp_file("4242\n");

	CU_ASSERT_EQUAL(pidfile_read(empty), -1);
	CU_ASSERT_EQUAL(pidfile_read(junk), -1);
	CU_ASSERT_EQUAL(pidfile_read(newline), 4242);
	unlink(empty);
	unlink(junk);
	unlink(newline);
	free(empty);
	free(junk);
	free(newline);
}

static CU_TestInfo option_tests[] = {
	{"start flags", test_start_flags},
	{"stop modes", test_stop_modes},
	{"commands and errors", test_commands_and_errors},
	CU_TEST_INFO_NULL
};

static CU_TestInfo pidfile_tests[] = {
	{"round trip in pgpool's format", test_pidfile_round_trip},
	{"malformed files", test_pidfile_malformed},
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{"options", NULL, NULL, NULL, NULL, option_tests},
	{"pidfile", NULL, NULL, NULL, NULL, pidfile_tests},
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return unit_run("test_main", suites);
}
