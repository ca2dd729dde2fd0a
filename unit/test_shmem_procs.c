/*
 * shmem/ across real processes: the seqlock never hands out a torn backend table or string, the
 * robust writers' mutex survives a holder's death (both ways it can die) and times out, and
 * per-child counters add up over forked children.
 */
#include "unit/test_shmem.h"

#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "shmem/layout.h"

#define TABLE_NODES 8
#define WRITER_EDITS 100000
#define READERS 3
#define READER_DEADLINE_MS 30000

/* Exit statuses of the test processes. */
enum
{
	PROC_OK = 0,
	PROC_TORN = 1,
	PROC_NO_COPY = 2,
	PROC_LOCK_FAILED = 3,
	PROC_WENT_BACK = 4,
	PROC_TOO_FEW = 5
};

/* Flags shared by a test's processes, outside the region under test. */
typedef struct test_flags
{
	_Atomic int readers_ready;
	_Atomic int writer_done;
} test_flags;

static test_flags *
flags_create(void)
{
	void	   *p = mmap(NULL, sizeof(test_flags), PROT_READ | PROT_WRITE,
						 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	CU_ASSERT_FATAL(p != MAP_FAILED);
	memset(p, 0, sizeof(test_flags));
	return p;
}

/* Every field of every node derived from k, so that a mix of two edits is visible. */
static void
fill_pattern(shm_backend_table *t, int k)
{
	t->primary_node_id = k % TABLE_NODES;
	t->main_node_id = (k + 1) % TABLE_NODES;
	memset(&t->failover, k & 0xff, sizeof(t->failover));
	for (int i = 0; i < TABLE_NODES; i++)
	{
		shm_backend *n = &t->nodes[i];

		memset(n, 0, sizeof(*n));
		n->status = (k + i) % 4;
		n->role = (k + 2 * i) % 5;
		n->pg_status = (k + i) % 3;
		n->pg_role = (k * 3 + i) % 5;
		n->weight = k + i / 16.0;
		n->replication_delay = (int64_t) k * 1000 + i;
		n->last_status_change = k;
		snprintf(n->replication_state, sizeof(n->replication_state), "s%d-%d%s", k, i,
				 k % 2 ? "-streaming-long" : "");
		snprintf(n->replication_sync_state, sizeof(n->replication_sync_state), "y%d", k * 7 + i);
	}
}

/* The k of a consistent table, or -1 when two edits are mixed. */
static int
pattern_of(const shm_backend_table *t)
{
	shm_backend_table expected;
	int			k = (int) t->nodes[0].last_status_change;
	size_t		bytes = shm_backend_table_bytes(TABLE_NODES);

	memset(&expected, 0, sizeof(expected));
	expected.num_backends = TABLE_NODES;
	fill_pattern(&expected, k);
	return memcmp(&expected, t, bytes) == 0 ? k : -1;
}

static int
run_writer(void *arg)
{
	test_flags *flags = arg;
	long		deadline = tshm_now_ms() + 5000;

	while (atomic_load(&flags->readers_ready) < READERS && tshm_now_ms() < deadline)
		usleep(1000);
	for (int k = 1; k <= WRITER_EDITS; k++)
	{
		shm_backend_table *t = shm_backends_edit_begin_with_deadline(5000);

		if (!t)
			return PROC_LOCK_FAILED;
		fill_pattern(t, k);
		shm_backends_edit_commit();
	}
	atomic_store(&flags->writer_done, 1);
	return PROC_OK;
}

/* Copies as fast as it can until the writer is done; every copy must be one whole edit. */
static int
run_reader(void *arg)
{
	test_flags *flags = arg;
	long		deadline = tshm_now_ms() + READER_DEADLINE_MS;
	uint64_t	last_gen = 0;
	int			last_k = 0;
	int			distinct = 0;
	shm_backend_table copy;

	atomic_fetch_add(&flags->readers_ready, 1);
	while (!atomic_load(&flags->writer_done) && tshm_now_ms() < deadline)
	{
		uint64_t	gen = shm_backends_snapshot(&copy);
		int			k;

		if (gen == 0 || gen % 2 != 0)
			return PROC_NO_COPY;
		k = pattern_of(&copy);
		if (k < 0)
			return PROC_TORN;
		if (gen < last_gen || k < last_k)
			return PROC_WENT_BACK;
		distinct += gen != last_gen;
		last_gen = gen;
		last_k = k;
	}
	return distinct >= 10 ? PROC_OK : PROC_TOO_FEW;
}

/* The check itself must catch a mixed table, or the test below could never fail. */
static void
test_pattern_detects_mix(void)
{
	shm_backend_table a;
	shm_backend_table b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.num_backends = b.num_backends = TABLE_NODES;
	fill_pattern(&a, 41);
	fill_pattern(&b, 42);
	CU_ASSERT_EQUAL(pattern_of(&a), 41);
	memcpy(&a.nodes[5], &b.nodes[5], sizeof(shm_backend) / 2);
	CU_ASSERT_EQUAL(pattern_of(&a), -1);
	fill_pattern(&a, 41);
	a.nodes[TABLE_NODES - 1].replication_sync_state[1] = 'z';
	CU_ASSERT_EQUAL(pattern_of(&a), -1);
}

static void
test_seqlock_never_torn(void)
{
	test_flags *flags = flags_create();
	pid_t		readers[READERS];
	pid_t		writer;
	shm_backend_table final;

	tshm_start(4, 1, TABLE_NODES);
	fill_pattern(shm_backends_edit_begin_with_deadline(1000), 0);
	CU_ASSERT_EQUAL_FATAL(shm_backends_edit_commit(), 0);
	for (int i = 0; i < READERS; i++)
		readers[i] = tshm_fork(run_reader, flags);
	writer = tshm_fork(run_writer, flags);
	CU_ASSERT_EQUAL(tshm_wait(writer, READER_DEADLINE_MS + 5000), PROC_OK);
	for (int i = 0; i < READERS; i++)
	{
		int			status = tshm_wait(readers[i], READER_DEADLINE_MS + 5000);

		if (status != PROC_OK)
			printf("\n    reader %d ended with %d\n", i, status);
		CU_ASSERT_EQUAL(status, PROC_OK);
	}
	CU_ASSERT_EQUAL(shm_backends_snapshot(&final), 4 + 2 * (uint64_t) WRITER_EDITS);
	CU_ASSERT_EQUAL(pattern_of(&final), WRITER_EDITS);
	shm_destroy();
	munmap(flags, sizeof(test_flags));
}

/* Child slot strings: a reader sees one whole session name or the other, never a mix. */
static int
run_session_writer(void *arg)
{
	char		a[SHM_NAME_SIZE];
	char		b[SHM_NAME_SIZE];

	(void) arg;
	memset(a, 'a', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memset(b, 'b', 20);
	b[20] = '\0';
	for (int i = 0; i < WRITER_EDITS * 5; i++)
		shm_child_set_session(0, i % 2 ? a : b, i % 2 ? b : a);
	return PROC_OK;
}

static bool
session_consistent(const shm_child_info *ci)
{
	size_t		len = strlen(ci->database);
	char		first = ci->database[0];
	char		set[2] = {first, '\0'};

	if (len == 0)
		return ci->username[0] == '\0';
	if (len != (first == 'a' ? SHM_NAME_SIZE - 1 : 20u) || strspn(ci->database, set) != len)
		return false;
	return strlen(ci->username) == (first == 'a' ? 20u : SHM_NAME_SIZE - 1);
}

static void
test_child_strings_never_torn(void)
{
	pid_t		writer;
	int			torn = 0;
	int			reads = 0;
	shm_child_info ci;

	tshm_start(2, 1, 1);
	writer = tshm_fork(run_session_writer, NULL);
	for (long deadline = tshm_now_ms() + 20000; tshm_now_ms() < deadline && reads < 200000; reads++)
	{
		CU_ASSERT_EQUAL_FATAL(shm_child_read(0, &ci), 0);
		torn += !session_consistent(&ci);
	}
	CU_ASSERT_EQUAL(torn, 0);
	CU_ASSERT_EQUAL(tshm_wait(writer, 30000), PROC_OK);
	shm_destroy();
}

/* Takes the writers' lock, changes the staging table, and dies without committing. */
static int
die_while_editing(void *arg)
{
	shm_backend_table *t = shm_backends_edit_begin_with_deadline(1000);

	(void) arg;
	if (!t)
		return PROC_LOCK_FAILED;
	t->primary_node_id = 2;
	t->nodes[1].status = SHM_CON_DOWN;
	_exit(PROC_OK);
}

static void
test_robust_dead_editor(void)
{
	shm_backend_table *t;
	shm_backend_table snap;
	uint64_t	gen;
	long		start;

	tshm_start(2, 1, 3);
	gen = shm_backends_generation();
	CU_ASSERT_EQUAL_FATAL(tshm_wait(tshm_fork(die_while_editing, NULL), 5000), PROC_OK);
	start = tshm_now_ms();
	t = shm_backends_edit_begin_with_deadline(2000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT(tshm_now_ms() - start < 1000);
	CU_ASSERT_EQUAL(t->primary_node_id, -1);	/* the dead writer's edits are dropped */
	CU_ASSERT_EQUAL(t->nodes[1].status, SHM_CON_CONNECT_WAIT);
	t->nodes[0].status = SHM_CON_UP;
	CU_ASSERT_EQUAL(shm_backends_edit_commit(), 0);
	CU_ASSERT_EQUAL(shm_backends_snapshot(&snap), gen + 2);
	CU_ASSERT_EQUAL(snap.nodes[0].status, SHM_CON_UP);
	/* the mutex is usable again, not left "not recoverable" */
	CU_ASSERT_PTR_NOT_NULL(shm_backends_edit_begin_with_deadline(1000));
	CU_ASSERT_EQUAL(shm_backends_edit_abort(), 0);
	shm_destroy();
}

/* Dies between the two generation stores of a publish, with the readers' table half copied. */
static int
die_while_publishing(void *arg)
{
	shm_backend_table *t = shm_backends_edit_begin_with_deadline(1000);

	(void) arg;
	if (!t)
		return PROC_LOCK_FAILED;
	t->primary_node_id = 1;
	t->nodes[1].role = SHM_ROLE_PRIMARY;
	t->nodes[2].status = SHM_CON_DOWN;
	atomic_fetch_add(&shm_base->backends_gen, 1);
	shm_base->backends.primary_node_id = 1;
	_exit(PROC_OK);
}

static void
test_robust_dead_publisher(void)
{
	shm_backend_table *t;
	shm_backend_table snap;
	uint64_t	gen;
	long		start;

	tshm_start(2, 1, 3);
	gen = shm_backends_generation();
	CU_ASSERT_EQUAL_FATAL(tshm_wait(tshm_fork(die_while_publishing, NULL), 5000), PROC_OK);
	/* readers give up within their deadline instead of spinning on the odd generation */
	start = tshm_now_ms();
	CU_ASSERT_EQUAL(shm_backends_snapshot(&snap), 0);
	CU_ASSERT(tshm_now_ms() - start < SHM_READ_DEADLINE_MS + 1000);
	t = shm_backends_edit_begin_with_deadline(2000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(shm_backends_edit_abort(), 0);
	/* the finished edit was published whole */
	CU_ASSERT_EQUAL(shm_backends_snapshot(&snap), gen + 4);
	CU_ASSERT_EQUAL(snap.primary_node_id, 1);
	CU_ASSERT_EQUAL(snap.nodes[1].role, SHM_ROLE_PRIMARY);
	CU_ASSERT_EQUAL(snap.nodes[2].status, SHM_CON_DOWN);
	shm_destroy();
}

/* Holds the lock until the parent writes to the pipe (or 5 s pass). */
static int
hold_lock(void *arg)
{
	int		   *fds = arg;
	struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
	char		c = 'L';

	if (!shm_backends_edit_begin_with_deadline(1000))
		return PROC_LOCK_FAILED;
	if (write(fds[3], &c, 1) != 1 || poll(&pfd, 1, 5000) != 1)
		return PROC_LOCK_FAILED;
	shm_backends_edit_abort();
	return PROC_OK;
}

static void
test_lock_timeout(void)
{
	int			fds[4];
	pid_t		holder;
	struct pollfd pfd;
	long		start;
	long		waited;
	char		c = 'G';

	tshm_start(2, 1, 3);
	CU_ASSERT_FATAL(pipe(fds) == 0 && pipe(fds + 2) == 0);
	holder = tshm_fork(hold_lock, fds);
	pfd = (struct pollfd) {.fd = fds[2], .events = POLLIN};
	CU_ASSERT_EQUAL_FATAL(poll(&pfd, 1, 5000), 1);
	start = tshm_now_ms();
	CU_ASSERT_PTR_NULL(shm_backends_edit_begin_with_deadline(150));
	waited = tshm_now_ms() - start;
	CU_ASSERT(waited >= 140 && waited < 1500);
	CU_ASSERT_EQUAL(write(fds[1], &c, 1), 1);
	CU_ASSERT_EQUAL(tshm_wait(holder, 5000), PROC_OK);
	CU_ASSERT_PTR_NOT_NULL(shm_backends_edit_begin_with_deadline(1000));
	CU_ASSERT_EQUAL(shm_backends_edit_abort(), 0);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
	shm_destroy();
}

#define COUNT_CHILDREN 8
#define COUNT_NODES 3

/* How many times child i counts kind k on node n. */
static uint64_t
count_for(int i, int n, int k)
{
	return (uint64_t) (i + 1) * (n + 1) * (k + 1) * 50;
}

static int
run_counting_child(void *arg)
{
	int			i = *(int *) arg;

	shm_child_begin(i, getpid(), time(NULL));
	for (int n = 0; n < COUNT_NODES; n++)
		for (int k = 0; k < SHM_CNT_KINDS; k++)
			for (uint64_t c = 0; c < count_for(i, n, k); c++)
				shm_count(i, n, (shm_counter) k);
	return PROC_OK;
}

static void
check_totals(const char *when)
{
	for (int n = 0; n < COUNT_NODES; n++)
	{
		shm_backend_counters sum;

		CU_ASSERT_EQUAL_FATAL(shm_backend_counters_sum(n, &sum), 0);
		for (int k = 0; k < SHM_CNT_KINDS; k++)
		{
			uint64_t	expected = 0;

			for (int i = 0; i < COUNT_CHILDREN; i++)
				expected += count_for(i, n, k);
			if (sum.count[k] != expected)
				printf("\n    %s: node %d kind %d: %llu, expected %llu\n", when, n, k,
					   (unsigned long long) sum.count[k], (unsigned long long) expected);
			CU_ASSERT_EQUAL(sum.count[k], expected);
		}
	}
}

/* Totals seen while children still count never go down; returns once they are complete. */
static void
watch_totals_grow(void)
{
	uint64_t	last[COUNT_NODES] = {0};
	uint64_t	final = 0;
	uint64_t	total = 0;

	for (int i = 0; i < COUNT_CHILDREN; i++)
		for (int n = 0; n < COUNT_NODES; n++)
			final += count_for(i, n, SHM_CNT_SELECT);
	for (long deadline = tshm_now_ms() + 20000; total != final && tshm_now_ms() < deadline;)
	{
		total = 0;
		for (int n = 0; n < COUNT_NODES; n++)
		{
			shm_backend_counters sum;

			CU_ASSERT_EQUAL_FATAL(shm_backend_counters_sum(n, &sum), 0);
			CU_ASSERT(sum.count[SHM_CNT_SELECT] >= last[n]);
			last[n] = sum.count[SHM_CNT_SELECT];
			total += last[n];
		}
	}
	CU_ASSERT_EQUAL(total, final);
}

static void
test_counters_summed(void)
{
	pid_t		pids[COUNT_CHILDREN];
	int			index[COUNT_CHILDREN];

	tshm_start(COUNT_CHILDREN, 2, COUNT_NODES);
	for (int i = 0; i < COUNT_CHILDREN; i++)
	{
		index[i] = i;
		pids[i] = tshm_fork(run_counting_child, &index[i]);
	}
	watch_totals_grow();
	for (int i = 0; i < COUNT_CHILDREN; i++)
		CU_ASSERT_EQUAL(tshm_wait(pids[i], 30000), PROC_OK);
	check_totals("all children exited");
	for (int i = 0; i < COUNT_CHILDREN; i++)
		CU_ASSERT_EQUAL(shm_child_find(pids[i]), i);
	/* reaping folds a child's counters into the totals: nothing is lost */
	CU_ASSERT_EQUAL(shm_child_retire(3), 0);
	CU_ASSERT_EQUAL(shm_child_retire(5), 0);
	CU_ASSERT_EQUAL(shm_child_find(pids[3]), -1);
	check_totals("after retiring two children");
	shm_destroy();
}

CU_TestInfo tshm_proc_tests[] = {
	{"table check catches a mix", test_pattern_detects_mix},
	{"seqlock: no torn backend table", test_seqlock_never_torn},
	{"seqlock: no torn child strings", test_child_strings_never_torn},
	{"robust lock: holder dies editing", test_robust_dead_editor},
	{"robust lock: holder dies publishing", test_robust_dead_publisher},
	{"lock wait is bounded", test_lock_timeout},
	{"per-child counters summed", test_counters_summed},
	CU_TEST_INFO_NULL
};
