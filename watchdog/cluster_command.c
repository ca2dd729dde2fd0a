/*
 * Cluster-wide commands (see cluster_command.h).
 */
#include "watchdog/cluster_command.h"

#include <signal.h>

#include "common/log.h"
#include "shmem/shmem.h"

int
wd_cluster_command_post(const pool_config *cfg, wd_cluster_cmd cmd)
{
	if (!cfg->use_watchdog || cmd == WD_CLUSTER_NONE)
		return -1;
	shm_wd_command_post((uint32_t) cmd);
	return 0;
}

wd_cluster_cmd
wd_cluster_stop_command(int mode)
{
	switch (mode)
	{
		case 's': return WD_CLUSTER_STOP_SMART;
		case 'f': return WD_CLUSTER_STOP_FAST;
		case 'i': return WD_CLUSTER_STOP_IMMEDIATE;
	}
	return WD_CLUSTER_NONE;
}

bool
wd_cluster_take(wd_cluster *c, int64_t now_ms, time_t now_wall)
{
	uint32_t	cmd = shm_wd_command_take();

	if (cmd == WD_CLUSTER_NONE || cmd > WD_CLUSTER_STOP_IMMEDIATE)
		return false;
	c->cmd = (uint8_t) cmd;
	c->id++;
	c->time = now_wall;
	c->until_ms = now_ms + WD_CLUSTER_REPEAT_MS;
	log_info("watchdog: sending cluster-wide command %u (id %u) to the other nodes", cmd, c->id);
	return true;
}

bool
wd_cluster_active(const wd_cluster *c, int64_t now_ms)
{
	return c->cmd != WD_CLUSTER_NONE && now_ms < c->until_ms;
}

void
wd_cluster_fill(const wd_cluster *c, wd_msg *msg, int64_t now_ms)
{
	if (!wd_cluster_active(c, now_ms))
		return;
	msg->command = c->cmd;
	msg->command_id = c->id;
	msg->command_time = c->time;
}

bool
wd_cluster_should_act(const wd_cluster *c, const wd_msg *msg, bool known_incarnation, time_t now_wall)
{
	int64_t		age = (int64_t) now_wall - msg->command_time;

	if (msg->command == WD_CLUSTER_NONE || msg->command > WD_CLUSTER_STOP_IMMEDIATE ||
		msg->node_id < 0 || msg->node_id >= WD_MAX_NODES || !known_incarnation)
		return false;
	if (age > WD_CLUSTER_MAX_AGE_S || age < -WD_CLUSTER_MAX_AGE_S)
		return false;
	return msg->boot_id != c->acted_boot[msg->node_id] || msg->command_id > c->acted_id[msg->node_id];
}

void
wd_cluster_receive(wd_cluster *c, const wd_msg *msg, bool known_incarnation, pid_t parent,
				   time_t now_wall)
{
	static const int signals[] = {0, SIGUSR1, SIGTERM, SIGINT, SIGQUIT};
	static const char *const names[] = {"", "reload", "smart stop", "fast stop", "immediate stop"};

	if (!wd_cluster_should_act(c, msg, known_incarnation, now_wall))
		return;
	c->acted_boot[msg->node_id] = msg->boot_id;
	c->acted_id[msg->node_id] = msg->command_id;
	log_info("watchdog: node %d asks every node for a %s (pcp -s c); doing it here", msg->node_id,
			 names[msg->command]);
	if (msg->command == WD_CLUSTER_RELOAD)
		shm_request_post(SHM_REQUEST_RELOAD);
	kill(parent, signals[msg->command]);
}
