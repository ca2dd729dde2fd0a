/*
 * The PCP server process: pgpool's main process forks it (and forks it again when it dies); it
 * listens on pcp_listen_addresses:pcp_port and pcp_socket_dir/.s.PGSQL.<pcp_port>, and forks a
 * worker per connection (pcp/worker.c).
 */
#ifndef PGNG_PCP_SERVER_H
#define PGNG_PCP_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"

/* At most this many connections are served at once; more are answered with an error. */
#define PCP_MAX_WORKERS 64
/*
 * The main process forks a new PCP server no sooner than this after the previous one started; a
 * server that keeps dying young (its port is taken) is retried less and less often.
 */
#define PCP_RESPAWN_INTERVAL_MS 1000
#define PCP_RESPAWN_INTERVAL_MAX_MS 30000
#define PCP_SHORT_LIFE_MS 5000

/* The main process's handle on the PCP server. */
typedef struct pcp_server
{
	pid_t		pid;			/* 0: not running */
	int64_t		started_ms;
	int			respawn_interval_ms;	/* grows while the server dies young */
	bool		respawn;		/* false once shutting down */
	pool_config *cfg;
	const char *config_file;	/* for reloads in the PCP process */
	const char *pcp_file;
	const int  *inherited_fds;	/* the pooler's listen sockets, closed in the PCP process */
	int			num_inherited_fds;
} pcp_server;

void		pcp_server_init(pcp_server *s, pool_config *cfg, const char *config_file,
							const char *pcp_file);

/* Forks the PCP server if it is not running (and respawning is on, and the interval passed). */
void		pcp_server_fill(pcp_server *s);

/* After waitpid: true when pid was the PCP server (then it is forgotten and logged). */
bool		pcp_server_reaped(pcp_server *s, pid_t pid, int status);

void		pcp_server_signal(const pcp_server *s, int signo);

/* Stops respawning and sends SIGTERM (the server ends its workers and exits). */
void		pcp_server_stop(pcp_server *s);

/* 1 while it runs, else 0. */
int			pcp_server_live_count(const pcp_server *s);

#endif
