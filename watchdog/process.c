/*
 * The watchdog process's loop: receive heartbeats, run the election step, send our heartbeat when
 * due or when our vote changed, publish the cluster view. One poll with a short deadline per turn;
 * nothing in here blocks.
 */
#include "watchdog/watchdog.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "common/log.h"
#include "common/ps_title.h"
#include "net/sock.h"
#include "shmem/shmem.h"
#include "watchdog/backend_sync.h"
#include "watchdog/cluster_command.h"
#include "watchdog/consensus_leader.h"
#include "watchdog/election.h"
#include "watchdog/escalation.h"
#include "watchdog/heartbeat.h"
#include "watchdog/membership.h"
#include "watchdog/node_request.h"
#include "watchdog/vip.h"

#define WD_TURN_MS 100			/* leases and deadlines are looked at this often */
#define WD_MAX_DATAGRAMS_PER_TURN 4096	/* drain the socket: the last word of each peer counts */
#define WD_BAD_MESSAGE_LOG_MS 10000

typedef struct wd_ctx
{
	const pool_config *cfg;
	const char *key;
	wd_members	m;
	wd_election e;
	wd_timing	t;
	wd_commands commands;		/* escalation and de-escalation commands running */
	wd_vip		vip;			/* delegate_ip */
	wd_consensus cons;			/* failover votes */
	wd_cluster	cluster;		/* cluster-wide PCP commands */
	wd_backend_sync sync;		/* the leader's backend status, on a standby */
	wd_node_requests reqs;		/* PCP node requests for the leader, and those acted on as leader */
	int			fd;
	pid_t		parent;
	uint64_t	boot_id;
	uint64_t	seq;
	time_t		start_time;
	int64_t		next_send_ms;
	int64_t		last_turn_ms;
	int64_t		last_bad_log_ms;
	int			shown_state;	/* last local state logged */
	int			shown_leader;
	bool		title_stale;	/* the title was changed ahead of act_on_changes */
} wd_ctx;

static volatile sig_atomic_t wd_stop_requested;

static void
on_stop(int signo)
{
	(void) signo;
	wd_stop_requested = 1;
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
}

static void
fill_msg(wd_ctx *c, int state, int leader, wd_msg *msg)
{
	const wd_peer *me = &c->m.peers[c->m.self];

	memset(msg, 0, sizeof(*msg));
	msg->type = WD_MSG_HEARTBEAT;
	msg->node_id = c->m.self;
	msg->boot_id = c->boot_id;
	msg->seq = ++c->seq;
	msg->priority = c->m.priority;
	msg->state = state;
	msg->vote_for = state == WD_STATE_SHUTDOWN ? -1 : c->e.vote_for;
	msg->vote_lease_ms = (uint32_t) c->e.lease_ms;
	msg->leader_id = leader;
	msg->start_time = c->start_time;
	msg->pgpool_port = (uint16_t) me->pgpool_port;
	msg->wd_port = (uint16_t) me->wd_port;
	snprintf(msg->node_name, sizeof(msg->node_name), "%s", c->m.node_name);
	snprintf(msg->host_name, sizeof(msg->host_name), "%s", me->host);
	memcpy(msg->down_votes, c->cons.own, sizeof(msg->down_votes));
	wd_cluster_fill(&c->cluster, msg, net_now_ms());
	wd_backend_sync_fill(msg);
	wd_node_request_fill(&c->reqs, msg, net_now_ms());
}

static void
send_heartbeat(wd_ctx *c, int state, int leader, int64_t now_ms)
{
	wd_msg		msg;

	fill_msg(c, state, leader, &msg);
	wd_heartbeat_send(c->fd, &c->m, &msg, c->key);
	wd_election_note_sent(&c->e, now_ms);
	c->next_send_ms = now_ms + c->t.interval_ms;
}

/* leading: we led with quorum on the last turn and were not stopped since */
static void
receive_all(wd_ctx *c, int64_t now_ms, bool leading)
{
	for (int i = 0; i < WD_MAX_DATAGRAMS_PER_TURN; i++)
	{
		wd_msg		msg;
		wd_wire_status st = WD_WIRE_OK;
		int			rc = wd_heartbeat_receive(c->fd, c->key, &msg, &st);
		bool		known;
		wd_accept_result acc;

		if (rc == 0)
			return;
		known = rc > 0 && msg.node_id >= 0 && msg.node_id < c->m.num_nodes &&
			c->m.peers[msg.node_id].heard && c->m.peers[msg.node_id].boot_id == msg.boot_id;
		acc = rc > 0 ? wd_members_accept(&c->m, &msg, now_ms, time(NULL)) : WD_UNKNOWN_NODE;
		if (acc == WD_ACCEPTED)
		{
			wd_cluster_receive(&c->cluster, &msg, known, c->parent, time(NULL));
			wd_node_request_receive(&c->reqs, &msg, known, c->m.self, leading, time(NULL));
		}
		if (acc == WD_UNKNOWN_NODE)
		{
			if (now_ms - c->last_bad_log_ms >= WD_BAD_MESSAGE_LOG_MS)
			{
				c->last_bad_log_ms = now_ms;
				log_warning("watchdog: ignoring a heartbeat on UDP port %d: %s",
							c->m.heartbeat_port,
							rc < 0 ? wd_wire_status_name(st) : "from an unknown node id");
			}
		}
	}
}

static void
publish_node(const wd_ctx *c, int i, int64_t now_ms, int local_state, shm_wd_node *n)
{
	const wd_peer *p = &c->m.peers[i];

	n->membership = 0;
	n->pgpool_port = p->pgpool_port;
	n->wd_port = p->wd_port;
	snprintf(n->host_name, sizeof(n->host_name), "%s", p->host);
	if (i == c->m.self)
	{
		n->state = local_state;
		n->priority = c->m.priority;
		n->last_heard = time(NULL);
		snprintf(n->node_name, sizeof(n->node_name), "%s", c->m.node_name);
		return;
	}
	n->state = wd_members_peer_state(&c->m, &c->t, i, now_ms);
	n->priority = p->heard ? p->last.priority : 0;
	n->last_heard = p->heard ? p->last_heard_wall : 0;
	snprintf(n->node_name, sizeof(n->node_name), "%s", p->heard ? p->last.node_name : "");
}

static void
publish_view(const wd_ctx *c, const wd_elect_peer *peers, int64_t now_ms, int local_state)
{
	static shm_wd_view v;
	int			alive = wd_members_alive(&c->m, &c->t, now_ms);

	memset(&v, 0, sizeof(v));
	v.num_nodes = c->m.num_nodes;
	v.local_node = c->m.self;
	v.leader_node = local_state == WD_STATE_SHUTDOWN ? -1 : wd_election_leader(&c->e, peers);
	v.alive_nodes = alive;
	v.quorum_needed = wd_quorum_needed(c->m.num_nodes, c->e.half_votes);
	v.quorum_status = wd_quorum_status(alive, c->m.num_nodes, c->e.half_votes);
	v.escalated = c->e.leader ? 1 : 0;
	v.writer_pid = (int32_t) getpid();
	v.published_ms = net_now_ms();
	snprintf(v.delegate_ip, sizeof(v.delegate_ip), "%s", c->cfg->delegate_IP);
	for (int i = 0; i < c->m.num_nodes; i++)
		publish_node(c, i, now_ms, local_state, &v.nodes[i]);
	shm_wd_publish(&v);
}

/* Logs what changed; runs the escalation commands when leadership came or went. */
static void
act_on_changes(wd_ctx *c, int state, int leader, int64_t now_ms)
{
	if (state == c->shown_state && leader == c->shown_leader)
	{
		if (c->title_stale)
			ps_title_set("watchdog: %s", wd_state_name(state));
		c->title_stale = false;
		return;
	}
	if (state == WD_STATE_LEADER && c->shown_state != WD_STATE_LEADER)
	{
		log_info("watchdog: this node (%d) is the leader, with quorum", c->m.self);
		wd_command_start(&c->commands, c->cfg->wd_escalation_command, "wd_escalation_command",
						 now_ms);
	}
	else if (state != WD_STATE_LEADER && c->shown_state == WD_STATE_LEADER)
	{
		log_info("watchdog: this node (%d) is no longer the leader", c->m.self);
		wd_command_start(&c->commands, c->cfg->wd_de_escalation_command,
						 "wd_de_escalation_command", now_ms);
	}
	else if (leader != c->shown_leader)
		log_info("watchdog: leader is node %d (this node %d is %s)", leader, c->m.self,
				 wd_state_name(state));
	c->shown_state = state;
	c->shown_leader = leader;
	c->title_stale = false;
	ps_title_set("watchdog: %s", wd_state_name(state));
}

static void
turn(wd_ctx *c)
{
	wd_elect_peer peers[WD_MAX_NODES];
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
	int64_t		now = net_now_ms();
	int64_t		wait = c->next_send_ms - now;
	bool		changed;
	bool		starved;
	int			state;
	int			leader;

	if (wait > WD_TURN_MS)
		wait = WD_TURN_MS;
	if (poll(&pfd, 1, wait > 0 ? (int) wait : 0) < 0 && errno != EINTR)
		log_warning("watchdog: poll failed: %s", strerror(errno));
	now = net_now_ms();
	starved = c->last_turn_ms != 0 && now - c->last_turn_ms > WD_TURN_MS + c->t.margin_ms;
	if (starved && c->shown_state == WD_STATE_LEADER)
	{
		/* it steps down below; the title (what operators and tests see) must not lag behind */
		ps_title_set("watchdog: %s", wd_state_name(WD_STATE_STANDING));
		c->title_stale = true;
	}
	receive_all(c, now, c->e.leader && !starved);
	if (starved)
	{
		/*
		 * We were not running (stopped, starved): what waited in the socket is old, and a vote in
		 * it counted from now would outlive the lease its sender gave. Count none until peers speak
		 * again; a leader steps down meanwhile.
		 */
		log_warning("watchdog: not scheduled for %lld ms; ignoring the votes received meanwhile",
					(long long) (now - c->last_turn_ms));
		wd_members_forget_votes(&c->m);
	}
	c->last_turn_ms = now;
	wd_members_elect_view(&c->m, &c->t, now, peers);
	changed = wd_election_step(&c->e, peers, now);
	state = wd_election_local_state(&c->e, peers, now);
	leader = wd_election_leader(&c->e, peers);
	wd_consensus_turn(&c->cons, &c->m, &c->t, state == WD_STATE_LEADER, now);
	wd_backend_sync_turn(&c->sync, &c->m, &c->t, state, leader, now);
	if (wd_cluster_take(&c->cluster, now, time(NULL)))
		changed = true;
	if (wd_node_request_take(&c->reqs, now, time(NULL)))
		changed = true;
	if (wd_backend_sync_moved(&c->sync))
		changed = true;
	/* while a command or request rides on them, heartbeats go out every turn (UDP loses some) */
	if (changed || now >= c->next_send_ms || wd_cluster_active(&c->cluster, now) ||
		wd_node_request_active(&c->reqs, now))
		send_heartbeat(c, state, leader, now);
	publish_view(c, peers, now, state);
	act_on_changes(c, state, leader, now);
	wd_vip_turn(&c->vip, state == WD_STATE_LEADER,
				wd_election_majority_until(&c->e, peers, now), now);
	wd_command_reap(&c->commands, now);
}

/* Settings whose pgpool-II behaviour pgpool-ng does not have yet: say so rather than ignore them. */
static void
warn_unsupported(const pool_config *cfg)
{
	if (cfg->wd_lifecheck_method != CFG_LIFECHECK_HEARTBEAT)
		log_warning("watchdog: wd_lifecheck_method = '%s' is not supported by pgpool-ng yet; the "
					"other pgpools' life is checked by heartbeat instead (UDP to "
					"heartbeat_hostnameN:heartbeat_portN, else hostnameN:wd_portN)",
					cfg->wd_lifecheck_method == CFG_LIFECHECK_QUERY ? "query" : "external");
	if (cfg->wd_remove_shutdown_nodes || cfg->wd_lost_node_removal_timeout > 0 ||
		cfg->wd_no_show_node_removal_timeout > 0)
		log_warning("watchdog: wd_remove_shutdown_nodes, wd_lost_node_removal_timeout and "
					"wd_no_show_node_removal_timeout are not supported by pgpool-ng yet; the quorum "
					"is always counted over all %d configured nodes", cfg->num_wd_nodes);
	if (cfg->wd_monitoring_interfaces_list.count > 0)
		log_warning("watchdog: pgpool-ng does not monitor the links of wd_monitoring_interfaces_list "
					"yet (a node whose links are down steps down when its heartbeats stop, after "
					"wd_heartbeat_deadtime); the list only names the VIP's interface");
}

static int
setup(wd_ctx *c, const pool_config *cfg)
{
	char		err[256];

	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->key = cfg->wd_authkey ? cfg->wd_authkey : "";
	c->parent = getppid();
	c->start_time = time(NULL);
	c->shown_state = -1;
	c->shown_leader = -2;
	if (RAND_bytes((unsigned char *) &c->boot_id, sizeof(c->boot_id)) != 1)
		c->boot_id = ((uint64_t) getpid() << 32) ^ (uint64_t) net_now_ms();
	if (wd_members_init(&c->m, cfg, err, sizeof(err)) != 0 ||
		(c->fd = wd_heartbeat_open(c->m.heartbeat_port, err, sizeof(err))) < 0)
	{
		log_fatal("watchdog: %s", err);
		return -1;
	}
	wd_timing_from_config(cfg->wd_heartbeat_keepalive, cfg->wd_heartbeat_deadtime, &c->t);
	wd_election_init(&c->e, c->m.self, c->m.num_nodes, cfg->enable_consensus_with_half_votes,
					 &c->t, net_now_ms());
	log_info("watchdog: node %d of %d (\"%s\"), heartbeat on UDP port %d every %d ms, "
			 "deadtime %d ms, vote lease %d ms", c->m.self, c->m.num_nodes, c->m.node_name,
			 c->m.heartbeat_port, c->t.interval_ms, c->t.dead_ms, c->t.lease_ms);
	warn_unsupported(cfg);
	wd_consensus_init(&c->cons, cfg);
	wd_backend_sync_init(&c->sync, cfg);
	wd_node_request_init(&c->reqs, cfg);
	wd_vip_init(&c->vip, cfg, c->m.peers[c->m.self].host, c->t.lease_ms, c->t.interval_ms,
				net_now_ms());
	return 0;
}

/*
 * At exit: a cluster-wide stop PCP just posted may not have gone out yet (our parent stops us at
 * once); send it a few times before we go.
 */
static void
send_pending_command(wd_ctx *c)
{
	wd_elect_peer peers[WD_MAX_NODES];
	struct timespec gap = {0, 50 * 1000 * 1000};

	if (!wd_cluster_take(&c->cluster, net_now_ms(), time(NULL)) &&
		!wd_cluster_active(&c->cluster, net_now_ms()))
		return;
	wd_members_elect_view(&c->m, &c->t, net_now_ms(), peers);
	for (int i = 0; i < 3; i++)
	{
		send_heartbeat(c, wd_election_local_state(&c->e, peers, net_now_ms()),
					   wd_election_leader(&c->e, peers), net_now_ms());
		nanosleep(&gap, NULL);
	}
}

void
wd_main(const pool_config *cfg)
{
	static wd_ctx c;
	wd_elect_peer peers[WD_MAX_NODES];

	install_signals();
	log_set_process_name("watchdog");
	ps_title_set("watchdog");
	if (setup(&c, cfg) != 0)
		_exit(1);
	while (!wd_stop_requested && getppid() == c.parent)
		turn(&c);
	/* tell the others at once, so that they do not wait for the deadtime */
	wd_members_elect_view(&c.m, &c.t, net_now_ms(), peers);
	c.e.vote_for = -1;
	c.e.leader = false;
	wd_vip_shutdown(&c.vip);	/* before our peers hear that we are gone */
	send_pending_command(&c);
	send_heartbeat(&c, WD_STATE_SHUTDOWN, -1, net_now_ms());
	publish_view(&c, peers, net_now_ms(), WD_STATE_SHUTDOWN);
	act_on_changes(&c, WD_STATE_SHUTDOWN, -1, net_now_ms());
	close(c.fd);
	_exit(0);
}
