/*
 * PCP requests that change something: attach and detach a node (in the shared backend table),
 * reload, stop, set-parameter; promote and online recovery answer that they are not available yet.
 * Attach and detach edit the table directly until the failover process (with its commands and
 * pgpool_status) takes such requests; see docs/compatibility.md.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "net/sock.h"
#include "pcp/worker.h"
#include "shmem/shmem.h"

/* How long a table edit may wait for the writers' lock. */
#define EDIT_LOCK_TIMEOUT_MS 5000
#define GRACEFUL_POLL_MS 200

/* A configured node id (not only < 128 as pgpool accepts: pgpool-ng refuses unconfigured ones). */
static bool
node_configured(const pcp_worker *w, int node)
{
	(void) w;
	return node >= 0 && node < shm_num_backends();
}

/* Sets a node's status in the table; -1 when the table could not be edited in time. */
static int
set_node_status(int node, shm_backend_status status)
{
	shm_backend_table *t = shm_backends_edit_begin_with_deadline(EDIT_LOCK_TIMEOUT_MS);

	if (!t)
		return -1;
	if (t->nodes[node].status != (int32_t) status)
	{
		t->nodes[node].status = status;
		t->nodes[node].last_status_change = (int64_t) time(NULL);
	}
	return shm_backends_edit_commit() == 0 ? 0 : -1;
}

static int
node_status(int node)
{
	shm_backend_table t;

	if (shm_backends_snapshot(&t) == 0)
		return -1;
	return t.nodes[node].status;
}

/* pgpool accepts attaching a node that is up; it waits for its first session ("waiting"). */
static bool
attach_node(pcp_worker *w, pcp_reader *r)
{
	int			node, status;
	char		detail[96];

	if (!pcp_read_int_field(r, &node))
		node = -1;
	if (!node_configured(w, node))
	{
		snprintf(detail, sizeof(detail), "node id %d is not configured", node);
		pcp_worker_error(w, "invalid failback request", detail);
		return true;
	}
	status = node_status(node);
	if (status != SHM_CON_UP && status != SHM_CON_CONNECT_WAIT &&
		set_node_status(node, SHM_CON_CONNECT_WAIT) != 0)
	{
		pcp_worker_error(w, "failback request failed", "the backend table is busy");
		return true;
	}
	log_info("PCP %s: node %d attached", w->peer, node);
	pcp_worker_complete(w, 'c');
	return true;
}

/* Sessions on other children that are not waiting for a client. */
static int
busy_children(void)
{
	int			busy = 0;

	for (int i = 0; i < shm_num_children(); i++)
	{
		shm_child_info ci;

		if (shm_child_read(i, &ci) == 0 && ci.pid > 0 &&
			ci.status != SHM_CHILD_WAIT_FOR_CONNECTION)
			busy++;
	}
	return busy;
}

/* -g: wait for the clients to go, at most recovery_timeout (as pgpool bounds it). */
static void
wait_for_sessions(pcp_worker *w, int node)
{
	int			timeout_s = w->cfg->recovery_timeout > 0 ? w->cfg->recovery_timeout : 90;
	int64_t		deadline = net_deadline_after(timeout_s * 1000);

	while (busy_children() > 0)
	{
		if (net_now_ms() >= deadline)
		{
			log_warning("PCP %s: sessions still open after %d s; detaching node %d anyway",
						w->peer, timeout_s, node);
			return;
		}
		usleep(GRACEFUL_POLL_MS * 1000);
	}
}

static bool
detach_node(pcp_worker *w, pcp_reader *r, bool graceful)
{
	int			node, status;
	char		msg[160];

	if (!pcp_read_int_field(r, &node))
		node = -1;
	status = node_configured(w, node) ? node_status(node) : SHM_CON_DOWN;
	if (status == SHM_CON_DOWN || status == SHM_CON_UNUSED || status < 0)
	{
		snprintf(msg, sizeof(msg), "invalid degenerate backend request, node id : %d status: "
				 "[%d] is not valid for failover", node, status < 0 ? SHM_CON_DOWN : status);
		pcp_worker_error(w, msg, NULL);
		return true;
	}
	if (cfg_backend_flags(w->cfg, node) & CFG_BACKEND_DISALLOW_TO_FAILOVER)
	{
		snprintf(msg, sizeof(msg), "node %d is configured with DISALLOW_TO_FAILOVER", node);
		pcp_worker_error(w, "invalid degenerate backend request", msg);
		return true;
	}
	if (graceful)
		wait_for_sessions(w, node);
	if (set_node_status(node, SHM_CON_DOWN) != 0)
	{
		pcp_worker_error(w, "degenerate request failed", "the backend table is busy");
		return true;
	}
	log_info("PCP %s: node %d detached", w->peer, node);
	pcp_worker_complete(w, 'd');
	return true;
}

static bool
detach_now(pcp_worker *w, pcp_reader *r)
{
	return detach_node(w, r, false);
}

static bool
detach_gracefully(pcp_worker *w, pcp_reader *r)
{
	return detach_node(w, r, true);
}

/* The node id (sent as "<id> "), then one byte: 's' switchover, 'n' not. */
static bool
promote_node(pcp_worker *w, pcp_reader *r)
{
	int			node;
	char		detail[64];

	if (!pcp_read_int_field(r, &node))
		node = -1;
	if (!node_configured(w, node))
	{
		snprintf(detail, sizeof(detail), "node id %d is not valid", node);
		pcp_worker_error(w, "could not process promote request", detail);
		return true;
	}
	pcp_worker_error(w, "could not process promote request",
					 "promote node is not available yet in pgpool-ng: it needs the failover "
					 "process, which is not built yet");
	return true;
}

static bool
recovery_node(pcp_worker *w, pcp_reader *r)
{
	int			node, status;
	char		msg[96];

	if (!pcp_read_int_field(r, &node))
		node = -1;
	if (!node_configured(w, node))
	{
		snprintf(msg, sizeof(msg), "node id %d is not valid", node);
		pcp_worker_error(w, "process recovery request failed", msg);
		return true;
	}
	status = node_status(node);
	if (status == SHM_CON_UP || status == SHM_CON_CONNECT_WAIT)
	{
		snprintf(msg, sizeof(msg), "node recovery failed, node id: %d is alive", node);
		pcp_worker_error(w, msg, NULL);
		return true;
	}
	pcp_worker_error(w, "node recovery failed",
					 "online recovery is not available yet in pgpool-ng: it needs the failover "
					 "process, which is not built yet");
	return true;
}

/* 'c' cluster or 'l' local; without a watchdog both reload this pgpool. */
static bool
reload_config(pcp_worker *w, pcp_reader *r)
{
	int			scope = pcp_read_byte(r);

	if (scope != 'c' && scope != 'l' && scope != -1)
	{
		pcp_worker_error(w, "invalid reload scope", "the scope must be 'c' (cluster) or 'l' (local)");
		return true;
	}
	shm_request_post(SHM_REQUEST_RELOAD);
	w->signal_parent = SIGUSR1;
	log_info("PCP %s: configuration reload requested", w->peer);
	pcp_worker_complete(w, 'z');
	return true;
}

/* T local, t cluster-wide (local without a watchdog); the mode byte picks the signal. */
static bool
stop_pgpool(pcp_worker *w, pcp_reader *r)
{
	int			mode = pcp_read_byte(r);
	int			sig = mode == 's' ? SIGTERM : mode == 'f' ? SIGINT : mode == 'i' ? SIGQUIT : 0;
	char		detail[64];

	if (sig == 0)
	{
		snprintf(detail, sizeof(detail), "invalid shutdown mode \"%c\"", mode > 0 ? mode : '?');
		pcp_worker_error(w, "PCP: error while processing shutdown request", detail);
		return true;
	}
	log_info("PCP %s: %s shutdown requested", w->peer,
			 mode == 's' ? "smart" : mode == 'f' ? "fast" : "immediate");
	w->signal_parent = sig;
	pcp_worker_complete(w, 't');
	return true;
}

/* pgpool accepts client_min_messages only (its clients' -d); pgpool-ng sends no notices, so it is a no-op. */
static bool
set_parameter(pcp_worker *w, pcp_reader *r)
{
	const char *name = pcp_read_str(r);
	const char *value = name ? pcp_read_str(r) : NULL;
	char		detail[160];

	if (!value)
	{
		pcp_worker_error(w, "invalid set parameter request", "name and value are required");
		return false;
	}
	if (strcasecmp(name, "client_min_messages") != 0)
	{
		snprintf(detail, sizeof(detail), "invalid or not supported parameter name: %.100s", name);
		pcp_worker_error(w, "set configuration parameter failed", detail);
		return true;
	}
	pcp_worker_complete(w, 'a');
	return true;
}

pcp_handler
pcp_action_handler(char kind)
{
	switch (kind)
	{
		case 'C': return attach_node;
		case 'D': return detach_now;
		case 'd': return detach_gracefully;
		case 'J':
		case 'j': return promote_node;
		case 'O': return recovery_node;
		case 'Z': return reload_config;
		case 'T':
		case 't': return stop_pgpool;
		case 'A': return set_parameter;
		default: return NULL;
	}
}
