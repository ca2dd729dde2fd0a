/*
 * The steps of the built-in online recovery, in the recovery process: check the set-up, stop the
 * node's server if it still runs, pg_rewind from the primary (pg_basebackup into a fresh directory
 * when rewinding fails), keep the node's own configuration files, make it a standby of the primary,
 * start it, wait (recovery_timeout) until it streams, attach it through the failover queue (on a
 * standby watchdog node through the leader).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "main/failover_follow.h"
#include "main/failover_request.h"
#include "main/pgconn.h"
#include "main/recovery.h"
#include "main/recovery_exec.h"
#include "net/sock.h"
#include "shmem/shmem.h"
#include "watchdog/node_request.h"

#define STOP_TIMEOUT_S 90
#define COPY_TIMEOUT_S 1800
#define ATTACH_TIMEOUT_MS 60000
#define POLL_MS 500
#define CHECKPOINT_TIMEOUT_MS (300 * 1000)
#define CONFIG_MAX (1024 * 1024)

/*
 * The node's own configuration, put back after the copy brought the primary's. postgresql.auto.conf
 * is deliberately not kept: pg_rewind and pg_basebackup both bring the primary's, so a node fenced
 * read-only (fence.c: ALTER SYSTEM SET default_transaction_read_only = on) comes back without it.
 */
static const char *const KEPT_FILES[] = {"postgresql.conf", "pg_hba.conf", "pg_ident.conf"};
#define N_KEPT (sizeof(KEPT_FILES) / sizeof(KEPT_FILES[0]))

typedef struct rec_ctx
{
	const pool_config *cfg;
	int			node;
	int			primary;
	const char *dir;
	rec_runas	as;
	char		source[1024];	/* conninfo of the primary */
	char	   *kept[N_KEPT];
	size_t		kept_len[N_KEPT];
	char		out[768];		/* the end of the last program's output */
	recovery_result *res;
} rec_ctx;

static int
fail(rec_ctx *c, const char *message, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
fail(rec_ctx *c, const char *message, const char *fmt, ...)
{
	va_list		ap;

	snprintf(c->res->message, sizeof(c->res->message), "%s", message);
	va_start(ap, fmt);
	vsnprintf(c->res->detail, sizeof(c->res->detail), fmt, ap);
	va_end(ap);
	log_error("recovery of node %d: %s: %s", c->node, c->res->message, c->res->detail);
	return -1;
}

/* Appends " key='value'" with libpq's quoting. */
static void
conn_add(char *buf, size_t size, const char *key, const char *val)
{
	size_t		n = strlen(buf);

	if (val == NULL || val[0] == '\0')
		return;
	n += (size_t) snprintf(buf + n, size > n ? size - n : 0, "%s%s='", n ? " " : "", key);
	for (; *val && n + 3 < size; val++)
	{
		if (*val == '\'' || *val == '\\')
			buf[n++] = '\\';
		buf[n++] = *val;
	}
	snprintf(buf + n, size > n ? size - n : 0, "'");
}

/* Whether host names this machine: a socket directory, loopback, or an address of an interface. */
static bool
host_is_local(const char *host)
{
	struct addrinfo hints = {0}, *ai = NULL;
	struct ifaddrs *ifs = NULL;
	bool		local = false;

	if (host == NULL || host[0] == '\0' || host[0] == '/' || strcasecmp(host, "localhost") == 0)
		return true;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &ai) != 0)
		return false;
	if (getifaddrs(&ifs) != 0)
		ifs = NULL;
	for (struct addrinfo *a = ai; a && !local; a = a->ai_next)
	{
		if (a->ai_family == AF_INET &&
			(ntohl(((struct sockaddr_in *) a->ai_addr)->sin_addr.s_addr) >> 24) == 127)
			local = true;
		for (struct ifaddrs *i = ifs; i && !local; i = i->ifa_next)
			if (i->ifa_addr && i->ifa_addr->sa_family == a->ai_family &&
				(a->ai_family == AF_INET
				 ? memcmp(&((struct sockaddr_in *) i->ifa_addr)->sin_addr,
						  &((struct sockaddr_in *) a->ai_addr)->sin_addr, 4) == 0
				 : a->ai_family == AF_INET6 &&
				 memcmp(&((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr,
						&((struct sockaddr_in6 *) a->ai_addr)->sin6_addr, 16) == 0))
				local = true;
	}
	freeifaddrs(ifs);
	freeaddrinfo(ai);
	return local;
}

int
recovery_find_primary(int node, recovery_result *res)
{
	shm_backend_table t;
	int			primary;

	if (shm_backends_snapshot(&t) == 0)
	{
		snprintf(res->message, sizeof(res->message), "node recovery failed");
		snprintf(res->detail, sizeof(res->detail), "cannot read the backend table");
		return -1;
	}
	primary = t.primary_node_id;
	if (primary < 0 || primary == node || t.nodes[primary].status == SHM_CON_DOWN)
	{
		snprintf(res->message, sizeof(res->message),
				 "node recovery failed, unable to connect to main node: %d ", t.main_node_id);
		snprintf(res->detail, sizeof(res->detail), "no primary node is attached: there is nothing to recover from");
		log_error("recovery of node %d: %s", node, res->detail);
		return -1;
	}
	return primary;
}

static int
find_primary(rec_ctx *c)
{
	c->primary = recovery_find_primary(c->node, c->res);
	return c->primary < 0 ? -1 : 0;
}

static int
check_setup(rec_ctx *c)
{
	const pool_config *cfg = c->cfg;
	const char *host = cfg->backends[c->node].hostname;
	char		err[512], msg[96];

	if (cfg->recovery_user == NULL || cfg->recovery_user[0] == '\0')
	{
		snprintf(msg, sizeof(msg), "node recovery failed, unable to connect to main node: %d ", c->primary);
		/* pgpool's words, without a detail; the log says why */
		log_warning("recovery of node %d: recovery_user is not set; the built-in recovery copies the "
					"primary as that user", c->node);
		return fail(c, msg, "%s", "");
	}
	if (!host_is_local(host))
		return fail(c, "node recovery failed",
					"node %d is on host \"%s\", not on pgpool-ng's host: the built-in recovery (empty "
					"recovery_1st_stage_command) only rebuilds nodes whose data directory is local; "
					"a remote node needs a recovery_1st_stage_command script", c->node, host);
	c->dir = cfg->backends[c->node].data_directory;
	if (rec_runas_for_dir(&c->as, c->dir, err, sizeof(err)) != 0)
		return fail(c, "node recovery failed", "node %d: %s", c->node, err);
	c->as.password = cfg->recovery_password;
	c->source[0] = '\0';
	conn_add(c->source, sizeof(c->source), "host", cfg->backends[c->primary].hostname);
	snprintf(msg, sizeof(msg), "%d", cfg->backends[c->primary].port);
	conn_add(c->source, sizeof(c->source), "port", msg);
	conn_add(c->source, sizeof(c->source), "user", cfg->recovery_user);
	conn_add(c->source, sizeof(c->source), "dbname", "postgres");
	return 0;
}

/* The node's server must not run while its files are replaced (pgpool has it detached). */
static int
stop_if_running(rec_ctx *c)
{
	const char *status[] = {"pg_ctl", "status", "-D", c->dir, NULL};
	const char *stop[] = {"pg_ctl", "stop", "-D", c->dir, "-m", "fast", "-w", "-t", "60", NULL};
	int			rc = rec_run_with_deadline(&c->as, status, 30, c->out, sizeof(c->out));

	if (rc != 0)
		return 0;				/* 3: not running */
	log_info("recovery: node %d's server still runs; stopping it (fast)", c->node);
	if (rec_run_with_deadline(&c->as, stop, STOP_TIMEOUT_S, c->out, sizeof(c->out)) != 0)
		return fail(c, "node recovery failed", "could not stop node %d's server: %s", c->node, c->out);
	return 0;
}

static void
keep_configs(rec_ctx *c)
{
	for (size_t i = 0; i < N_KEPT; i++)
	{
		char		path[1024];
		int			fd;
		ssize_t		n;

		snprintf(path, sizeof(path), "%s/%s", c->dir, KEPT_FILES[i]);
		c->kept[i] = NULL;
		if ((fd = open(path, O_RDONLY)) < 0)
			continue;
		c->kept[i] = xcalloc(CONFIG_MAX, 1);
		n = read(fd, c->kept[i], CONFIG_MAX);
		close(fd);
		if (n < 0 || n == CONFIG_MAX)
		{
			free(c->kept[i]);
			c->kept[i] = NULL;
			continue;
		}
		c->kept_len[i] = (size_t) n;
	}
}

/* Writes data to dir/name (replacing or appending), owned by the node's OS user. */
static int
write_file(rec_ctx *c, const char *name, const char *data, size_t len, bool append)
{
	char		path[1024];
	int			fd;
	bool		ok;

	snprintf(path, sizeof(path), "%s/%s", c->dir, name);
	fd = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0600);
	if (fd < 0)
		return -1;
	ok = write(fd, data, len) == (ssize_t) len;
	ok = close(fd) == 0 && ok;
	return ok && rec_chown(&c->as, path) == 0 ? 0 : -1;
}

/*
 * A primary promoted a moment ago has its new timeline in pg_control only after its next checkpoint;
 * before it pg_rewind sees one timeline and finds "no rewind required". So: CHECKPOINT first.
 */
static void
checkpoint_primary(rec_ctx *c)
{
	pgc_login	login = {c->cfg->recovery_user, c->cfg->recovery_password, "postgres", "pgpool-ng recovery"};
	char		err[256] = "";
	PGconn	   *conn = pgc_connect_with_deadline(c->cfg, c->primary, &login, net_now_ms() + 10000, err,
												 sizeof(err));

	if (conn == NULL || pgc_command_with_deadline(conn, "CHECKPOINT", net_now_ms() + CHECKPOINT_TIMEOUT_MS,
												  err, sizeof(err)) != 0)
		log_warning("recovery: CHECKPOINT on node %d failed (%s); pg_rewind may find nothing to do",
					c->primary, err);
	if (conn)
		PQfinish(conn);
}

static int
rewind_or_copy(rec_ctx *c)
{
	char		source[1100], newdir[1024], olddir[1024];
	const char *rewind[] = {"pg_rewind", "-D", c->dir, source, NULL};
	const char *copy[] = {"pg_basebackup", "-D", newdir, "-d", c->source, "-X", "stream",
	"--checkpoint=fast", NULL};
	const char *rm_new[] = {"/bin/rm", "-rf", newdir, NULL};
	const char *rm_old[] = {"/bin/rm", "-rf", olddir, NULL};

	snprintf(source, sizeof(source), "--source-server=%s", c->source);
	checkpoint_primary(c);
	if (rec_run_with_deadline(&c->as, rewind, COPY_TIMEOUT_S, c->out, sizeof(c->out)) == 0)
	{
		log_info("recovery: node %d rewound from node %d", c->node, c->primary);
		return 0;
	}
	log_info("recovery: pg_rewind of node %d failed (%s); copying it with pg_basebackup", c->node, c->out);
	snprintf(newdir, sizeof(newdir), "%s.pgng-new", c->dir);
	snprintf(olddir, sizeof(olddir), "%s.pgng-old", c->dir);
	rec_run_with_deadline(&c->as, rm_new, STOP_TIMEOUT_S, NULL, 0);
	rec_run_with_deadline(&c->as, rm_old, STOP_TIMEOUT_S, NULL, 0);
	if (rec_run_with_deadline(&c->as, copy, COPY_TIMEOUT_S, c->out, sizeof(c->out)) != 0)
		return fail(c, "node recovery failed", "pg_basebackup of node %d from node %d failed "
					"(pg_rewind failed before it): %s", c->node, c->primary, c->out);
	if (rename(c->dir, olddir) != 0 || rename(newdir, c->dir) != 0)
		return fail(c, "node recovery failed", "cannot put the copy in place of %s: %s", c->dir,
					strerror(errno));
	rec_run_with_deadline(&c->as, rm_old, STOP_TIMEOUT_S, NULL, 0);
	log_info("recovery: node %d copied from node %d with pg_basebackup", c->node, c->primary);
	return 0;
}

/* The node's own configuration back, standby.signal and a primary_conninfo naming the primary. */
static int
make_standby(rec_ctx *c)
{
	char		conninfo[1400], line[3000];
	size_t		n = 0;

	for (size_t i = 0; i < N_KEPT; i++)
		if (c->kept[i] && write_file(c, KEPT_FILES[i], c->kept[i], c->kept_len[i], false) != 0)
			return fail(c, "node recovery failed", "cannot write %s/%s", c->dir, KEPT_FILES[i]);
	snprintf(conninfo, sizeof(conninfo), "%s", c->source);
	*strstr(conninfo, " dbname=") = '\0';
	conn_add(conninfo, sizeof(conninfo), "password", c->cfg->recovery_password);
	conn_add(conninfo, sizeof(conninfo), "application_name", c->cfg->backends[c->node].application_name);
	n = (size_t) snprintf(line, sizeof(line), "\n# written by pgpool-ng online recovery\nprimary_conninfo = '");
	for (const char *p = conninfo; *p && n + 4 < sizeof(line); p++)
	{
		if (*p == '\'')
			line[n++] = '\'';
		line[n++] = *p;
	}
	snprintf(line + n, sizeof(line) - n, "'\n");
	if (write_file(c, "postgresql.auto.conf", line, strlen(line), true) != 0 ||
		write_file(c, "standby.signal", "", 0, false) != 0)
		return fail(c, "node recovery failed", "cannot write the standby settings in %s", c->dir);
	return 0;
}

static int
start_node(rec_ctx *c)
{
	char		port[32], timeout[16], logfile[1100];
	const char *start[] = {"pg_ctl", "start", "-D", c->dir, "-w", "-t", timeout, "-o", port, "-l",
	logfile, NULL};
	int			t = c->cfg->recovery_timeout > 0 ? c->cfg->recovery_timeout : 90;

	snprintf(port, sizeof(port), "-p %d", c->cfg->backends[c->node].port);
	snprintf(timeout, sizeof(timeout), "%d", t);
	snprintf(logfile, sizeof(logfile), "%s/pgpool-ng-start.log", c->dir);
	if (rec_run_with_deadline(&c->as, start, t + 10, c->out, sizeof(c->out)) != 0)
		return fail(c, "node recovery failed", "node %d did not start within recovery_timeout (%d s): "
					"%s (see %s)", c->node, t, c->out, logfile);
	return 0;
}

/* Whether the node's WAL receiver streams from the primary's port. */
static bool
streams(rec_ctx *c, int64_t deadline)
{
	pgc_login	login;
	char		err[256], value[16], sql[160];
	PGconn	   *conn;
	bool		ok;

	fo_sr_login(c->cfg, &login, "pgpool-ng recovery");
	conn = pgc_connect_with_deadline(c->cfg, c->node, &login, deadline, err, sizeof(err));
	if (conn == NULL)
		return false;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_catalog.pg_stat_wal_receiver "
			 "WHERE status = 'streaming' AND sender_port = %d", c->cfg->backends[c->primary].port);
	ok = pgc_value_with_deadline(conn, sql, deadline, value, sizeof(value), err, sizeof(err)) == 0 &&
		strcmp(value, "1") == 0;
	PQfinish(conn);
	return ok;
}

static int
wait_streaming(rec_ctx *c)
{
	int			t = c->cfg->recovery_timeout > 0 ? c->cfg->recovery_timeout : 90;
	int64_t		deadline = net_now_ms() + (int64_t) t * 1000;

	while (!streams(c, net_now_ms() + 5000 < deadline ? net_now_ms() + 5000 : deadline))
	{
		struct timespec ts = {0, POLL_MS * 1000000L};

		if (net_now_ms() >= deadline)
			return fail(c, "node recovery failed", "node %d runs but does not stream from node %d "
						"within recovery_timeout (%d s)", c->node, c->primary, t);
		nanosleep(&ts, NULL);
	}
	return 0;
}

static int
attach_failed(int node, const char *err, recovery_result *res)
{
	snprintf(res->message, sizeof(res->message), "node recovery failed");
	snprintf(res->detail, sizeof(res->detail), "node %d is up again but could not be attached: %s",
			 node, err);
	log_error("recovery of node %d: %s", node, res->detail);
	return -1;
}

/* A standby's view comes from the leader: attached here, the leader's would detach it again. */
static int
attach_through_leader(int node, int leader, recovery_result *res)
{
	char		err[256] = "";
	wd_node_forward f = {.kind = SHM_FO_NODE_UP, .node = node, .leader = leader,
		.wait_ms = WD_FORWARD_WAIT_MS, .what = "pcp_attach_node", .who = "recovery"};

	if (wd_node_request_forward_with_deadline(&f, err, sizeof(err)) != 0)
		return attach_failed(node, err, res);
	return 0;
}

int
recovery_attach(const pool_config *cfg, int node, recovery_result *res)
{
	char		err[256] = "";
	uint64_t	id;
	int			leader;
	wd_route	route = wd_node_request_route_now(cfg, &leader);

	if (route == WD_ROUTE_REFUSE)
		return attach_failed(node, "the watchdog cluster has no leader with quorum (it lost it "
							 "during the recovery); attach it with pcp_attach_node once it has one",
							 res);
	if (route == WD_ROUTE_LEADER)
		return attach_through_leader(node, leader, res);
	if (failover_request(cfg, SHM_FO_NODE_UP, node, 0, &id, err, sizeof(err)) != FO_REQUEST_QUEUED)
		return attach_failed(node, err, res);
	if (failover_request_wait_with_deadline(id, ATTACH_TIMEOUT_MS) != 0)
		log_warning("recovery: attaching node %d still in progress after %d s", node, ATTACH_TIMEOUT_MS / 1000);
	return 0;
}

static int
attach(rec_ctx *c)
{
	return recovery_attach(c->cfg, c->node, c->res);
}

int
recovery_builtin_steps(const pool_config *cfg, int node, recovery_result *res)
{
	rec_ctx		c = {.cfg = cfg, .node = node, .primary = -1, .res = res};
	int			rc;

	rc = find_primary(&c);
	rc = rc ? rc : check_setup(&c);
	if (rc == 0)
		log_info("recovery: rebuilding node %d (%s) as a standby of node %d", node, c.dir, c.primary);
	rc = rc ? rc : stop_if_running(&c);
	if (rc == 0)
		keep_configs(&c);
	rc = rc ? rc : rewind_or_copy(&c);
	rc = rc ? rc : make_standby(&c);
	rc = rc ? rc : start_node(&c);
	rc = rc ? rc : wait_streaming(&c);
	rc = rc ? rc : attach(&c);
	for (size_t i = 0; i < N_KEPT; i++)
		free(c.kept[i]);
	if (rc == 0)
		log_info("recovery: node %d streams from node %d and is attached", node, c.primary);
	return rc;
}
