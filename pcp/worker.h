/*
 * One PCP connection, served by its own process forked from the PCP server: authentication with
 * pcp.conf, then requests until the client says X, misbehaves or stays idle too long. Shared by
 * the pcp/worker*.c and pcp/commands_*.c files only.
 */
#ifndef PGNG_PCP_WORKER_H
#define PGNG_PCP_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/pcp_users.h"
#include "config/config.h"
#include "pcp/wire.h"
#include "shmem/shmem.h"
#include "watchdog/node_request.h"

/* Bounds of a worker's life. */
#define PCP_WORKER_IDLE_TIMEOUT_MS (300 * 1000)	/* between requests */
#define PCP_WORKER_LIFETIME_MS (3600 * 1000)	/* whatever happens */
#define PCP_WORKER_SEND_TIMEOUT_MS 10000

typedef struct pcp_worker
{
	int			fd;
	const pool_config *cfg;
	const pcp_users *users;
	char		peer[128];		/* for log lines */
	bool		salt_sent;
	bool		authenticated;
	unsigned char salt[PCP_SALT_LEN];
	char		user[128];
	pcp_buf		out;			/* replies waiting to be sent */
	int			signal_parent;	/* sent to pgpool's main process once the reply is out; 0: none */
	int64_t		end_of_life_ms;
} pcp_worker;

/* Serves the connection on fd, then exits the process. */
void		pcp_worker_main(int fd, const char *peer, const pool_config *cfg,
							const pcp_users *users) __attribute__((noreturn));

/* Queues an ERROR reply and logs it with the peer. */
void		pcp_worker_error(pcp_worker *w, const char *message, const char *detail);

/* Queues "<kind> CommandComplete\0". */
void		pcp_worker_complete(pcp_worker *w, char kind);

/*
 * A request handler: reads its payload from r and queues its replies. Returns false when the
 * connection must end (a malformed request); the queued replies are still sent.
 */
typedef bool (*pcp_handler) (pcp_worker *w, pcp_reader *r);

/* The handler for a request kind, or NULL. commands_info.c and commands_action.c. */
pcp_handler pcp_info_handler(char kind);
pcp_handler pcp_action_handler(char kind);

/* The 'O' handler (commands_recovery.c): online recovery of a node that is down. */
bool		pcp_recovery_node_handler(pcp_worker *w, pcp_reader *r);

/* The 'W' handler (commands_watchdog.c): the watchdog's view from shared memory, as JSON. */
bool		pcp_watchdog_info(pcp_worker *w, pcp_reader *r);

/* Reads a node id or pid field as pgpool does (leading number, rest ignored); false if absent. */
bool		pcp_read_int_field(pcp_reader *r, int *out);

/*
 * commands_forward.c, for attach, detach, promote and recovery with the watchdog: where the
 * request goes (WD_ROUTE_REFUSE: err, starting with tool, says why), and sending it to the leader
 * (false: err says why; true once this node's table shows the result).
 */
wd_route	pcp_node_request_route(pcp_worker *w, const char *tool, int *leader, char *err,
								   size_t err_size);
bool		pcp_forward_to_leader(pcp_worker *w, shm_failover_kind kind, int node,
								  unsigned int flags, int leader, char *err, size_t err_size);

/* A configured node's status in the backend table (SHM_CON_*), or -1 when no snapshot could be had. */
int			pcp_node_status(int node);

#endif
