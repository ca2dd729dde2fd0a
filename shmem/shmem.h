/*
 * The shared memory every pgpool-ng process sees: backend table, health-check statistics, per-child
 * slots (sessions, pool slots, statement counters, cancel keys) and a request word for the parent.
 * The parent creates it before forking; everyone else uses only the accessors below.
 */
#ifndef PGNG_SHMEM_H
#define PGNG_SHMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "config/config.h"

/*
 * Concurrency, in short (details at each declaration):
 * - Backend table: many readers, writers serialised by a robust process-shared mutex taken with a
 *   deadline; readers never lock, they copy under a seqlock (generation counter) and retry.
 *   A writer that dies while holding the mutex is repaired by the next one (EOWNERDEAD).
 * - Health-check statistics: one writer per node (that node's health-check process), per-node seqlock.
 * - Child slot i: written only by child i (and by the parent before fork / after reaping it).
 *   Single-word fields are relaxed atomics; strings, pool slots and cancel keys sit under a per-child
 *   seqlock so that a reader (PCP, SHOW) can never see half a string.
 * - Reads are bounded: a seqlock read that cannot get a stable copy within SHM_READ_DEADLINE_MS
 *   (a writer died between its two generation stores) fails instead of spinning for ever.
 */

/* Upper limits of what shm_create accepts (the configuration allows more than is sensible). */
#define SHM_MAX_CHILDREN 16384
#define SHM_MAX_POOL 256
#define SHM_MAX_REGION_SIZE ((size_t) 1 << 30)
#define SHM_READ_DEADLINE_MS 200

#define SHM_NAME_SIZE 64		/* database / user names, NAMEDATALEN */
#define SHM_REPL_STATE_SIZE 32	/* pg_stat_replication.state / sync_state */
#define SHM_CANCEL_KEY_MAX 32	/* PostgreSQL 18 backends send 32-byte keys with protocol 3.2 */

/* Backend status: pgpool's numeric codes, as pcp_node_info prints them. */
typedef enum
{
	SHM_CON_UNUSED = 0,
	SHM_CON_CONNECT_WAIT = 1,	/* "waiting": attached, no session has connected to it yet */
	SHM_CON_UP = 2,
	SHM_CON_DOWN = 3
} shm_backend_status;

/* Roles: pgpool's view (role) and PostgreSQL's answer (pg_role) share the names. */
typedef enum
{
	SHM_ROLE_UNKNOWN = 0,
	SHM_ROLE_PRIMARY,
	SHM_ROLE_STANDBY,
	SHM_ROLE_MAIN,				/* native/logical replication, slony, raw modes */
	SHM_ROLE_REPLICA
} shm_role;

/* Whether PostgreSQL answers (SHOW pool_nodes pg_status). */
typedef enum
{
	SHM_PG_STATUS_UNKNOWN = 0,
	SHM_PG_STATUS_UP,
	SHM_PG_STATUS_DOWN
} shm_pg_status;

/* One backend node. Written under the backends lock (shm_backends_edit_*), by whom is noted. */
typedef struct shm_backend
{
	int32_t		status;			/* shm_backend_status; parent, failover, PCP attach/detach */
	int32_t		role;			/* shm_role, pgpool's view; parent, failover, promote */
	int32_t		pg_status;		/* shm_pg_status; health check */
	int32_t		pg_role;		/* shm_role PostgreSQL reports; sr check */
	double		weight;			/* normalised lb_weight (shm_backends_set_weights); parent, reload */
	int64_t		replication_delay;	/* bytes behind the primary; sr check */
	int64_t		last_status_change; /* time_t of the last change of status; whoever changes it */
	char		replication_state[SHM_REPL_STATE_SIZE]; /* "streaming" or ""; sr check */
	char		replication_sync_state[SHM_REPL_STATE_SIZE];	/* "async", "sync", ...; sr check */
} shm_backend;

/*
 * What the failover process publishes with the backend table (same seqlock). A child that sees
 * `generation` move re-reads the table; `switching` tells it a failover is running (new sessions may
 * wait for it, bounded), `failovers` counts finished failovers (a session bound to the primary of an
 * older count must end).
 */
typedef struct shm_failover_state
{
	int32_t		switching;		/* 1 while a request is carried out (until a new primary is set) */
	int32_t		node;			/* node of the running or last request, -1: none */
	uint64_t	failovers;		/* requests carried out since start */
	uint64_t	primary_changes;	/* times primary_node_id moved to another node */
	/* bit per node: the sr check has judged its replication_state (sr check) */
	uint8_t		sr_checked[CFG_MAX_BACKENDS / 8];
	uint8_t		reserved[8];
} shm_failover_state;

/* The backend table. Only nodes[0..num_backends) are copied by shm_backends_snapshot. */
typedef struct shm_backend_table
{
	int32_t		num_backends;	/* fixed at creation; edits of it are ignored */
	int32_t		primary_node_id;	/* -1: none; parent, failover */
	int32_t		main_node_id;	/* -1: none; parent, failover */
	int32_t		pad;
	shm_failover_state failover;	/* failover process */
	shm_backend nodes[CFG_MAX_BACKENDS];
} shm_backend_table;

/*
 * Health-check statistics of one node: the stored sums behind SHOW pool_health_check_stats (the
 * averages are derived by whoever prints them). Written whole by the node's health-check process under
 * the node's seqlock.
 */
typedef struct shm_hc_stats
{
	uint64_t	total_count;
	uint64_t	success_count;
	uint64_t	fail_count;
	uint64_t	skip_count;
	uint64_t	retry_count;
	uint64_t	max_retry_count;
	uint64_t	total_duration_ms;	/* sum over checks, for average_duration */
	uint64_t	max_duration_ms;
	uint64_t	min_duration_ms;
	int64_t		last_health_check;	/* time_t, 0: never */
	int64_t		last_successful_health_check;
	int64_t		last_skip_health_check;
	int64_t		last_failed_health_check;
} shm_hc_stats;

/* A child's state as SHOW pool_processes prints it. */
typedef enum
{
	SHM_CHILD_WAIT_FOR_CONNECTION = 0,
	SHM_CHILD_IDLE,
	SHM_CHILD_IDLE_IN_TRANSACTION,
	SHM_CHILD_EXECUTE_COMMAND
} shm_child_status;

/*
 * What a reader sees of one child (shm_child_read). pid, status, start_time and the count are relaxed
 * atomics written by the child; database/username are under the child's seqlock.
 */
typedef struct shm_child_info
{
	pid_t		pid;			/* 0: no process in the slot */
	int32_t		status;			/* shm_child_status */
	int64_t		start_time;		/* time_t */
	int64_t		idle_since;		/* time_t it last began waiting for a client (child_life_time) */
	int32_t		client_connection_count;
	char		database[SHM_NAME_SIZE];	/* current session; "" between sessions */
	char		username[SHM_NAME_SIZE];
} shm_child_info;

/*
 * One pool slot of a child (a cached user/database pair), common to its backends. Written by that
 * child only (shm_pool_set), under its slot's seqlock; the parent clears it in shm_child_retire.
 */
typedef struct shm_pool_info
{
	char		database[SHM_NAME_SIZE];	/* "" when the slot is unused */
	char		username[SHM_NAME_SIZE];
	int64_t		client_connection_time; /* time_t, 0: never */
	int64_t		client_disconnection_time;
	int64_t		client_idle_duration;	/* seconds */
	int32_t		major;			/* client protocol version */
	int32_t		minor;
	int32_t		counter;		/* clients that have used the slot */
	int32_t		pad;
} shm_pool_info;

/* The connection of one pool slot to one backend; same writer and seqlock as shm_pool_info. */
typedef struct shm_pool_backend
{
	int64_t		connection_time;	/* time_t the backend connection was made */
	int32_t		backend_pid;
	int32_t		connected;		/* 1 when the connection is established */
} shm_pool_backend;

/* One row of pcp_proc_info / SHOW pool_pools, minus the child's own columns. */
typedef struct shm_pool_row
{
	shm_pool_info info;
	shm_pool_backend backend;
} shm_pool_row;

/*
 * Per-node counters of SHOW pool_backend_stats (and select_cnt of pool_nodes). Each child counts in its
 * own slot (relaxed stores); retired children's counts are kept by the parent under a seqlock.
 */
typedef enum
{
	SHM_CNT_SELECT = 0,
	SHM_CNT_INSERT,
	SHM_CNT_UPDATE,
	SHM_CNT_DELETE,
	SHM_CNT_DDL,
	SHM_CNT_OTHER,
	SHM_CNT_PANIC,
	SHM_CNT_FATAL,
	SHM_CNT_ERROR,
	SHM_CNT_KINDS
} shm_counter;

typedef struct shm_backend_counters
{
	uint64_t	count[SHM_CNT_KINDS];
} shm_backend_counters;

/*
 * BackendKeyData: a process id and a secret of 4 (protocol 3.0) to SHM_CANCEL_KEY_MAX bytes. Each child
 * publishes its own under its slot's seqlock (shm_cancel_publish).
 */
typedef struct shm_cancel_key
{
	int32_t		pid;			/* 0: none */
	uint32_t	len;
	uint8_t		key[SHM_CANCEL_KEY_MAX];
} shm_cancel_key;

/*
 * Bits of the parent's request word. After posting, signal the parent with SIGUSR1 (any bit) so that
 * it acts at once; it also looks every second.
 */
#define SHM_REQUEST_RELOAD 0x1u	/* reread pgpool.conf (pcp_reload_config) */
#define SHM_REQUEST_FAILOVER 0x2u	/* the failover queue has work (shm_failover_push does it) */

/* ---- the region ---- */

/*
 * Bytes the region needs for these dimensions, or 0 when a dimension is out of range (children
 * 1..SHM_MAX_CHILDREN, max_pool 0..SHM_MAX_POOL, backends 0..CFG_MAX_BACKENDS) or the total passes
 * SHM_MAX_REGION_SIZE. max_pool 0 still gets one pool slot per child, for the current session.
 */
size_t		shm_size_for(int num_children, int max_pool, int num_backends);

/*
 * Parent, before forking: maps the region (anonymous, shared, inherited by every child) and fills the
 * backend table from cfg: configured nodes CON_CONNECT_WAIT, weights normalised, no primary.
 * Returns 0, or -1 after logging why (limits, mmap, mutex set-up). Fails when a region exists.
 */
int			shm_create(const pool_config *cfg);

/* Unmaps the region in this process (the parent at exit; tests). */
void		shm_destroy(void);

size_t		shm_size(void);
int			shm_num_children(void);
int			shm_max_pool(void);	/* pool slots per child (at least 1) */
int			shm_num_backends(void);
pid_t		shm_parent_pid(void);
time_t		shm_created_at(void);	/* when the parent made the region (pgpool's start) */

/* ---- backend table ---- */

/* One atomic load (0 without a region): a child compares it with its snapshot's once per query. */
uint64_t	shm_backends_generation(void);

/*
 * Copies the table into dst without locking. Returns the (even, nonzero) generation of the copy,
 * or 0 when no stable copy could be made within SHM_READ_DEADLINE_MS (dst is then undefined).
 */
uint64_t	shm_backends_snapshot(shm_backend_table *dst);

/*
 * Writers (parent, failover, PCP, health check, sr check). Takes the writers' mutex, waiting at
 * most timeout_ms, and returns the table to edit (a staging copy; readers do not see it), or NULL on
 * timeout or error. If the previous holder died, its work is repaired first: a half-published table is
 * published, a half-edited one dropped. Then exactly one of commit (publish if anything changed,
 * bump the generation) or abort (drop the edits) must follow; both release the mutex.
 */
shm_backend_table *shm_backends_edit_begin_with_deadline(int timeout_ms);
int			shm_backends_edit_commit(void);
int			shm_backends_edit_abort(void);

/* Sets nodes[].weight to pgpool's normalised lb_weight from cfg (on a table being edited). */
void		shm_backends_set_weights(shm_backend_table *table, const pool_config *cfg);

/*
 * Whether node may take reads as far as replication goes: the primary, a standby the primary's
 * pg_stat_replication shows "streaming", or one with no state the sr check has not judged yet. A
 * standby the sr check found absent from pg_stat_replication (state "", judged) is not streaming.
 */
bool		shm_backend_streaming(const shm_backend_table *t, int node);
/* sr check: records that it judged node's replication_state (or, false, that it could not). */
void		shm_backend_set_sr_checked(shm_backend_table *t, int node, bool checked);

/* A node sessions may use: up, or attached and waiting for its first session. */
bool		shm_backend_usable(const shm_backend *node);
const char *shm_backend_status_name(int status);	/* "unused", "waiting", "up", "down" */
const char *shm_role_name(int role);	/* "primary", "standby", "main", "replica", "unknown" */
const char *shm_pg_status_name(int pg_status);	/* "up", "down", "unknown" */

/* ---- health-check statistics (writer: the node's health-check process only) ---- */

int			shm_hc_stats_write(int node, const shm_hc_stats *stats);
/* 0, or -1 for a bad node or no stable copy within SHM_READ_DEADLINE_MS. */
int			shm_hc_stats_read(int node, shm_hc_stats *out);

/* ---- child slots ---- */

/*
 * Parent, after reaping child i (and harmless before its first fork): adds its statement counters
 * to the node totals, then clears the slot. Must not be called while child i runs.
 */
int			shm_child_retire(int child);

/* Child i, first thing after fork: publishes its pid and start time. */
int			shm_child_begin(int child, pid_t pid, time_t start_time);

/*
 * Child i only. Hot path: relaxed stores into the child's own cache lines, no seqlock.
 * Entering SHM_CHILD_WAIT_FOR_CONNECTION from another status also stamps idle_since with now;
 * shm_child_set_idle_since sets it explicitly (the accept loop's own reference time).
 */
void		shm_child_set_status(int child, shm_child_status status);
void		shm_child_set_idle_since(int child, time_t since);
void		shm_child_count_client(int child);
void		shm_count(int child, int node, shm_counter kind);

/* Child i only: the current session's database and user ("" between sessions). */
int			shm_child_set_session(int child, const char *database, const char *username);

/* Child i only: one pool slot, and its connection to one node. */
int			shm_pool_set(int child, int pool, const shm_pool_info *info);
int			shm_pool_set_backend(int child, int pool, int node, const shm_pool_backend *backend);

/* Readers. 0, or -1 for a bad index or no stable copy within SHM_READ_DEADLINE_MS. */
int			shm_child_read(int child, shm_child_info *out);
int			shm_pool_read(int child, int pool, int node, shm_pool_row *out);

/* The slot of the child with this pid, or -1. */
int			shm_child_find(pid_t pid);

/* Sum of a node's counters over retired and running children. -1 for a bad node. */
int			shm_backend_counters_sum(int node, shm_backend_counters *out);

const char *shm_child_status_name(int status);	/* "Wait for connection", "Idle", ... */

/* ---- cancel keys ---- */

/*
 * Child i: the key it gave its client, and the real keys of its session's backend connections
 * (shm_num_backends() entries, pid 0 where not connected). -1 if a key is longer than
 * SHM_CANCEL_KEY_MAX. shm_cancel_clear withdraws them at session end.
 */
int			shm_cancel_publish(int child, const shm_cancel_key *frontend,
							   const shm_cancel_key *backends);
int			shm_cancel_clear(int child);

/*
 * Any child receiving a CancelRequest: finds the session whose client key is (pid, key), comparing
 * the secret in constant time. On a hit copies shm_num_backends() backend keys into out_backend_keys
 * and returns the child's slot; -1 when no session matches.
 */
int			shm_cancel_lookup(int32_t pid, const uint8_t *key, size_t key_len,
							  shm_cancel_key *out_backend_keys);

/* ---- requests to the parent ---- */

/* Anyone: sets request bits (the caller then signals shm_parent_pid()). */
void		shm_request_post(unsigned int bits);

/* Parent: takes and clears every pending request bit. */
unsigned int shm_request_take(void);

/* ---- watchdog cluster view (writer: the watchdog process only; everyone else reads) ---- */

#define SHM_WD_MAX_NODES 32
#define SHM_WD_NAME_SIZE 128

/* One watchdog node as the local watchdog sees it. */
typedef struct shm_wd_node
{
	int32_t		state;			/* pgpool's watchdog state numbers (4 LEADER, 7 STANDBY, 0 DEAD...) */
	int32_t		membership;		/* 0 MEMBER */
	int32_t		priority;
	int32_t		pgpool_port;
	int32_t		wd_port;
	int32_t		pad;
	int64_t		last_heard;		/* time_t of its last heartbeat, 0: never */
	char		node_name[SHM_WD_NAME_SIZE];	/* "" until heard from */
	char		host_name[SHM_WD_NAME_SIZE];
} shm_wd_node;

/* The cluster as the local watchdog sees it; published whole under a seqlock. */
typedef struct shm_wd_view
{
	int32_t		num_nodes;		/* 0: no watchdog view published (yet) */
	int32_t		local_node;		/* this pgpool's watchdog node id */
	int32_t		leader_node;	/* -1: no leader known */
	int32_t		alive_nodes;	/* self included */
	int32_t		quorum_needed;	/* nodes, self included */
	int32_t		quorum_status;	/* 1 exists, 0 on the edge, -1 absent (pgpool's numbers) */
	int32_t		escalated;		/* 1: this node leads with a majority of votes */
	int32_t		writer_pid;
	int64_t		published_ms;	/* CLOCK_MONOTONIC ms of the publication (staleness) */
	char		delegate_ip[64];
	shm_wd_node nodes[SHM_WD_MAX_NODES];
} shm_wd_view;

/* Watchdog process: publishes a whole view. -1 when num_nodes is out of range. */
int			shm_wd_publish(const shm_wd_view *view);

/*
 * Anyone: copies the last view. 0, or -1 without a region, before the first publication, or when
 * no stable copy could be had within SHM_READ_DEADLINE_MS. Never waits on the watchdog process.
 */
int			shm_wd_read(shm_wd_view *out);

/* Health check: this node votes to fail backend node over (now_ms: CLOCK_MONOTONIC). */
void		shm_wd_vote_down(int node, int64_t now_ms);

/* Watchdog: bit b of mask (b / 8, 1 << b % 8) set for each vote younger than hold_ms. */
void		shm_wd_votes(uint8_t *mask, size_t mask_size, int64_t now_ms, int hold_ms);

/* PCP: asks the watchdog to send a cluster-wide command (watchdog/cluster_command.h numbers). */
void		shm_wd_command_post(uint32_t command);

/* Watchdog: takes the pending command, 0 when none. */
uint32_t	shm_wd_command_take(void);

/* A PCP node request on a standby watchdog node, for the leader to carry out (watchdog/node_request.h). */
typedef struct shm_wd_node_request
{
	int32_t		kind;			/* shm_failover_kind, 1..255 */
	int32_t		node;			/* backend, 0..CFG_MAX_BACKENDS-1 */
	uint32_t	flags;			/* SHM_FO_SWITCHOVER, SHM_FO_GRACEFUL */
	int32_t		leader;			/* the leader PCP saw, 0..SHM_WD_MAX_NODES-1 */
} shm_wd_node_request;

/* PCP: posts req. -1 when out of range or an earlier request has not been taken yet (try again). */
int			shm_wd_node_request_post(const shm_wd_node_request *req);

/* Watchdog: takes the posted request; 1 taken, 0 none. */
int			shm_wd_node_request_take(shm_wd_node_request *out);

/* ---- failover request queue (serialised: one failover process carries them out in order) ---- */

typedef enum
{
	SHM_FO_NODE_DOWN = 1,		/* degenerate (health check, backend error, pcp_detach_node) */
	SHM_FO_NODE_UP,				/* failback (pcp_attach_node, auto_failback) */
	SHM_FO_PROMOTE				/* pcp_promote_node */
} shm_failover_kind;

/* Request flags */
#define SHM_FO_SWITCHOVER 0x1u	/* promote -s: detach the old primary, follow the new one */
#define SHM_FO_GRACEFUL 0x2u	/* -g: let sessions finish first (bounded) */
#define SHM_FO_HEALTH_CHECK 0x4u	/* posted by the node's health check */
#define SHM_FO_FALSE_PRIMARY 0x8u	/* posted by the sr check (detach_false_primary) */
/*
 * posted by a standby watchdog node to take the leader's backend status: only this pgpool's view
 * changes (status, sessions, pgpool_status, primary); no script, no promotion, no consensus
 */
#define SHM_FO_FROM_LEADER 0x10u
/* posted by a child: a backend connection failed (failover_on_backend_error); a vote like a health check's */
#define SHM_FO_BACKEND_ERROR 0x20u

typedef struct shm_failover_request
{
	uint64_t	id;				/* set by shm_failover_push, increasing from 1 */
	int32_t		kind;			/* shm_failover_kind */
	int32_t		node;
	uint32_t	flags;
	int32_t		requester;		/* pid, for the log */
} shm_failover_request;

#define SHM_FAILOVER_QUEUE_SIZE 64

/*
 * Anyone: queues req (kind, node, flags; id is set) and sets SHM_REQUEST_FAILOVER. A pending request
 * with the same kind and node is not queued twice: its id is returned and *coalesced set. Returns
 * 0, or -1 when the queue is full or its lock could not be taken within timeout_ms.
 */
int			shm_failover_push(shm_failover_request *req, int timeout_ms, bool *coalesced);

/* The failover process: takes the oldest request. 1 taken, 0 none, -1 lock timeout. */
int			shm_failover_pop(shm_failover_request *out, int timeout_ms);

/* Requests waiting (not yet popped); -1 on lock timeout. */
int			shm_failover_pending(int timeout_ms);

/* The failover process: every request up to id has been carried out. */
void		shm_failover_done(uint64_t id);

/* Highest id carried out (requests are done in id order). */
uint64_t	shm_failover_done_id(void);

#endif
