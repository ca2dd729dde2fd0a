/*
 * Unit tests of the watchdog (wire here, election in test_watchdog_election.c).
 * watchdog/wire.c: round trip, signature, and every kind of malformed input (each
 * truncation, each flipped byte, wrong key, bad fields behind a valid signature).
 */
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/hmac.h>

#include "config/config.h"
#include "net/sock.h"
#include "shmem/shmem.h"
#include "unit/runner.h"
#include "unit/test_watchdog.h"
#include "watchdog/election.h"
#include "watchdog/wire.h"

static const char key[] = "s3cret";

static void
sample(wd_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = WD_MSG_HEARTBEAT;
	m->node_id = 2;
	m->boot_id = 0x0102030405060708ULL;
	m->seq = 77;
	m->priority = 5;
	m->state = WD_STATE_STANDBY;
	m->vote_for = 1;
	m->vote_lease_ms = 2000;
	m->leader_id = 1;
	m->start_time = 1764000000;
	m->pgpool_port = 9999;
	m->wd_port = 9000;
	snprintf(m->node_name, sizeof(m->node_name), "10.213.0.3:9999 Linux host3");
	snprintf(m->host_name, sizeof(m->host_name), "10.213.0.3");
	m->down_votes[0] = 0x05;	/* backends 0 and 2 */
	m->down_votes[WD_WIRE_VOTE_BYTES - 1] = 0x80;	/* backend 127 */
	m->command = 3;
	m->command_id = 0x01020304;
	m->command_time = 1764000123;
	m->backend_count = 3;
	m->backend_primary = 1;
	m->backend_up[0] = 0x06;	/* backends 1 and 2 up, 0 down */
	m->request = 3;				/* SHM_FO_PROMOTE */
	m->request_node = 127;
	m->request_flags = 0x3;		/* switchover, graceful */
	m->request_id = 0x0a0b0c0d;
	m->request_time = 1764000456;
	m->request_to = 1;
}

static int
encode(const wd_msg *m, uint8_t *buf)
{
	return wd_wire_encode(m, key, strlen(key), buf, WD_WIRE_MAX_SIZE);
}

static void
test_roundtrip(void)
{
	wd_msg		m, out;
	uint8_t		buf[WD_WIRE_MAX_SIZE + 16];
	int			n;
	size_t		used = 0;

	sample(&m);
	n = encode(&m, buf);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(wd_wire_frame_length(buf, (size_t) n), n);
	/* trailing bytes (a TCP stream) are not part of the message */
	memset(buf + n, 'x', 16);
	CU_ASSERT_EQUAL(wd_wire_decode(buf, (size_t) n + 16, key, strlen(key), &out, &used), WD_WIRE_OK);
	CU_ASSERT_EQUAL(used, (size_t) n);
	CU_ASSERT_EQUAL(out.type, m.type);
	CU_ASSERT_EQUAL(out.node_id, 2);
	CU_ASSERT_EQUAL(out.boot_id, m.boot_id);
	CU_ASSERT_EQUAL(out.seq, 77);
	CU_ASSERT_EQUAL(out.priority, 5);
	CU_ASSERT_EQUAL(out.state, WD_STATE_STANDBY);
	CU_ASSERT_EQUAL(out.vote_for, 1);
	CU_ASSERT_EQUAL(out.vote_lease_ms, 2000);
	CU_ASSERT_EQUAL(out.leader_id, 1);
	CU_ASSERT_EQUAL(out.start_time, 1764000000);
	CU_ASSERT_EQUAL(memcmp(out.down_votes, m.down_votes, WD_WIRE_VOTE_BYTES), 0);
	CU_ASSERT_EQUAL(out.command, 3);
	CU_ASSERT_EQUAL(out.command_id, 0x01020304);
	CU_ASSERT_EQUAL(out.command_time, 1764000123);
	CU_ASSERT_EQUAL(out.backend_count, 3);
	CU_ASSERT_EQUAL(out.backend_primary, 1);
	CU_ASSERT_EQUAL(memcmp(out.backend_up, m.backend_up, WD_WIRE_VOTE_BYTES), 0);
	CU_ASSERT_EQUAL(out.request, 3);
	CU_ASSERT_EQUAL(out.request_node, 127);
	CU_ASSERT_EQUAL(out.request_flags, 0x3);
	CU_ASSERT_EQUAL(out.request_id, 0x0a0b0c0d);
	CU_ASSERT_EQUAL(out.request_time, 1764000456);
	CU_ASSERT_EQUAL(out.request_to, 1);
	CU_ASSERT_EQUAL(out.pgpool_port, 9999);
	CU_ASSERT_EQUAL(out.wd_port, 9000);
	CU_ASSERT_STRING_EQUAL(out.node_name, m.node_name);
	CU_ASSERT_STRING_EQUAL(out.host_name, m.host_name);
	/* -1 (nobody) survives */
	m.vote_for = -1;
	m.leader_id = -1;
	m.backend_primary = -1;
	m.request = 0;
	m.request_node = -1;
	m.request_to = -1;
	n = encode(&m, buf);
	CU_ASSERT_EQUAL(wd_wire_decode(buf, (size_t) n, key, strlen(key), &out, NULL), WD_WIRE_OK);
	CU_ASSERT_EQUAL(out.vote_for, -1);
	CU_ASSERT_EQUAL(out.leader_id, -1);
	CU_ASSERT_EQUAL(out.backend_primary, -1);
	CU_ASSERT_EQUAL(out.request, 0);
	CU_ASSERT_EQUAL(out.request_node, -1);
	CU_ASSERT_EQUAL(out.request_to, -1);
	/* a primary outside the bitmap is refused */
	m.backend_primary = 8 * WD_WIRE_VOTE_BYTES;
	n = encode(&m, buf);
	CU_ASSERT_EQUAL(wd_wire_decode(buf, (size_t) n, key, strlen(key), &out, NULL), WD_WIRE_BAD_FIELD);
}

static void
test_wrong_key_and_empty_key(void)
{
	wd_msg		m, out;
	uint8_t		buf[WD_WIRE_MAX_SIZE];
	int			n;

	sample(&m);
	n = encode(&m, buf);
	CU_ASSERT_EQUAL(wd_wire_decode(buf, (size_t) n, "s3creT", 6, &out, NULL), WD_WIRE_BAD_HMAC);
	CU_ASSERT_EQUAL(wd_wire_decode(buf, (size_t) n, "", 0, &out, NULL), WD_WIRE_BAD_HMAC);
	n = wd_wire_encode(&m, "", 0, buf, sizeof(buf));
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(wd_wire_decode(buf, (size_t) n, "", 0, &out, NULL), WD_WIRE_OK);
	CU_ASSERT_EQUAL(wd_wire_decode(buf, (size_t) n, key, strlen(key), &out, NULL), WD_WIRE_BAD_HMAC);
}

/* Every prefix is refused; every single flipped bit is refused. */
static void
test_truncations_and_flips(void)
{
	wd_msg		m, out;
	uint8_t		buf[WD_WIRE_MAX_SIZE];
	int			n;
	int			accepted = 0;

	sample(&m);
	n = encode(&m, buf);
	for (int len = 0; len < n; len++)
		if (wd_wire_decode(buf, (size_t) len, key, strlen(key), &out, NULL) == WD_WIRE_OK)
			accepted++;
	CU_ASSERT_EQUAL(accepted, 0);
	for (int i = 0; i < n; i++)
		for (int bit = 0; bit < 8; bit++)
		{
			buf[i] ^= (uint8_t) (1 << bit);
			if (wd_wire_decode(buf, (size_t) n, key, strlen(key), &out, NULL) == WD_WIRE_OK)
				accepted++;
			buf[i] ^= (uint8_t) (1 << bit);
		}
	CU_ASSERT_EQUAL(accepted, 0);
	CU_ASSERT_EQUAL(wd_wire_decode(buf, (size_t) n, key, strlen(key), &out, NULL), WD_WIRE_OK);
}

/* Re-signs buf[0..n) after a change, as a peer holding the key (but a buggy one) would. */
static void
resign(uint8_t *buf, int n)
{
	unsigned int len = 0;

	HMAC(EVP_sha256(), key, (int) strlen(key), buf, (size_t) n - WD_WIRE_HMAC_SIZE,
		 buf + n - WD_WIRE_HMAC_SIZE, &len);
}

static wd_wire_status
decode_patched(const wd_msg *m, int offset, uint8_t value)
{
	uint8_t		buf[WD_WIRE_MAX_SIZE];
	wd_msg		out;
	int			n = encode(m, buf);

	buf[offset] = value;
	resign(buf, n);
	return wd_wire_decode(buf, (size_t) n, key, strlen(key), &out, NULL);
}

/* Signed but malformed: the decoder checks fields, names and lengths too. */
static void
test_signed_garbage(void)
{
	wd_msg		m;
	uint8_t		buf[WD_WIRE_MAX_SIZE];
	wd_wire_status st;
	int			end;

	sample(&m);
	CU_ASSERT_EQUAL(decode_patched(&m, 0, 'X'), WD_WIRE_BAD_MAGIC);
	CU_ASSERT_EQUAL(decode_patched(&m, 4, 9), WD_WIRE_BAD_VERSION);
	CU_ASSERT_EQUAL(decode_patched(&m, 5, 0), WD_WIRE_BAD_TYPE);
	CU_ASSERT_EQUAL(decode_patched(&m, 5, 200), WD_WIRE_BAD_TYPE);
	CU_ASSERT_EQUAL(decode_patched(&m, 8, 0x80), WD_WIRE_BAD_FIELD);	/* node id < 0 */
	CU_ASSERT_EQUAL(decode_patched(&m, 32, 0x7f), WD_WIRE_BAD_FIELD);	/* state */
	/* name shorter than said: what follows is read as the next fields, and does not fit them */
	st = decode_patched(&m, 60, 5);
	CU_ASSERT(st == WD_WIRE_BAD_LENGTH || st == WD_WIRE_BAD_FIELD);
	CU_ASSERT_EQUAL(decode_patched(&m, 60, 250), WD_WIRE_BAD_LENGTH);	/* name past the end */
	CU_ASSERT_EQUAL(decode_patched(&m, 61, 0x01), WD_WIRE_BAD_FIELD);	/* control character */
	CU_ASSERT_EQUAL(decode_patched(&m, 6, 0x7f), WD_WIRE_BAD_LENGTH);	/* over the maximum */
	/*
	 * an unknown cluster command: the byte after the vote map (its length is 16), before the
	 * command's 12 other bytes, the backend view (count, primary, length, 16 bytes of map) and the
	 * node request (25 bytes: kind, node, flags, id, time, leader)
	 */
	end = encode(&m, buf) - WD_WIRE_HMAC_SIZE;
	CU_ASSERT_EQUAL(decode_patched(&m, end - 25 - 13 - 22, 99), WD_WIRE_BAD_FIELD);
	/* a backend count over the map's 128 bits */
	CU_ASSERT_EQUAL(decode_patched(&m, end - 25 - 22, 200), WD_WIRE_BAD_FIELD);
	/* a backend map longer than 16 bytes */
	CU_ASSERT_EQUAL(decode_patched(&m, end - 25 - 17, 17), WD_WIRE_BAD_LENGTH);
	/* an unknown node request kind; flags other than switchover and graceful; a node over 127 */
	CU_ASSERT_EQUAL(decode_patched(&m, end - 25, 4), WD_WIRE_BAD_FIELD);
	CU_ASSERT_EQUAL(decode_patched(&m, end - 25 + 8, 0x07), WD_WIRE_BAD_FIELD);
	CU_ASSERT_EQUAL(decode_patched(&m, end - 25 + 4, 0x80), WD_WIRE_BAD_FIELD);
	/* a leader id far out of range (the top byte of request_to) */
	CU_ASSERT_EQUAL(decode_patched(&m, end - 4, 0x01), WD_WIRE_BAD_FIELD);
}

static void
test_encode_limits(void)
{
	wd_msg		m, out;
	uint8_t		buf[WD_WIRE_MAX_SIZE];
	int			n;

	sample(&m);
	memset(m.node_name, 'n', WD_WIRE_NAME_MAX);
	m.node_name[WD_WIRE_NAME_MAX] = '\0';
	memset(m.host_name, 'h', WD_WIRE_NAME_MAX);
	m.host_name[WD_WIRE_NAME_MAX] = '\0';
	n = encode(&m, buf);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(wd_wire_decode(buf, (size_t) n, key, strlen(key), &out, NULL), WD_WIRE_OK);
	CU_ASSERT_EQUAL(strlen(out.node_name), WD_WIRE_NAME_MAX);
	CU_ASSERT_EQUAL(wd_wire_encode(&m, key, strlen(key), buf, 100), -WD_WIRE_TOO_BIG);
	m.type = 0;
	CU_ASSERT_EQUAL(wd_wire_encode(&m, key, strlen(key), buf, sizeof(buf)), -WD_WIRE_BAD_TYPE);
	CU_ASSERT_EQUAL(wd_wire_frame_length(buf, 3), 0);
	CU_ASSERT_EQUAL(wd_wire_frame_length((const uint8_t *) "GET / HTTP/1.0", 14), -1);
}

/* A view whose every field says the same number n: a torn copy mixes two numbers. */
static void
fill_view(shm_wd_view *v, int n)
{
	memset(v, 0, sizeof(*v));
	v->num_nodes = 3;
	v->local_node = n % 3;
	v->leader_node = n % 3;
	v->alive_nodes = n;
	v->quorum_needed = n;
	v->published_ms = n;
	for (int i = 0; i < SHM_WD_MAX_NODES; i++)
	{
		v->nodes[i].state = n;
		v->nodes[i].last_heard = n;
		snprintf(v->nodes[i].node_name, sizeof(v->nodes[i].node_name), "node-%d", n);
	}
}

static bool
view_consistent(const shm_wd_view *v)
{
	char		name[SHM_WD_NAME_SIZE];
	int			n = v->alive_nodes;

	snprintf(name, sizeof(name), "node-%d", n);
	for (int i = 0; i < SHM_WD_MAX_NODES; i++)
		if (v->nodes[i].state != n || v->nodes[i].last_heard != n ||
			strcmp(v->nodes[i].node_name, name) != 0)
			return false;
	return v->quorum_needed == n && v->published_ms == n;
}

/* The view in shared memory: nothing before the first publication; a writer process never tears it. */
static void
test_shm_view(void)
{
	pool_config *cfg = cfg_create();
	shm_wd_view *v = calloc(1, sizeof(*v));
	int			torn = 0;
	int			seen_changes = 0;
	int			last = -1;
	pid_t		writer;

	CU_ASSERT_EQUAL_FATAL(shm_create(cfg), 0);
	CU_ASSERT_EQUAL(shm_wd_read(v), -1);
	v->num_nodes = SHM_WD_MAX_NODES + 1;
	CU_ASSERT_EQUAL(shm_wd_publish(v), -1);
	fill_view(v, 1);
	CU_ASSERT_EQUAL(shm_wd_publish(v), 0);
	writer = fork();
	if (writer == 0)
	{
		static shm_wd_view w;

		for (int n = 2;; n++)
		{
			fill_view(&w, n);
			shm_wd_publish(&w);
		}
	}
	CU_ASSERT_FATAL(writer > 0);
	/* on a loaded machine the writer may start late: read until it was seen at work, or 10 s */
	for (int64_t i = 0, end = net_now_ms() + 10000; i < 20000 || (seen_changes < 100 &&
																	  net_now_ms() < end); i++)
	{
		if (shm_wd_read(v) != 0)
			continue;
		if (!view_consistent(v))
			torn++;
		if (v->alive_nodes != last)
			seen_changes++;
		last = v->alive_nodes;
	}
	kill(writer, SIGKILL);
	waitpid(writer, NULL, 0);
	CU_ASSERT_EQUAL(torn, 0);
	CU_ASSERT(seen_changes > 1);	/* the reader did see the writer's work */
	shm_destroy();
	cfg_destroy(cfg);
	free(v);
}

static CU_TestInfo wire_tests[] = {
	{"round trip of every field, trailing bytes ignored", test_roundtrip},
	{"wrong key or empty key refused", test_wrong_key_and_empty_key},
	{"every truncation and every flipped bit refused", test_truncations_and_flips},
	{"signed but malformed: magic, version, type, fields, names, length", test_signed_garbage},
	{"longest names fit; small buffer and bad type refused", test_encode_limits},
	{"shared view: none before publication; a busy writer never tears a read", test_shm_view},
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{"watchdog wire", NULL, NULL, NULL, NULL, wire_tests},
	{"watchdog election", NULL, NULL, NULL, NULL, wd_election_tests},
	{"watchdog virtual IP", NULL, NULL, NULL, NULL, wd_vip_tests},
	{"watchdog failover consensus", NULL, NULL, NULL, NULL, wd_consensus_tests},
	{"watchdog node requests for the leader", NULL, NULL, NULL, NULL, wd_node_request_tests},
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return unit_run("test_watchdog", suites);
}
