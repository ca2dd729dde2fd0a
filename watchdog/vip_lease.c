/*
 * The virtual IP's lease (see vip_lease.h). Why a new leader's wait suffices: an old leader renews
 * at r only if its majority holds until r + horizon or later, and no other node is elected before
 * that majority runs out (election.c); the address then disappears at r + valid + fuzz at the
 * latest, which is at most valid - horizon + fuzz after any successor's election.
 */
#include "watchdog/vip_lease.h"

void
wd_vip_lease_init(wd_vip_lease *l, bool renewing, int vote_lease_ms, int interval_ms)
{
	int			reachable = vote_lease_ms - interval_ms / 2;

	l->valid_s = WD_VIP_VALID_S;
	l->horizon_ms = reachable < WD_VIP_HORIZON_MS ? reachable : WD_VIP_HORIZON_MS;
	if (l->horizon_ms < 0)
		l->horizon_ms = 0;
	l->fuzz_ms = WD_VIP_FUZZ_MS;
	l->renew_ms = WD_VIP_RENEW_MS;
	l->renewing = renewing;
	l->held = false;
	l->leader_since_ms = 0;
	l->last_acquire_ms = 0;
	l->failed_at_ms = 0;
	l->retry_ms = renewing ? WD_VIP_RETRY_MS : WD_VIP_CMD_RETRY_MS;
}

int
wd_vip_takeover_wait_ms(const wd_vip_lease *l)
{
	return l->valid_s * 1000 - l->horizon_ms + l->fuzz_ms;
}

wd_vip_action
wd_vip_lease_decide(wd_vip_lease *l, bool leading, int64_t majority_until, int64_t now_ms)
{
	if (!leading)
	{
		l->leader_since_ms = 0;
		return l->held ? WD_VIP_RELEASE : WD_VIP_NOTHING;
	}
	if (l->leader_since_ms == 0)
		l->leader_since_ms = now_ms;
	if (now_ms < l->leader_since_ms + wd_vip_takeover_wait_ms(l))
		return WD_VIP_NOTHING;
	if (l->held && !l->renewing)
		return WD_VIP_NOTHING;
	if (l->renewing && majority_until - now_ms < l->horizon_ms)
		return WD_VIP_NOTHING;	/* a renewal now could outlive our majority by too much */
	if (l->held && now_ms - l->last_acquire_ms < l->renew_ms)
		return WD_VIP_NOTHING;
	if (l->failed_at_ms != 0 && now_ms - l->failed_at_ms < l->retry_ms)
		return WD_VIP_NOTHING;
	return WD_VIP_ACQUIRE;
}

void
wd_vip_lease_done(wd_vip_lease *l, wd_vip_action action, bool ok, int64_t at_ms)
{
	if (action == WD_VIP_ACQUIRE)
	{
		l->failed_at_ms = ok ? 0 : at_ms;
		if (ok)
		{
			l->held = true;
			l->last_acquire_ms = at_ms;
		}
	}
	else if (action == WD_VIP_RELEASE && (ok || !l->renewing))
		l->held = false;
}
