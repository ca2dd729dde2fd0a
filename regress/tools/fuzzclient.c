/*
 * fuzzclient: sends valid protocol sequences mutated at random (bit flips, truncation, corrupted
 * lengths, random types, duplication) at a server, checking every CHECK cases that a normal client
 * is still served. Case i depends only on (seed, i): `-only I` replays one case.
 *   fuzzclient HOST PORT USER DB SEED CASES MAX_SECONDS [CHECK] [-only I]
 * With PGNG_FUZZ_TRACE set, each case's number and wall-clock start go to stderr, to match a case
 * with what the server logged at that time.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "regress/tools/rawpq.h"

#define CASE_WAIT_MS 150
#define WORKERS 4

typedef struct fuzz_target
{
	const char *host;
	int			port;
	const char *user;
	const char *db;
} fuzz_target;

static uint64_t rng_state;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static size_t
rnd_below(size_t n)
{
	return n == 0 ? 0 : (size_t) (rnd() % n);
}

static void
seed_case(uint64_t seed, long i)
{
	rng_state = (seed ^ ((uint64_t) i * 0x9E3779B97F4A7C15ULL)) | 1;
	for (int k = 0; k < 8; k++)
		rnd();
}

/* One of the valid sequences the mutations start from. */
static void
valid_sequence(raw_buf *b, const fuzz_target *t)
{
	const char *p1[1] = {"7"};

	switch (rnd_below(9))
	{
		case 0:
			raw_query(b, "SELECT 1");
			break;
		case 1:
			raw_parse(b, "", "SELECT $1::int");
			raw_bind(b, "", "", 1, p1);
			raw_describe(b, 'P', "");
			raw_execute(b, "", 0);
			raw_simple(b, 'S');
			break;
		case 2:
			raw_parse(b, "fz", "SELECT generate_series(1, 50)");
			raw_bind(b, "pz", "fz", 0, NULL);
			raw_execute(b, "pz", 7);
			raw_simple(b, 'H');
			raw_execute(b, "pz", 0);
			raw_close(b, 'P', "pz");
			raw_close(b, 'S', "fz");
			raw_simple(b, 'S');
			break;
		case 3:
			raw_query(b, "CREATE TEMP TABLE fz(a int, b text); COPY fz FROM STDIN");
			raw_begin(b, 'd');
			raw_put(b, "1\tone\n2\ttwo\n", 12);
			raw_end(b);
			raw_simple(b, 'c');
			break;
		case 4:
			raw_query(b, "COPY (SELECT g FROM generate_series(1, 100) g) TO STDOUT");
			break;
		case 5:
			raw_parse(b, "", "SELECT 1/0");
			raw_bind(b, "", "", 0, NULL);
			raw_execute(b, "", 0);
			raw_query(b, "SELECT 'skipped'");
			raw_simple(b, 'S');
			break;
		case 6:
			raw_query(b, "BEGIN; SELECT repeat('z', 5000); ROLLBACK");
			break;
		case 7:
			raw_parse(b, "", "SELECT 2");
			raw_bind(b, "", "", 0, NULL);
			raw_execute(b, "", 0);
			raw_simple(b, 'X');
			break;
		default:
			raw_startup(b, t->user, t->db);	/* a start-up packet where a message belongs */
			break;
	}
}

/* Offsets of message starts in b (walking its own, still valid, headers). */
static size_t
message_starts(const raw_buf *b, size_t *starts, size_t max)
{
	size_t		n = 0;
	size_t		off = 0;

	while (off + 5 <= b->len && n < max)
	{
		uint32_t	len = ((uint32_t) b->data[off + 1] << 24) | ((uint32_t) b->data[off + 2] << 16) |
			((uint32_t) b->data[off + 3] << 8) | b->data[off + 4];

		starts[n++] = off;
		off += 1 + (size_t) len;
	}
	return n;
}

static void
corrupt_length(raw_buf *b, size_t at)
{
	static const uint32_t lengths[] = {0, 1, 3, 4, 5, 0x7fffffff, 0xffffffff, 0x40000001, 65536, 1000};
	uint32_t	v;

	if (at + 5 > b->len)
		return;
	if (rnd() & 1)
		v = lengths[rnd_below(sizeof(lengths) / sizeof(lengths[0]))];
	else
		v = ((uint32_t) b->data[at + 4]) + (uint32_t) rnd_below(21) - 10;
	b->data[at + 1] = (uint8_t) (v >> 24);
	b->data[at + 2] = (uint8_t) (v >> 16);
	b->data[at + 3] = (uint8_t) (v >> 8);
	b->data[at + 4] = (uint8_t) v;
}

/* Copies a random range of b to the end (a duplicated message or fragment). */
static void
duplicate_range(raw_buf *b)
{
	size_t		from = rnd_below(b->len);
	size_t		n = 1 + rnd_below(b->len - from);
	uint8_t    *copy = malloc(n);

	memcpy(copy, b->data + from, n);
	raw_put(b, copy, n);
	free(copy);
}

static void
mutate_once(raw_buf *b)
{
	size_t		starts[64];
	size_t		nstarts = message_starts(b, starts, 64);
	size_t		at = nstarts > 0 ? starts[rnd_below(nstarts)] : 0;

	if (b->len == 0)
		return;
	switch (rnd_below(6))
	{
		case 0:
			b->data[rnd_below(b->len)] ^= (uint8_t) (1u << rnd_below(8));
			break;
		case 1:
			b->len = rnd_below(b->len);
			break;
		case 2:
			corrupt_length(b, at);
			break;
		case 3:
			b->data[at] = (uint8_t) rnd();
			break;
		case 4:
			duplicate_range(b);
			break;
		default:
			for (size_t k = rnd_below(16); k > 0; k--)
				raw_put8(b, (uint8_t) rnd());
			break;
	}
}

/* Reads what comes back until the server closes, our end marker arrives, or a short wait ends. */
static void
read_back(int fd)
{
	raw_msg		m = {0};
	int64_t		deadline = raw_now_ms() + CASE_WAIT_MS;

	while (raw_read_msg(fd, &m, deadline) == 0)
		if (m.type == 'D' && m.len >= 14 && memcmp(m.body + m.len - 8, "fuzz-end", 8) == 0)
			break;
	raw_msg_free(&m);
}

/* One case: a start-up phase case (a mutated start-up packet) or a logged-in one. */
static void
trace_case(long i)
{
	struct timespec ts;
	struct tm	tm;

	if (getenv("PGNG_FUZZ_TRACE") == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "case %ld at %02d:%02d:%02d.%03ld\n", i, tm.tm_hour, tm.tm_min, tm.tm_sec,
			ts.tv_nsec / 1000000);
}

static void
run_case(const fuzz_target *t, uint64_t seed, long i)
{
	raw_buf		b = {0};
	int			fd;
	bool		startup_case;

	trace_case(i);
	seed_case(seed, i);
	startup_case = rnd_below(3) == 0;
	if (startup_case)
	{
		raw_startup(&b, t->user, t->db);
		fd = raw_connect(t->host, t->port, 5000);
	}
	else
	{
		for (size_t k = 1 + rnd_below(3); k > 0; k--)
			valid_sequence(&b, t);
		fd = raw_login(t->host, t->port, t->user, t->db, raw_now_ms() + 10000);
	}
	for (size_t k = 1 + rnd_below(3); k > 0; k--)
		mutate_once(&b);
	if (!startup_case)
		raw_query(&b, "SELECT 'fuzz-end'");
	if (fd >= 0)
	{
		raw_send(fd, b.data, b.len, raw_now_ms() + 2000);
		read_back(fd);
		if (rnd_below(10) == 0)
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &(struct linger) {1, 0}, sizeof(struct linger));
		close(fd);
	}
	raw_buf_free(&b);
}

/* A normal client: logs in and gets SELECT 1 answered. */
static bool
served(const fuzz_target *t)
{
	int			fd = raw_login(t->host, t->port, t->user, t->db, raw_now_ms() + 20000);
	raw_buf		b = {0};
	raw_msg		m = {0};
	bool		ok = false;

	if (fd < 0)
		return false;
	raw_query(&b, "SELECT 'fuzz-end'");
	raw_simple(&b, 'X');
	if (raw_send_buf(fd, &b, raw_now_ms() + 20000) == 0)
		while (!ok && raw_read_msg(fd, &m, raw_now_ms() + 20000) == 0)
			ok = m.type == 'D' && m.len >= 14 && memcmp(m.body + m.len - 8, "fuzz-end", 8) == 0;
	raw_buf_free(&b);
	raw_msg_free(&m);
	close(fd);
	return ok;
}

/* A worker runs cases w, w + WORKERS, ...; exit status 0, or 1 when a check failed. */
static int
worker(const fuzz_target *t, uint64_t seed, int w, long cases, int64_t end, long check)
{
	long		done = 0;

	for (long i = w; i < cases && raw_now_ms() < end; i += WORKERS)
	{
		run_case(t, seed, i);
		if (++done % (check / WORKERS) == 0 && !served(t))
		{
			printf("worker %d: a normal client was not served after case %ld (seed %llu)\n", w, i,
				   (unsigned long long) seed);
			return 1;
		}
	}
	printf("worker %d: %ld cases\n", w, done);
	return served(t) ? 0 : 1;
}

int
main(int argc, char **argv)
{
	fuzz_target t;
	uint64_t	seed;
	long		cases;
	long		check = 500;
	int			failed = 0;
	int64_t		end;

	if (argc < 8)
	{
		fprintf(stderr, "usage: fuzzclient HOST PORT USER DB SEED CASES MAX_SECONDS [CHECK] [-only I]\n");
		return 2;
	}
	t = (fuzz_target) {.host = argv[1], .port = atoi(argv[2]), .user = argv[3], .db = argv[4]};
	seed = strtoull(argv[5], NULL, 10);
	cases = atol(argv[6]);
	end = raw_now_ms() + atol(argv[7]) * 1000;
	if (argc > 8 && strcmp(argv[8], "-only") != 0)
		check = atol(argv[8]) >= WORKERS ? atol(argv[8]) : WORKERS;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("fuzzclient: seed %llu, %ld cases, %d workers\n", (unsigned long long) seed, cases, WORKERS);
	if (argc > 9 && strcmp(argv[argc - 2], "-only") == 0)
	{
		run_case(&t, seed, atol(argv[argc - 1]));
		return served(&t) ? 0 : 1;
	}
	for (int w = 0; w < WORKERS; w++)
		if (fork() == 0)
			_exit(worker(&t, seed, w, cases, end, check));
	for (int w = 0; w < WORKERS; w++)
	{
		int			status;

		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	}
	printf("fuzzclient: %s\n", failed ? "FAILED" : "ok");
	return failed;
}
