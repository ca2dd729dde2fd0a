/*
 * The watchdog's cluster view in shared memory: written whole by the watchdog process under a
 * seqlock, copied by the parent, children and PCP without ever waiting on the watchdog.
 */
#include <stdatomic.h>
#include <string.h>

#include "shmem/layout.h"
#include "shmem/sync.h"

int
shm_wd_publish(const shm_wd_view *view)
{
	uint64_t	odd;

	if (shm_base == NULL || view->num_nodes < 0 || view->num_nodes > SHM_WD_MAX_NODES)
		return -1;
	odd = shm_seq_write_begin(&shm_base->wd_seq);
	memcpy(&shm_base->wd, view, sizeof(*view));
	shm_seq_write_end(&shm_base->wd_seq, odd);
	return 0;
}

int
shm_wd_read(shm_wd_view *out)
{
	shm_retry	retry = SHM_RETRY_INIT;

	if (shm_base == NULL)
		return -1;
	do
	{
		uint64_t	begin = shm_seq_read_begin(&shm_base->wd_seq);

		memcpy(out, &shm_base->wd, sizeof(*out));
		if (!shm_seq_read_torn(&shm_base->wd_seq, begin))
			return out->num_nodes > 0 ? 0 : -1;
	} while (shm_retry_wait(&retry));
	return -1;
}

void
shm_wd_vote_down(int node, int64_t now_ms)
{
	if (shm_base != NULL && node >= 0 && node < CFG_MAX_BACKENDS)
		atomic_store(&shm_base->wd_down_vote_ms[node], now_ms);
}

void
shm_wd_votes(uint8_t *mask, size_t mask_size, int64_t now_ms, int hold_ms)
{
	memset(mask, 0, mask_size);
	if (shm_base == NULL)
		return;
	for (int b = 0; b < CFG_MAX_BACKENDS && (size_t) (b / 8) < mask_size; b++)
	{
		int64_t		at = atomic_load(&shm_base->wd_down_vote_ms[b]);

		if (at != 0 && now_ms - at < hold_ms)
			mask[b / 8] |= (uint8_t) (1u << (b % 8));
	}
}

void
shm_wd_command_post(uint32_t command)
{
	if (shm_base != NULL)
		atomic_store(&shm_base->wd_cluster_command, command);
}

uint32_t
shm_wd_command_take(void)
{
	return shm_base != NULL ? atomic_exchange(&shm_base->wd_cluster_command, 0) : 0;
}

/* Packed: kind bits 0-7, flags 8-15, node 16-31, leader 32-47, bit 48 set (never 0). */
#define WD_NODE_REQUEST_SET (1ULL << 48)

int
shm_wd_node_request_post(const shm_wd_node_request *req)
{
	uint64_t	expected = 0;
	uint64_t	packed;

	if (shm_base == NULL || req->kind <= 0 || req->kind > 255 || req->flags > 255 ||
		req->node < 0 || req->node >= CFG_MAX_BACKENDS || req->leader < 0 ||
		req->leader >= SHM_WD_MAX_NODES)
		return -1;
	packed = WD_NODE_REQUEST_SET | ((uint64_t) req->leader << 32) | ((uint64_t) req->node << 16) |
		((uint64_t) req->flags << 8) | (uint64_t) req->kind;
	return atomic_compare_exchange_strong(&shm_base->wd_node_request, &expected, packed) ? 0 : -1;
}

int
shm_wd_node_request_take(shm_wd_node_request *out)
{
	uint64_t	v = shm_base != NULL ? atomic_exchange(&shm_base->wd_node_request, 0) : 0;

	if (!(v & WD_NODE_REQUEST_SET))
		return 0;
	out->kind = (int32_t) (v & 0xff);
	out->flags = (uint32_t) ((v >> 8) & 0xff);
	out->node = (int32_t) ((v >> 16) & 0xffff);
	out->leader = (int32_t) ((v >> 32) & 0xffff);
	return 1;
}
