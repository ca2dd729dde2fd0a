/*
 * Entry point of the pgpool program: parses the command line and dispatches to start, stop, reload
 * or the configuration check.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/diag.h"
#include "common/log.h"
#include "common/ps_title.h"
#include "config/config.h"
#include "main/check_config.h"
#include "main/control.h"
#include "main/options.h"
#include "main/logging_setup.h"
#include "main/pidfile.h"
#include "main/server.h"

/* How long `pgpool stop` waits for the server to exit before giving up. */
#define STOP_WAIT_SECONDS 60

/*
 * Reads pgpool.conf for stop/reload, which need only pid_file_name. Problems are printed but only a
 * missing file is fatal... as in pgpool, which falls back to defaults with a warning.
 */
static pool_config *
load_config_for_control(const pgpool_options *opts)
{
	pool_config *cfg = cfg_create();
	diag_list	diags;

	diag_init(&diags);
	if (cfg_load(cfg, opts->config_file, &diags) < 0)
	{
		diag_print(&diags, stderr);
		log_warning("using default configuration parameter values");
	}
	diag_free(&diags);
	return cfg;
}

static int
run_control(const pgpool_options *opts)
{
	pool_config *cfg = load_config_for_control(opts);
	int			rc;

	if (opts->command == PGPOOL_CMD_STOP)
		rc = control_stop(cfg->pid_file_name, opts->shutdown, STOP_WAIT_SECONDS);
	else
		rc = control_reload(cfg->pid_file_name);
	cfg_destroy(cfg);
	return rc;
}

/* Start-up: check every file, refuse to run twice, then become the server. */
static int
run_start(const pgpool_options *opts)
{
	diag_list	diags;
	pool_config *cfg = cfg_create();
	pid_t		running;
	int			rc = 1;

	diag_init(&diags);
	if (check_config_load_all(opts, cfg, &diags) != 0)
	{
		diag_print(&diags, stderr);
		log_fatal("configuration has errors; not starting");
		goto out;
	}
	diag_print(&diags, stderr);
	running = pidfile_read(cfg->pid_file_name);
	if (running > 0)
	{
		fprintf(stderr, "ERROR: pid file found. is another pgpool(%d) is running?\n", (int) running);
		goto out;
	}
	rc = server_run(opts, cfg);
out:
	diag_free(&diags);
	cfg_destroy(cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	pgpool_options opts;

	ps_title_init(argc, argv);
	if (options_parse(argc, argv, &opts) < 0)
		return 1;
	if (opts.debug)
		logging_force_debug();
	switch (opts.command)
	{
		case PGPOOL_CMD_HELP:
			options_print_usage(argv[0]);
			return 0;
		case PGPOOL_CMD_VERSION:
			options_print_version();
			return 0;
		case PGPOOL_CMD_CHECK_CONFIG:
			return check_config_run(&opts);
		case PGPOOL_CMD_STOP:
		case PGPOOL_CMD_RELOAD:
			return run_control(&opts);
		case PGPOOL_CMD_START:
		default:
			return run_start(&opts);
	}
}
