/*
 * Stop and reload requests to a running pgpool (see control.h). Signals as pgpool's: SIGTERM smart,
 * SIGINT fast, SIGQUIT immediate, SIGHUP reload.
 */
#include "main/control.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "main/pidfile.h"

static int
stop_signal(shutdown_mode mode)
{
	switch (mode)
	{
		case SHUTDOWN_FAST:
			return SIGINT;
		case SHUTDOWN_IMMEDIATE:
			return SIGQUIT;
		case SHUTDOWN_SMART:
		default:
			return SIGTERM;
	}
}

/* A zombie has exited: only its parent has not collected it yet (Linux /proc tells). */
static int
is_zombie(pid_t pid)
{
	char		path[64];
	char		buf[256];
	FILE	   *f;
	char	   *close_paren;
	int			zombie = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) != NULL && (close_paren = strrchr(buf, ')')) != NULL)
		zombie = close_paren[1] == ' ' && close_paren[2] == 'Z';
	fclose(f);
	return zombie;
}

static int
process_exists(pid_t pid)
{
	if (kill(pid, 0) != 0 && errno != EPERM)
		return 0;
	return !is_zombie(pid);
}

int
control_stop(const char *pid_file, shutdown_mode mode, int timeout_s)
{
	pid_t		pid = pidfile_read(pid_file);
	time_t		deadline;

	if (pid < 0)
	{
		log_fatal("could not read pid file \"%s\"", pid_file);
		return 3;
	}
	if (kill(pid, stop_signal(mode)) != 0)
	{
		log_fatal("could not send stop request to pgpool (pid: %d): %s", (int) pid, strerror(errno));
		return 1;
	}
	log_info("stop request sent to pgpool (pid: %d). waiting for termination...", (int) pid);
	deadline = time(NULL) + timeout_s;
	while (process_exists(pid))
	{
		if (time(NULL) >= deadline)
		{
			fprintf(stderr, "\n");
			log_error("pgpool (pid: %d) did not stop within %d seconds", (int) pid, timeout_s);
			return 1;
		}
		fputc('.', stderr);
		fflush(stderr);
		usleep(200 * 1000);
	}
	fprintf(stderr, "done.\n");
	return 0;
}

int
control_reload(const char *pid_file)
{
	pid_t		pid = pidfile_read(pid_file);

	if (pid < 0)
	{
		log_fatal("could not read pid file \"%s\"", pid_file);
		return 1;
	}
	if (kill(pid, SIGHUP) != 0)
	{
		log_fatal("could not send reload request to pgpool (pid: %d): %s", (int) pid, strerror(errno));
		return 1;
	}
	return 0;
}
