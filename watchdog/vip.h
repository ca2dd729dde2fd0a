/*
 * The virtual IP (delegate_ip): held only by the leader with quorum, given up at once otherwise.
 * Built in when if_up_cmd is empty: an address with a short kernel lifetime on the interface that
 * carries this node's own address, renewed by the leader (vip_lease.h), announced by gratuitous ARP
 * (libpcap, or arping_cmd when set). With if_up_cmd set: pgpool's commands. Runs inside the
 * watchdog's loop; every step is bounded.
 */
#ifndef PGNG_WATCHDOG_VIP_H
#define PGNG_WATCHDOG_VIP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "watchdog/vip_cmd.h"
#include "watchdog/vip_lease.h"

typedef enum
{
	WD_VIP_STEP_NONE,
	WD_VIP_STEP_UP,				/* if_up_cmd runs */
	WD_VIP_STEP_ARPING,			/* arping_cmd runs */
	WD_VIP_STEP_DOWN			/* if_down_cmd runs */
} wd_vip_step;

typedef struct wd_vip
{
	bool		enabled;		/* delegate_ip set and usable */
	bool		builtin;		/* if_up_cmd empty */
	const pool_config *cfg;
	char		ip[64];
	struct in_addr addr;
	char		own_host[128];	/* our hostnameN: the VIP goes on the interface carrying it */
	int			ifindex;		/* built-in: where the VIP goes, 0: not found yet */
	int			prefixlen;
	int			nl_fd;			/* -1: none */
	wd_vip_lease lease;
	wd_vip_cmd	cmd;
	wd_vip_step step;
	int64_t		step_decided_ms;
	int64_t		last_sweep_ms;
	int64_t		last_error_log_ms;
	bool		waiting_logged;
} wd_vip;

/*
 * Sets up from delegate_ip, if_up_cmd, ...; own_host is our hostnameN. Removes the VIP when this
 * host carries it (a node that starts does not own it). Problems are logged; the watchdog runs on
 * without a VIP then.
 */
void		wd_vip_init(wd_vip *v, const pool_config *cfg, const char *own_host, int vote_lease_ms,
						int interval_ms, int64_t now_ms);

/* One turn: leading is "we lead with quorum"; majority_until from wd_election_majority_until. */
void		wd_vip_turn(wd_vip *v, bool leading, int64_t majority_until, int64_t now_ms);

/* Whether this node holds the VIP now (for the published view). */
bool		wd_vip_held(const wd_vip *v);

/* Gives the VIP up before the watchdog exits; bounded by WD_VIP_CMD_TIMEOUT_MS. */
void		wd_vip_shutdown(wd_vip *v);

#endif
