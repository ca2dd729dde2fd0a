/*
 * The child's life (see child.h): wait for a client on the listen sockets (one child wakes per
 * connection), serve it, repeat; exit on request, after child_max_connections sessions, or after
 * child_life_time idle seconds. Signals only set flags that the loop and the relay read.
 */
#include "child/child.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "child/client_auth.h"
#include "child/credentials.h"
#include "child/pool.h"
#include "child/session.h"
#include "common/log.h"
#include "common/ps_title.h"
#include "main/logging_setup.h"
#include "main/reload.h"
#include "net/sock.h"
#include "shmem/shmem.h"

volatile int child_fast_exit_requested;
static volatile sig_atomic_t smart_exit_requested;
static volatile sig_atomic_t reload_requested;

static void
on_signal(int signo)
{
	if (signo == SIGTERM)
		smart_exit_requested = 1;
	else if (signo == SIGHUP)
		reload_requested = 1;
	else
		child_fast_exit_requested = 1;
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
}

/* One epoll over every listener, EPOLLEXCLUSIVE so that one connection wakes one child. */
static int
make_accept_poller(const child_context *ctx)
{
	int			ep = epoll_create1(EPOLL_CLOEXEC);

	for (int i = 0; ep >= 0 && i < ctx->num_listen_fds; i++)
	{
		struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = ctx->listen_fds[i]};

		if (epoll_ctl(ep, EPOLL_CTL_ADD, ctx->listen_fds[i], &ev) != 0)
			log_warning("could not watch a listen socket: %s", strerror(errno));
	}
	return ep;
}

static void
apply_reload(child_context *ctx)
{
	reload_requested = 0;
	if (reload_config_file(ctx->config_file, ctx->cfg) == 0)
		logging_apply_config(ctx->cfg);
	credentials_reload();
	client_auth_reload();
}

/* Waits for a connection; returns the accepted fd, -1 on timeout or signal. */
static int
accept_client(int ep, int timeout_ms)
{
	struct epoll_event ev;
	int			n = epoll_wait(ep, &ev, 1, timeout_ms);

	if (n <= 0)
		return -1;
	/* another child may have taken it: EAGAIN is normal on a non-blocking accept */
	return accept4(ev.data.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

static void
child_exit(conn_pool *pool, int code)
{
	pool_close_all(pool);
	_exit(code);
}

void
child_main(child_context *ctx)
{
	conn_pool	pool;
	int			ep;
	int			served = 0;
	time_t		idle_since = time(NULL);
	bool		title_is_idle = false;

	log_set_process_name("child");
	install_signals();
	net_set_interrupt_flag(&child_fast_exit_requested);
	srandom((unsigned) getpid() ^ (unsigned) time(NULL));
	shm_child_begin(ctx->slot, getpid(), time(NULL));
	pool_init(&pool, ctx->cfg->max_pool, ctx->cfg->num_backends);
	ep = make_accept_poller(ctx);
	if (ep < 0)
		child_exit(&pool, 1);
	for (;;)
	{
		int			fd;
		time_t		now;

		if (smart_exit_requested || child_fast_exit_requested)
			child_exit(&pool, 0);
		if (reload_requested)
			apply_reload(ctx);
		if (!title_is_idle)
		{
			ps_title_set("wait for connection request");
			title_is_idle = true;
		}
		shm_child_set_status(ctx->slot, SHM_CHILD_WAIT_FOR_CONNECTION);
		fd = accept_client(ep, 1000);
		now = time(NULL);
		if (fd < 0)
		{
			pool_expire(&pool, ctx->cfg->connection_life_time, now);
			if (ctx->cfg->child_life_time > 0 && now - idle_since >= ctx->cfg->child_life_time)
				child_exit(&pool, 0);
			continue;
		}
		shm_child_count_client(ctx->slot);
		shm_child_set_status(ctx->slot, SHM_CHILD_IDLE);
		title_is_idle = false;
		session_run(ctx, &pool, fd);
		shm_child_set_session(ctx->slot, "", "");
		idle_since = time(NULL);
		if (ctx->cfg->child_max_connections > 0 && ++served >= ctx->cfg->child_max_connections)
			child_exit(&pool, 0);
	}
}
