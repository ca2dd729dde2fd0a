/*
 * Unit tests for the virtual IP's pure parts: the lease (watchdog/vip_lease.c), the majority
 * horizon it is measured against (wd_election_majority_until) and pgpool's command lines
 * (wd_vip_cmd_build).
 */
#include <stdint.h>
#include <string.h>

#include "unit/test_watchdog.h"
#include "watchdog/election.h"
#include "watchdog/vip_cmd.h"
#include "watchdog/vip_lease.h"

/* The timings of regress 150-152: keepalive 1 s, deadtime 3 s. */
static void
regress_lease(wd_vip_lease *l, bool renewing)
{
	wd_timing	t;

	wd_timing_from_config(1, 3, &t);
	wd_vip_lease_init(l, renewing, t.lease_ms, t.interval_ms);
}

static void
test_new_leader_waits(void)
{
	wd_vip_lease l;
	int64_t		t0 = 10000;
	int			wait;

	regress_lease(&l, true);
	wait = wd_vip_takeover_wait_ms(&l);
	/* an old address is gone by then: it was renewed at most valid - horizon before our election */
	CU_ASSERT(wait >= l.valid_s * 1000 - l.horizon_ms + l.fuzz_ms);
	CU_ASSERT(wait <= 2000);	/* and takeover stays within deadtime + 2 s */
	CU_ASSERT_EQUAL(wd_vip_lease_decide(&l, true, t0 + 1200, t0), WD_VIP_NOTHING);
	CU_ASSERT_EQUAL(wd_vip_lease_decide(&l, true, t0 + wait - 1 + 1200, t0 + wait - 1),
					WD_VIP_NOTHING);
	CU_ASSERT_EQUAL(wd_vip_lease_decide(&l, true, t0 + wait + 1200, t0 + wait), WD_VIP_ACQUIRE);
	wd_vip_lease_done(&l, WD_VIP_ACQUIRE, true, t0 + wait);
	CU_ASSERT(l.held);
}

static void
test_renewal_follows_majority(void)
{
	wd_vip_lease l;
	int64_t		now = 50000;

	regress_lease(&l, true);
	l.leader_since_ms = 1;
	CU_ASSERT_EQUAL(wd_vip_lease_decide(&l, true, now + 1200, now), WD_VIP_ACQUIRE);
	wd_vip_lease_done(&l, WD_VIP_ACQUIRE, true, now);
	/* too soon to renew */
	CU_ASSERT_EQUAL(wd_vip_lease_decide(&l, true, now + 1300, now + 100), WD_VIP_NOTHING);
	/* due, but our majority might run out too soon after */
	now += l.renew_ms;
	CU_ASSERT_EQUAL(wd_vip_lease_decide(&l, true, now + l.horizon_ms - 1, now), WD_VIP_NOTHING);
	CU_ASSERT_EQUAL(wd_vip_lease_decide(&l, true, now + l.horizon_ms, now), WD_VIP_ACQUIRE);
	/* the address we renewed runs out no later than wait after any successor's election */
	CU_ASSERT(now + l.valid_s * 1000 + l.fuzz_ms <= now + l.horizon_ms + wd_vip_takeover_wait_ms(&l));
}

static void
test_release_at_once(void)
{
	wd_vip_lease l;

	regress_lease(&l, true);
	CU_ASSERT_EQUAL(wd_vip_lease_decide(&l, false, 0, 100), WD_VIP_NOTHING);
	l.held = true;
	CU_ASSERT_EQUAL(wd_vip_lease_decide(&l, false, 0, 200), WD_VIP_RELEASE);
	wd_vip_lease_done(&l, WD_VIP_RELEASE, false, 200);
	CU_ASSERT(l.held);			/* built-in: retried */
	wd_vip_lease_done(&l, WD_VIP_RELEASE, true, 300);
	CU_ASSERT(!l.held);
	/* leading again restarts the wait */
	CU_ASSERT_EQUAL(wd_vip_lease_decide(&l, true, 99999, 400), WD_VIP_NOTHING);
	CU_ASSERT_EQUAL(l.leader_since_ms, 400);
}

static void
test_commands_once_and_retry(void)
{
	wd_vip_lease l;
	int64_t		now;

	regress_lease(&l, false);
	l.leader_since_ms = 1;
	now = 100000;
	CU_ASSERT_EQUAL(wd_vip_lease_decide(&l, true, 0, now), WD_VIP_ACQUIRE);
	wd_vip_lease_done(&l, WD_VIP_ACQUIRE, false, now);
	CU_ASSERT_EQUAL(wd_vip_lease_decide(&l, true, 0, now + 1000), WD_VIP_NOTHING);
	CU_ASSERT_EQUAL(wd_vip_lease_decide(&l, true, 0, now + WD_VIP_CMD_RETRY_MS), WD_VIP_ACQUIRE);
	wd_vip_lease_done(&l, WD_VIP_ACQUIRE, true, now + WD_VIP_CMD_RETRY_MS);
	/* if_up_cmd runs once per leadership, no renewal */
	CU_ASSERT_EQUAL(wd_vip_lease_decide(&l, true, 0, now + 60000), WD_VIP_NOTHING);
	CU_ASSERT_EQUAL(wd_vip_lease_decide(&l, false, 0, now + 60001), WD_VIP_RELEASE);
	wd_vip_lease_done(&l, WD_VIP_RELEASE, false, now + 60001);
	CU_ASSERT(!l.held);			/* a failed if_down_cmd is not repeated */
}

static void
test_majority_until(void)
{
	wd_election e;
	wd_elect_peer p[5];
	wd_timing	t;

	wd_timing_from_config(1, 3, &t);
	wd_election_init(&e, 0, 5, false, &t, 0);
	memset(p, 0, sizeof(p));
	for (int i = 0; i < 5; i++)
	{
		p[i].alive = p[i].fresh = true;
		p[i].vote_for = -1;
	}
	CU_ASSERT_EQUAL(wd_election_majority_until(&e, p, 1000), 0);	/* not leading */
	e.vote_for = 0;
	e.leader = true;
	p[1].vote_for = 0;
	p[1].vote_expires_ms = 2000;
	p[2].vote_for = 0;
	p[2].vote_expires_ms = 1500;
	p[3].vote_for = 0;
	p[3].vote_expires_ms = 1800;
	/* quorum 3: ours and two more; once the second latest (1800) runs out only one is left */
	CU_ASSERT_EQUAL(wd_election_majority_until(&e, p, 1000), 1800);
	p[3].alive = false;
	CU_ASSERT_EQUAL(wd_election_majority_until(&e, p, 1000), 1500);
	CU_ASSERT_EQUAL(wd_election_majority_until(&e, p, 1600), 0);
}

static void
test_command_lines(void)
{
	char		out[64];

	CU_ASSERT_EQUAL(wd_vip_cmd_build("ip addr add $_IP_$/24 dev eth0", "/sbin", "10.0.0.5", out,
									 sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/sbin/ip addr add 10.0.0.5/24 dev eth0");
	CU_ASSERT_EQUAL(wd_vip_cmd_build("/usr/bin/sudo x $_IP_$ $_IP_$", "/sbin", "1.2.3.4", out,
									 sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/usr/bin/sudo x 1.2.3.4 1.2.3.4");
	CU_ASSERT_EQUAL(wd_vip_cmd_build("arping $_IP", "", "1.2.3.4", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "arping $_IP");
	CU_ASSERT_EQUAL(wd_vip_cmd_build("$_IP_$$_IP_$$_IP_$$_IP_$", "/d", "255.255.255.255", out, 32),
					-1);
}

CU_TestInfo wd_vip_tests[] = {
	{"a new leader waits until an old leader's address has run out", test_new_leader_waits},
	{"the leader renews only while its majority holds long enough", test_renewal_follows_majority},
	{"a node that stops leading releases at once", test_release_at_once},
	{"if_up_cmd once per leadership; failures retried after a pause", test_commands_once_and_retry},
	{"majority horizon: the quorum-th latest vote", test_majority_until},
	{"command lines: $_IP_$ and if_cmd_path as pgpool", test_command_lines},
	CU_TEST_INFO_NULL
};
