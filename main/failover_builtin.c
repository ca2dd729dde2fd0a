/*
 * builtin_failover: pgpool-ng's own failover over libpq, when failover_command is empty. The new
 * primary is the standby that received the most WAL (synchronous standbys first, so that it holds
 * every commit the old primary acknowledged); it replays what it received (bounded wait) and is
 * promoted with pg_promote(); every other standby gets the new primary in primary_conninfo (ALTER
 * SYSTEM + pg_reload_conf()) and is attached again once it streams from it. The old primary stays
 * detached (the sr check fences it read-only if it comes back as a primary: fence.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/util.h"
#include "main/failover_follow.h"
#include "main/failover_internal.h"
#include "main/pgconn.h"
#include "net/sock.h"

#define STEP_TIMEOUT_MS 5000
#define REPLAY_WAIT_MS 10000
#define PROMOTE_WAIT_S 30

typedef struct candidate
{
	int			node;
	bool		sync;
	uint64_t	received;
	uint64_t	replayed;
} candidate;

static PGconn *
connect_node(const pool_config *cfg, int node, int timeout_ms)
{
	pgc_login	login;
	char		err[256];
	PGconn	   *conn;

	fo_sr_login(cfg, &login, "pgpool-ng failover");
	conn = pgc_connect_with_deadline(cfg, node, &login, net_now_ms() + timeout_ms, err, sizeof(err));
	if (conn == NULL)
		log_warning("builtin failover: node %d: %s", node, err);
	return conn;
}

/* A live standby's WAL positions; false when it does not answer as a standby. */
static bool
ask_candidate(const pool_config *cfg, int node, candidate *c)
{
	PGconn	   *conn = connect_node(cfg, node, STEP_TIMEOUT_MS);
	PGresult   *res;
	char		err[256];
	bool		ok;

	if (conn == NULL)
		return false;
	res = pgc_query_with_deadline(conn, "SELECT pg_catalog.pg_is_in_recovery(), "
								  "pg_catalog.pg_last_wal_receive_lsn(), pg_catalog.pg_last_wal_replay_lsn()",
								  net_now_ms() + STEP_TIMEOUT_MS, err, sizeof(err));
	ok = res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	if (ok)
	{
		c->node = node;
		c->received = pgc_parse_lsn(PQgetvalue(res, 0, 1));
		c->replayed = pgc_parse_lsn(PQgetvalue(res, 0, 2));
	}
	PQclear(res);
	PQfinish(conn);
	return ok;
}

/* Better: synchronous first, then most WAL received, then most replayed, then lowest id. */
static bool
better(const candidate *a, const candidate *b)
{
	if (a->sync != b->sync)
		return a->sync;
	if (a->received != b->received)
		return a->received > b->received;
	return a->replayed > b->replayed;
}

static int
choose_new_primary(const pool_config *cfg, const shm_backend_table *t, int failed, candidate *best)
{
	int			chosen = -1;

	for (int i = 0; i < t->num_backends; i++)
	{
		candidate	c = {0};
		const char *sync = t->nodes[i].replication_sync_state;

		if (i == failed || cfg->backends[i].port == 0 || t->nodes[i].status == SHM_CON_DOWN)
			continue;
		if (!ask_candidate(cfg, i, &c))
			continue;
		c.sync = strcmp(sync, "sync") == 0 || strcmp(sync, "quorum") == 0;
		log_info("builtin failover: node %d: %s, received %X/%X, replayed %X/%X", i,
				 c.sync ? "synchronous" : "asynchronous", (unsigned) (c.received >> 32),
				 (unsigned) c.received, (unsigned) (c.replayed >> 32), (unsigned) c.replayed);
		if (chosen < 0 || better(&c, best))
		{
			*best = c;
			chosen = i;
		}
	}
	return chosen;
}

/*
 * A node fenced once as a second primary (fence.c) has default_transaction_read_only = on in its
 * postgresql.auto.conf; promoted, it must not be a read-only primary. A failure is logged, not fatal:
 * the promotion happened.
 */
static void
reset_read_only(PGconn *conn, int node)
{
	char		value[16], err[256];

	if (pgc_command_with_deadline(conn, "ALTER SYSTEM RESET default_transaction_read_only",
								  net_now_ms() + STEP_TIMEOUT_MS, err, sizeof(err)) != 0 ||
		pgc_value_with_deadline(conn, "SELECT pg_catalog.pg_reload_conf()", net_now_ms() + STEP_TIMEOUT_MS,
								value, sizeof(value), err, sizeof(err)) != 0)
		log_error("builtin failover: node %d promoted, but resetting default_transaction_read_only "
				  "failed: %s", node, err);
}

/* Waits (bounded) for the chosen standby to replay what it received, then promotes it. */
static bool
promote(const pool_config *cfg, const candidate *c)
{
	PGconn	   *conn = connect_node(cfg, c->node, STEP_TIMEOUT_MS);
	int64_t		replay_deadline = net_now_ms() + REPLAY_WAIT_MS;
	char		value[64], err[256], sql[64];
	bool		ok;

	if (conn == NULL)
		return false;
	while (c->received > 0 && net_now_ms() < replay_deadline &&
		   pgc_value_with_deadline(conn, "SELECT pg_catalog.pg_last_wal_replay_lsn()", replay_deadline,
								   value, sizeof(value), err, sizeof(err)) == 0 &&
		   pgc_parse_lsn(value) < c->received)
	{
		struct timespec ts = {0, 20 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	snprintf(sql, sizeof(sql), "SELECT pg_catalog.pg_promote(true, %d)", PROMOTE_WAIT_S);
	ok = pgc_value_with_deadline(conn, sql, net_now_ms() + (PROMOTE_WAIT_S + 5) * 1000, value,
								 sizeof(value), err, sizeof(err)) == 0 && strcmp(value, "t") == 0;
	if (!ok)
		log_error("builtin failover: pg_promote() on node %d failed: %s", c->node, err[0] ? err : value);
	else
		reset_read_only(conn, c->node);
	PQfinish(conn);
	return ok;
}

/* The standby's primary_conninfo with host and port of the new primary (other keywords kept). */
static char *
new_conninfo(PGconn *conn, const pool_config *cfg, int primary)
{
	char		old[2048] = "", err[256];
	PQconninfoOption *opts;
	char	   *out;
	char		port[16];

	pgc_value_with_deadline(conn, "SHOW primary_conninfo", net_now_ms() + STEP_TIMEOUT_MS, old,
							sizeof(old), err, sizeof(err));
	snprintf(port, sizeof(port), "%d", cfg->backends[primary].port);
	out = xasprintf("host='%s' port=%s", cfg->backends[primary].hostname, port);
	opts = PQconninfoParse(old, NULL);
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
	{
		char	   *next;

		if (o->val == NULL || o->val[0] == '\0' || strcmp(o->keyword, "host") == 0 ||
			strcmp(o->keyword, "hostaddr") == 0 || strcmp(o->keyword, "port") == 0 ||
			strchr(o->val, '\'') || strchr(o->val, '\\'))
			continue;
		next = xasprintf("%s %s='%s'", out, o->keyword, o->val);
		free(out);
		out = next;
	}
	PQconninfoFree(opts);
	return out;
}

/* ALTER SYSTEM SET primary_conninfo + pg_reload_conf() on a standby; true when both worked. */
static bool
repoint(const pool_config *cfg, int node, int primary)
{
	PGconn	   *conn = connect_node(cfg, node, STEP_TIMEOUT_MS);
	char	   *conninfo,
			   *quoted,
			   *sql;
	char		value[16], err[256];
	bool		ok = false;

	if (conn == NULL)
		return false;
	conninfo = new_conninfo(conn, cfg, primary);
	quoted = PQescapeLiteral(conn, conninfo, strlen(conninfo));
	sql = xasprintf("ALTER SYSTEM SET primary_conninfo = %s", quoted ? quoted : "''");
	ok = quoted && pgc_command_with_deadline(conn, sql, net_now_ms() + STEP_TIMEOUT_MS, err, sizeof(err)) == 0;
	ok = ok && pgc_value_with_deadline(conn, "SELECT pg_catalog.pg_reload_conf()",
									   net_now_ms() + STEP_TIMEOUT_MS, value, sizeof(value), err,
									   sizeof(err)) == 0;
	if (!ok)
		log_error("builtin failover: could not re-point node %d: %s", node, err);
	else
		log_info("builtin failover: node %d: primary_conninfo = '%s'", node, conninfo);
	PQfreemem(quoted);
	free(sql);
	free(conninfo);
	PQfinish(conn);
	return ok;
}

/* Every other live standby follows the new primary; each is attached once it streams from it. */
static void
follow(const pool_config *cfg, int primary, int failed)
{
	shm_backend_table t;
	bool		pending[CFG_MAX_BACKENDS] = {false};
	int64_t		deadline = net_now_ms() + FO_FOLLOW_TIMEOUT_MS;

	if (shm_backends_snapshot(&t) == 0)
		return;
	for (int i = 0; i < t.num_backends; i++)
	{
		if (i == primary || i == failed || cfg->backends[i].port == 0 || t.nodes[i].status == SHM_CON_DOWN)
			continue;
		/* out of routing until it streams from the new primary */
		fo_set_status(cfg, i, SHM_CON_DOWN);
		fo_end_sessions_on(i, false);
		pending[i] = repoint(cfg, i, primary);
	}
	for (int i = 0; i < t.num_backends; i++)
	{
		if (!pending[i])
			continue;
		if (fo_wait_streaming(cfg, primary, i, deadline))
		{
			log_info("builtin failover: node %d streams from the new primary %d; attached", i, primary);
			fo_set_status(cfg, i, SHM_CON_CONNECT_WAIT);
		}
		else
			log_warning("builtin failover: node %d does not stream from node %d; it stays down", i, primary);
	}
}

/* The old primary's WAL flush position, or 0 when it does not answer (it died: nothing to wait for). */
static uint64_t
old_primary_flush_lsn(const pool_config *cfg, int failed)
{
	PGconn	   *conn = connect_node(cfg, failed, STEP_TIMEOUT_MS);
	char		value[64], err[256];
	uint64_t	lsn = 0;

	if (conn == NULL)
		return 0;
	if (pgc_value_with_deadline(conn, "SELECT pg_catalog.pg_current_wal_flush_lsn()",
								net_now_ms() + STEP_TIMEOUT_MS, value, sizeof(value), err, sizeof(err)) == 0)
		lsn = pgc_parse_lsn(value);
	PQfinish(conn);
	return lsn;
}

/*
 * A switchover with the old primary still alive: its sessions have ended, so once the chosen standby
 * has received everything the old primary flushed, every commit it acknowledged (perhaps only by the
 * other standby) is on the new one. False when that did not happen within REPLAY_WAIT_MS.
 */
static bool
received_all_of_old_primary(const pool_config *cfg, int failed, candidate *c)
{
	uint64_t	target = old_primary_flush_lsn(cfg, failed);
	int64_t		deadline = net_now_ms() + REPLAY_WAIT_MS;

	if (target == 0)
		return true;
	while (c->received < target)
	{
		struct timespec ts = {0, 20 * 1000 * 1000};

		if (net_now_ms() >= deadline || !ask_candidate(cfg, c->node, c))
		{
			log_error("builtin failover: node %d received WAL up to %X/%X, not the old primary's %X/%X",
					  c->node, (unsigned) (c->received >> 32), (unsigned) c->received,
					  (unsigned) (target >> 32), (unsigned) target);
			return false;
		}
		nanosleep(&ts, NULL);
	}
	log_info("builtin failover: node %d has the old primary %d's WAL up to %X/%X", c->node, failed,
			 (unsigned) (target >> 32), (unsigned) target);
	return true;
}

/* The switchover could not be done safely: the old primary serves again, as before the request. */
static void
keep_old_primary(const pool_config *cfg, int failed)
{
	log_error("builtin failover: switchover abandoned; node %d stays the primary", failed);
	fo_set_status(cfg, failed, SHM_CON_CONNECT_WAIT);
	fo_set_primary(failed);
}

int
fo_builtin_failover(const pool_config *cfg, int failed, int wanted)
{
	shm_backend_table t;
	candidate	best = {0};
	int			chosen;

	if (shm_backends_snapshot(&t) == 0)
		return -1;
	chosen = choose_new_primary(cfg, &t, failed, &best);
	if (wanted >= 0 && wanted != chosen)
	{
		if (!ask_candidate(cfg, wanted, &best))
			return -1;
		chosen = wanted;
	}
	if (chosen < 0)
	{
		log_error("builtin failover: no live standby to promote");
		return -1;
	}
	if (wanted >= 0 && !received_all_of_old_primary(cfg, failed, &best))
	{
		keep_old_primary(cfg, failed);
		return -1;
	}
	log_info("builtin failover: promoting node %d", chosen);
	if (!promote(cfg, &best))
		return -1;
	fo_set_primary(chosen);
	log_info("builtin failover: node %d is the new primary; old primary %d stays detached", chosen, failed);
	follow(cfg, chosen, failed);
	return chosen;
}
