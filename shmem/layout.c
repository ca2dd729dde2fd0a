/*
 * The region's layout and life: sizing from the configuration, creation by the parent before fork,
 * and the accessors that find a node's, a child's or a pool slot's part. Nobody else computes offsets.
 */
#include "shmem/layout.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/log.h"
#include "shmem/sync.h"

shm_region *shm_base;

/* Dimensions and the offsets derived from them; 0 in total when out of range. */
typedef struct shm_geometry
{
	size_t		hc_offset;
	size_t		children_offset;
	size_t		child_stride;
	size_t		pool_stride;
	size_t		cancel_offset;
	size_t		pools_offset;
	size_t		counters_offset;
	size_t		total;
} shm_geometry;

static bool
align_up(size_t value, size_t alignment, size_t *out)
{
	if (__builtin_add_overflow(value, alignment - 1, out))
		return false;
	*out &= ~(alignment - 1);
	return true;
}

/* a + b * c, false on overflow. */
static bool
add_product(size_t a, size_t b, size_t c, size_t *out)
{
	size_t		product;

	return !__builtin_mul_overflow(b, c, &product) && !__builtin_add_overflow(a, product, out);
}

static bool
child_geometry(int pools, int num_backends, shm_geometry *g)
{
	size_t		nb = (size_t) num_backends;
	size_t		end;

	g->cancel_offset = sizeof(shm_child_head);
	g->pool_stride = sizeof(shm_pool_info) + nb * sizeof(shm_pool_backend);
	if (!add_product(g->cancel_offset, nb, sizeof(shm_cancel_key), &end) ||
		!align_up(end, 8, &g->pools_offset) ||
		!add_product(g->pools_offset, (size_t) pools, g->pool_stride, &end) ||
		!align_up(end, SHM_CACHE_LINE, &g->counters_offset) ||
		!add_product(g->counters_offset, nb * SHM_CNT_KINDS, sizeof(uint64_t), &end))
		return false;
	return align_up(end, SHM_CACHE_LINE, &g->child_stride);
}

static bool
compute_geometry(int num_children, int max_pool, int num_backends, shm_geometry *g)
{
	int			pools = max_pool > 0 ? max_pool : 1;

	memset(g, 0, sizeof(*g));
	if (num_children < 1 || num_children > SHM_MAX_CHILDREN || max_pool < 0 ||
		max_pool > SHM_MAX_POOL || num_backends < 0 || num_backends > CFG_MAX_BACKENDS)
		return false;
	if (!child_geometry(pools, num_backends, g))
		return false;
	g->hc_offset = sizeof(shm_region);
	if (!add_product(g->hc_offset, (size_t) num_backends, sizeof(shm_hc_slot), &g->children_offset) ||
		!add_product(g->children_offset, (size_t) num_children, g->child_stride, &g->total))
		return false;
	if (g->total > SHM_MAX_REGION_SIZE)
	{
		g->total = 0;
		return false;
	}
	return true;
}

size_t
shm_size_for(int num_children, int max_pool, int num_backends)
{
	shm_geometry g;

	return compute_geometry(num_children, max_pool, num_backends, &g) ? g.total : 0;
}

static void
fill_header(shm_region *r, const pool_config *cfg, const shm_geometry *g)
{
	r->magic = SHM_MAGIC;
	r->num_children = cfg->num_init_children;
	r->pools = cfg->max_pool > 0 ? cfg->max_pool : 1;
	r->num_backends = cfg->num_backends;
	r->size = g->total;
	r->hc_offset = g->hc_offset;
	r->children_offset = g->children_offset;
	r->child_stride = g->child_stride;
	r->pool_stride = g->pool_stride;
	r->cancel_offset = g->cancel_offset;
	r->pools_offset = g->pools_offset;
	r->counters_offset = g->counters_offset;
	r->parent_pid = getpid();
	r->created_at = (int64_t) time(NULL);
	atomic_init(&r->requests, 0);
	atomic_init(&r->backends_gen, 2);
	atomic_init(&r->fold_seq, 0);
}

int
shm_create(const pool_config *cfg)
{
	shm_geometry g;
	void	   *base;
	int			rc;

	if (shm_base)
	{
		log_error("shared memory already exists in this process");
		return -1;
	}
	if (!compute_geometry(cfg->num_init_children, cfg->max_pool, cfg->num_backends, &g))
	{
		log_error("shared memory for num_init_children = %d, max_pool = %d and %d backends is out of "
				  "range (at most %d children, %d pools, %d backends, %zu MB in all)",
				  cfg->num_init_children, cfg->max_pool, cfg->num_backends, SHM_MAX_CHILDREN,
				  SHM_MAX_POOL, CFG_MAX_BACKENDS, SHM_MAX_REGION_SIZE >> 20);
		return -1;
	}
	base = mmap(NULL, g.total, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
	{
		log_error("could not map %zu bytes of shared memory: %s", g.total, strerror(errno));
		return -1;
	}
	fill_header(base, cfg, &g);
	rc = shm_mutex_init(&((shm_region *) base)->backends_lock);
	if (rc != 0)
	{
		log_error("could not set up the shared memory lock: %s", strerror(rc));
		munmap(base, g.total);
		return -1;
	}
	shm_base = base;
	rc = shm_failover_init();
	if (rc != 0)
	{
		log_error("could not set up the failover queue lock: %s", strerror(rc));
		shm_base = NULL;
		munmap(base, g.total);
		return -1;
	}
	shm_backends_init_table(&shm_base->backends, cfg, time(NULL));
	memcpy(&shm_base->staging, &shm_base->backends, sizeof(shm_backend_table));
	return 0;
}

void
shm_destroy(void)
{
	if (!shm_base)
		return;
	munmap(shm_base, shm_base->size);
	shm_base = NULL;
}

size_t
shm_size(void)
{
	return shm_base ? shm_base->size : 0;
}

int
shm_num_children(void)
{
	return shm_base ? shm_base->num_children : 0;
}

int
shm_max_pool(void)
{
	return shm_base ? shm_base->pools : 0;
}

int
shm_num_backends(void)
{
	return shm_base ? shm_base->num_backends : 0;
}

pid_t
shm_parent_pid(void)
{
	return shm_base ? shm_base->parent_pid : 0;
}

time_t
shm_created_at(void)
{
	return shm_base ? (time_t) shm_base->created_at : 0;
}

bool
shm_valid_node(int node)
{
	return shm_base && node >= 0 && node < shm_base->num_backends;
}

bool
shm_valid_child(int child)
{
	return shm_base && child >= 0 && child < shm_base->num_children;
}

bool
shm_valid_pool(int pool)
{
	return shm_base && pool >= 0 && pool < shm_base->pools;
}

size_t
shm_backend_table_bytes(int num_backends)
{
	return offsetof(shm_backend_table, nodes) + (size_t) num_backends * sizeof(shm_backend);
}

shm_hc_slot *
shm_layout_hc(int node)
{
	return (shm_hc_slot *) ((char *) shm_base + shm_base->hc_offset) + node;
}

shm_child_head *
shm_layout_child(int child)
{
	return (shm_child_head *) ((char *) shm_base + shm_base->children_offset +
							   (size_t) child * shm_base->child_stride);
}

shm_cancel_key *
shm_layout_backend_keys(shm_child_head *head)
{
	return (shm_cancel_key *) ((char *) head + shm_base->cancel_offset);
}

shm_pool_info *
shm_layout_pool(shm_child_head *head, int pool)
{
	return (shm_pool_info *) ((char *) head + shm_base->pools_offset +
							  (size_t) pool * shm_base->pool_stride);
}

shm_pool_backend *
shm_layout_pool_backend(shm_child_head *head, int pool, int node)
{
	return (shm_pool_backend *) (shm_layout_pool(head, pool) + 1) + node;
}

_Atomic uint64_t *
shm_layout_counters(shm_child_head *head, int node)
{
	return (_Atomic uint64_t *) ((char *) head + shm_base->counters_offset) +
		(size_t) node * SHM_CNT_KINDS;
}

void
shm_request_post(unsigned int bits)
{
	if (shm_base)
		atomic_fetch_or_explicit(&shm_base->requests, bits, memory_order_release);
}

unsigned int
shm_request_take(void)
{
	return shm_base ? atomic_exchange_explicit(&shm_base->requests, 0, memory_order_acquire) : 0;
}
