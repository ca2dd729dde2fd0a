/*
 * Internal to shmem/: the one definition of the region's layout, and the functions that find each
 * part of it. Only layout.c computes offsets; the other shmem files go through the accessors here.
 */
#ifndef PGNG_SHMEM_LAYOUT_H
#define PGNG_SHMEM_LAYOUT_H

#include <pthread.h>
#include <stdatomic.h>

#include "shmem/shmem.h"

#define SHM_CACHE_LINE 64
#define SHM_MAGIC 0x70676e67u	/* "pgng" */

/*
 * Region, in order (every part starts on a cache line):
 *   shm_region                 this header, fixed size
 *   shm_hc_slot[num_backends]  health-check statistics
 *   child slot[num_children]   each child_stride bytes:
 *       shm_child_head
 *       shm_cancel_key         backend_keys[num_backends]
 *       pool slot[pools]       each pool_stride bytes: shm_pool_info, shm_pool_backend[num_backends]
 *       _Atomic uint64_t       counters[num_backends][SHM_CNT_KINDS]   (own cache line)
 */
/* Ring of pending failover requests; pushed by anyone, popped by the failover process, under lock. */
typedef struct shm_failover_queue
{
	pthread_mutex_t lock;		/* robust, process-shared */
	uint32_t	head;			/* index of the oldest pending request */
	uint32_t	count;
	uint64_t	last_id;		/* id of the newest request pushed */
	_Atomic uint64_t done_id;	/* every request up to this id is carried out */
	shm_failover_request ring[SHM_FAILOVER_QUEUE_SIZE];
} shm_failover_queue;

typedef struct shm_region
{
	/* Set by the parent in shm_create, read-only afterwards. */
	uint32_t	magic;
	int32_t		num_children;
	int32_t		pools;			/* pool slots per child */
	int32_t		num_backends;
	size_t		size;
	size_t		hc_offset;
	size_t		children_offset;
	size_t		child_stride;
	size_t		pool_stride;
	size_t		cancel_offset;	/* within a child slot */
	size_t		pools_offset;
	size_t		counters_offset;
	pid_t		parent_pid;
	int64_t		created_at;		/* time_t of shm_create: pgpool's start, for statistics */

	/* Anyone sets bits, the parent takes them (atomic exchange). */
	_Alignas(SHM_CACHE_LINE) _Atomic uint32_t requests;

	/* Serialises backend-table writers; robust, process-shared. */
	_Alignas(SHM_CACHE_LINE) pthread_mutex_t backends_lock;

	/* Seqlock generation of `backends`: odd while a writer publishes. Starts at 2. */
	_Alignas(SHM_CACHE_LINE) _Atomic uint64_t backends_gen;

	/* What readers copy; written only while publishing (generation odd), under backends_lock. */
	_Alignas(SHM_CACHE_LINE) shm_backend_table backends;

	/* The edit in progress; only the holder of backends_lock touches it. */
	_Alignas(SHM_CACHE_LINE) shm_backend_table staging;

	/* Counters of retired children; the parent writes them under fold_seq (single writer). */
	_Alignas(SHM_CACHE_LINE) _Atomic uint64_t fold_seq;
	uint64_t	retired[CFG_MAX_BACKENDS][SHM_CNT_KINDS];

	/* The failover request queue (failover.c). */
	_Alignas(SHM_CACHE_LINE) shm_failover_queue failover_queue;

	/* The watchdog's cluster view; one writer (the watchdog process), seqlock readers. */
	_Alignas(SHM_CACHE_LINE) _Atomic uint64_t wd_seq;
	shm_wd_view wd;

	/*
	 * This node's failover votes: when the health check last asked to fail backend b over while the
	 * watchdog decides (CLOCK_MONOTONIC ms, 0: never). Health checks write, the watchdog reads.
	 */
	_Alignas(SHM_CACHE_LINE) _Atomic int64_t wd_down_vote_ms[CFG_MAX_BACKENDS];

	/* A cluster-wide command PCP asks the watchdog to send (0: none); PCP sets, the watchdog takes. */
	_Atomic uint32_t wd_cluster_command;

	/*
	 * A PCP node request the watchdog sends to its leader (shm_wd_node_request packed, 0: none);
	 * PCP sets it when 0, the watchdog takes it.
	 */
	_Atomic uint64_t wd_node_request;
} shm_region;

/* One node's health-check statistics; the seqlock has one writer, the node's health-check process. */
typedef struct shm_hc_slot
{
	_Alignas(SHM_CACHE_LINE) _Atomic uint64_t seq;
	shm_hc_stats stats;
} shm_hc_slot;

/*
 * The fixed head of a child slot. Atomics are written by the child (the parent only in
 * shm_child_retire); the plain fields after `seq` are written under that per-child seqlock.
 */
typedef struct shm_child_head
{
	_Alignas(SHM_CACHE_LINE) _Atomic int32_t pid;
	_Atomic int32_t status;
	_Atomic int64_t start_time;
	_Atomic int64_t idle_since;	/* time_t the child last began waiting for a client */
	_Atomic int32_t client_connection_count;
	_Atomic uint64_t seq;
	char		database[SHM_NAME_SIZE];
	char		username[SHM_NAME_SIZE];
	shm_cancel_key frontend_key;
} shm_child_head;

/* The region of this process (NULL before shm_create / after shm_destroy). */
extern shm_region *shm_base;

shm_hc_slot *shm_layout_hc(int node);
shm_child_head *shm_layout_child(int child);
shm_cancel_key *shm_layout_backend_keys(shm_child_head *head);
shm_pool_info *shm_layout_pool(shm_child_head *head, int pool);
shm_pool_backend *shm_layout_pool_backend(shm_child_head *head, int pool, int node);
_Atomic uint64_t *shm_layout_counters(shm_child_head *head, int node);

/* Index checks against the region's dimensions (false when no region). */
bool		shm_valid_node(int node);
bool		shm_valid_child(int child);
bool		shm_valid_pool(int pool);

/* backends.c: the table as shm_create sets it up from the configuration. */
void		shm_backends_init_table(shm_backend_table *table, const pool_config *cfg, time_t now);

/* failover.c: sets up the queue's lock (shm_create). 0 or an errno value. */
int			shm_failover_init(void);

/* Bytes of the backend table that matter for n nodes (header plus nodes[0..n)). */
size_t		shm_backend_table_bytes(int num_backends);

#endif
