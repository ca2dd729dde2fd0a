/*
 * Per-child slots: what pcp_proc_info and SHOW pool_processes / pool_pools print, and the per-node
 * statement counters each child keeps in its own cache lines (summed by readers, folded at reap).
 */
#include <string.h>

#include "common/util.h"
#include "shmem/layout.h"
#include "shmem/sync.h"

/* The head of a valid child slot, or NULL. */
static shm_child_head *
child_or_null(int child)
{
	return shm_valid_child(child) ? shm_layout_child(child) : NULL;
}

/* Parent only, with the child gone: moves its counters into the node totals. */
static void
fold_counters(shm_child_head *head)
{
	uint64_t	odd = shm_seq_write_begin(&shm_base->fold_seq);

	for (int node = 0; node < shm_base->num_backends; node++)
	{
		_Atomic uint64_t *c = shm_layout_counters(head, node);

		for (int k = 0; k < SHM_CNT_KINDS; k++)
		{
			shm_base->retired[node][k] += atomic_load_explicit(&c[k], memory_order_relaxed);
			atomic_store_explicit(&c[k], 0, memory_order_relaxed);
		}
	}
	shm_seq_write_end(&shm_base->fold_seq, odd);
}

int
shm_child_retire(int child)
{
	shm_child_head *head = child_or_null(child);
	uint64_t	odd;

	if (!head)
		return -1;
	fold_counters(head);
	atomic_store_explicit(&head->pid, 0, memory_order_relaxed);
	atomic_store_explicit(&head->status, SHM_CHILD_WAIT_FOR_CONNECTION, memory_order_relaxed);
	atomic_store_explicit(&head->start_time, 0, memory_order_relaxed);
	atomic_store_explicit(&head->idle_since, 0, memory_order_relaxed);
	atomic_store_explicit(&head->client_connection_count, 0, memory_order_relaxed);
	odd = shm_seq_write_begin(&head->seq);
	head->database[0] = '\0';
	head->username[0] = '\0';
	memset(&head->frontend_key, 0, sizeof(head->frontend_key));
	memset(shm_layout_backend_keys(head), 0, (size_t) shm_base->num_backends * sizeof(shm_cancel_key));
	memset(shm_layout_pool(head, 0), 0, (size_t) shm_base->pools * shm_base->pool_stride);
	shm_seq_write_end(&head->seq, odd);
	return 0;
}

int
shm_child_begin(int child, pid_t pid, time_t start_time)
{
	shm_child_head *head = child_or_null(child);

	if (!head)
		return -1;
	atomic_store_explicit(&head->start_time, (int64_t) start_time, memory_order_relaxed);
	atomic_store_explicit(&head->idle_since, (int64_t) start_time, memory_order_relaxed);
	atomic_store_explicit(&head->status, SHM_CHILD_WAIT_FOR_CONNECTION, memory_order_relaxed);
	atomic_store_explicit(&head->pid, (int32_t) pid, memory_order_release);
	return 0;
}

void
shm_child_set_status(int child, shm_child_status status)
{
	shm_child_head *head = child_or_null(child);

	if (!head)
		return;
	if (status == SHM_CHILD_WAIT_FOR_CONNECTION &&
		atomic_load_explicit(&head->status, memory_order_relaxed) != SHM_CHILD_WAIT_FOR_CONNECTION)
		atomic_store_explicit(&head->idle_since, (int64_t) time(NULL), memory_order_relaxed);
	atomic_store_explicit(&head->status, (int32_t) status, memory_order_relaxed);
}

void
shm_child_set_idle_since(int child, time_t since)
{
	shm_child_head *head = child_or_null(child);

	if (head)
		atomic_store_explicit(&head->idle_since, (int64_t) since, memory_order_relaxed);
}

void
shm_child_count_client(int child)
{
	shm_child_head *head = child_or_null(child);
	int32_t		n;

	if (!head)
		return;
	n = atomic_load_explicit(&head->client_connection_count, memory_order_relaxed);
	atomic_store_explicit(&head->client_connection_count, n + 1, memory_order_relaxed);
}

/* Single writer (the child): a relaxed load and store, no locked instruction. */
void
shm_count(int child, int node, shm_counter kind)
{
	_Atomic uint64_t *c;

	if (!shm_valid_child(child) || !shm_valid_node(node) || (unsigned) kind >= SHM_CNT_KINDS)
		return;
	c = shm_layout_counters(shm_layout_child(child), node) + kind;
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1, memory_order_relaxed);
}

int
shm_child_set_session(int child, const char *database, const char *username)
{
	shm_child_head *head = child_or_null(child);
	uint64_t	odd;

	if (!head)
		return -1;
	odd = shm_seq_write_begin(&head->seq);
	str_copy(head->database, database ? database : "", sizeof(head->database));
	str_copy(head->username, username ? username : "", sizeof(head->username));
	shm_seq_write_end(&head->seq, odd);
	return 0;
}

int
shm_pool_set(int child, int pool, const shm_pool_info *info)
{
	shm_child_head *head = child_or_null(child);
	shm_pool_info *slot;
	uint64_t	odd;

	if (!head || !shm_valid_pool(pool))
		return -1;
	slot = shm_layout_pool(head, pool);
	odd = shm_seq_write_begin(&head->seq);
	*slot = *info;
	slot->database[SHM_NAME_SIZE - 1] = '\0';
	slot->username[SHM_NAME_SIZE - 1] = '\0';
	shm_seq_write_end(&head->seq, odd);
	return 0;
}

int
shm_pool_set_backend(int child, int pool, int node, const shm_pool_backend *backend)
{
	shm_child_head *head = child_or_null(child);
	uint64_t	odd;

	if (!head || !shm_valid_pool(pool) || !shm_valid_node(node))
		return -1;
	odd = shm_seq_write_begin(&head->seq);
	*shm_layout_pool_backend(head, pool, node) = *backend;
	shm_seq_write_end(&head->seq, odd);
	return 0;
}

int
shm_child_read(int child, shm_child_info *out)
{
	shm_child_head *head = child_or_null(child);
	shm_retry	retry = SHM_RETRY_INIT;

	if (!head)
		return -1;
	out->pid = atomic_load_explicit(&head->pid, memory_order_acquire);
	out->status = atomic_load_explicit(&head->status, memory_order_relaxed);
	out->start_time = atomic_load_explicit(&head->start_time, memory_order_relaxed);
	out->idle_since = atomic_load_explicit(&head->idle_since, memory_order_relaxed);
	out->client_connection_count =
		atomic_load_explicit(&head->client_connection_count, memory_order_relaxed);
	do
	{
		uint64_t	begin = shm_seq_read_begin(&head->seq);

		memcpy(out->database, head->database, sizeof(out->database));
		memcpy(out->username, head->username, sizeof(out->username));
		if (!shm_seq_read_torn(&head->seq, begin))
			return 0;
	} while (shm_retry_wait(&retry));
	return -1;
}

int
shm_pool_read(int child, int pool, int node, shm_pool_row *out)
{
	shm_child_head *head = child_or_null(child);
	shm_retry	retry = SHM_RETRY_INIT;

	if (!head || !shm_valid_pool(pool) || !shm_valid_node(node))
		return -1;
	do
	{
		uint64_t	begin = shm_seq_read_begin(&head->seq);

		out->info = *shm_layout_pool(head, pool);
		out->backend = *shm_layout_pool_backend(head, pool, node);
		if (!shm_seq_read_torn(&head->seq, begin))
			return 0;
	} while (shm_retry_wait(&retry));
	return -1;
}

int
shm_child_find(pid_t pid)
{
	if (!shm_base || pid <= 0)
		return -1;
	for (int i = 0; i < shm_base->num_children; i++)
		if (atomic_load_explicit(&shm_layout_child(i)->pid, memory_order_relaxed) == pid)
			return i;
	return -1;
}

static void
add_running_children(int node, shm_backend_counters *out)
{
	for (int i = 0; i < shm_base->num_children; i++)
	{
		_Atomic uint64_t *c = shm_layout_counters(shm_layout_child(i), node);

		for (int k = 0; k < SHM_CNT_KINDS; k++)
			out->count[k] += atomic_load_explicit(&c[k], memory_order_relaxed);
	}
}

int
shm_backend_counters_sum(int node, shm_backend_counters *out)
{
	shm_retry	retry = SHM_RETRY_INIT;

	if (!shm_valid_node(node))
		return -1;
	do
	{
		uint64_t	begin = shm_seq_read_begin(&shm_base->fold_seq);

		memcpy(out->count, shm_base->retired[node], sizeof(out->count));
		add_running_children(node, out);
		if (!shm_seq_read_torn(&shm_base->fold_seq, begin))
			return 0;
	} while (shm_retry_wait(&retry));
	return -1;
}

const char *
shm_child_status_name(int status)
{
	static const char *const names[] = {
		"Wait for connection", "Idle", "Idle in transaction", "Execute command"
	};

	return status >= 0 && status <= SHM_CHILD_EXECUTE_COMMAND ? names[status] : "Unknown";
}
