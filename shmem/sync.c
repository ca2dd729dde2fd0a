/*
 * The bounded wait of seqlock readers and the robust, process-shared mutex of backend-table writers
 * (pthread_mutex_timedlock: a dead holder is reported as EOWNERDEAD, never waited for).
 */
#include "shmem/sync.h"

#include <errno.h>
#include <sched.h>
#include <time.h>

#include "shmem/shmem.h"

#define SPINS_BEFORE_YIELD 64

static int64_t
monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool
shm_retry_wait(shm_retry *retry)
{
	retry->attempts++;
	if (retry->attempts < SPINS_BEFORE_YIELD)
		return true;
	if (retry->deadline_ns == 0)
		retry->deadline_ns = monotonic_ns() + (int64_t) SHM_READ_DEADLINE_MS * 1000000;
	else if (monotonic_ns() > retry->deadline_ns)
		return false;
	sched_yield();
	return true;
}

int
shm_mutex_init(pthread_mutex_t *mutex)
{
	pthread_mutexattr_t attr;
	int			rc;

	rc = pthread_mutexattr_init(&attr);
	if (rc != 0)
		return rc;
	rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	if (rc == 0)
		rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	if (rc == 0)
		rc = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	if (rc == 0)
		rc = pthread_mutex_init(mutex, &attr);
	pthread_mutexattr_destroy(&attr);
	return rc;
}

/* pthread_mutex_timedlock measures against CLOCK_REALTIME. */
static struct timespec
realtime_after_ms(int timeout_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long) (timeout_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000)
	{
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

shm_lock_result
shm_mutex_lock_with_deadline(pthread_mutex_t *mutex, int timeout_ms)
{
	struct timespec deadline = realtime_after_ms(timeout_ms < 0 ? 0 : timeout_ms);
	int			rc = pthread_mutex_timedlock(mutex, &deadline);

	switch (rc)
	{
		case 0:
			return SHM_LOCK_OK;
		case EOWNERDEAD:
			return SHM_LOCK_OWNER_DIED;
		case ETIMEDOUT:
			return SHM_LOCK_TIMEOUT;
		default:
			/* EDEADLK (we hold it already), ENOTRECOVERABLE, EINVAL */
			errno = rc;
			return SHM_LOCK_ERROR;
	}
}

void
shm_mutex_mark_consistent(pthread_mutex_t *mutex)
{
	pthread_mutex_consistent(mutex);
}

void
shm_mutex_unlock(pthread_mutex_t *mutex)
{
	pthread_mutex_unlock(mutex);
}
