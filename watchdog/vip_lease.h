/*
 * When this node may hold the virtual IP (delegate_ip), as pure logic over the election's state and
 * a clock the caller passes. The built-in VIP is an address with a kernel lifetime (valid_lft) that
 * the leader renews; it is renewed only while our majority of votes is sure to hold for a while, so
 * the address runs out by itself soon after the moment another node could be elected. A new leader
 * waits that long before it brings the address up: a dead or cut-off leader's VIP is gone by then.
 */
#ifndef PGNG_WATCHDOG_VIP_LEASE_H
#define PGNG_WATCHDOG_VIP_LEASE_H

#include <stdbool.h>
#include <stdint.h>

#define WD_VIP_VALID_S 2		/* lifetime given to the address at every renewal */
#define WD_VIP_HORIZON_MS 1000	/* renew only while our majority holds at least this long (at most) */
#define WD_VIP_FUZZ_MS 600		/* how late the kernel may remove an expired address */
#define WD_VIP_RENEW_MS 250		/* renew at most this often */
#define WD_VIP_RETRY_MS 1000	/* built-in: retry a failed acquire after this */
#define WD_VIP_CMD_RETRY_MS 5000	/* if_up_cmd: retry a failed command after this */

typedef enum
{
	WD_VIP_NOTHING,				/* keep things as they are */
	WD_VIP_ACQUIRE,				/* bring the address up, or renew its lifetime */
	WD_VIP_RELEASE				/* take the address down now */
} wd_vip_action;

typedef struct wd_vip_lease
{
	int			valid_s;
	int			horizon_ms;
	int			fuzz_ms;
	int			renew_ms;
	bool		renewing;		/* built-in: the address has a lifetime to renew; commands: up once */
	bool		held;			/* we brought it up and have not taken it down */
	int64_t		leader_since_ms;	/* 0: we do not lead */
	int64_t		last_acquire_ms;
	int64_t		failed_at_ms;	/* last failed acquire, 0: none; retried after retry_ms */
	int			retry_ms;
} wd_vip_lease;

/*
 * renewing: true for the built-in (netlink) VIP, false with if_up_cmd/if_down_cmd. vote_lease_ms
 * and interval_ms are the election's (wd_timing): the horizon must be reached right after each
 * heartbeat, or the leader would never renew.
 */
void		wd_vip_lease_init(wd_vip_lease *l, bool renewing, int vote_lease_ms, int interval_ms);

/* How long a new leader waits before it brings the VIP up. */
int			wd_vip_takeover_wait_ms(const wd_vip_lease *l);

/*
 * What to do now. leading: we lead with quorum; majority_until: wd_election_majority_until.
 * The caller reports the outcome with wd_vip_lease_done.
 */
wd_vip_action wd_vip_lease_decide(wd_vip_lease *l, bool leading, int64_t majority_until,
								  int64_t now_ms);

/*
 * The action was carried out (ok) or failed; at_ms is when it was decided. A failed release
 * through if_down_cmd is not retried (the command said what went wrong); a failed built-in
 * release is, since the address runs out anyway.
 */
void		wd_vip_lease_done(wd_vip_lease *l, wd_vip_action action, bool ok, int64_t at_ms);

#endif
