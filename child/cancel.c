/*
 * Cancel keys in shared memory and the forwarding of CancelRequest (see cancel.h).
 */
#include "child/cancel.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "net/sock.h"
#include "shmem/shmem.h"

/* Connecting to a backend to cancel must not hold the child up long. */
#define CANCEL_TIMEOUT_MS 5000

static void
to_shm_key(shm_cancel_key *k, int32_t pid, int32_t key)
{
	memset(k, 0, sizeof(*k));
	k->pid = pid;
	k->len = sizeof(key);
	pq_be32_set(k->key, (uint32_t) key);
}

void
cancel_publish(int slot, const session *s)
{
	int			n = shm_num_backends();
	shm_cancel_key frontend;
	shm_cancel_key *backends;

	if (n <= 0)
		return;
	backends = xcalloc((size_t) n, sizeof(shm_cancel_key));
	to_shm_key(&frontend, (int32_t) getpid(), s->cancel_key);
	for (int node = 0; node < n && node < s->entry->num_backends; node++)
	{
		const backend_conn *b = &s->entry->backends[node];

		if (b->connected)
			to_shm_key(&backends[node], b->pid, b->key);
	}
	shm_cancel_publish(slot, &frontend, backends);
	free(backends);
}

void
cancel_withdraw(int slot)
{
	shm_cancel_clear(slot);
}

static void
send_cancel(const pool_config *cfg, int node, const shm_cancel_key *k)
{
	const cfg_backend *be = &cfg->backends[node];
	char		err[256];
	pq_out		out;
	int64_t		deadline = net_deadline_after(CANCEL_TIMEOUT_MS);
	net_conn	c;
	int			fd = net_connect_with_deadline(be->hostname, be->port, deadline, err, sizeof(err));

	if (fd < 0)
	{
		log_warning("could not forward cancel request to backend %d (%s:%d): %s", node,
					be->hostname, be->port, err);
		return;
	}
	net_conn_init(&c, fd);
	pq_out_init(&out);
	pq_put_cancel_request(&out, k->pid, (int32_t) pq_be32_get(k->key));
	if (net_conn_send_all_with_deadline(&c, out.data, out.len, deadline) != 0)
		log_warning("could not forward cancel request to backend %d", node);
	/* PostgreSQL closes the connection without answering; wait for that, briefly */
	net_wait_with_deadline(fd, POLLIN, deadline);
	pq_out_free(&out);
	net_conn_close(&c);
}

void
cancel_entry_backends(const pool_config *cfg, const pool_entry *entry)
{
	shm_cancel_key k;
	/*
	 * A child told to end (fast shutdown, failover) is when a cancel matters most: the statement
	 * would run on after we have gone. Each has its own deadline; the exit flag does not cut it.
	 */
	volatile int *flag = net_set_interrupt_flag(NULL);

	for (int node = 0; node < entry->num_backends && node < cfg->num_backends; node++)
	{
		const backend_conn *b = &entry->backends[node];

		if (!b->connected || b->pid == 0)
			continue;
		to_shm_key(&k, b->pid, b->key);
		send_cancel(cfg, node, &k);
	}
	net_set_interrupt_flag(flag);
}

void
cancel_forward(const pool_config *cfg, int32_t pid, int32_t key)
{
	uint8_t		raw[4];
	int			n = shm_num_backends();
	shm_cancel_key *backends;

	if (n <= 0)
		return;
	backends = xcalloc((size_t) n, sizeof(shm_cancel_key));
	pq_be32_set(raw, (uint32_t) key);
	if (shm_cancel_lookup(pid, raw, sizeof(raw), backends) >= 0)
	{
		for (int node = 0; node < n && node < cfg->num_backends; node++)
			if (backends[node].pid != 0 && backends[node].len == 4)
				send_cancel(cfg, node, &backends[node]);
	}
	else
		log_debug("cancel request for unknown pid %d ignored", (int) pid);
	free(backends);
}
