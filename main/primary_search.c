/*
 * The start-up primary search (see primary_search.h), over libpq with connect_timeout on every
 * attempt, using sr_check_user's credentials as pgpool does.
 */
#include "main/primary_search.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/util.h"
#include "main/check_password.h"
#include "shmem/shmem.h"

typedef enum
{
	NODE_UNREACHABLE,
	NODE_PRIMARY,
	NODE_STANDBY
} node_answer;

/* Appends key='value' with libpq's quoting to a conninfo string. */
static void
add_conninfo(char *buf, size_t size, const char *key, const char *value)
{
	size_t		len = strlen(buf);

	if (value == NULL || value[0] == '\0')
		return;
	snprintf(buf + len, size - len, "%s='", key);
	len = strlen(buf);
	for (const char *p = value; *p && len + 3 < size; p++)
	{
		if (*p == '\'' || *p == '\\')
			buf[len++] = '\\';
		buf[len++] = *p;
	}
	buf[len] = '\0';
	str_copy(buf + len, "' ", size - len);
}

static node_answer
ask_node(const pool_config *cfg, int node)
{
	char		conninfo[2048] = "";
	char		timeout[16];
	PGconn	   *conn;
	PGresult   *res;
	node_answer answer = NODE_UNREACHABLE;

	snprintf(timeout, sizeof(timeout), "%d", cfg->connect_timeout > 0 ? (cfg->connect_timeout + 999) / 1000 : 10);
	add_conninfo(conninfo, sizeof(conninfo), "host", cfg->backends[node].hostname);
	snprintf(conninfo + strlen(conninfo), sizeof(conninfo) - strlen(conninfo), "port=%d ",
			 cfg->backends[node].port);
	add_conninfo(conninfo, sizeof(conninfo), "user", cfg->sr_check_user);
	add_conninfo(conninfo, sizeof(conninfo), "password", check_password(cfg, cfg->sr_check_user, cfg->sr_check_password));
	add_conninfo(conninfo, sizeof(conninfo), "dbname", cfg->sr_check_database);
	add_conninfo(conninfo, sizeof(conninfo), "connect_timeout", timeout);
	add_conninfo(conninfo, sizeof(conninfo), "application_name", "pgpool-ng primary search");
	conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		log_warning("primary search: node %d (%s:%d) is not reachable: %s", node,
					cfg->backends[node].hostname, cfg->backends[node].port, PQerrorMessage(conn));
		PQfinish(conn);
		return NODE_UNREACHABLE;
	}
	res = PQexec(conn, "SELECT pg_catalog.pg_is_in_recovery()");
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		answer = strcmp(PQgetvalue(res, 0, 0), "t") == 0 ? NODE_STANDBY : NODE_PRIMARY;
	else
		log_warning("primary search: node %d: %s", node, PQerrorMessage(conn));
	PQclear(res);
	PQfinish(conn);
	return answer;
}

static int
record(const pool_config *cfg, const node_answer *answers, int primary)
{
	shm_backend_table *t = shm_backends_edit_begin_with_deadline(5000);

	if (t == NULL)
	{
		log_error("primary search: could not update the backend table");
		return -1;
	}
	for (int i = 0; i < cfg->num_backends && i < t->num_backends; i++)
	{
		if (cfg->backends[i].port == 0)
			continue;
		t->nodes[i].pg_status = answers[i] == NODE_UNREACHABLE ? SHM_PG_STATUS_DOWN : SHM_PG_STATUS_UP;
		t->nodes[i].pg_role = answers[i] == NODE_PRIMARY ? SHM_ROLE_PRIMARY :
			answers[i] == NODE_STANDBY ? SHM_ROLE_STANDBY : SHM_ROLE_UNKNOWN;
		t->nodes[i].role = i == primary ? SHM_ROLE_PRIMARY : SHM_ROLE_STANDBY;
	}
	t->primary_node_id = primary;
	t->main_node_id = primary >= 0 ? primary : 0;
	return shm_backends_edit_commit();
}

int
primary_search_at_start(const pool_config *cfg)
{
	node_answer answers[CFG_MAX_BACKENDS];
	shm_backend_table t;
	bool		have_table = shm_backends_snapshot(&t) != 0;
	int			primary = -1;

	for (int i = 0; i < cfg->num_backends; i++)
	{
		answers[i] = cfg->backends[i].port != 0 ? ask_node(cfg, i) : NODE_UNREACHABLE;
		/* a node pgpool_status keeps down (an old primary that was failed over) is never the primary */
		if (answers[i] == NODE_PRIMARY && primary < 0 && !(have_table && t.nodes[i].status == SHM_CON_DOWN))
			primary = i;
	}
	if (primary >= 0)
		log_info("primary node is node %d (%s:%d)", primary, cfg->backends[primary].hostname,
				 cfg->backends[primary].port);
	else
		log_warning("no primary node found at start-up; sessions use the first reachable node");
	record(cfg, answers, primary);
	return primary;
}
