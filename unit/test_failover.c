/*
 * Unit tests for the failover pieces that are pure logic: placeholder expansion of the failover
 * scripts, LSN parsing, the request queue (order, coalescing, capacity), request validation, the
 * bounded command runner, and the pgpool_status file.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/diag.h"
#include "main/failover_command.h"
#include "main/failover_request.h"
#include "main/pgconn.h"
#include "main/status_file.h"
#include "net/sock.h"
#include "shmem/shmem.h"
#include "unit/runner.h"

static void
set(pool_config *cfg, const char *name, const char *value)
{
	diag_list	d;

	diag_init(&d);
	CU_ASSERT_EQUAL_FATAL(cfg_set(cfg, name, value, NULL, 0, &d), CFG_SET_OK);
	diag_free(&d);
}

static pool_config *
three_nodes(void)
{
	pool_config *cfg = cfg_create();

	for (int i = 0; i < 3; i++)
	{
		char		name[64], value[64];

		snprintf(name, sizeof(name), "backend_hostname%d", i);
		snprintf(value, sizeof(value), "host%d", i);
		set(cfg, name, value);
		snprintf(name, sizeof(name), "backend_port%d", i);
		snprintf(value, sizeof(value), "%d", 5432 + i);
		set(cfg, name, value);
		snprintf(name, sizeof(name), "backend_data_directory%d", i);
		snprintf(value, sizeof(value), "/data/%d", i);
		set(cfg, name, value);
	}
	set(cfg, "num_init_children", "2");
	set(cfg, "backend_flag2", "DISALLOW_TO_FAILOVER");
	return cfg;
}

static void
test_expand(void)
{
	pool_config *cfg = three_nodes();
	fo_command_vars v = {.node = 0, .new_main = 1, .old_main = 0, .old_primary = 0};
	char	   *s = fo_command_expand(cfg, "f %d %h %p %D %m %H %M %P %r %R %N %S %% %x %", &v);

	CU_ASSERT_STRING_EQUAL(s, "f 0 host0 5432 /data/0 1 host1 0 0 5433 /data/1 host0 5432 % %x %");
	free(s);
	v.new_main = -1;
	v.old_primary = 2;
	s = fo_command_expand(cfg, "%m:%H:%r:%R:%N:%S", &v);
	CU_ASSERT_STRING_EQUAL(s, "-1::::host2:5434");
	free(s);
	cfg_destroy(cfg);
}

static void
test_lsn(void)
{
	CU_ASSERT_EQUAL(pgc_parse_lsn("0/3000060"), 0x3000060u);
	CU_ASSERT_EQUAL(pgc_parse_lsn("1A/FF"), ((uint64_t) 0x1A << 32) | 0xFF);
	CU_ASSERT_EQUAL(pgc_parse_lsn(""), 0u);
	CU_ASSERT_EQUAL(pgc_parse_lsn(NULL), 0u);
}

static void
test_queue(void)
{
	pool_config *cfg = three_nodes();
	shm_failover_request r = {0}, out;
	uint64_t	id1, id2, id3;
	bool		merged;
	char		err[256];

	/* the requests wake the parent, which is this process here */
	signal(SIGUSR1, SIG_IGN);
	CU_ASSERT_EQUAL_FATAL(shm_create(cfg), 0);
	CU_ASSERT_EQUAL(shm_failover_pending(100), 0);
	CU_ASSERT_EQUAL(failover_request(cfg, SHM_FO_NODE_DOWN, 1, 0, &id1, err, sizeof(err)), FO_REQUEST_QUEUED);
	CU_ASSERT_EQUAL(failover_request(cfg, SHM_FO_NODE_DOWN, 0, 0, &id2, err, sizeof(err)), FO_REQUEST_QUEUED);
	CU_ASSERT_EQUAL(failover_request(cfg, SHM_FO_NODE_DOWN, 1, SHM_FO_HEALTH_CHECK, &id3, err, sizeof(err)),
					FO_REQUEST_QUEUED);
	CU_ASSERT_EQUAL(id3, id1);	/* coalesced */
	CU_ASSERT(id2 > id1);
	CU_ASSERT_EQUAL(shm_failover_pending(100), 2);
	/* refused: DISALLOW_TO_FAILOVER, unknown node */
	CU_ASSERT_EQUAL(failover_request(cfg, SHM_FO_NODE_DOWN, 2, 0, NULL, err, sizeof(err)), FO_REQUEST_INVALID);
	CU_ASSERT_EQUAL(failover_request(cfg, SHM_FO_NODE_UP, 7, 0, NULL, err, sizeof(err)), FO_REQUEST_INVALID);
	CU_ASSERT_STRING_EQUAL(err, "node id 7 is not valid");
	CU_ASSERT_EQUAL(shm_failover_pop(&out, 100), 1);
	CU_ASSERT(out.node == 1 && out.id == id1 && out.flags == SHM_FO_HEALTH_CHECK);
	CU_ASSERT_EQUAL(shm_failover_pop(&out, 100), 1);
	CU_ASSERT(out.node == 0 && out.id == id2);
	CU_ASSERT_EQUAL(shm_failover_pop(&out, 100), 0);
	CU_ASSERT_EQUAL(failover_request_wait_with_deadline(id2, 50), -1);
	shm_failover_done(id2);
	CU_ASSERT_EQUAL(failover_request_wait_with_deadline(id1, 50), 0);
	/* the ring holds SHM_FAILOVER_QUEUE_SIZE requests, then refuses */
	for (int i = 0; i < SHM_FAILOVER_QUEUE_SIZE; i++)
	{
		r.kind = SHM_FO_NODE_UP + (i % 2);
		r.node = i;
		CU_ASSERT_EQUAL(shm_failover_push(&r, 100, &merged), 0);
	}
	r.node = 1000;
	CU_ASSERT_EQUAL(shm_failover_push(&r, 100, &merged), -1);
	CU_ASSERT_EQUAL(shm_request_take() & SHM_REQUEST_FAILOVER, SHM_REQUEST_FAILOVER);
	shm_destroy();
	cfg_destroy(cfg);
}

static void
test_command_deadline(void)
{
	int64_t		t0 = net_now_ms();

	CU_ASSERT_EQUAL(fo_command_run_with_deadline("test", "exit 0", 5), 0);
	CU_ASSERT_EQUAL(fo_command_run_with_deadline("test", "exit 3", 5), 3);
	t0 = net_now_ms();
	CU_ASSERT_EQUAL(fo_command_run_with_deadline("test", "sleep 30; sleep 30", 1), -1);
	CU_ASSERT(net_now_ms() - t0 < 5000);
}

static void
test_status_file(void)
{
	pool_config *cfg = three_nodes();
	char		dir[] = "/tmp/pgng-unit-status-XXXXXX";
	char		path[256], text[64] = "";
	FILE	   *f;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	set(cfg, "logdir", dir);
	snprintf(path, sizeof(path), "%s/pgpool_status", dir);
	f = fopen(path, "w");
	fputs("up\ndown\nup\n", f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(shm_create(cfg), 0);
	CU_ASSERT_EQUAL(status_file_apply(cfg, false), 1);
	CU_ASSERT_EQUAL(status_file_write(cfg), 0);
	f = fopen(path, "r");
	CU_ASSERT_EQUAL(fread(text, 1, sizeof(text) - 1, f), 11);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(text, "up\ndown\nup\n");
	shm_destroy();
	/* every node down: ignored; -D: discarded */
	f = fopen(path, "w");
	fputs("down\ndown\ndown\n", f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(shm_create(cfg), 0);
	CU_ASSERT_EQUAL(status_file_apply(cfg, false), 0);
	CU_ASSERT_EQUAL(status_file_apply(cfg, true), 0);
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
	shm_destroy();
	rmdir(dir);
	cfg_destroy(cfg);
}

static void
test_streaming_rule(void)
{
	shm_backend_table t;

	memset(&t, 0, sizeof(t));
	t.num_backends = 3;
	t.primary_node_id = 0;
	CU_ASSERT_TRUE(shm_backend_streaming(&t, 1));	/* not judged yet */
	shm_backend_set_sr_checked(&t, 1, true);
	CU_ASSERT_FALSE(shm_backend_streaming(&t, 1));	/* judged, absent from pg_stat_replication */
	strcpy(t.nodes[1].replication_state, "streaming");
	CU_ASSERT_TRUE(shm_backend_streaming(&t, 1));
	strcpy(t.nodes[1].replication_state, "catchup");
	CU_ASSERT_FALSE(shm_backend_streaming(&t, 1));
	shm_backend_set_sr_checked(&t, 1, false);
	CU_ASSERT_FALSE(shm_backend_streaming(&t, 1));	/* a state other than streaming, judged or not */
	t.nodes[1].replication_state[0] = '\0';
	CU_ASSERT_TRUE(shm_backend_streaming(&t, 1));
	shm_backend_set_sr_checked(&t, 0, true);
	CU_ASSERT_TRUE(shm_backend_streaming(&t, 0));	/* the primary */
	CU_ASSERT_FALSE(shm_backend_streaming(&t, 3));	/* no such node */
}

static CU_TestInfo tests[] = {
	{"streaming rule", test_streaming_rule},
	{"placeholders", test_expand},
	{"lsn", test_lsn},
	{"request queue", test_queue},
	{"command deadline", test_command_deadline},
	{"pgpool_status", test_status_file},
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{"failover", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return unit_run("test_failover", suites);
}
