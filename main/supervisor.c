/*
 * Preforking and reaping of children (see supervisor.h). A child that dies is replaced at once,
 * so a crash costs only the session it was serving.
 */
#include "main/supervisor.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "main/signals.h"
#include "shmem/shmem.h"

void
supervisor_init(supervisor *sup, const child_context *tmpl, int num_slots)
{
	sup->pids = xcalloc((size_t) num_slots, sizeof(pid_t));
	sup->num_slots = num_slots;
	sup->child_template = *tmpl;
	sup->respawn = true;
}

void
supervisor_free(supervisor *sup)
{
	free(sup->pids);
	sup->pids = NULL;
	sup->num_slots = 0;
}

static pid_t
fork_child(supervisor *sup, int slot)
{
	pid_t		pid = fork();

	if (pid == 0)
	{
		child_context ctx = sup->child_template;

		parent_signals_reset_in_child();
		ctx.slot = slot;
		child_main(&ctx);
	}
	if (pid < 0)
		log_error("could not fork child process for slot %d: %s", slot, strerror(errno));
	return pid;
}

int
supervisor_fill(supervisor *sup)
{
	int			failed = 0;

	for (int i = 0; i < sup->num_slots; i++)
	{
		if (sup->pids[i] != 0)
			continue;
		sup->pids[i] = fork_child(sup, i);
		if (sup->pids[i] < 0)
		{
			sup->pids[i] = 0;
			failed++;
		}
	}
	return failed;
}

static void
log_child_exit(pid_t pid, int status)
{
	if (WIFSIGNALED(status) && WTERMSIG(status) != SIGTERM && WTERMSIG(status) != SIGQUIT)
		log_warning("child process with pid: %d exits with status %d by signal %d",
					(int) pid, status, WTERMSIG(status));
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		log_warning("child process with pid: %d exits with status %d", (int) pid, WEXITSTATUS(status));
	else
		log_debug("child process with pid: %d exited", (int) pid);
}

void
supervisor_reap(supervisor *sup)
{
	pid_t		pid;
	int			status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
	{
		int			i;

		for (i = 0; i < sup->num_slots; i++)
		{
			if (sup->pids[i] != pid)
				continue;
			sup->pids[i] = 0;
			shm_child_retire(i);
			log_child_exit(pid, status);
			break;
		}
		if (i == sup->num_slots && sup->other_exit)
			sup->other_exit(sup->other_arg, pid, status);
	}
	if (sup->respawn)
		supervisor_fill(sup);
}

void
supervisor_signal_all(const supervisor *sup, int signo)
{
	for (int i = 0; i < sup->num_slots; i++)
		if (sup->pids[i] > 0)
			kill(sup->pids[i], signo);
}

int
supervisor_live_count(const supervisor *sup)
{
	int			n = 0;

	for (int i = 0; i < sup->num_slots; i++)
		if (sup->pids[i] > 0)
			n++;
	return n;
}
