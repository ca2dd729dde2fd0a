/*
 * The cancel-key map: each child publishes the key it gave its client and its backends' real keys,
 * so that a CancelRequest reaching any child can be forwarded to the right backend processes.
 */
#include <string.h>

#include "shmem/layout.h"
#include "shmem/sync.h"

/* A copy with the bytes past len zeroed, so that keys compare over the full array. */
static bool
copy_key(shm_cancel_key *dst, const shm_cancel_key *src)
{
	if (src->len > SHM_CANCEL_KEY_MAX)
		return false;
	memset(dst, 0, sizeof(*dst));
	dst->pid = src->pid;
	dst->len = src->len;
	memcpy(dst->key, src->key, src->len);
	return true;
}

int
shm_cancel_publish(int child, const shm_cancel_key *frontend, const shm_cancel_key *backends)
{
	shm_cancel_key fe;
	shm_cancel_key *dst;
	uint64_t	odd;
	shm_child_head *head;

	if (!shm_valid_child(child) || !copy_key(&fe, frontend))
		return -1;
	for (int i = 0; i < shm_base->num_backends; i++)
		if (backends[i].len > SHM_CANCEL_KEY_MAX)
			return -1;
	head = shm_layout_child(child);
	dst = shm_layout_backend_keys(head);
	odd = shm_seq_write_begin(&head->seq);
	head->frontend_key = fe;
	for (int i = 0; i < shm_base->num_backends; i++)
		copy_key(&dst[i], &backends[i]);
	shm_seq_write_end(&head->seq, odd);
	return 0;
}

int
shm_cancel_clear(int child)
{
	shm_child_head *head;
	uint64_t	odd;

	if (!shm_valid_child(child))
		return -1;
	head = shm_layout_child(child);
	odd = shm_seq_write_begin(&head->seq);
	memset(&head->frontend_key, 0, sizeof(head->frontend_key));
	memset(shm_layout_backend_keys(head), 0, (size_t) shm_base->num_backends * sizeof(shm_cancel_key));
	shm_seq_write_end(&head->seq, odd);
	return 0;
}

/* Equality over every byte and the length, without an early exit. */
static bool
secret_equal(const shm_cancel_key *stored, const uint8_t *padded, uint32_t len)
{
	unsigned	diff = stored->len ^ len;

	for (int i = 0; i < SHM_CANCEL_KEY_MAX; i++)
		diff |= (unsigned) (stored->key[i] ^ padded[i]);
	return diff == 0;
}

/*
 * A stable copy of child i's client key; when its pid is `pid`, the backend keys too (into out).
 * False when no stable copy could be made.
 */
static bool
read_child_keys(shm_child_head *head, int32_t pid, shm_cancel_key *frontend, shm_cancel_key *out)
{
	shm_retry	retry = SHM_RETRY_INIT;

	do
	{
		uint64_t	begin = shm_seq_read_begin(&head->seq);

		*frontend = head->frontend_key;
		if (frontend->pid == pid)
			memcpy(out, shm_layout_backend_keys(head),
				   (size_t) shm_base->num_backends * sizeof(shm_cancel_key));
		if (!shm_seq_read_torn(&head->seq, begin))
			return frontend->len <= SHM_CANCEL_KEY_MAX;
	} while (shm_retry_wait(&retry));
	return false;
}

int
shm_cancel_lookup(int32_t pid, const uint8_t *key, size_t key_len, shm_cancel_key *out_backend_keys)
{
	uint8_t		padded[SHM_CANCEL_KEY_MAX] = {0};
	size_t		out_bytes;

	if (!shm_base || pid == 0 || key_len > SHM_CANCEL_KEY_MAX)
		return -1;
	out_bytes = (size_t) shm_base->num_backends * sizeof(shm_cancel_key);
	if (key_len > 0)
		memcpy(padded, key, key_len);
	for (int i = 0; i < shm_base->num_children; i++)
	{
		shm_cancel_key frontend;

		if (!read_child_keys(shm_layout_child(i), pid, &frontend, out_backend_keys))
			continue;
		if (frontend.pid == pid && secret_equal(&frontend, padded, (uint32_t) key_len))
			return i;
	}
	memset(out_backend_keys, 0, out_bytes);
	return -1;
}
