/*
 * The PCP server process (see server.h): listen sockets, an accept loop that forks one worker per
 * connection and keeps their number and lifetime bounded, pcp.conf and configuration reloads.
 */
#include "pcp/server.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "auth/pcp_users.h"
#include "common/log.h"
#include "common/ps_title.h"
#include "common/util.h"
#include "main/reload.h"
#include "main/signals.h"
#include "net/sock.h"
#include "pcp/worker.h"

#define PCP_MAX_LISTENERS 16
#define PCP_LISTEN_BACKLOG 64
#define PCP_POLL_MS 1000
/* A worker that outlives its own bound by this much is killed. */
#define PCP_WORKER_KILL_GRACE_MS 10000
#define PCP_STOP_GRACE_MS 2000

typedef struct pcp_worker_slot
{
	pid_t		pid;
	int64_t		started_ms;
} pcp_worker_slot;

typedef struct pcp_process
{
	pool_config *cfg;
	const char *config_file;
	const char *pcp_file;
	pcp_users  *users;
	int			fds[PCP_MAX_LISTENERS];
	int			nfds;
	char		socket_path[256];
	pcp_worker_slot workers[PCP_MAX_WORKERS];
	pid_t		parent;			/* pgpool's main process: the server ends when it goes */
} pcp_process;

static volatile sig_atomic_t got_stop;
static volatile sig_atomic_t got_reload;

static void
on_signal(int signo)
{
	if (signo == SIGHUP)
		got_reload = 1;
	else if (signo != SIGCHLD)
		got_stop = 1;
}

/* No SA_RESTART: poll() returns at once on a signal. */
static void
install_signals(void)
{
	struct sigaction sa;
	const int	sigs[] = {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD};

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
}

static void
load_users(pcp_process *p)
{
	diag_list	diags;
	pcp_users  *fresh = NULL;

	diag_init(&diags);
	if (pcp_users_load(p->pcp_file, &fresh, &diags) != 0)
		log_warning("PCP: \"%s\" has errors; only its valid lines are used", p->pcp_file);
	diag_free(&diags);
	pcp_users_free(p->users);
	p->users = fresh;
}

static int
open_listeners(pcp_process *p)
{
	const pool_config *cfg = p->cfg;
	char		err[256] = "";
	int			n = 0;

	if (cfg->pcp_listen_addresses && cfg->pcp_listen_addresses[0])
	{
		n = net_listen_tcp(cfg->pcp_listen_addresses, cfg->pcp_port, PCP_LISTEN_BACKLOG, p->fds,
						   PCP_MAX_LISTENERS - 1, err, sizeof(err));
		if (n < 0)
		{
			log_fatal("PCP: could not listen on \"%s\" port %d: %s", cfg->pcp_listen_addresses,
					  cfg->pcp_port, err);
			return -1;
		}
	}
	p->nfds = n;
	if (cfg->pcp_socket_dir && cfg->pcp_socket_dir[0])
	{
		int			fd = net_listen_unix(cfg->pcp_socket_dir, cfg->pcp_port, PCP_LISTEN_BACKLOG,
										 0777, p->socket_path, sizeof(p->socket_path),
										 err, sizeof(err));

		if (fd < 0)
		{
			log_fatal("PCP: could not create Unix socket in \"%s\": %s", cfg->pcp_socket_dir, err);
			return -1;
		}
		p->fds[p->nfds++] = fd;
	}
	if (p->nfds == 0)
	{
		log_fatal("PCP: no listen address: set pcp_listen_addresses or pcp_socket_dir");
		return -1;
	}
	return 0;
}

static void
close_listeners(pcp_process *p)
{
	for (int i = 0; i < p->nfds; i++)
		close(p->fds[i]);
	p->nfds = 0;
	if (p->socket_path[0])
		unlink(p->socket_path);
	p->socket_path[0] = '\0';
}

static void
describe_peer(int fd, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t	len = sizeof(ss);
	char		host[64] = "";

	str_copy(buf, "local socket", size);
	if (getpeername(fd, (struct sockaddr *) &ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET)
	{
		const struct sockaddr_in *in = (const struct sockaddr_in *) &ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%d", host, ntohs(in->sin_port));
	}
	else if (ss.ss_family == AF_INET6)
	{
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) &ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%d", host, ntohs(in6->sin6_port));
	}
}

static int
free_slot(const pcp_process *p)
{
	for (int i = 0; i < PCP_MAX_WORKERS; i++)
		if (p->workers[i].pid == 0)
			return i;
	return -1;
}

/* Too many connections: one FATAL packet, sent without waiting, and close. */
static void
refuse(int fd, const char *peer)
{
	pcp_buf		b;

	pcp_buf_init(&b);
	pcp_msg_error(&b, 'E', "FATAL", "too many PCP connections", NULL);
	pcp_buf_send_with_deadline(fd, &b, net_deadline_after(100));
	pcp_buf_free(&b);
	log_warning("PCP: %d connections already; refused %s", PCP_MAX_WORKERS, peer);
}

static void
start_worker(pcp_process *p, int fd)
{
	char		peer[128];
	int			slot = free_slot(p);
	pid_t		pid;

	describe_peer(fd, peer, sizeof(peer));
	if (slot < 0)
	{
		refuse(fd, peer);
		return;
	}
	pid = fork();
	if (pid == 0)
	{
		const int	sigs[] = {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD};

		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], SIG_DFL);
		for (int i = 0; i < p->nfds; i++)
			close(p->fds[i]);
		pcp_worker_main(fd, peer, p->cfg, p->users);
	}
	if (pid < 0)
		log_error("PCP: could not fork a worker for %s: %s", peer, strerror(errno));
	else
	{
		p->workers[slot].pid = pid;
		p->workers[slot].started_ms = net_now_ms();
	}
}

static void
accept_ready(pcp_process *p, const struct pollfd *pfds)
{
	for (int i = 0; i < p->nfds; i++)
	{
		int			fd;

		if (!(pfds[i].revents & POLLIN))
			continue;
		fd = accept4(p->fds[i], NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
		{
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_warning("PCP: accept failed: %s", strerror(errno));
			continue;
		}
		start_worker(p, fd);
		close(fd);
	}
}

/* Reaps finished workers and kills those past their bound. */
static void
tend_workers(pcp_process *p)
{
	pid_t		pid;
	int			status;
	int64_t		now = net_now_ms();

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
	{
		if (WIFSIGNALED(status) && WTERMSIG(status) != SIGTERM)
			log_warning("PCP worker with pid: %d exits by signal %d", (int) pid, WTERMSIG(status));
		for (int i = 0; i < PCP_MAX_WORKERS; i++)
			if (p->workers[i].pid == pid)
				p->workers[i].pid = 0;
	}
	for (int i = 0; i < PCP_MAX_WORKERS; i++)
		if (p->workers[i].pid > 0 &&
			now - p->workers[i].started_ms > PCP_WORKER_LIFETIME_MS + PCP_WORKER_KILL_GRACE_MS)
		{
			log_warning("PCP: worker %d outlived its bound; killed", (int) p->workers[i].pid);
			kill(p->workers[i].pid, SIGKILL);
		}
}

static int
live_workers(const pcp_process *p)
{
	int			n = 0;

	for (int i = 0; i < PCP_MAX_WORKERS; i++)
		if (p->workers[i].pid > 0)
			n++;
	return n;
}

/* SIGTERM to the workers, SIGKILL to those still there after a grace period. */
static void
stop_workers(pcp_process *p)
{
	int64_t		deadline = net_deadline_after(PCP_STOP_GRACE_MS);

	for (int i = 0; i < PCP_MAX_WORKERS; i++)
		if (p->workers[i].pid > 0)
			kill(p->workers[i].pid, SIGTERM);
	while (live_workers(p) > 0 && net_now_ms() < deadline)
	{
		poll(NULL, 0, 50);
		tend_workers(p);
	}
	for (int i = 0; i < PCP_MAX_WORKERS; i++)
		if (p->workers[i].pid > 0)
			kill(p->workers[i].pid, SIGKILL);
	/* a worker still there after the bound is left to be reaped by init */
	deadline = net_deadline_after(PCP_STOP_GRACE_MS);
	while (live_workers(p) > 0 && net_now_ms() < deadline)
	{
		poll(NULL, 0, 20);
		tend_workers(p);
	}
}

static void
serve(pcp_process *p)
{
	struct pollfd pfds[PCP_MAX_LISTENERS];

	for (int i = 0; i < p->nfds; i++)
	{
		pfds[i].fd = p->fds[i];
		pfds[i].events = POLLIN;
	}
	while (!got_stop && getppid() == p->parent)
	{
		for (int i = 0; i < p->nfds; i++)
			pfds[i].revents = 0;
		if (poll(pfds, (nfds_t) p->nfds, PCP_POLL_MS) > 0)
			accept_ready(p, pfds);
		tend_workers(p);
		if (got_reload)
		{
			got_reload = 0;
			reload_config_file(p->config_file, p->cfg);
			load_users(p);
		}
	}
}

static void __attribute__((noreturn))
pcp_process_main(pcp_server *s)
{
	pcp_process p;

	memset(&p, 0, sizeof(p));
	p.cfg = s->cfg;
	p.config_file = s->config_file;
	p.pcp_file = s->pcp_file;
	p.parent = getppid();
	for (int i = 0; i < s->num_inherited_fds; i++)
		close(s->inherited_fds[i]);
	parent_signals_reset_in_child();
	install_signals();
	log_set_process_name("pcp_main");
	ps_title_set("PCP: wait for connection request");
	if (open_listeners(&p) != 0)
	{
		close_listeners(&p);
		_exit(1);
	}
	load_users(&p);
	serve(&p);
	close_listeners(&p);
	stop_workers(&p);
	pcp_users_free(p.users);
	_exit(0);
}

/* ---- the main process's side ---- */

void
pcp_server_init(pcp_server *s, pool_config *cfg, const char *config_file, const char *pcp_file)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->config_file = config_file;
	s->pcp_file = pcp_file;
	s->respawn = true;
	s->respawn_interval_ms = PCP_RESPAWN_INTERVAL_MS;
}

void
pcp_server_fill(pcp_server *s)
{
	pid_t		pid;

	if (s->pid != 0 || !s->respawn)
		return;
	if (s->started_ms != 0 && net_now_ms() - s->started_ms < s->respawn_interval_ms)
		return;
	s->started_ms = net_now_ms();
	pid = fork();
	if (pid == 0)
		pcp_process_main(s);
	if (pid < 0)
		log_error("could not fork the PCP process: %s", strerror(errno));
	else
		s->pid = pid;
}

bool
pcp_server_reaped(pcp_server *s, pid_t pid, int status)
{
	if (s->pid == 0 || pid != s->pid)
		return false;
	s->pid = 0;
	if (net_now_ms() - s->started_ms < PCP_SHORT_LIFE_MS)
		s->respawn_interval_ms = s->respawn_interval_ms * 2 > PCP_RESPAWN_INTERVAL_MAX_MS ?
			PCP_RESPAWN_INTERVAL_MAX_MS : s->respawn_interval_ms * 2;
	else
		s->respawn_interval_ms = PCP_RESPAWN_INTERVAL_MS;
	if (WIFSIGNALED(status) && WTERMSIG(status) != SIGTERM)
		log_warning("PCP process with pid: %d exits by signal %d", (int) pid, WTERMSIG(status));
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		log_warning("PCP process with pid: %d exits with status %d", (int) pid,
					WEXITSTATUS(status));
	return true;
}

void
pcp_server_signal(const pcp_server *s, int signo)
{
	if (s->pid > 0)
		kill(s->pid, signo);
}

void
pcp_server_stop(pcp_server *s)
{
	s->respawn = false;
	pcp_server_signal(s, SIGTERM);
}

int
pcp_server_live_count(const pcp_server *s)
{
	return s->pid > 0 ? 1 : 0;
}
