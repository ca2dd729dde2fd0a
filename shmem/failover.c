/*
 * The failover request queue: a small ring under a robust mutex taken with a deadline. Anyone posts,
 * the failover process takes requests one at a time, so two failovers never run at once.
 */
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "shmem/layout.h"
#include "shmem/sync.h"

int
shm_failover_init(void)
{
	shm_failover_queue *q = &shm_base->failover_queue;

	q->head = 0;
	q->count = 0;
	q->last_id = 0;
	atomic_init(&q->done_id, 0);
	return shm_mutex_init(&q->lock);
}

/* Takes the queue's lock. A holder that died left the ring consistent (every store is a whole field
 * done before count moves), so there is nothing to repair. */
static bool
queue_lock(int timeout_ms)
{
	shm_failover_queue *q = &shm_base->failover_queue;

	switch (shm_mutex_lock_with_deadline(&q->lock, timeout_ms))
	{
		case SHM_LOCK_OK:
			return true;
		case SHM_LOCK_OWNER_DIED:
			shm_mutex_mark_consistent(&q->lock);
			return true;
		default:
			return false;
	}
}

static shm_failover_request *
find_pending(shm_failover_queue *q, int kind, int node)
{
	for (uint32_t i = 0; i < q->count; i++)
	{
		shm_failover_request *r = &q->ring[(q->head + i) % SHM_FAILOVER_QUEUE_SIZE];

		if (r->kind == kind && r->node == node)
			return r;
	}
	return NULL;
}

int
shm_failover_push(shm_failover_request *req, int timeout_ms, bool *coalesced)
{
	shm_failover_queue *q;
	shm_failover_request *same;
	int			rc = 0;

	*coalesced = false;
	if (!shm_base || !queue_lock(timeout_ms))
		return -1;
	q = &shm_base->failover_queue;
	same = find_pending(q, req->kind, req->node);
	if (same)
	{
		same->flags |= req->flags;
		req->id = same->id;
		*coalesced = true;
	}
	else if (q->count >= SHM_FAILOVER_QUEUE_SIZE)
		rc = -1;
	else
	{
		req->id = ++q->last_id;
		req->requester = (int32_t) getpid();
		q->ring[(q->head + q->count) % SHM_FAILOVER_QUEUE_SIZE] = *req;
		q->count++;
	}
	shm_mutex_unlock(&q->lock);
	if (rc == 0)
		shm_request_post(SHM_REQUEST_FAILOVER);
	return rc;
}

int
shm_failover_pop(shm_failover_request *out, int timeout_ms)
{
	shm_failover_queue *q;
	int			taken = 0;

	if (!shm_base || !queue_lock(timeout_ms))
		return -1;
	q = &shm_base->failover_queue;
	if (q->count > 0)
	{
		*out = q->ring[q->head];
		q->head = (q->head + 1) % SHM_FAILOVER_QUEUE_SIZE;
		q->count--;
		taken = 1;
	}
	shm_mutex_unlock(&q->lock);
	return taken;
}

int
shm_failover_pending(int timeout_ms)
{
	int			n;

	if (!shm_base || !queue_lock(timeout_ms))
		return -1;
	n = (int) shm_base->failover_queue.count;
	shm_mutex_unlock(&shm_base->failover_queue.lock);
	return n;
}

void
shm_failover_done(uint64_t id)
{
	if (shm_base)
		atomic_store_explicit(&shm_base->failover_queue.done_id, id, memory_order_release);
}

uint64_t
shm_failover_done_id(void)
{
	return shm_base ? atomic_load_explicit(&shm_base->failover_queue.done_id, memory_order_acquire) : 0;
}
