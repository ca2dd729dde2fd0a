/*
 * The virtual IP's driver (see vip.h): turns the lease's decisions (vip_lease.c) into netlink
 * requests or pgpool's commands, and keeps a VIP this node does not hold off its interfaces.
 */
#include "watchdog/vip.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "net/sock.h"
#include "watchdog/garp.h"
#include "watchdog/netlink.h"

#define VIP_SWEEP_MS 1000		/* how often a node not holding the VIP looks for it locally */
#define VIP_ERROR_LOG_MS 10000	/* a repeating problem is logged this often */

static bool
blank(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/* Logs err now and then, so that a problem that lasts does not flood the log. */
static void
log_problem(wd_vip *v, int64_t now_ms, const char *what, const char *err)
{
	if (v->last_error_log_ms != 0 && now_ms - v->last_error_log_ms < VIP_ERROR_LOG_MS)
		return;
	v->last_error_log_ms = now_ms;
	log_error("watchdog: delegate_ip %s: %s: %s", v->ip, what, err);
}

static bool
netlink_ready(wd_vip *v, int64_t now_ms)
{
	char		err[512];

	if (v->nl_fd >= 0)
		return true;
	v->nl_fd = wd_nl_open(err, sizeof(err));
	if (v->nl_fd < 0)
		log_problem(v, now_ms, "cannot reach the kernel's address table", err);
	return v->nl_fd >= 0;
}

/* Our own IPv4 address, from hostnameN (numeric, or the resolver once). */
static int
own_address(const wd_vip *v, struct in_addr *out)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM};
	struct addrinfo *res = NULL;

	if (inet_pton(AF_INET, v->own_host, out) == 1)
		return 0;
	if (getaddrinfo(v->own_host, NULL, &hints, &res) != 0 || res == NULL)
		return -1;
	*out = ((struct sockaddr_in *) res->ai_addr)->sin_addr;
	freeaddrinfo(res);
	return 0;
}

/*
 * The interface for the built-in VIP: the one carrying our hostnameN's address (the VIP gets its
 * prefix length), else the first interface named in wd_monitoring_interfaces_list (as a /32).
 */
static int
find_interface(wd_vip *v, char *err, size_t err_size)
{
	const cfg_string_list *mon = &v->cfg->wd_monitoring_interfaces_list;
	struct in_addr own;
	int			rc;

	if (own_address(v, &own) == 0 &&
		(rc = wd_nl_find(v->nl_fd, own, &v->ifindex, &v->prefixlen, err, err_size)) != 0)
		return rc > 0 ? 0 : -1;
	if (mon->count > 0 && strcmp(mon->items[0], "any") != 0 &&
		(v->ifindex = (int) if_nametoindex(mon->items[0])) > 0)
	{
		v->prefixlen = 32;
		return 0;
	}
	v->ifindex = 0;
	snprintf(err, err_size, "no interface carries this node's address \"%.100s\" (hostname%d), and "
			 "wd_monitoring_interfaces_list names none; the VIP cannot be brought up",
			 v->own_host, v->cfg->pgpool_node_id);
	return -1;
}

/* Gratuitous ARP for a VIP just brought up: arping_cmd when set, else libpcap. */
static void
announce(wd_vip *v, int ifindex, int64_t now_ms)
{
	char		cmd[WD_VIP_CMD_MAX];
	char		err[512];

	if (!blank(v->cfg->arping_cmd))
	{
		if (wd_vip_cmd_build(v->cfg->arping_cmd, v->cfg->arping_path, v->ip, cmd, sizeof(cmd)) != 0)
			log_problem(v, now_ms, "arping_cmd not run", "the command is too long");
		else if (wd_vip_cmd_start(&v->cmd, cmd, "arping_cmd", now_ms) == 0)
			v->step = WD_VIP_STEP_ARPING;
		return;
	}
	if (ifindex <= 0)
	{
		int			prefixlen;

		if (!netlink_ready(v, now_ms) ||
			wd_nl_find(v->nl_fd, v->addr, &ifindex, &prefixlen, err, sizeof(err)) <= 0)
		{
			log_warning("watchdog: no gratuitous ARP for %s: the address is on no interface", v->ip);
			return;
		}
	}
	if (wd_garp_send(ifindex, v->addr, err, sizeof(err)) != 0)
		log_warning("watchdog: no gratuitous ARP for %s: %s", v->ip, err);
}

/* Takes the VIP off this host if it is there although we do not hold it. */
static void
sweep(wd_vip *v, int64_t now_ms)
{
	char		err[512];
	int			ifindex;
	int			prefixlen;
	int			rc;

	v->last_sweep_ms = now_ms;
	if (!netlink_ready(v, now_ms))
		return;
	rc = wd_nl_find(v->nl_fd, v->addr, &ifindex, &prefixlen, err, sizeof(err));
	if (rc < 0)
		log_problem(v, now_ms, "cannot look for it", err);
	if (rc <= 0)
		return;
	log_info("watchdog: removing delegate_ip %s from interface %d: this node does not hold it",
			 v->ip, ifindex);
	if (wd_nl_del(v->nl_fd, ifindex, v->addr, err, sizeof(err)) != 0)
		log_problem(v, now_ms, "cannot remove it", err);
}

static void
builtin_acquire(wd_vip *v, int64_t now_ms)
{
	char		err[512];
	bool		first = !v->lease.held;
	bool		ok;

	ok = netlink_ready(v, now_ms) && (v->ifindex > 0 || find_interface(v, err, sizeof(err)) == 0);
	if (ok && wd_nl_add(v->nl_fd, v->ifindex, v->addr, v->prefixlen, v->lease.valid_s, err,
						sizeof(err)) != 0)
	{
		ok = false;
		v->ifindex = 0;			/* look for the interface again: it may have changed */
	}
	if (!ok && v->nl_fd >= 0)
		log_problem(v, now_ms, "cannot bring it up", err);
	wd_vip_lease_done(&v->lease, WD_VIP_ACQUIRE, ok, now_ms);
	if (ok && first)
	{
		log_info("watchdog: delegate_ip %s/%d is up on interface %d (lifetime %d s, renewed "
				 "while this node leads)", v->ip, v->prefixlen, v->ifindex, v->lease.valid_s);
		announce(v, v->ifindex, now_ms);
	}
}

static void
builtin_release(wd_vip *v, int64_t now_ms)
{
	char		err[512] = "";
	int			ifindex = 0;
	int			prefixlen;
	int			found = netlink_ready(v, now_ms) ?
		wd_nl_find(v->nl_fd, v->addr, &ifindex, &prefixlen, err, sizeof(err)) : -1;
	bool		ok = found == 0 ||
		(found > 0 && wd_nl_del(v->nl_fd, ifindex, v->addr, err, sizeof(err)) == 0);

	if (!ok && v->nl_fd >= 0)
		log_problem(v, now_ms, "cannot take it down (it runs out by itself)", err);
	wd_vip_lease_done(&v->lease, WD_VIP_RELEASE, ok, now_ms);
	if (ok)
		log_info("watchdog: delegate_ip %s is down: this node no longer leads with quorum", v->ip);
}

/* Starts if_up_cmd or if_down_cmd for action. */
static void
command_start(wd_vip *v, wd_vip_action action, int64_t now_ms)
{
	const char *tmpl = action == WD_VIP_ACQUIRE ? v->cfg->if_up_cmd : v->cfg->if_down_cmd;
	const char *what = action == WD_VIP_ACQUIRE ? "if_up_cmd" : "if_down_cmd";
	char		cmd[WD_VIP_CMD_MAX];

	if (blank(tmpl) || wd_vip_cmd_build(tmpl, v->cfg->if_cmd_path, v->ip, cmd, sizeof(cmd)) != 0)
	{
		log_problem(v, now_ms, what, blank(tmpl) ? "not set" : "the command is too long");
		wd_vip_lease_done(&v->lease, action, false, now_ms);
		return;
	}
	if (wd_vip_cmd_start(&v->cmd, cmd, what, now_ms) != 0)
	{
		wd_vip_lease_done(&v->lease, action, false, now_ms);
		return;
	}
	v->step = action == WD_VIP_ACQUIRE ? WD_VIP_STEP_UP : WD_VIP_STEP_DOWN;
	v->step_decided_ms = now_ms;
}

/* A command that runs: wait for it (killing an up or arping that lost its point); true meanwhile. */
static bool
command_busy(wd_vip *v, bool leading, int64_t now_ms)
{
	wd_cmd_status st;
	wd_vip_step step = v->step;

	if (step == WD_VIP_STEP_NONE)
		return false;
	if (!leading && (step == WD_VIP_STEP_UP || step == WD_VIP_STEP_ARPING))
		wd_vip_cmd_kill(&v->cmd);
	st = wd_vip_cmd_poll(&v->cmd, now_ms);
	if (st == WD_CMD_RUNNING)
		return true;
	v->step = WD_VIP_STEP_NONE;
	if (step == WD_VIP_STEP_UP)
	{
		/* a killed if_up_cmd may have done its work: count the VIP as up, so that it goes down */
		wd_vip_lease_done(&v->lease, WD_VIP_ACQUIRE, st == WD_CMD_SUCCEEDED || v->cmd.killed,
						  v->step_decided_ms);
		if (st == WD_CMD_SUCCEEDED && leading)
		{
			log_info("watchdog: delegate_ip %s is up (if_up_cmd)", v->ip);
			announce(v, 0, now_ms);
		}
	}
	else if (step == WD_VIP_STEP_DOWN)
	{
		wd_vip_lease_done(&v->lease, WD_VIP_RELEASE, st == WD_CMD_SUCCEEDED, now_ms);
		log_info("watchdog: delegate_ip %s given up (if_down_cmd %s)", v->ip,
				 st == WD_CMD_SUCCEEDED ? "succeeded" : "failed");
	}
	return v->step != WD_VIP_STEP_NONE;
}

void
wd_vip_turn(wd_vip *v, bool leading, int64_t majority_until, int64_t now_ms)
{
	wd_vip_action action;

	if (!v->enabled || command_busy(v, leading, now_ms))
		return;
	action = wd_vip_lease_decide(&v->lease, leading, majority_until, now_ms);
	if (leading && !v->lease.held && action == WD_VIP_NOTHING && !v->waiting_logged)
	{
		v->waiting_logged = true;
		log_info("watchdog: bringing delegate_ip %s up within %d ms, once the address of any "
				 "previous leader must have run out", v->ip, wd_vip_takeover_wait_ms(&v->lease));
	}
	if (!leading)
		v->waiting_logged = false;
	if (action == WD_VIP_NOTHING)
	{
		if (v->builtin && !v->lease.held && now_ms - v->last_sweep_ms >= VIP_SWEEP_MS)
			sweep(v, now_ms);
		return;
	}
	if (!v->builtin)
		command_start(v, action, now_ms);
	else if (action == WD_VIP_ACQUIRE)
		builtin_acquire(v, now_ms);
	else
		builtin_release(v, now_ms);
}

bool
wd_vip_held(const wd_vip *v)
{
	return v->enabled && v->lease.held;
}

/* At start: a VIP on this host is left over (a crash, a restart); this node does not own it. */
static void
remove_leftover(wd_vip *v, int64_t now_ms)
{
	char		err[512];
	int			ifindex;
	int			prefixlen;

	if (v->builtin)
	{
		sweep(v, now_ms);
		return;
	}
	if (!netlink_ready(v, now_ms) ||
		wd_nl_find(v->nl_fd, v->addr, &ifindex, &prefixlen, err, sizeof(err)) <= 0)
		return;
	log_info("watchdog: delegate_ip %s is on this host at start; running if_down_cmd", v->ip);
	v->lease.held = true;
	command_start(v, WD_VIP_RELEASE, now_ms);
}

void
wd_vip_init(wd_vip *v, const pool_config *cfg, const char *own_host, int vote_lease_ms,
			int interval_ms, int64_t now_ms)
{
	memset(v, 0, sizeof(*v));
	v->nl_fd = -1;
	v->cfg = cfg;
	snprintf(v->own_host, sizeof(v->own_host), "%s", own_host);
	if (blank(cfg->delegate_IP))
		return;
	snprintf(v->ip, sizeof(v->ip), "%s", cfg->delegate_IP);
	if (inet_pton(AF_INET, v->ip, &v->addr) != 1)
	{
		log_error("watchdog: delegate_ip \"%s\" is not an IPv4 address; running without a "
				  "virtual IP", v->ip);
		return;
	}
	v->builtin = blank(cfg->if_up_cmd);
	v->enabled = true;
	wd_vip_lease_init(&v->lease, v->builtin, vote_lease_ms, interval_ms);
	if (v->builtin)
		log_info("watchdog: delegate_ip %s built in (if_up_cmd is empty): an address with a %d s "
				 "lifetime that the leader renews; a new leader waits %d ms", v->ip,
				 v->lease.valid_s, wd_vip_takeover_wait_ms(&v->lease));
	else if (blank(cfg->if_down_cmd))
		log_warning("watchdog: if_up_cmd is set but if_down_cmd is empty: a node that stops "
					"leading cannot give delegate_ip %s up", v->ip);
	if (blank(cfg->arping_cmd) && !wd_garp_available())
		log_warning("watchdog: arping_cmd is empty and this build has no libpcap: no gratuitous "
					"ARP for delegate_ip %s (neighbours learn the new holder when their ARP "
					"entry expires)", v->ip);
	remove_leftover(v, now_ms);
}

/* Waits (bounded) for a running command; kills an up or arping. */
static void
finish_command(wd_vip *v, int64_t deadline)
{
	while (command_busy(v, false, net_now_ms()) && net_now_ms() < deadline)
		usleep(20000);
}

void
wd_vip_shutdown(wd_vip *v)
{
	int64_t		deadline = net_now_ms() + WD_VIP_CMD_TIMEOUT_MS + 1000;

	if (!v->enabled)
		return;
	finish_command(v, deadline);
	if (v->lease.held && v->builtin)
		builtin_release(v, net_now_ms());
	else if (v->lease.held && v->step == WD_VIP_STEP_NONE)
	{
		command_start(v, WD_VIP_RELEASE, net_now_ms());
		finish_command(v, deadline);
	}
	if (v->nl_fd >= 0)
		close(v->nl_fd);
	v->nl_fd = -1;
}
