/*
 * The recovery process (see recovery.h): forked by the PCP worker that got the request, it runs
 * the steps and hands back its result through a pipe; the worker waits for it with a deadline and
 * kills its process group after that. A lock file in logdir keeps recoveries one at a time.
 */
#include "main/recovery.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "net/sock.h"

static void
fail(recovery_result *res, const char *message, const char *detail)
{
	snprintf(res->message, sizeof(res->message), "%s", message);
	snprintf(res->detail, sizeof(res->detail), "%s", detail ? detail : "");
}

/* The lock: held (open fd) for the whole recovery; -1 when another recovery holds it. */
static int
lock_recovery(const pool_config *cfg)
{
	char		path[1024];
	int			fd;

	snprintf(path, sizeof(path), "%s/pgpool-ng-recovery.lock",
			 cfg->logdir && cfg->logdir[0] ? cfg->logdir : "/tmp");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -2;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0)
	{
		close(fd);
		return -1;
	}
	return fd;
}

static void __attribute__((noreturn))
recovery_child(const pool_config *cfg, int node, int out_fd)
{
	recovery_result res = {"", ""};
	int			rc;

	setpgid(0, 0);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	log_set_process_name("recovery");
	if (cfg->recovery_1st_stage_command && cfg->recovery_1st_stage_command[0])
		rc = recovery_script_steps(cfg, node, &res);
	else
		rc = recovery_builtin_steps(cfg, node, &res);
	if (write(out_fd, &res, sizeof(res)) != (ssize_t) sizeof(res))
		rc = -1;
	_exit(rc == 0 ? 0 : 1);
}

/* Reads the child's result; false at the deadline. */
static bool
read_result_with_deadline(int fd, int64_t deadline_ms, recovery_result *res)
{
	size_t		got = 0;

	while (got < sizeof(*res))
	{
		struct pollfd p = {fd, POLLIN, 0};
		int64_t		left = deadline_ms - net_now_ms();
		ssize_t		n;

		if (left <= 0)
			return false;
		if (poll(&p, 1, (int) (left > 1000 ? 1000 : left)) <= 0)
			continue;
		n = read(fd, (char *) res + got, sizeof(*res) - got);
		if (n == 0)
			break;
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0)
			got += (size_t) n;
	}
	if (got != sizeof(*res))
		fail(res, "node recovery failed", "the recovery process ended without a result (see pgpool's log)");
	return true;
}

static int
wait_child(pid_t pid, int fd, int64_t deadline_ms, recovery_result *res)
{
	int			status = 0;

	if (!read_result_with_deadline(fd, deadline_ms, res))
	{
		log_error("recovery: no result before the deadline; ending the recovery process %d", (int) pid);
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail(res, "node recovery failed", "the recovery did not finish in time (see pgpool's log)");
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 && res->message[0] == '\0' ? 0 : -1;
}

int
recovery_run_with_deadline(const pool_config *cfg, int node, int64_t deadline_ms,
						   recovery_result *res)
{
	int			lock = lock_recovery(cfg);
	int			fds[2], rc;
	pid_t		pid;

	fail(res, "", "");
	if (lock < 0)
	{
		fail(res, "node recovery failed", lock == -1 ? "another online recovery is in progress"
			 : "cannot open the recovery lock file in logdir");
		return -1;
	}
	if (pipe2(fds, O_CLOEXEC) != 0 || (pid = fork()) < 0)
	{
		fail(res, "node recovery failed", "cannot start the recovery process");
		close(lock);
		return -1;
	}
	if (pid == 0)
	{
		close(fds[0]);
		recovery_child(cfg, node, fds[1]);
	}
	close(fds[1]);
	setpgid(pid, pid);
	rc = wait_child(pid, fds[0], deadline_ms, res);
	close(fds[0]);
	close(lock);
	return rc;
}
