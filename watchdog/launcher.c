/*
 * The parent's side of the watchdog process (see watchdog.h): fork, respawn, reap, signal.
 */
#include "watchdog/watchdog.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "main/signals.h"
#include "net/sock.h"

void
wd_process_init(wd_process *w, const pool_config *cfg)
{
	memset(w, 0, sizeof(*w));
	w->cfg = cfg;
	w->respawn = cfg->use_watchdog;
}

void
wd_process_fill(wd_process *w)
{
	pid_t		pid;

	if (w->pid != 0 || !w->respawn)
		return;
	if (w->started_ms != 0 && net_now_ms() - w->started_ms < WD_RESPAWN_INTERVAL_MS)
		return;
	w->started_ms = net_now_ms();
	pid = fork();
	if (pid == 0)
	{
		for (int i = 0; i < w->num_inherited_fds; i++)
			close(w->inherited_fds[i]);
		parent_signals_reset_in_child();
		wd_main(w->cfg);
	}
	if (pid < 0)
		log_error("could not fork the watchdog process: %s", strerror(errno));
	else
		w->pid = pid;
}

bool
wd_process_reaped(wd_process *w, pid_t pid, int status)
{
	if (w->pid == 0 || pid != w->pid)
		return false;
	w->pid = 0;
	if (WIFSIGNALED(status) && WTERMSIG(status) != SIGTERM)
		log_warning("watchdog process with pid: %d exits by signal %d", (int) pid,
					WTERMSIG(status));
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		log_warning("watchdog process with pid: %d exits with status %d", (int) pid,
					WEXITSTATUS(status));
	return true;
}

void
wd_process_signal(const wd_process *w, int signo)
{
	if (w->pid > 0)
		kill(w->pid, signo);
}

void
wd_process_stop(wd_process *w)
{
	w->respawn = false;
	wd_process_signal(w, SIGTERM);
}

int
wd_process_live_count(const wd_process *w)
{
	return w->pid > 0 ? 1 : 0;
}
