/*
 * A reused connection set carries the first client's start-up parameters (DISCARD ALL restores
 * them). A new client whose parameters differ (application_name, client_encoding, DateStyle ...)
 * gets them applied with SET before its session starts; the backend's ParameterStatus answers are
 * queued for the client after the cached ones.
 */
#include <errno.h>
#include <string.h>

#include "child/session.h"
#include "common/log.h"
#include "common/util.h"
#include "net/sock.h"

#define PARAM_SYNC_TIMEOUT_MS 10000

/* Start-up keys that are not run-time settings. */
static bool
is_setting(const char *name)
{
	static const char *const not_settings[] = {"user", "database", "options", "replication"};

	for (size_t i = 0; i < sizeof(not_settings) / sizeof(not_settings[0]); i++)
		if (strcmp(name, not_settings[i]) == 0)
			return false;
	return true;
}

/* Appends SQL text for a quoted literal ('it''s') or identifier ("x""y"). */
static void
append_quoted(char **sql, size_t *len, const char *text, char quote)
{
	size_t		need = *len + 2 * strlen(text) + 3;

	*sql = xrealloc(*sql, need + 1);
	(*sql)[(*len)++] = quote;
	for (const char *p = text; *p; p++)
	{
		if (*p == quote)
			(*sql)[(*len)++] = quote;
		(*sql)[(*len)++] = *p;
	}
	(*sql)[(*len)++] = quote;
	(*sql)[*len] = '\0';
}

static void
append_text(char **sql, size_t *len, const char *text)
{
	size_t		n = strlen(text);

	*sql = xrealloc(*sql, *len + n + 1);
	memcpy(*sql + *len, text, n + 1);
	*len += n;
}

/* "SET a TO 'x'; SET b TO 'y'" for the client's settings that differ, or NULL. */
static char *
build_set_statements(const pq_startup *client, const pq_startup *cached)
{
	char	   *sql = NULL;
	size_t		len = 0;

	for (size_t i = 0; i < client->nparams; i++)
	{
		const pq_param *p = &client->params[i];
		const char *old = pq_startup_param(cached, p->name);

		if (!is_setting(p->name) || (old != NULL && strcmp(old, p->value) == 0))
			continue;
		append_text(&sql, &len, len ? "; SET " : "SET ");
		append_quoted(&sql, &len, p->name, '"');
		append_text(&sql, &len, " TO ");
		append_quoted(&sql, &len, p->value, '\'');
	}
	return sql;
}

/* Reads the SET's answers up to ReadyForQuery, queueing ParameterStatus for the client. */
static int
read_answers(session *s, backend_conn *b, pq_out *for_client, int64_t deadline)
{
	for (;;)
	{
		if (msgio_read(&b->conn, &s->msg, SESSION_STARTUP_MAX_MESSAGE, deadline) != 0)
		{
			log_warning("applying start-up parameters failed: %s", msgio_error_text(errno));
			return -1;
		}
		if (s->msg.type == PQ_MSG_PARAMETER_STATUS)
		{
			pq_out_begin(for_client, s->msg.type);
			pq_out_bytes(for_client, s->msg.data, s->msg.len);
			pq_out_end(for_client);
		}
		else if (s->msg.type == PQ_MSG_ERROR_RESPONSE)
		{
			/* the client asked for a setting the server refuses, as a direct connection would */
			pq_out_begin(for_client, s->msg.type);
			pq_out_bytes(for_client, s->msg.data, s->msg.len);
			pq_out_end(for_client);
			return 1;
		}
		else if (s->msg.type == PQ_MSG_READY_FOR_QUERY)
			return pq_parse_ready_for_query(s->msg.data, s->msg.len, &b->tx_status) ? 0 : -1;
	}
}

/* The other nodes of the set get the same settings; one that refuses them leaves the set. */
static void
apply_to_other_nodes(session *s, const char *sql, int64_t deadline)
{
	pool_entry *e = s->entry;
	pq_out		ignored;

	pq_out_init(&ignored);
	for (int node = 0; node < e->num_backends; node++)
	{
		backend_conn *b = &e->backends[node];

		if (!b->connected || node == e->main_node)
			continue;
		pq_put_query(&s->out, sql);
		if (msgio_send(&b->conn, &s->out, deadline) != 0 || read_answers(s, b, &ignored, deadline) != 0)
		{
			log_info("node %d refused the session's start-up settings; the session goes on without it", node);
			net_conn_close(&b->conn);
			b->connected = false;
		}
		pq_out_reset(&ignored);
	}
	pq_out_free(&ignored);
}

int
session_apply_parameters(session *s, pq_out *for_client)
{
	backend_conn *b = &s->entry->backends[s->entry->main_node];
	char	   *sql = build_set_statements(&s->startup, &s->entry->startup);
	int64_t		deadline = net_deadline_after(PARAM_SYNC_TIMEOUT_MS);
	int			rc;

	if (sql == NULL)
		return 0;
	pq_put_query(&s->out, sql);
	rc = msgio_send(&b->conn, &s->out, deadline) != 0 ? -1 : read_answers(s, b, for_client, deadline);
	if (rc == 0)
		apply_to_other_nodes(s, sql, deadline);
	free(sql);
	return rc;
}
