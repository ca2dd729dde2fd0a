/*
 * Internal to shmem/: the two synchronisation tools of the region. A seqlock (generation counter,
 * odd while written) for lock-free readers, with a bounded retry; and a robust process-shared mutex
 * taken with a deadline, for the backend-table writers.
 */
#ifndef PGNG_SHMEM_SYNC_H
#define PGNG_SHMEM_SYNC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Writer side. A writer that finds the counter odd (its predecessor died mid-write) moves it to the
 * next odd value, so readers that started before keep retrying and the final store makes it even.
 * Returns the odd value; pass it to shm_seq_write_end.
 */
static inline uint64_t
shm_seq_write_begin(_Atomic uint64_t *seq)
{
	uint64_t	g = atomic_load_explicit(seq, memory_order_relaxed);
	uint64_t	odd = (g & 1) ? g + 2 : g + 1;

	atomic_store_explicit(seq, odd, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	return odd;
}

static inline void
shm_seq_write_end(_Atomic uint64_t *seq, uint64_t odd)
{
	atomic_store_explicit(seq, odd + 1, memory_order_release);
}

/* Reader side: begin, copy, then ask whether the copy must be redone. */
static inline uint64_t
shm_seq_read_begin(_Atomic uint64_t *seq)
{
	return atomic_load_explicit(seq, memory_order_acquire);
}

static inline bool
shm_seq_read_torn(_Atomic uint64_t *seq, uint64_t begin)
{
	atomic_thread_fence(memory_order_acquire);
	return (begin & 1) != 0 || atomic_load_explicit(seq, memory_order_relaxed) != begin;
}

/* Bounded retry of a seqlock reader: spin a little, then yield, until SHM_READ_DEADLINE_MS. */
typedef struct shm_retry
{
	unsigned	attempts;
	int64_t		deadline_ns;	/* CLOCK_MONOTONIC, set on the first wait */
} shm_retry;

#define SHM_RETRY_INIT {0, 0}

/* Waits before the next attempt; false once the deadline has passed (give up). */
bool		shm_retry_wait(shm_retry *retry);

/* ---- robust mutex ---- */

typedef enum
{
	SHM_LOCK_OK,
	SHM_LOCK_OWNER_DIED,		/* held now; repair the data, then shm_mutex_mark_consistent */
	SHM_LOCK_TIMEOUT,
	SHM_LOCK_ERROR
} shm_lock_result;

/* 0, or an errno value. */
int			shm_mutex_init(pthread_mutex_t *mutex);
shm_lock_result shm_mutex_lock_with_deadline(pthread_mutex_t *mutex, int timeout_ms);
void		shm_mutex_mark_consistent(pthread_mutex_t *mutex);
void		shm_mutex_unlock(pthread_mutex_t *mutex);

#endif
