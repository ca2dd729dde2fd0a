/*
 * Node choice for a session (see router.h), from the shared backend table.
 */
#include "child/router.h"

#include <time.h>

#include "shmem/shmem.h"

int
router_main_node(const pool_config *cfg)
{
	static shm_backend_table table;
	static uint64_t generation;
	uint64_t	now = shm_backends_generation();

	if (now != generation || generation == 0)
		generation = shm_backends_snapshot(&table);
	if (generation == 0)
		return cfg->num_backends > 0 ? 0 : -1;
	if (table.primary_node_id >= 0 && table.primary_node_id < table.num_backends &&
		shm_backend_usable(&table.nodes[table.primary_node_id]))
		return table.primary_node_id;
	for (int i = 0; i < table.num_backends; i++)
		if (shm_backend_usable(&table.nodes[i]))
			return i;
	return -1;
}

void
router_note_connected(int node)
{
	shm_backend_table snapshot;
	shm_backend_table *t;

	/* cheap check first: only the first session to reach a waiting node takes the lock */
	if (shm_backends_snapshot(&snapshot) == 0 || node >= snapshot.num_backends ||
		snapshot.nodes[node].status != SHM_CON_CONNECT_WAIT)
		return;
	t = shm_backends_edit_begin_with_deadline(1000);
	if (t == NULL)
		return;
	if (t->nodes[node].status == SHM_CON_CONNECT_WAIT)
	{
		t->nodes[node].status = SHM_CON_UP;
		t->nodes[node].last_status_change = (int64_t) time(NULL);
	}
	shm_backends_edit_commit();
}
