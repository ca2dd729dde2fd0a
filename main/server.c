/*
 * The parent process's life (see server.h): set up, prefork, then wait for signals and act on
 * them, until a shutdown request has been carried out.
 */
#include "main/server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/scram.h"
#include "common/log.h"
#include "main/aux.h"
#include "main/check_password.h"
#include "main/logging_setup.h"
#include "main/pidfile.h"
#include "main/reload.h"
#include "main/signals.h"
#include "main/supervisor.h"
#include "main/primary_search.h"
#include "main/status_file.h"
#include "net/sock.h"
#include "net/tls.h"
#include "pcp/server.h"
#include "pgng_config.h"
#include "shmem/shmem.h"
#include "watchdog/watchdog.h"

/* How long fast/immediate shutdown lets children exit before they are killed. */
#define CHILD_EXIT_GRACE_MS 5000

typedef struct server_state
{
	const pgpool_options *opts;
	pool_config *cfg;
	supervisor	sup;
	pcp_server	pcp;
	wd_process	wd;
	aux_procs	aux;
	int			wake_fd;
	char		unix_socket_path[256];
	int			listen_fds[CHILD_MAX_LISTENERS];
	int			num_listen_fds;
} server_state;

static int
open_listeners(server_state *st)
{
	const pool_config *cfg = st->cfg;
	char		err[256] = "";
	int			backlog = cfg->num_init_children * cfg->listen_backlog_multiplier;
	int			n;

	if (backlog > 10000)
		backlog = 10000;
	n = net_listen_tcp(cfg->listen_addresses, cfg->port, backlog, st->listen_fds,
					   CHILD_MAX_LISTENERS - 1, err, sizeof(err));
	if (n < 0)
	{
		log_fatal("could not listen on \"%s\" port %d: %s", cfg->listen_addresses, cfg->port, err);
		return -1;
	}
	st->num_listen_fds = n;
	if (cfg->socket_dir[0] != '\0')
	{
		int			fd = net_listen_unix(cfg->socket_dir, cfg->port, backlog, 0777,
										 st->unix_socket_path, sizeof(st->unix_socket_path),
										 err, sizeof(err));

		if (fd < 0)
		{
			log_fatal("could not create Unix socket in \"%s\": %s", cfg->socket_dir, err);
			return -1;
		}
		st->listen_fds[st->num_listen_fds++] = fd;
	}
	if (st->num_listen_fds == 0)
	{
		log_fatal("no listen address: set listen_addresses or socket_dir");
		return -1;
	}
	return 0;
}

static void
close_listeners(server_state *st)
{
	for (int i = 0; i < st->num_listen_fds; i++)
		close(st->listen_fds[i]);
	st->num_listen_fds = 0;
	if (st->unix_socket_path[0] != '\0')
		unlink(st->unix_socket_path);
	st->unix_socket_path[0] = '\0';
}

/* Detaches from the terminal; the original process exits 0 at once, as pgpool's does. */
static int
daemonize(void)
{
	pid_t		pid = fork();
	int			devnull;

	if (pid < 0)
	{
		log_fatal("could not fork daemon process: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		_exit(0);
	setsid();
	devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0)
	{
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		if (devnull > STDERR_FILENO)
			close(devnull);
	}
	return 0;
}

static int
live_count(const server_state *st)
{
	return supervisor_live_count(&st->sup) + pcp_server_live_count(&st->pcp) +
		wd_process_live_count(&st->wd) + aux_live_count(&st->aux);
}

/*
 * Waits up to timeout_ms for every child to exit, reaping as they go; returns those left. Signals
 * that arrive meanwhile are added to *signals.
 */
static int
wait_children(server_state *st, int timeout_ms, unsigned *signals)
{
	int64_t		deadline = timeout_ms < 0 ? -1 : net_now_ms() + timeout_ms;

	for (;;)
	{
		supervisor_reap(&st->sup);
		if (live_count(st) == 0)
			return 0;
		if (deadline >= 0 && net_now_ms() >= deadline)
			return live_count(st);
		net_wait_with_deadline(st->wake_fd, POLLIN, net_now_ms() + 200);
		*signals |= parent_signals_take();
	}
}

/*
 * Smart: children finish their sessions (SIGTERM), however long that takes; a later fast or
 * immediate request cuts it short. Fast and immediate: children end sessions now (SIGQUIT), and
 * are killed after a grace period.
 */
static void
shutdown_children(server_state *st, unsigned sig)
{
	st->sup.respawn = false;
	pcp_server_stop(&st->pcp);
	wd_process_stop(&st->wd);
	aux_stop(&st->aux);
	if (!(sig & (PSIG_INT | PSIG_QUIT)))
	{
		log_info("received smart shutdown request");
		supervisor_signal_all(&st->sup, SIGTERM);
		while (supervisor_live_count(&st->sup) > 0 && !(sig & (PSIG_INT | PSIG_QUIT)))
		{
			wait_children(st, 1000, &sig);
		}
	}
	if (supervisor_live_count(&st->sup) > 0)
	{
		log_info("received %s shutdown request", (sig & PSIG_QUIT) ? "immediate" : "fast");
		supervisor_signal_all(&st->sup, SIGQUIT);
		if (wait_children(st, CHILD_EXIT_GRACE_MS, &sig) > 0)
		{
			supervisor_signal_all(&st->sup, SIGKILL);
			pcp_server_signal(&st->pcp, SIGKILL);
			wd_process_signal(&st->wd, SIGKILL);
			wait_children(st, CHILD_EXIT_GRACE_MS, &sig);
		}
	}
}

static void
main_loop(server_state *st)
{
	for (;;)
	{
		unsigned	sig;

		net_wait_with_deadline(st->wake_fd, POLLIN, net_now_ms() + 1000);
		sig = parent_signals_take();
		if (sig & PSIG_CHLD)
			supervisor_reap(&st->sup);
		if (sig & (PSIG_TERM | PSIG_INT | PSIG_QUIT))
		{
			shutdown_children(st, sig);
			return;
		}
		if ((sig & PSIG_HUP) || (shm_request_take() & SHM_REQUEST_RELOAD))
		{
			reload_parent_config(st->opts, st->cfg);
			logging_apply_config(st->cfg);
			supervisor_signal_all(&st->sup, SIGHUP);
			pcp_server_signal(&st->pcp, SIGHUP);
			aux_restart_checks(&st->aux);
		}
		/* a fork that failed earlier (EAGAIN) is retried here; so are PCP and the auxiliary processes */
		supervisor_fill(&st->sup);
		pcp_server_fill(&st->pcp);
		wd_process_fill(&st->wd);
		aux_fill(&st->aux);
	}
}

/* pgpool keeps running without TLS when its set-up fails, answering 'N' to SSLRequest. */
static void
make_tls_contexts(server_state *st, child_context *tmpl)
{
	char		err[256];

	if (!st->cfg->ssl)
		return;
	tmpl->tls_server = tls_server_context_new(st->cfg, st->opts->config_file, err, sizeof(err));
	if (tmpl->tls_server == NULL)
		log_warning("SSL is off for clients: %s", err);
	tmpl->tls_client = tls_client_context_new(st->cfg, st->opts->config_file, err, sizeof(err));
	if (tmpl->tls_client == NULL)
		log_warning("SSL is off for backends: %s", err);
}

/* A reaped process that is not a child: the PCP server, the watchdog, or a health check, sr check
 * or failover process. */
static bool
helper_exited(void *arg, pid_t pid, int status)
{
	server_state *st = arg;

	return pcp_server_reaped(&st->pcp, pid, status) || wd_process_reaped(&st->wd, pid, status) ||
		aux_reaped(&st->aux, pid, status);
}

static int
start_children(server_state *st)
{
	child_context tmpl;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.cfg = st->cfg;
	tmpl.config_file = st->opts->config_file;
	tmpl.hba_file = st->opts->hba_file;
	tmpl.key_file = st->opts->key_file;
	make_tls_contexts(st, &tmpl);
	memcpy(tmpl.listen_fds, st->listen_fds, sizeof(st->listen_fds));
	tmpl.num_listen_fds = st->num_listen_fds;
	supervisor_init(&st->sup, &tmpl, st->cfg->num_init_children);
	st->sup.other_exit = helper_exited;
	st->sup.other_arg = st;
	if (supervisor_fill(&st->sup) == st->cfg->num_init_children)
	{
		log_fatal("could not fork any child process");
		return -1;
	}
	return 0;
}

int
server_run(const pgpool_options *opts, pool_config *cfg)
{
	server_state st;
	int			rc = 1;

	memset(&st, 0, sizeof(st));
	st.opts = opts;
	st.cfg = cfg;
	logging_apply_config(cfg);
	if (!opts->dont_detach && daemonize() < 0)
		return 1;
	st.wake_fd = parent_signals_install();
	if (st.wake_fd < 0 || open_listeners(&st) < 0)
		goto out;
	if (pidfile_write(cfg->pid_file_name, getpid()) != 0)
	{
		log_fatal("could not write pid file \"%s\": %s", cfg->pid_file_name, strerror(errno));
		goto out;
	}
	if (shm_create(cfg) != 0)
	{
		unlink(cfg->pid_file_name);
		goto out;
	}
	status_file_apply(cfg, opts->discard_status);
	check_password_init(opts->config_file, opts->key_file);
	primary_search_at_start(cfg);
	status_file_write(cfg);
	aux_init(&st.aux, cfg);
	/* one mock SCRAM key for all children, so an unknown user's salt is stable across sessions */
	scram_mock_key_init();
	pcp_server_init(&st.pcp, cfg, opts->config_file, opts->pcp_file);
	st.pcp.inherited_fds = st.listen_fds;
	st.pcp.num_inherited_fds = st.num_listen_fds;
	wd_process_init(&st.wd, cfg);
	st.wd.inherited_fds = st.listen_fds;
	st.wd.num_inherited_fds = st.num_listen_fds;
	if (start_children(&st) == 0)
	{
		pcp_server_fill(&st.pcp);
		wd_process_fill(&st.wd);
		log_info("pgpool-ng successfully started (pgpool-II %s compatible), listening on port %d",
				 PGPOOL_COMPAT_VERSION, cfg->port);
		aux_fill(&st.aux);
		main_loop(&st);
		status_file_write(cfg);
		rc = 0;
	}
	SSL_CTX_free(st.sup.child_template.tls_server);
	SSL_CTX_free(st.sup.child_template.tls_client);
	supervisor_free(&st.sup);
	shm_destroy();
	unlink(cfg->pid_file_name);
out:
	close_listeners(&st);
	if (rc == 0)
		log_info("pgpool-ng main process exits");
	return rc;
}
