/*
 * Command-line parsing for the pgpool program (see options.h). Flags, defaults and exit codes follow
 * pgpool-II 4.3; the usage text is our own.
 */
#include "main/options.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "pgng_config.h"

#define DEFAULT_CONFIG_FILE SYSCONFDIR "/pgpool.conf"
#define DEFAULT_PCP_FILE SYSCONFDIR "/pcp.conf"
#define DEFAULT_HBA_FILE SYSCONFDIR "/pool_hba.conf"

enum
{
	OPT_CHECK_CONFIG = 1000
};

static const struct option long_options[] = {
	{"hba-file", required_argument, NULL, 'a'},
	{"clear-oidmaps", no_argument, NULL, 'C'},
	{"debug", no_argument, NULL, 'd'},
	{"discard-status", no_argument, NULL, 'D'},
	{"config-file", required_argument, NULL, 'f'},
	{"pcp-file", required_argument, NULL, 'F'},
	{"help", no_argument, NULL, 'h'},
	{"key-file", required_argument, NULL, 'k'},
	{"mode", required_argument, NULL, 'm'},
	{"dont-detach", no_argument, NULL, 'n'},
	{"version", no_argument, NULL, 'v'},
	{"debug-assertions", no_argument, NULL, 'x'},
	{"check-config", no_argument, NULL, OPT_CHECK_CONFIG},
	{NULL, 0, NULL, 0}
};

void
options_print_version(void)
{
	fprintf(stderr, "pgpool-II version %s (pgpool-ng %s)\n", PGPOOL_COMPAT_VERSION, PACKAGE_VERSION);
}

void
options_print_usage(const char *progname)
{
	options_print_version();
	fprintf(stderr,
			"  connection pooler, load balancer and failover manager for PostgreSQL\n\n"
			"Usage:\n"
			"  %1$s [ -f CONFIG_FILE ] [ -F PCP_CONFIG_FILE ] [ -a HBA_CONFIG_FILE ]\n"
			"         [ -n ] [ -D ] [ -d ]\n"
			"  %1$s [ -f CONFIG_FILE ] [ -F PCP_CONFIG_FILE ] [ -a HBA_CONFIG_FILE ]\n"
			"         [ -m SHUTDOWN-MODE ] stop\n"
			"  %1$s [ -f CONFIG_FILE ] [ -F PCP_CONFIG_FILE ] [ -a HBA_CONFIG_FILE ] reload\n"
			"  %1$s --check-config [ -f CONFIG_FILE ] [ -F PCP_CONFIG_FILE ] [ -a HBA_CONFIG_FILE ]\n\n"
			"Common options:\n"
			"  -a, --hba-file=FILE     pool_hba.conf to read (default: %2$s)\n"
			"  -f, --config-file=FILE  pgpool.conf to read (default: %3$s)\n"
			"  -F, --pcp-file=FILE     pcp.conf to read (default: %4$s)\n"
			"  -k, --key-file=FILE     key for AES-encrypted passwords (default: ~/.pgpoolkey;\n"
			"                          the PGPOOLKEYFILE environment variable overrides it)\n"
			"  -h, --help              show this help and exit\n\n"
			"Start options:\n"
			"  -C, --clear-oidmaps     clear the memcached query cache's table maps at start\n"
			"  -n, --dont-detach       stay in the foreground\n"
			"  -x, --debug-assertions  enable internal consistency checks\n"
			"  -D, --discard-status    ignore the saved pgpool_status file\n"
			"  -d, --debug             log debug messages\n\n"
			"Stop options:\n"
			"  -m, --mode=MODE         smart (wait for clients to leave), fast (disconnect\n"
			"                          them now) or immediate (same as fast)\n\n"
			"pgpool-ng options:\n"
			"      --check-config      read every configuration file, report all problems\n"
			"                          with file:line, exit 1 if there is an error\n",
			progname, DEFAULT_HBA_FILE, DEFAULT_CONFIG_FILE, DEFAULT_PCP_FILE);
}

static int
parse_shutdown_mode(const char *arg, shutdown_mode *mode)
{
	if (strcmp(arg, "s") == 0 || strcmp(arg, "smart") == 0)
		*mode = SHUTDOWN_SMART;
	else if (strcmp(arg, "f") == 0 || strcmp(arg, "fast") == 0)
		*mode = SHUTDOWN_FAST;
	else if (strcmp(arg, "i") == 0 || strcmp(arg, "immediate") == 0)
		*mode = SHUTDOWN_IMMEDIATE;
	else
		return -1;
	return 0;
}

static void
set_defaults(pgpool_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->command = PGPOOL_CMD_START;
	opts->config_file = DEFAULT_CONFIG_FILE;
	opts->pcp_file = DEFAULT_PCP_FILE;
	opts->hba_file = DEFAULT_HBA_FILE;
	opts->shutdown = SHUTDOWN_SMART;
}

/* Applies one option; returns -1 when it is not valid. */
static int
apply_option(int opt, const char *arg, pgpool_options *opts)
{
	switch (opt)
	{
		case 'a': opts->hba_file = arg; opts->hba_file_given = true; break;
		case 'C': opts->clear_oidmaps = true; break;
		case 'd': opts->debug = true; break;
		case 'D': opts->discard_status = true; break;
		case 'f': opts->config_file = arg; opts->config_file_given = true; break;
		case 'F': opts->pcp_file = arg; opts->pcp_file_given = true; break;
		case 'h': opts->command = PGPOOL_CMD_HELP; break;
		case 'k': opts->key_file = arg; break;
		case 'n': opts->dont_detach = true; break;
		case 'v': opts->command = PGPOOL_CMD_VERSION; break;
		case 'x': opts->debug_assertions = true; break;
		case 'm': return parse_shutdown_mode(arg, &opts->shutdown);
		case OPT_CHECK_CONFIG: opts->command = PGPOOL_CMD_CHECK_CONFIG; break;
		default: return -1;
	}
	return 0;
}

/* The optional trailing word: stop or reload. */
static int
parse_command_word(int argc, char **argv, pgpool_options *opts)
{
	if (optind == argc)
		return 0;
	if (optind + 1 != argc)
		return -1;
	if (strcmp(argv[optind], "stop") == 0)
		opts->command = PGPOOL_CMD_STOP;
	else if (strcmp(argv[optind], "reload") == 0)
		opts->command = PGPOOL_CMD_RELOAD;
	else
		return -1;
	return 0;
}

int
options_parse(int argc, char **argv, pgpool_options *opts)
{
	int			opt;
	pgpool_command explicit_cmd;

	set_defaults(opts);
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "a:CdDf:F:hk:m:nvx", long_options, NULL)) != -1)
	{
		if (opt == '?' || apply_option(opt, optarg, opts) < 0)
		{
			if (opt == '?' && optopt != 0)
				fprintf(stderr, "%s: illegal option -- %c\n", argv[0], optopt);
			else if (opt == 'm')
				fprintf(stderr, "%s: invalid shutdown mode \"%s\"\n", argv[0], optarg);
			else
				fprintf(stderr, "%s: invalid option \"%s\"\n", argv[0], argv[optind - 1]);
			options_print_usage(argv[0]);
			return -1;
		}
	}
	explicit_cmd = opts->command;
	if (parse_command_word(argc, argv, opts) < 0)
	{
		fprintf(stderr, "%s: invalid command \"%s\"\n", argv[0], argv[optind]);
		options_print_usage(argv[0]);
		return -1;
	}
	/* -h, --version and --check-config win over a trailing command word. */
	if (explicit_cmd != PGPOOL_CMD_START)
		opts->command = explicit_cmd;
	return 0;
}
