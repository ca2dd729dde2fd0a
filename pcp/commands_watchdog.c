/*
 * PCP watchdog info ('W'): the cluster view the watchdog published in shared memory, as the JSON
 * document pgpool's pcp_watchdog_info reads (keys and numbers as pgpool 4.3 sends them).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "net/sock.h"
#include "pcp/worker.h"
#include "shmem/shmem.h"
#include "watchdog/election.h"

/* The watchdog publishes every 100 ms; a view older than this means it is not running. */
#define WD_VIEW_STALE_MS 3000

typedef struct json_buf
{
	char	   *s;
	size_t		len;
	size_t		cap;
} json_buf;

static void
json_add(json_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
json_add(json_buf *b, const char *fmt, ...)
{
	va_list		ap;
	int			n;

	for (;;)
	{
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t) n < b->cap - b->len)
			break;
		b->cap = b->cap * 2 + (size_t) (n > 0 ? n : 64);
		b->s = xrealloc(b->s, b->cap);
	}
	b->len += (size_t) n;
}

/* A string value; "Not_Set" for an empty one, as pgpool prints unset names. */
static void
json_str(json_buf *b, const char *key, const char *value)
{
	json_add(b, "\"%s\":\"", key);
	if (value == NULL || value[0] == '\0')
		value = "Not_Set";
	for (const char *p = value; *p; p++)
	{
		if (*p == '"' || *p == '\\')
			json_add(b, "\\%c", *p);
		else if ((unsigned char) *p < 0x20)
			json_add(b, "\\u%04x", (unsigned char) *p);
		else
			json_add(b, "%c", *p);
	}
	json_add(b, "\"");
}

static void
json_node(json_buf *b, const shm_wd_view *v, int i)
{
	const shm_wd_node *n = &v->nodes[i];

	json_add(b, "{\"ID\":%d,\"State\":%d,", i, n->state);
	json_str(b, "StateName", wd_state_name(n->state));
	json_add(b, ",\"Membership\":%d,", n->membership);
	json_str(b, "MembershipString", n->membership == 0 ? "MEMBER" : "NOT-MEMBER");
	json_add(b, ",");
	json_str(b, "NodeName", n->node_name);
	json_add(b, ",");
	json_str(b, "HostName", n->host_name);
	json_add(b, ",");
	json_str(b, "DelegateIP", v->delegate_ip);
	json_add(b, ",\"WdPort\":%d,\"PgpoolPort\":%d,\"Priority\":%d}", n->wd_port, n->pgpool_port,
			 n->priority);
}

/* What pgpool answers for a watchdog node index it does not have. */
static void
json_missing_node(json_buf *b)
{
	json_add(b, "{\"ID\":-1,\"State\":-1,\"StateName\":\"Not_Set\",\"Membership\":-1,"
			 "\"MembershipString\":\"Not_Set\",\"NodeName\":\"Not_Set\",\"HostName\":\"Not_Set\","
			 "\"DelegateIP\":\"Not_Set\",\"WdPort\":0,\"PgpoolPort\":0,\"Priority\":0}");
}

static void
json_header(json_buf *b, const shm_wd_view *v)
{
	const shm_wd_node *leader = v->leader_node >= 0 ? &v->nodes[v->leader_node] : NULL;

	json_add(b, "{\"RemoteNodeCount\":%d,\"MemberRemoteNodeCount\":%d,\"NodesRequireForQuorum\":%d,"
			 "\"QuorumStatus\":%d,\"AliveNodeCount\":%d,\"Escalated\":%d,",
			 v->num_nodes - 1, v->num_nodes - 1, v->quorum_needed, v->quorum_status,
			 v->alive_nodes - 1, v->escalated ? 1 : 0);
	json_str(b, "LeaderNodeName", leader ? leader->node_name : "");
	json_add(b, ",");
	json_str(b, "LeaderHostName", leader ? leader->host_name : "");
}

/*
 * index -1: every node; 0: the local node; k > 0: the k-th other node in node id order (pgpool's
 * numbering of pcp_watchdog_info -n).
 */
static char *
watchdog_json(const shm_wd_view *v, int index)
{
	json_buf	b = {xmalloc(1024), 0, 1024};
	int			order[SHM_WD_MAX_NODES];
	int			count = 0;

	order[count++] = v->local_node;
	for (int i = 0; i < v->num_nodes; i++)
		if (i != v->local_node)
			order[count++] = i;
	json_header(&b, v);
	json_add(&b, ",\"NodeCount\":%d,\"WatchdogNodes\":[", index < 0 ? count : 1);
	for (int k = 0; k < count; k++)
	{
		if (index >= 0 && k != index)
			continue;
		if (index < 0 && k > 0)
			json_add(&b, ",");
		json_node(&b, v, order[k]);
	}
	if (index >= count)
		json_missing_node(&b);
	json_add(&b, "]}");
	return b.s;
}

bool
pcp_watchdog_info(pcp_worker *w, pcp_reader *r)
{
	shm_wd_view *v;
	int			index = -1;
	char	   *json;

	if (!w->cfg->use_watchdog)
	{
		pcp_worker_error(w, "PCP: informing watchdog info failed", "watchdog is not enabled");
		return true;
	}
	if (!pcp_read_int_field(r, &index) || index < -1)
		index = -1;
	v = xmalloc(sizeof(*v));
	if (shm_wd_read(v) != 0)
	{
		pcp_worker_error(w, "PCP: informing watchdog info failed",
						 "the watchdog process has not published its view yet");
		free(v);
		return true;
	}
	if (net_now_ms() - v->published_ms > WD_VIEW_STALE_MS)
	{
		char		detail[128];

		snprintf(detail, sizeof(detail), "the watchdog process has not updated its view for %lld ms "
				 "(see pgpool's log)", (long long) (net_now_ms() - v->published_ms));
		pcp_worker_error(w, "PCP: informing watchdog info failed", detail);
		free(v);
		return true;
	}
	json = watchdog_json(v, index);
	pcp_msg_begin(&w->out, 'w');
	pcp_msg_add_str(&w->out, "CommandComplete");
	pcp_msg_add_str(&w->out, json);
	pcp_msg_end(&w->out);
	free(json);
	free(v);
	return true;
}
