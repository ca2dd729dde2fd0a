/*
 * The backend table (seqlock readers, robust-mutex writers editing a staging copy) and the per-node
 * health-check statistics. The staging copy is what lets a writer that dies at any point be repaired.
 */
#include <string.h>

#include "common/log.h"
#include "shmem/layout.h"
#include "shmem/sync.h"

/* This process holds backends_lock between edit_begin and commit/abort. */
static bool editing;

void
shm_backends_init_table(shm_backend_table *table, const pool_config *cfg, time_t now)
{
	memset(table, 0, sizeof(*table));
	table->num_backends = cfg->num_backends;
	table->primary_node_id = -1;
	table->main_node_id = -1;
	table->failover.node = -1;
	for (int i = 0; i < cfg->num_backends; i++)
	{
		shm_backend *node = &table->nodes[i];

		node->last_status_change = now;
		if (cfg->backends[i].port == 0)
			continue;
		node->status = SHM_CON_CONNECT_WAIT;
		if (table->main_node_id < 0)
			table->main_node_id = i;
	}
	shm_backends_set_weights(table, cfg);
}

void
shm_backends_set_weights(shm_backend_table *table, const pool_config *cfg)
{
	double		total = 0;

	for (int i = 0; i < table->num_backends; i++)
		if (cfg->backends[i].port != 0)
			total += cfg->backends[i].weight;
	for (int i = 0; i < table->num_backends; i++)
	{
		bool		used = cfg->backends[i].port != 0 && total > 0;

		table->nodes[i].weight = used ? cfg->backends[i].weight / total : 0.0;
	}
}

uint64_t
shm_backends_generation(void)
{
	return shm_base ? atomic_load_explicit(&shm_base->backends_gen, memory_order_acquire) : 0;
}

uint64_t
shm_backends_snapshot(shm_backend_table *dst)
{
	shm_retry	retry = SHM_RETRY_INIT;
	size_t		bytes;

	if (!shm_base)
		return 0;
	bytes = shm_backend_table_bytes(shm_base->num_backends);
	do
	{
		uint64_t	begin = shm_seq_read_begin(&shm_base->backends_gen);

		if (begin & 1)
			continue;
		memcpy(dst, &shm_base->backends, bytes);
		if (!shm_seq_read_torn(&shm_base->backends_gen, begin))
			return begin;
	} while (shm_retry_wait(&retry));
	return 0;
}

/* Copies staging into the readers' table under the seqlock. Caller holds backends_lock. */
static void
publish_staging(void)
{
	uint64_t	odd = shm_seq_write_begin(&shm_base->backends_gen);

	memcpy(&shm_base->backends, &shm_base->staging, shm_backend_table_bytes(shm_base->num_backends));
	shm_seq_write_end(&shm_base->backends_gen, odd);
}

/*
 * The previous holder died. An odd generation means it died while publishing a finished edit:
 * publish it again. Otherwise whatever it left in staging was never committed: drop it.
 */
static void
repair_after_dead_writer(void)
{
	uint64_t	gen = atomic_load_explicit(&shm_base->backends_gen, memory_order_relaxed);

	if (gen & 1)
	{
		publish_staging();
		log_warning("a process died while publishing the backend table; its update was completed");
	}
	else
	{
		memcpy(&shm_base->staging, &shm_base->backends, sizeof(shm_backend_table));
		log_warning("a process died while editing the backend table; its edits were dropped");
	}
}

shm_backend_table *
shm_backends_edit_begin_with_deadline(int timeout_ms)
{
	if (!shm_base || editing)
		return NULL;
	switch (shm_mutex_lock_with_deadline(&shm_base->backends_lock, timeout_ms))
	{
		case SHM_LOCK_OK:
			break;
		case SHM_LOCK_OWNER_DIED:
			repair_after_dead_writer();
			shm_mutex_mark_consistent(&shm_base->backends_lock);
			break;
		default:
			return NULL;
	}
	editing = true;
	return &shm_base->staging;
}

int
shm_backends_edit_commit(void)
{
	size_t		bytes;

	if (!shm_base || !editing)
		return -1;
	shm_base->staging.num_backends = shm_base->num_backends;
	bytes = shm_backend_table_bytes(shm_base->num_backends);
	if (memcmp(&shm_base->backends, &shm_base->staging, bytes) != 0)
		publish_staging();
	editing = false;
	shm_mutex_unlock(&shm_base->backends_lock);
	return 0;
}

int
shm_backends_edit_abort(void)
{
	if (!shm_base || !editing)
		return -1;
	memcpy(&shm_base->staging, &shm_base->backends, sizeof(shm_backend_table));
	editing = false;
	shm_mutex_unlock(&shm_base->backends_lock);
	return 0;
}

int
shm_hc_stats_write(int node, const shm_hc_stats *stats)
{
	shm_hc_slot *slot;
	uint64_t	odd;

	if (!shm_valid_node(node))
		return -1;
	slot = shm_layout_hc(node);
	odd = shm_seq_write_begin(&slot->seq);
	slot->stats = *stats;
	shm_seq_write_end(&slot->seq, odd);
	return 0;
}

int
shm_hc_stats_read(int node, shm_hc_stats *out)
{
	shm_retry	retry = SHM_RETRY_INIT;
	shm_hc_slot *slot;

	if (!shm_valid_node(node))
		return -1;
	slot = shm_layout_hc(node);
	do
	{
		uint64_t	begin = shm_seq_read_begin(&slot->seq);

		memcpy(out, &slot->stats, sizeof(*out));
		if (!shm_seq_read_torn(&slot->seq, begin))
			return 0;
	} while (shm_retry_wait(&retry));
	return -1;
}

bool
shm_backend_streaming(const shm_backend_table *t, int node)
{
	if (node < 0 || node >= t->num_backends || node >= CFG_MAX_BACKENDS)
		return false;
	if (node == t->primary_node_id || strcmp(t->nodes[node].replication_state, "streaming") == 0)
		return true;
	/* "" is "not judged yet" unless the sr check judged it: then it is absent from pg_stat_replication */
	return t->nodes[node].replication_state[0] == '\0' &&
		!(t->failover.sr_checked[node / 8] & (1u << (node % 8)));
}

void
shm_backend_set_sr_checked(shm_backend_table *t, int node, bool checked)
{
	uint8_t		bit = (uint8_t) (1u << (node % 8));

	if (node < 0 || node >= CFG_MAX_BACKENDS)
		return;
	if (checked)
		t->failover.sr_checked[node / 8] |= bit;
	else
		t->failover.sr_checked[node / 8] &= (uint8_t) ~bit;
}

bool
shm_backend_usable(const shm_backend *node)
{
	return node->status == SHM_CON_UP || node->status == SHM_CON_CONNECT_WAIT;
}

const char *
shm_backend_status_name(int status)
{
	static const char *const names[] = {"unused", "waiting", "up", "down"};

	return status >= 0 && status <= SHM_CON_DOWN ? names[status] : "unknown";
}

const char *
shm_role_name(int role)
{
	static const char *const names[] = {"unknown", "primary", "standby", "main", "replica"};

	return role >= 0 && role <= SHM_ROLE_REPLICA ? names[role] : "unknown";
}

const char *
shm_pg_status_name(int pg_status)
{
	static const char *const names[] = {"unknown", "up", "down"};

	return pg_status >= 0 && pg_status <= SHM_PG_STATUS_DOWN ? names[pg_status] : "unknown";
}
