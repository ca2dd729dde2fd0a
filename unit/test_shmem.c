/*
 * Unit tests for shmem/ within one process and its helpers: sizing and limits, the initial backend
 * table, layout (no two slots overlap), health-check statistics, names and cancel-key lookups.
 */
#include "unit/test_shmem.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "shmem/shmem.h"
#include "unit/runner.h"

static void
set_param(pool_config *cfg, const char *name, const char *value)
{
	diag_list	diags;

	diag_init(&diags);
	CU_ASSERT_EQUAL_FATAL(cfg_set(cfg, name, value, NULL, 0, &diags), CFG_SET_OK);
	diag_free(&diags);
}

static void
set_node(pool_config *cfg, int node, int port, const char *weight)
{
	char		name[64];
	char		value[32];

	snprintf(name, sizeof(name), "backend_hostname%d", node);
	set_param(cfg, name, "127.0.0.1");
	snprintf(name, sizeof(name), "backend_port%d", node);
	snprintf(value, sizeof(value), "%d", port);
	set_param(cfg, name, value);
	snprintf(name, sizeof(name), "backend_weight%d", node);
	set_param(cfg, name, weight);
}

static pool_config *
make_config(int children, int max_pool, int backends)
{
	pool_config *cfg = cfg_create();
	char		value[32];

	snprintf(value, sizeof(value), "%d", children);
	set_param(cfg, "num_init_children", value);
	snprintf(value, sizeof(value), "%d", max_pool);
	set_param(cfg, "max_pool", value);
	for (int i = 0; i < backends; i++)
		set_node(cfg, i, 5432 + i, "1");
	return cfg;
}

void
tshm_start(int children, int max_pool, int backends)
{
	pool_config *cfg = make_config(children, max_pool, backends);

	CU_ASSERT_EQUAL_FATAL(cfg->num_backends, backends);
	CU_ASSERT_EQUAL_FATAL(shm_create(cfg), 0);
	cfg_destroy(cfg);
}

pid_t
tshm_fork(int (*fn) (void *arg), void *arg)
{
	pid_t		pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(fn(arg));
	return pid;
}

long
tshm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

int
tshm_wait(pid_t pid, int timeout_ms)
{
	long		deadline = tshm_now_ms() + timeout_ms;
	int			status;

	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, WNOHANG) == 0)
	{
		if (tshm_now_ms() > deadline)
		{
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		usleep(1000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void
test_sizing(void)
{
	size_t		small = shm_size_for(32, 4, 3);

	printf("\n    region for 32 children x 4 pools x 3 backends: %zu bytes\n", small);
	CU_ASSERT(small > 0 && small < 128 * 1024);
	CU_ASSERT(shm_size_for(33, 4, 3) > small);
	CU_ASSERT(shm_size_for(32, 5, 3) > small);
	CU_ASSERT(shm_size_for(32, 4, 4) > small);
	/* each child slot is a whole number of cache lines */
	CU_ASSERT_EQUAL((shm_size_for(33, 4, 3) - small) % 64, 0);
	CU_ASSERT_EQUAL(shm_size_for(32, 0, 3), shm_size_for(32, 1, 3));
	tshm_start(32, 4, 3);
	CU_ASSERT_EQUAL(shm_size(), small);
	CU_ASSERT_EQUAL(shm_num_children(), 32);
	CU_ASSERT_EQUAL(shm_max_pool(), 4);
	CU_ASSERT_EQUAL(shm_num_backends(), 3);
	CU_ASSERT_EQUAL(shm_parent_pid(), getpid());
	shm_destroy();
	CU_ASSERT_EQUAL(shm_size(), 0);
}

static void
test_limits(void)
{
	CU_ASSERT(shm_size_for(SHM_MAX_CHILDREN, 4, 3) > 0);
	CU_ASSERT(shm_size_for(32, SHM_MAX_POOL, 3) > 0);
	CU_ASSERT(shm_size_for(32, 4, CFG_MAX_BACKENDS) > 0);
	CU_ASSERT(shm_size_for(1000, 16, CFG_MAX_BACKENDS) > 0);
	CU_ASSERT_EQUAL(shm_size_for(SHM_MAX_CHILDREN + 1, 4, 3), 0);
	CU_ASSERT_EQUAL(shm_size_for(32, SHM_MAX_POOL + 1, 3), 0);
	CU_ASSERT_EQUAL(shm_size_for(32, 4, CFG_MAX_BACKENDS + 1), 0);
	CU_ASSERT_EQUAL(shm_size_for(0, 4, 3), 0);
	CU_ASSERT_EQUAL(shm_size_for(32, -1, 3), 0);
	CU_ASSERT_EQUAL(shm_size_for(INT32_MAX, INT32_MAX, CFG_MAX_BACKENDS), 0);
	/* every dimension at its limit is past SHM_MAX_REGION_SIZE: refused, not wrapped around */
	CU_ASSERT_EQUAL(shm_size_for(SHM_MAX_CHILDREN, SHM_MAX_POOL, CFG_MAX_BACKENDS), 0);
}

static void
test_create_refused(void)
{
	pool_config *cfg = make_config(32, 4, 3);

	set_param(cfg, "num_init_children", "2147483647");
	CU_ASSERT_EQUAL(shm_create(cfg), -1);
	CU_ASSERT_EQUAL(shm_size(), 0);
	set_param(cfg, "num_init_children", "4");
	CU_ASSERT_EQUAL(shm_create(cfg), 0);
	CU_ASSERT_EQUAL(shm_create(cfg), -1);	/* one region per process */
	shm_destroy();
	cfg_destroy(cfg);
}

/* The largest number of children: the last slot is mapped and holds what is written. */
static void
test_create_at_limit(void)
{
	int			last = SHM_MAX_CHILDREN - 1;
	shm_pool_info info = {.database = "db", .username = "u", .counter = 7};
	shm_pool_row row;

	tshm_start(SHM_MAX_CHILDREN, 4, 3);
	CU_ASSERT_EQUAL(shm_pool_set(last, 3, &info), 0);
	CU_ASSERT_EQUAL(shm_pool_read(last, 3, 2, &row), 0);
	CU_ASSERT_EQUAL(row.info.counter, 7);
	CU_ASSERT_EQUAL(shm_pool_set(last + 1, 0, &info), -1);
	CU_ASSERT_EQUAL(shm_pool_set(0, 4, &info), -1);
	shm_destroy();
}

static void
test_initial_table(void)
{
	pool_config *cfg = make_config(4, 2, 0);
	shm_backend_table t;
	char		text[16];

	set_node(cfg, 0, 5432, "1");
	set_node(cfg, 2, 5434, "3");
	CU_ASSERT_EQUAL_FATAL(cfg->num_backends, 3);
	CU_ASSERT_EQUAL_FATAL(shm_create(cfg), 0);
	CU_ASSERT_EQUAL(shm_backends_snapshot(&t), shm_backends_generation());
	CU_ASSERT_EQUAL(t.num_backends, 3);
	CU_ASSERT_EQUAL(t.primary_node_id, -1);
	CU_ASSERT_EQUAL(t.main_node_id, 0);
	CU_ASSERT_EQUAL(t.nodes[0].status, SHM_CON_CONNECT_WAIT);
	CU_ASSERT_EQUAL(t.nodes[1].status, SHM_CON_UNUSED);
	CU_ASSERT_EQUAL(t.nodes[2].status, SHM_CON_CONNECT_WAIT);
	CU_ASSERT_DOUBLE_EQUAL(t.nodes[0].weight, 0.25, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t.nodes[1].weight, 0.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t.nodes[2].weight, 0.75, 1e-9);
	CU_ASSERT(t.nodes[2].last_status_change > 0);
	shm_destroy();
	cfg_destroy(cfg);

	tshm_start(4, 2, 3);
	shm_backends_snapshot(&t);
	snprintf(text, sizeof(text), "%f", t.nodes[1].weight);
	CU_ASSERT_STRING_EQUAL(text, "0.333333");
	shm_destroy();
}

/* Commit publishes only a change; abort and a second begin are refused or harmless. */
static void
test_edit_generation(void)
{
	shm_backend_table *t;
	shm_backend_table snap;
	uint64_t	gen;

	tshm_start(4, 2, 3);
	gen = shm_backends_generation();
	CU_ASSERT(gen > 0 && gen % 2 == 0);
	CU_ASSERT_EQUAL(shm_backends_edit_commit(), -1);
	t = shm_backends_edit_begin_with_deadline(1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_PTR_NULL(shm_backends_edit_begin_with_deadline(10));
	CU_ASSERT_EQUAL(shm_backends_edit_commit(), 0);
	CU_ASSERT_EQUAL(shm_backends_generation(), gen);

	t = shm_backends_edit_begin_with_deadline(1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	t->primary_node_id = 0;
	t->nodes[0].role = SHM_ROLE_PRIMARY;
	t->num_backends = 99;
	CU_ASSERT_EQUAL(shm_backends_edit_commit(), 0);
	CU_ASSERT_EQUAL(shm_backends_generation(), gen + 2);
	CU_ASSERT_EQUAL(shm_backends_snapshot(&snap), gen + 2);
	CU_ASSERT_EQUAL(snap.primary_node_id, 0);
	CU_ASSERT_EQUAL(snap.nodes[0].role, SHM_ROLE_PRIMARY);
	CU_ASSERT_EQUAL(snap.num_backends, 3);

	t = shm_backends_edit_begin_with_deadline(1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	t->primary_node_id = 2;
	CU_ASSERT_EQUAL(shm_backends_edit_abort(), 0);
	CU_ASSERT_EQUAL(shm_backends_generation(), gen + 2);
	t = shm_backends_edit_begin_with_deadline(1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->primary_node_id, 0);
	CU_ASSERT_EQUAL(shm_backends_edit_abort(), 0);
	shm_destroy();
}

/* Distinct values in every pool slot of every child read back unchanged: no two parts overlap. */
static void
test_layout_no_overlap(void)
{
	tshm_start(32, 4, 3);
	for (int c = 0; c < 32; c++)
	{
		CU_ASSERT_EQUAL(shm_child_begin(c, 1000 + c, 500 + c), 0);
		for (int p = 0; p < 4; p++)
		{
			shm_pool_info info = {.counter = c * 100 + p, .major = 3};

			snprintf(info.database, sizeof(info.database), "db-%d-%d", c, p);
			CU_ASSERT_EQUAL(shm_pool_set(c, p, &info), 0);
			for (int n = 0; n < 3; n++)
			{
				shm_pool_backend b = {.backend_pid = c * 1000 + p * 10 + n, .connected = 1};

				CU_ASSERT_EQUAL(shm_pool_set_backend(c, p, n, &b), 0);
				shm_count(c, n, SHM_CNT_SELECT);
			}
		}
	}
	for (int c = 0; c < 32; c++)
	{
		shm_child_info ci;

		CU_ASSERT_EQUAL(shm_child_read(c, &ci), 0);
		CU_ASSERT_EQUAL(ci.pid, 1000 + c);
		CU_ASSERT_EQUAL(ci.start_time, 500 + c);
		CU_ASSERT_EQUAL(shm_child_find(1000 + c), c);
		for (int p = 0; p < 4; p++)
			for (int n = 0; n < 3; n++)
			{
				shm_pool_row row;
				char		db[SHM_NAME_SIZE];

				snprintf(db, sizeof(db), "db-%d-%d", c, p);
				CU_ASSERT_EQUAL(shm_pool_read(c, p, n, &row), 0);
				CU_ASSERT_STRING_EQUAL(row.info.database, db);
				CU_ASSERT_EQUAL(row.info.counter, c * 100 + p);
				CU_ASSERT_EQUAL(row.backend.backend_pid, c * 1000 + p * 10 + n);
			}
	}
	for (int n = 0; n < 3; n++)
	{
		shm_backend_counters sum;

		CU_ASSERT_EQUAL(shm_backend_counters_sum(n, &sum), 0);
		CU_ASSERT_EQUAL(sum.count[SHM_CNT_SELECT], 32 * 4);
		CU_ASSERT_EQUAL(sum.count[SHM_CNT_INSERT], 0);
	}
	CU_ASSERT_EQUAL(shm_child_find(999), -1);
	shm_destroy();
}

static void
test_child_status_and_session(void)
{
	shm_child_info ci;
	char		longname[100];

	tshm_start(2, 1, 1);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	shm_child_begin(1, 4321, 77);
	shm_child_set_status(1, SHM_CHILD_IDLE_IN_TRANSACTION);
	shm_child_count_client(1);
	shm_child_count_client(1);
	CU_ASSERT_EQUAL(shm_child_set_session(1, "postgres", longname), 0);
	CU_ASSERT_EQUAL(shm_child_read(1, &ci), 0);
	CU_ASSERT_EQUAL(ci.status, SHM_CHILD_IDLE_IN_TRANSACTION);
	CU_ASSERT_STRING_EQUAL(shm_child_status_name(ci.status), "Idle in transaction");
	CU_ASSERT_EQUAL(ci.client_connection_count, 2);
	CU_ASSERT_STRING_EQUAL(ci.database, "postgres");
	CU_ASSERT_EQUAL(strlen(ci.username), SHM_NAME_SIZE - 1);
	CU_ASSERT_EQUAL(shm_child_retire(1), 0);
	CU_ASSERT_EQUAL(shm_child_read(1, &ci), 0);
	CU_ASSERT_EQUAL(ci.pid, 0);
	CU_ASSERT_EQUAL(ci.client_connection_count, 0);
	CU_ASSERT_STRING_EQUAL(ci.database, "");
	CU_ASSERT_EQUAL(shm_child_read(2, &ci), -1);
	shm_destroy();
}

/* idle_since: the start time at first, now on entering "Wait for connection", or set explicitly. */
static void
test_child_idle_since(void)
{
	shm_child_info ci;
	time_t		before = time(NULL);

	tshm_start(2, 1, 1);
	CU_ASSERT(shm_created_at() >= before && shm_created_at() <= time(NULL));
	shm_child_begin(0, 4321, 77);
	CU_ASSERT_EQUAL(shm_child_read(0, &ci), 0);
	CU_ASSERT_EQUAL(ci.idle_since, 77);
	shm_child_set_status(0, SHM_CHILD_WAIT_FOR_CONNECTION);
	CU_ASSERT_EQUAL(shm_child_read(0, &ci), 0);
	CU_ASSERT_EQUAL(ci.idle_since, 77);	/* still waiting: unchanged */
	shm_child_set_status(0, SHM_CHILD_IDLE);
	shm_child_set_status(0, SHM_CHILD_WAIT_FOR_CONNECTION);
	CU_ASSERT_EQUAL(shm_child_read(0, &ci), 0);
	CU_ASSERT(ci.idle_since >= before && ci.idle_since <= time(NULL));
	shm_child_set_idle_since(0, 1234);
	CU_ASSERT_EQUAL(shm_child_read(0, &ci), 0);
	CU_ASSERT_EQUAL(ci.idle_since, 1234);
	CU_ASSERT_EQUAL(shm_child_retire(0), 0);
	CU_ASSERT_EQUAL(shm_child_read(0, &ci), 0);
	CU_ASSERT_EQUAL(ci.idle_since, 0);
	shm_destroy();
	CU_ASSERT_EQUAL(shm_created_at(), 0);
}

static void
test_hc_stats(void)
{
	shm_hc_stats in = {.total_count = 44, .success_count = 44, .total_duration_ms = 858,
	.max_duration_ms = 51, .min_duration_ms = 9, .last_health_check = 1700000000};
	shm_hc_stats out;

	tshm_start(2, 1, 3);
	CU_ASSERT_EQUAL(shm_hc_stats_read(2, &out), 0);
	CU_ASSERT_EQUAL(out.total_count, 0);
	CU_ASSERT_EQUAL(shm_hc_stats_write(2, &in), 0);
	CU_ASSERT_EQUAL(shm_hc_stats_read(2, &out), 0);
	CU_ASSERT_EQUAL(memcmp(&in, &out, sizeof(in)), 0);
	CU_ASSERT_EQUAL(shm_hc_stats_read(1, &out), 0);
	CU_ASSERT_EQUAL(out.total_count, 0);
	CU_ASSERT_EQUAL(shm_hc_stats_write(3, &in), -1);
	CU_ASSERT_EQUAL(shm_hc_stats_read(-1, &out), -1);
	shm_destroy();
}

static void
test_names(void)
{
	CU_ASSERT_STRING_EQUAL(shm_backend_status_name(SHM_CON_CONNECT_WAIT), "waiting");
	CU_ASSERT_STRING_EQUAL(shm_backend_status_name(SHM_CON_UP), "up");
	CU_ASSERT_STRING_EQUAL(shm_backend_status_name(SHM_CON_DOWN), "down");
	CU_ASSERT_STRING_EQUAL(shm_role_name(SHM_ROLE_STANDBY), "standby");
	CU_ASSERT_STRING_EQUAL(shm_role_name(SHM_ROLE_UNKNOWN), "unknown");
	CU_ASSERT_STRING_EQUAL(shm_pg_status_name(SHM_PG_STATUS_UP), "up");
	CU_ASSERT_STRING_EQUAL(shm_child_status_name(SHM_CHILD_WAIT_FOR_CONNECTION), "Wait for connection");
	CU_ASSERT_STRING_EQUAL(shm_child_status_name(SHM_CHILD_EXECUTE_COMMAND), "Execute command");
	CU_ASSERT_STRING_EQUAL(shm_backend_status_name(9), "unknown");
}

static shm_cancel_key
make_key(int32_t pid, uint32_t len, uint8_t seed)
{
	shm_cancel_key k = {.pid = pid, .len = len};

	for (uint32_t i = 0; i < len && i < SHM_CANCEL_KEY_MAX; i++)
		k.key[i] = (uint8_t) (seed + i * 7);
	return k;
}

/* Child 1 of the region publishes its session's keys from another process. */
static int
publish_keys(void *arg)
{
	shm_cancel_key fe = make_key(4242, 4, 0xA0);
	shm_cancel_key be[3] = {make_key(1001, 4, 1), make_key(1002, 32, 2), {0}};
	shm_cancel_key fe32 = make_key(5151, 32, 0x10);

	(void) arg;
	if (shm_cancel_publish(1, &fe, be) != 0 || shm_cancel_publish(2, &fe32, be) != 0)
		return 1;
	return 0;
}

static void
test_cancel_lookup(void)
{
	shm_cancel_key fe = make_key(4242, 4, 0xA0);
	shm_cancel_key fe32 = make_key(5151, 32, 0x10);
	shm_cancel_key too_long = make_key(1, 33, 0);
	shm_cancel_key out[3];
	uint8_t		wrong[4];

	tshm_start(4, 1, 3);
	CU_ASSERT_EQUAL_FATAL(tshm_wait(tshm_fork(publish_keys, NULL), 5000), 0);
	CU_ASSERT_EQUAL(shm_cancel_lookup(4242, fe.key, 4, out), 1);
	CU_ASSERT_EQUAL(out[0].pid, 1001);
	CU_ASSERT_EQUAL(memcmp(out[1].key, make_key(1002, 32, 2).key, 32), 0);
	CU_ASSERT_EQUAL(out[1].len, 32);
	CU_ASSERT_EQUAL(out[2].pid, 0);
	CU_ASSERT_EQUAL(shm_cancel_lookup(5151, fe32.key, 32, out), 2);
	memcpy(wrong, fe.key, 4);
	wrong[3] ^= 1;
	CU_ASSERT_EQUAL(shm_cancel_lookup(4242, wrong, 4, out), -1);
	CU_ASSERT_EQUAL(out[0].pid, 0);
	CU_ASSERT_EQUAL(shm_cancel_lookup(4242, fe.key, 3, out), -1);
	CU_ASSERT_EQUAL(shm_cancel_lookup(5151, fe32.key, 4, out), -1);
	CU_ASSERT_EQUAL(shm_cancel_lookup(4243, fe.key, 4, out), -1);
	CU_ASSERT_EQUAL(shm_cancel_lookup(0, NULL, 0, out), -1);
	CU_ASSERT_EQUAL(shm_cancel_publish(0, &too_long, out), -1);
	CU_ASSERT_EQUAL(shm_cancel_clear(1), 0);
	CU_ASSERT_EQUAL(shm_cancel_lookup(4242, fe.key, 4, out), -1);
	CU_ASSERT_EQUAL(shm_cancel_lookup(5151, fe32.key, 32, out), 2);
	shm_destroy();
}

static int
post_reload(void *arg)
{
	(void) arg;
	shm_request_post(SHM_REQUEST_RELOAD);
	return 0;
}

static void
test_requests(void)
{
	tshm_start(2, 1, 1);
	CU_ASSERT_EQUAL(shm_request_take(), 0);
	CU_ASSERT_EQUAL(tshm_wait(tshm_fork(post_reload, NULL), 5000), 0);
	CU_ASSERT_EQUAL(shm_request_take(), SHM_REQUEST_RELOAD);
	CU_ASSERT_EQUAL(shm_request_take(), 0);
	shm_destroy();
}

static CU_TestInfo local_tests[] = {
	{"sizing for 32 x 4 x 3", test_sizing},
	{"upper limits", test_limits},
	{"create refused", test_create_refused},
	{"create at the children limit", test_create_at_limit},
	{"initial backend table and weights", test_initial_table},
	{"edit, commit, abort and generation", test_edit_generation},
	{"layout: no overlapping slots", test_layout_no_overlap},
	{"child status and session", test_child_status_and_session},
	{"child idle-since time", test_child_idle_since},
	{"health-check statistics", test_hc_stats},
	{"names", test_names},
	{"cancel-key lookup", test_cancel_lookup},
	{"requests to the parent", test_requests},
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{"shmem", NULL, NULL, NULL, NULL, local_tests},
	{"shmem across processes", NULL, NULL, NULL, NULL, tshm_proc_tests},
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return unit_run("test_shmem", suites);
}
