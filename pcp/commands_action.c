/*
 * PCP requests that change something: attach, detach (graceful) and promote go through the failover
 * queue (main/failover_request.h), so that the failover process runs pgpool's scripts, builtin
 * failover and pgpool_status for them (on a standby watchdog node the leader's, commands_forward.c);
 * reload, stop, set-parameter. Online recovery: commands_recovery.c.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "main/failover_request.h"
#include "net/sock.h"
#include "pcp/worker.h"
#include "shmem/shmem.h"
#include "watchdog/cluster_command.h"

#define GRACEFUL_POLL_MS 200
/*
 * How long the reply waits for the failover process to carry a request out (a switchover searches
 * for the primary and waits for the standbys to follow). pgpool answers once the request is queued;
 * waiting lets the operator's next command see the result. Past the bound the request goes on.
 */
#define ATTACH_WAIT_MS (60 * 1000)
#define PROMOTE_WAIT_MS (300 * 1000)

/* A configured node id (not only < 128 as pgpool accepts: pgpool-ng refuses unconfigured ones). */
static bool
node_configured(const pcp_worker *w, int node)
{
	(void) w;
	return node >= 0 && node < shm_num_backends();
}

/*
 * Queues a request and waits (bounded) until the failover process carried it out. false when it was
 * refused (err holds pgpool's words); true when done, queued behind another request, or still in
 * progress at the deadline.
 */
static bool
queue_and_wait(pcp_worker *w, shm_failover_kind kind, int node, unsigned int flags, int wait_ms,
			   char *err, size_t err_size)
{
	uint64_t	id = 0;
	int			rc = failover_request(w->cfg, kind, node, flags, &id, err, err_size);

	if (rc != FO_REQUEST_QUEUED)
		return false;
	/*
	 * Behind another request (a failover whose follow_primary_command calls pcp_attach_node, say):
	 * answer once queued, as pgpool does, so that a script never waits for itself.
	 */
	if (id > shm_failover_done_id() + 1)
	{
		log_info("PCP %s: request %llu on node %d queued behind another failover request",
				 w->peer, (unsigned long long) id, node);
		return true;
	}
	if (failover_request_wait_with_deadline(id, wait_ms) != 0)
		log_warning("PCP %s: request %llu on node %d is still being carried out after %d s",
					w->peer, (unsigned long long) id, node, wait_ms / 1000);
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

/*
 * Carries a request out: here, or on a standby watchdog node through the leader; with -g
 * (SHM_FO_GRACEFUL) once this node's sessions are gone. false when refused (err says why).
 */
static bool
carry_out(pcp_worker *w, shm_failover_kind kind, int node, unsigned int flags, int wait_ms,
		  char *err, size_t err_size)
{
	int			leader;
	wd_route	route = pcp_node_request_route(w, wd_node_request_tool(kind), &leader, err,
												err_size);

	if (route == WD_ROUTE_REFUSE)
		return false;
	if (flags & SHM_FO_GRACEFUL)
		wait_for_sessions(w, node);
	if (route == WD_ROUTE_LEADER)
		return pcp_forward_to_leader(w, kind, node, flags, leader, err, err_size);
	return queue_and_wait(w, kind, node, flags, wait_ms, err, err_size);
}

/* pgpool accepts attaching a node that is up; it waits for its first session ("waiting"). */
static bool
attach_node(pcp_worker *w, pcp_reader *r)
{
	int			node;
	char		detail[96], err[256] = "";

	if (!pcp_read_int_field(r, &node))
		node = -1;
	if (!node_configured(w, node))
	{
		snprintf(detail, sizeof(detail), "node id %d is not configured", node);
		pcp_worker_error(w, "invalid failback request", detail);
		return true;
	}
	if (!carry_out(w, SHM_FO_NODE_UP, node, 0, ATTACH_WAIT_MS, err, sizeof(err)))
	{
		pcp_worker_error(w, "failback request failed", err);
		return true;
	}
	log_info("PCP %s: node %d attached", w->peer, node);
	pcp_worker_complete(w, 'c');
	return true;
}

static bool
detach_node(pcp_worker *w, pcp_reader *r, bool graceful)
{
	int			node, status;
	char		msg[160], err[256] = "";

	if (!pcp_read_int_field(r, &node))
		node = -1;
	status = node_configured(w, node) ? pcp_node_status(node) : SHM_CON_DOWN;
	if (status == SHM_CON_DOWN || status == SHM_CON_UNUSED || status < 0)
	{
		snprintf(msg, sizeof(msg), "invalid degenerate backend request, node id : %d status: "
				 "[%d] is not valid for failover", node, status < 0 ? SHM_CON_DOWN : status);
		pcp_worker_error(w, msg, NULL);
		return true;
	}
	if (!carry_out(w, SHM_FO_NODE_DOWN, node, graceful ? SHM_FO_GRACEFUL : 0, ATTACH_WAIT_MS,
				   err, sizeof(err)))
	{
		pcp_worker_error(w, err, NULL);
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

/*
 * The node id (sent as "<id> "), then one byte: 's' switchover, 'n' not. As pgpool, promoting a node
 * that is down or already the primary is answered with success; the failover process logs why it
 * did nothing.
 */
static bool
promote_node(pcp_worker *w, pcp_reader *r, bool graceful)
{
	int			node;
	unsigned int flags = graceful ? SHM_FO_GRACEFUL : 0;
	char		detail[64], err[256] = "";

	if (!pcp_read_int_field(r, &node))
		node = -1;
	if (!node_configured(w, node))
	{
		snprintf(detail, sizeof(detail), "node id %d is not valid", node);
		pcp_worker_error(w, "could not process promote request", detail);
		return true;
	}
	if (pcp_read_byte(r) == 's')
		flags |= SHM_FO_SWITCHOVER;
	if (!carry_out(w, SHM_FO_PROMOTE, node, flags, PROMOTE_WAIT_MS, err, sizeof(err)))
	{
		pcp_worker_error(w, "could not process promote request", err);
		return true;
	}
	log_info("PCP %s: promote of node %d%s done", w->peer, node,
			 (flags & SHM_FO_SWITCHOVER) ? " (switchover)" : "");
	pcp_worker_complete(w, 'd');
	return true;
}

static bool
promote_now(pcp_worker *w, pcp_reader *r)
{
	return promote_node(w, r, false);
}

static bool
promote_gracefully(pcp_worker *w, pcp_reader *r)
{
	return promote_node(w, r, true);
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
	/* -s c: the watchdog tells the other nodes too (watchdog/cluster_command.h) */
	if (scope == 'c')
		wd_cluster_command_post(w->cfg, WD_CLUSTER_RELOAD);
	log_info("PCP %s: configuration reload requested", w->peer);
	pcp_worker_complete(w, 'z');
	return true;
}

/* T local, t cluster-wide (local without a watchdog); the mode byte picks the signal. */
static bool
stop_pgpool(pcp_worker *w, pcp_reader *r, bool cluster)
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
	if (cluster)
		wd_cluster_command_post(w->cfg, wd_cluster_stop_command(mode));
	w->signal_parent = sig;
	pcp_worker_complete(w, 't');
	return true;
}

static bool
stop_local(pcp_worker *w, pcp_reader *r)
{
	return stop_pgpool(w, r, false);
}

static bool
stop_cluster(pcp_worker *w, pcp_reader *r)
{
	return stop_pgpool(w, r, true);
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
		case 'J': return promote_now;
		case 'j': return promote_gracefully;
		case 'O': return pcp_recovery_node_handler;
		case 'Z': return reload_config;
		case 'T': return stop_local;
		case 't': return stop_cluster;
		case 'A': return set_parameter;
		default: return NULL;
	}
}
