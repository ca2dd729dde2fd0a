/*
 * The failover process (see failover.h). Each request is one function; the backend table is edited
 * in short steps (never holding its lock across a command or a connection) so that readers and the
 * other writers are never held up.
 */
#include "main/failover.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/ps_title.h"
#include "common/util.h"
#include "main/failover_command.h"
#include "main/failover_follow.h"
#include "main/failover_internal.h"
#include "main/status_file.h"
#include "net/sock.h"
#include "shmem/shmem.h"

#define EDIT_TIMEOUT_MS 5000
#define QUEUE_TIMEOUT_MS 1000
/* How long a child has to exit on SIGQUIT before it is killed. */
#define END_SESSIONS_GRACE_MS 500

bool
fo_edit(const fo_edit_fn fn, const void *arg)
{
	shm_backend_table *t = shm_backends_edit_begin_with_deadline(EDIT_TIMEOUT_MS);

	if (t == NULL)
	{
		log_error("failover: could not lock the backend table within %d ms", EDIT_TIMEOUT_MS);
		return false;
	}
	fn(t, arg);
	shm_backends_edit_commit();
	return true;
}

static void
set_switching(shm_backend_table *t, const void *arg)
{
	const int  *node = arg;

	t->failover.switching = *node >= 0;
	if (*node >= 0)
		t->failover.node = *node;
	else
		t->failover.failovers++;
}

void
fo_switching(int node)
{
	fo_edit(set_switching, &node);
}

typedef struct status_arg
{
	int			node;
	int			status;
} status_arg;

static void
set_status(shm_backend_table *t, const void *arg)
{
	const status_arg *a = arg;

	if (t->nodes[a->node].status != a->status)
	{
		t->nodes[a->node].status = a->status;
		t->nodes[a->node].last_status_change = (int64_t) time(NULL);
	}
	/* no primary now: the node is no longer shown as one (pgpool shows "primary" only for the primary) */
	if (a->status == SHM_CON_DOWN && t->primary_node_id == a->node)
	{
		t->primary_node_id = -1;
		t->nodes[a->node].role = SHM_ROLE_STANDBY;
	}
}

void
fo_set_status(const pool_config *cfg, int node, int status)
{
	status_arg	a = {node, status};

	fo_edit(set_status, &a);
	status_file_write(cfg);
}

static void
set_primary(shm_backend_table *t, const void *arg)
{
	const int  *primary = arg;

	if (t->primary_node_id != *primary)
		t->failover.primary_changes++;
	t->primary_node_id = *primary;
	t->main_node_id = *primary;
	/* sessions may go on: the standbys that still have to follow are down until they stream */
	t->failover.switching = 0;
	for (int i = 0; i < t->num_backends; i++)
		t->nodes[i].role = i == *primary ? SHM_ROLE_PRIMARY : SHM_ROLE_STANDBY;
}

void
fo_set_primary(int primary)
{
	fo_edit(set_primary, &primary);
}

int
fo_first_usable(const pool_config *cfg, const shm_backend_table *t, int skip)
{
	for (int i = 0; i < t->num_backends; i++)
		if (i != skip && cfg->backends[i].port != 0 && t->nodes[i].status != SHM_CON_DOWN)
			return i;
	return -1;
}

/* Whether child c holds a connection to node in any of its pool slots. */
static bool
child_uses(int c, int node)
{
	for (int p = 0; p < shm_max_pool(); p++)
	{
		shm_pool_row row;

		if (shm_pool_read(c, p, node, &row) == 0 && row.backend.connected)
			return true;
	}
	return false;
}

/*
 * Children get SIGQUIT; one still there after the grace (blocked connecting to a hung node, say) gets
 * SIGKILL, so that no client waits on it.
 */
static void
kill_with_grace(const pid_t *pids, const int *slots, int n)
{
	int64_t		deadline = net_now_ms() + END_SESSIONS_GRACE_MS;
	int			left = n;

	for (int i = 0; i < n; i++)
		kill(pids[i], SIGQUIT);
	while (left > 0 && net_now_ms() < deadline)
	{
		struct timespec ts = {0, 20 * 1000 * 1000};

		nanosleep(&ts, NULL);
		left = 0;
		for (int i = 0; i < n; i++)
		{
			shm_child_info info;

			if (shm_child_read(slots[i], &info) == 0 && info.pid == pids[i])
				left++;
		}
	}
	for (int i = 0; i < n && left > 0; i++)
	{
		shm_child_info info;

		if (shm_child_read(slots[i], &info) == 0 && info.pid == pids[i])
			kill(pids[i], SIGKILL);
	}
}

void
fo_end_sessions_on(int node, bool primary)
{
	int			n = 0;
	int			max = shm_num_children();
	pid_t	   *pids = xcalloc((size_t) max + 1, sizeof(pid_t));
	int		   *slots = xcalloc((size_t) max + 1, sizeof(int));

	for (int c = 0; c < max; c++)
	{
		shm_child_info info;
		bool		idle;

		if (shm_child_read(c, &info) != 0 || info.pid <= 0)
			continue;
		idle = info.status == SHM_CHILD_WAIT_FOR_CONNECTION;

		/*
		 * Primary: every session ends (it may be stuck on the node). Standby: only idle children with
		 * a cached connection to it; a busy session that uses the node sees it down in the backend
		 * table and ends itself within a second, the others go on without it (child/relay_nodes.c).
		 */
		if (primary ? !idle || child_uses(c, node) : idle && child_uses(c, node))
		{
			pids[n] = info.pid;
			slots[n++] = c;
		}
	}
	if (n > 0)
	{
		log_info("failover: ending %d child process(es) using node %d", n, node);
		kill_with_grace(pids, slots, n);
	}
	free(pids);
	free(slots);
}

int
fo_run_command(const pool_config *cfg, const char *what, const char *templ, const fo_command_vars *v)
{
	char	   *cmd;
	int			rc;

	if (templ == NULL || templ[0] == '\0')
		return 0;
	cmd = fo_command_expand(cfg, templ, v);
	rc = fo_command_run_with_deadline(what, cmd, FO_COMMAND_TIMEOUT_S);
	free(cmd);
	return rc;
}

static void
carry_out(const pool_config *cfg, const shm_failover_request *req)
{
	log_info("failover: request %llu: %s node %d (flags 0x%x, from pid %d)",
			 (unsigned long long) req->id,
			 req->kind == SHM_FO_NODE_DOWN ? "degenerate" : req->kind == SHM_FO_NODE_UP ? "failback" : "promote",
			 req->node, req->flags, req->requester);
	fo_switching(req->node);
	switch (req->kind)
	{
		case SHM_FO_NODE_DOWN:
			fo_degenerate(cfg, req->node, -1, req->flags);
			break;
		case SHM_FO_NODE_UP:
			fo_failback(cfg, req->node, req->flags);
			break;
		case SHM_FO_PROMOTE:
			fo_promote(cfg, req->node, req->flags);
			break;
	}
	fo_switching(-1);
	shm_failover_done(req->id);
}

void
failover_main(const pool_config *cfg)
{
	shm_failover_request req;

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	log_set_process_name("failover");
	ps_title_set("failover process");
	while (shm_failover_pop(&req, QUEUE_TIMEOUT_MS) == 1)
		carry_out(cfg, &req);
	exit(0);
}

void
failover_after_crash(void)
{
	fo_switching(-1);
	log_warning("failover process ended abnormally; its request may be half done");
}
