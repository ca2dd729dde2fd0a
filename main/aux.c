/*
 * Auxiliary processes of the parent (see aux.h).
 */
#include "main/aux.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "main/failover.h"
#include "main/health_check.h"
#include "main/signals.h"
#include "main/sr_check.h"
#include "shmem/shmem.h"

#define QUEUE_PEEK_TIMEOUT_MS 100

void
aux_init(aux_procs *aux, const pool_config *cfg)
{
	memset(aux, 0, sizeof(*aux));
	aux->cfg = cfg;
	aux->running = true;
}

static pid_t
fork_aux(const char *what, void (*body)(const pool_config *, int), const pool_config *cfg, int arg)
{
	pid_t		pid = fork();

	if (pid == 0)
	{
		parent_signals_reset_in_child();
		body(cfg, arg);
		_exit(0);
	}
	if (pid < 0)
	{
		log_error("could not fork the %s process: %s", what, strerror(errno));
		return 0;
	}
	return pid;
}

static void
run_failover(const pool_config *cfg, int unused)
{
	(void) unused;
	failover_main(cfg);
}

static void
run_sr_check(const pool_config *cfg, int unused)
{
	(void) unused;
	sr_check_main(cfg);
}

void
aux_fill(aux_procs *aux)
{
	const pool_config *cfg = aux->cfg;

	if (!aux->running)
		return;
	for (int i = 0; i < cfg->num_backends; i++)
		if (aux->health_check[i] == 0 && health_check_wanted(cfg, i))
			aux->health_check[i] = fork_aux("health check", health_check_main, cfg, i);
	if (aux->sr_check == 0 && sr_check_wanted(cfg))
		aux->sr_check = fork_aux("sr check", run_sr_check, cfg, 0);
	if (aux->failover == 0 && shm_failover_pending(QUEUE_PEEK_TIMEOUT_MS) > 0)
		aux->failover = fork_aux("failover", run_failover, cfg, 0);
}

static void
log_exit(const char *what, pid_t pid, int status)
{
	if (WIFSIGNALED(status) && WTERMSIG(status) != SIGTERM)
		log_warning("%s process %d exited by signal %d", what, (int) pid, WTERMSIG(status));
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		log_warning("%s process %d exited with status %d", what, (int) pid, WEXITSTATUS(status));
}

bool
aux_reaped(aux_procs *aux, pid_t pid, int status)
{
	for (int i = 0; i < CFG_MAX_BACKENDS; i++)
		if (aux->health_check[i] == pid)
		{
			aux->health_check[i] = 0;
			log_exit("health check", pid, status);
			return true;
		}
	if (aux->sr_check == pid)
	{
		aux->sr_check = 0;
		log_exit("sr check", pid, status);
		return true;
	}
	if (aux->failover == pid)
	{
		aux->failover = 0;
		log_exit("failover", pid, status);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failover_after_crash();
		return true;
	}
	return false;
}

void
aux_restart_checks(aux_procs *aux)
{
	for (int i = 0; i < CFG_MAX_BACKENDS; i++)
		if (aux->health_check[i] > 0)
			kill(aux->health_check[i], SIGTERM);
	if (aux->sr_check > 0)
		kill(aux->sr_check, SIGTERM);
}

void
aux_stop(aux_procs *aux)
{
	aux->running = false;
	aux_restart_checks(aux);
	if (aux->failover > 0)
		kill(aux->failover, SIGTERM);
}

int
aux_live_count(const aux_procs *aux)
{
	int			n = (aux->sr_check > 0) + (aux->failover > 0);

	for (int i = 0; i < CFG_MAX_BACKENDS; i++)
		n += aux->health_check[i] > 0;
	return n;
}
