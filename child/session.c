/*
 * One client session from accept to close (see session.h): start-up, authentication, a cached or
 * new connection set, the welcome, the relay, and the return of the connections to the cache.
 */
#include "child/session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "child/cancel.h"
#include "child/client_auth.h"
#include "child/credentials.h"
#include "child/intercept.h"
#include "child/router.h"
#include "common/log.h"
#include "common/ps_title.h"
#include "common/util.h"
#include "net/sock.h"
#include "shmem/shmem.h"

/* authentication_timeout = 0 means "no limit" in pgpool; we still bound it. */
#define AUTH_TIMEOUT_MAX_S 600

void
session_report(session *s, const char *severity, const char *sqlstate, const char *message,
			   const char *detail)
{
	pq_error_fields f = {.severity = severity, .sqlstate = sqlstate, .message = message,
	.detail = detail};
	pq_out		out;

	log_msg(LOG_LEVEL_LOG, "%s to %s: %s%s%s",
			severity, s->client_host, message, detail ? ": " : "", detail ? detail : "");
	pq_out_init(&out);
	if (pq_put_error_response(&out, &f))
		msgio_send(&s->client, &out, net_deadline_after(1000));
	pq_out_free(&out);
}

static void
describe_client(session *s)
{
	socklen_t	len = sizeof(s->client_addr);

	s->client_is_local = false;
	str_copy(s->client_host, "[unknown]", sizeof(s->client_host));
	if (getpeername(s->client.fd, (struct sockaddr *) &s->client_addr, &len) != 0)
		return;
	if (s->client_addr.ss_family == AF_UNIX)
	{
		s->client_is_local = true;
		str_copy(s->client_host, "[local]", sizeof(s->client_host));
		return;
	}
	getnameinfo((struct sockaddr *) &s->client_addr, len, s->client_host, sizeof(s->client_host),
				NULL, 0, NI_NUMERICHOST);
}

/* The welcome: AuthenticationOk, the cached and new ParameterStatus, our key, ReadyForQuery. */
static int
send_welcome(session *s, pq_out *extra)
{
	const pool_entry *e = s->entry;

	pq_put_auth_ok(&s->out);
	pq_out_bytes(&s->out, e->welcome, e->welcome_len);
	pq_out_bytes(&s->out, extra->data, extra->len);
	pq_put_backend_key_data(&s->out, (int32_t) getpid(), s->cancel_key);
	pq_put_ready_for_query(&s->out, e->backends[e->main_node].tx_status);
	return msgio_send(&s->client, &s->out, s->auth_deadline);
}

static int
take_cached_entry(session *s, pool_entry *e, pq_out *extra)
{
	s->entry = e;
	/* a cached set whose main backend has closed meanwhile is useless */
	if (!backend_conn_idle_alive(&e->backends[e->main_node]))
	{
		log_debug("cached connection of user \"%s\" to \"%s\" was closed by the backend", e->startup.user,
				  e->startup.database);
		pool_discard(e, false);
		s->entry = NULL;
		return 1;				/* make a new one */
	}
	if (!s->cfg->enable_pool_hba && client_auth_reuse(s) != 0)
		return -1;
	if (session_apply_parameters(s, extra) != 0)
	{
		msgio_send(&s->client, extra, net_deadline_after(1000));
		pool_discard(e, false);
		s->entry = NULL;
		return -1;
	}
	return 0;
}

static int
make_new_entry(session *s)
{
	pool_entry *e = pool_take_free(s->pool);

	s->entry = e;
	e->startup_packet = s->startup_packet;
	e->startup = s->startup;
	s->startup_packet = NULL;	/* the entry owns the packet now; s->startup still points into it */
	e->main_node = router_main_node(s->cfg);
	e->created = time(NULL);
	if (e->main_node < 0)
	{
		session_report(s, "FATAL", "08006", "no PostgreSQL backend is available", NULL);
		return -1;
	}
	if (session_connect_backend(s, e->main_node) != 0)
		return -1;
	if (!s->cfg->enable_pool_hba && !e->passed_through && client_auth_method(s, e->backend_method) != 0)
		return -1;
	return 0;
}

/* After a node refused or did not answer, this child leaves it alone for a while. */
#define EXTRA_NODE_RETRY_S 10

/*
 * With load balancing, a set also connects the other usable nodes, as pgpool does (a node of
 * weight 0 may still be named by a redirect preference or drawn per statement): a new set at
 * once, a cached one the nodes it lost (a standby that restarted). A node that cannot be reached
 * is left out, and this child does not try it again for EXTRA_NODE_RETRY_S: a host that does not
 * answer would cost every session connect_timeout. A set whose login the client answered itself
 * (md5 passed through) cannot log in again without it, so it stays with its node.
 */
static void
connect_extra_nodes(session *s)
{
	static time_t retry_after[CFG_MAX_BACKENDS];
	const pool_config *cfg = s->cfg;
	shm_backend_table table;
	time_t		now = time(NULL);

	if (!cfg->load_balance_mode || cfg->backend_clustering_mode != CFG_CM_STREAMING_REPLICATION ||
		cfg->num_backends < 2 || s->entry->passed_through || shm_backends_snapshot(&table) == 0 ||
		table.primary_node_id != s->entry->main_node)
		return;
	for (int node = 0; node < s->entry->num_backends && node < table.num_backends; node++)
		if (node != s->entry->main_node && !s->entry->backends[node].connected &&
			shm_backend_usable(&table.nodes[node]) && now >= retry_after[node] &&
			session_connect_extra_backend(s, node) != 0)
			retry_after[node] = now + EXTRA_NODE_RETRY_S;	/* each session would wait for it */
}

/* Authentication and the connection set; 0 when the client has been welcomed. */
static int
open_session(session *s)
{
	pq_out		extra;
	pool_entry *cached;
	int			rc = 1;

	if (s->cfg->enable_pool_hba && client_auth_hba(s) != 0)
		return -1;
	pq_out_init(&extra);
	cached = pool_find(s->pool, &s->startup);
	if (cached != NULL)
		rc = take_cached_entry(s, cached, &extra);
	if (rc > 0)
		rc = make_new_entry(s);
	if (rc == 0)
		connect_extra_nodes(s);
	if (rc == 0)
		rc = send_welcome(s, &extra);
	pq_out_free(&extra);
	return rc;
}

/* What pcp_proc_info and SHOW pool_pools show of the entry this session uses. */
static void
publish_pool_slot(session *s, time_t disconnected)
{
	const pool_entry *e = s->entry;
	int			idx = (int) (e - s->pool->entries);
	shm_pool_info info;

	memset(&info, 0, sizeof(info));
	if (e->valid || disconnected == 0)
	{
		str_copy(info.database, e->startup.database, sizeof(info.database));
		str_copy(info.username, e->startup.user, sizeof(info.username));
		info.major = e->startup.major;
		info.minor = e->startup.minor;
		info.counter = (int32_t) e->counter + (disconnected == 0);
	}
	info.client_connection_time = s->connected_at;
	info.client_disconnection_time = disconnected;
	shm_pool_set(s->ctx->slot, idx, &info);
	for (int node = 0; node < e->num_backends && node < shm_num_backends(); node++)
	{
		const backend_conn *b = &e->backends[node];
		shm_pool_backend pb = {.connection_time = b->connected_at, .backend_pid = b->pid,
		.connected = b->connected};

		shm_pool_set_backend(s->ctx->slot, idx, node, &pb);
	}
}

/*
 * Told to end at once (SIGQUIT). While the failover process carries out a request for a node, that
 * is why (it ends the sessions of a node it fails over): the client is told so, and our connection
 * to that node is closed without a cancel request, which would wait on a host that may be gone.
 */
static void
end_for_shutdown(session *s)
{
	shm_backend_table t;
	int			node = -1;
	char		message[300];

	if (shm_backends_snapshot(&t) != 0 && t.failover.switching && t.failover.node >= 0 &&
		t.failover.node < s->entry->num_backends && t.failover.node < s->cfg->num_backends)
		node = t.failover.node;
	if (node < 0)
	{
		session_report(s, "FATAL", "57P01", "terminating connection due to administrator command", NULL);
		return;
	}
	if (s->entry->backends[node].connected)
	{
		net_conn_close(&s->entry->backends[node].conn);
		s->entry->backends[node].connected = false;
	}
	snprintf(message, sizeof(message), "pgpool-ng: backend node %d (%s:%d) is being failed over; "
			 "this session ends", node, s->cfg->backends[node].hostname, s->cfg->backends[node].port);
	session_report(s, "FATAL", "57P01", message, "the failover process ends every session that may "
				   "be using the node; connect again");
}

/* After the client has gone: keep the connections for the next one, or close them. */
static void
release_entry(session *s, relay_result result)
{
	pool_entry *e = s->entry;
	bool		keep = result == RELAY_CLIENT_TERMINATED && s->cfg->connection_cache &&
		pool_database_is_cacheable(e->startup.database);

	if (keep && session_reset_backends(s))
	{
		e->valid = true;
		e->last_used = time(NULL);
		e->counter++;
	}
	else
	{
		if (result == RELAY_CLIENT_LOST || result == RELAY_SHUTDOWN)
			cancel_entry_backends(s->cfg, e);
		pool_discard(e, result != RELAY_BACKEND_LOST);
	}
	publish_pool_slot(s, time(NULL));
}

static void
session_free(session *s)
{
	if (s->startup_packet != NULL)	/* else the entry owns the decoded start-up */
		pq_startup_free(&s->startup);
	free(s->startup_packet);
	free(s->client_password);
	pq_out_free(&s->out);
	msg_buf_free(&s->msg);
	net_conn_close(&s->client);
}

/*
 * reserved_connections: when no more than that many children would stay free after this one
 * takes the client, the client is refused (pgpool's "Sorry, too many clients already").
 */
static bool
too_many_clients(const child_context *ctx)
{
	int			reserved = ctx->cfg->reserved_connections;
	int			busy = 0;
	shm_child_info info;

	if (reserved <= 0)
		return false;
	for (int i = 0; i < shm_num_children(); i++)
		if (i != ctx->slot && shm_child_read(i, &info) == 0 && info.pid != 0 &&
			info.status != SHM_CHILD_WAIT_FOR_CONNECTION)
			busy++;
	return ctx->cfg->num_init_children - busy <= reserved;
}

void
session_run(child_context *ctx, conn_pool *pool, int client_fd)
{
	session		s;
	int			timeout_s = ctx->cfg->authentication_timeout;

	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	s.cfg = ctx->cfg;
	s.pool = pool;
	net_conn_init(&s.client, client_fd);
	net_set_nonblocking(client_fd);
	net_tune_socket(client_fd);
	describe_client(&s);
	pq_out_init(&s.out);
	if (timeout_s <= 0 || timeout_s > AUTH_TIMEOUT_MAX_S)
		timeout_s = AUTH_TIMEOUT_MAX_S;
	s.auth_deadline = net_deadline_after(timeout_s * 1000);
	s.connected_at = time(NULL);
	RAND_bytes((unsigned char *) &s.cancel_key, sizeof(s.cancel_key));
	if (too_many_clients(ctx))
	{
		/* after the start-up packet (and a refused SSLRequest), so psql shows the real reason */
		if (session_read_startup(&s) == STARTUP_READY)
			session_report(&s, "FATAL", "53300", "Sorry, too many clients already", NULL);
	}
	else if (session_read_startup(&s) == STARTUP_READY)
	{
		log_set_session(s.startup.database, s.startup.user, s.startup.application_name);
		ps_title_set("%s %s %s", s.startup.user, s.startup.database, s.client_host);
		if (open_session(&s) == 0)
		{
			relay_result result;

			shm_child_set_session(ctx->slot, s.startup.database, s.startup.user);
			publish_pool_slot(&s, 0);
			cancel_publish(ctx->slot, &s);
			result = session_relay(&s);
			cancel_withdraw(ctx->slot);
			intercept_session_end(&s);
			if (result == RELAY_SHUTDOWN)
				end_for_shutdown(&s);
			release_entry(&s, result);
		}
		else if (s.entry != NULL && !s.entry->valid)
			pool_discard(s.entry, true);
		log_set_session(NULL, NULL, NULL);
	}
	session_free(&s);
}
