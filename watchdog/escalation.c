/*
 * Escalation and de-escalation commands (see escalation.h).
 */
#include "watchdog/escalation.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"

void
wd_command_start(wd_commands *c, const char *cmd, const char *what, int64_t now_ms)
{
	int			slot = -1;
	pid_t		pid;

	if (cmd == NULL || cmd[0] == '\0')
		return;
	for (int i = 0; i < WD_MAX_COMMANDS && slot < 0; i++)
		if (c->pid[i] == 0)
			slot = i;
	if (slot < 0)
	{
		log_warning("watchdog: %s not run: %d earlier commands still run", what, WD_MAX_COMMANDS);
		return;
	}
	pid = fork();
	if (pid == 0)
	{
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *) NULL);
		_exit(127);
	}
	if (pid < 0)
	{
		log_error("watchdog: could not fork for %s: %s", what, strerror(errno));
		return;
	}
	log_info("watchdog: running %s (pid %d)", what, (int) pid);
	c->pid[slot] = pid;
	c->started_ms[slot] = now_ms;
	c->what[slot] = what;
}

void
wd_command_reap(wd_commands *c, int64_t now_ms)
{
	for (int i = 0; i < WD_MAX_COMMANDS; i++)
	{
		int			status;
		pid_t		r;

		if (c->pid[i] == 0)
			continue;
		r = waitpid(c->pid[i], &status, WNOHANG);
		if (r == c->pid[i] || (r < 0 && errno == ECHILD))
		{
			if (r > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
				log_warning("watchdog: %s failed (status %d)", c->what[i], status);
			c->pid[i] = 0;
		}
		else if (now_ms - c->started_ms[i] > WD_COMMAND_TIMEOUT_MS)
		{
			log_warning("watchdog: %s still runs after %d ms; killing it", c->what[i],
						WD_COMMAND_TIMEOUT_MS);
			kill(c->pid[i], SIGKILL);
		}
	}
}
