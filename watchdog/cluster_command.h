/*
 * Cluster-wide commands: pcp_reload_config -s c and pcp_stop_pgpool -s c. PCP posts the command in
 * shared memory; the watchdog puts it on its heartbeats for WD_CLUSTER_REPEAT_MS (UDP may lose some);
 * every other node acts once per command: it signals its own pgpool parent as a local PCP request
 * would. Commands are signed like every message; a node acts only on a command from an incarnation
 * of the sender it already knew, given within WD_CLUSTER_MAX_AGE_S of its own clock, so that a
 * recorded message replayed later stops nobody.
 */
#ifndef PGNG_WATCHDOG_CLUSTER_COMMAND_H
#define PGNG_WATCHDOG_CLUSTER_COMMAND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "config/config.h"
#include "watchdog/election.h"
#include "watchdog/wire.h"

typedef enum
{
	WD_CLUSTER_NONE = 0,
	WD_CLUSTER_RELOAD = 1,
	WD_CLUSTER_STOP_SMART = 2,
	WD_CLUSTER_STOP_FAST = 3,
	WD_CLUSTER_STOP_IMMEDIATE = 4
} wd_cluster_cmd;

#define WD_CLUSTER_REPEAT_MS 1500
#define WD_CLUSTER_MAX_AGE_S 30

/*
 * PCP: asks the watchdog to tell the other nodes. 0 when posted; -1 without use_watchdog (then
 * the command is this node's only, as in pgpool).
 */
int			wd_cluster_command_post(const pool_config *cfg, wd_cluster_cmd cmd);

/* The stop command for pcp_stop_pgpool's mode byte ('s', 'f', 'i'), WD_CLUSTER_NONE otherwise. */
wd_cluster_cmd wd_cluster_stop_command(int mode);

typedef struct wd_cluster
{
	uint8_t		cmd;			/* what our heartbeats carry */
	uint32_t	id;
	int64_t		time;
	int64_t		until_ms;		/* carried until then */
	uint64_t	acted_boot[WD_MAX_NODES];	/* the last command acted on, per sender */
	uint32_t	acted_id[WD_MAX_NODES];
} wd_cluster;

/* Watchdog: takes a command PCP posted; true when there is one (send a heartbeat now). */
bool		wd_cluster_take(wd_cluster *c, int64_t now_ms, time_t now_wall);

/* Whether our heartbeats still carry a command. */
bool		wd_cluster_active(const wd_cluster *c, int64_t now_ms);

/* Puts the command (if still carried) on msg. */
void		wd_cluster_fill(const wd_cluster *c, wd_msg *msg, int64_t now_ms);

/*
 * Pure decision (unit-tested): act on msg's command? known_incarnation: the sender's boot id was
 * known before this message.
 */
bool		wd_cluster_should_act(const wd_cluster *c, const wd_msg *msg, bool known_incarnation,
								  time_t now_wall);

/* A peer's accepted message: acts on a new command by signalling parent. */
void		wd_cluster_receive(wd_cluster *c, const wd_msg *msg, bool known_incarnation, pid_t parent,
							   time_t now_wall);

#endif
