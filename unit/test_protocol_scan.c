/*
 * Unit tests for the relay's message walker: a stream cut anywhere must yield the same messages
 * as the stream fed whole, and bad lengths must stop the walk where the bad message begins.
 */
#include <stdlib.h>
#include <string.h>

#include "protocol/message.h"
#include "protocol/scan.h"
#include "unit/runner.h"

#define MAX_SEEN 64

/* What a callback saw, with message starts made absolute over the whole stream. */
typedef struct seen
{
	size_t		base;			/* offset of the current feed in the stream */
	size_t		count;
	uint8_t		type[MAX_SEEN];
	uint32_t	length[MAX_SEEN];
	size_t		start[MAX_SEEN];
	char		stop_at;		/* a type to answer PQ_SCAN_STOP to, or 0 */
	int			bad_body;		/* body pointers that were not inside the feed */
	const uint8_t *feed;
	size_t		feed_len;
} seen;

static int
record(void *arg, const pq_scan_msg *m)
{
	seen	   *s = arg;

	if (m->body < s->feed || m->body + m->body_avail > s->feed + s->feed_len ||
		(m->header_held > 0 && m->start != 0))
		s->bad_body++;
	if (s->stop_at != 0 && m->type == (uint8_t) s->stop_at)
		return PQ_SCAN_STOP;
	if (s->count < MAX_SEEN)
	{
		s->type[s->count] = m->type;
		s->length[s->count] = m->length;
		s->start[s->count] = s->base + m->start - m->header_held;
		s->count++;
	}
	return PQ_SCAN_CONTINUE;
}

static size_t
feed(pq_scan *scan, seen *s, const uint8_t *data, size_t len)
{
	size_t		used;

	s->feed = data;
	s->feed_len = len;
	used = pq_scan_feed(scan, data, len, record, s);
	s->base += used;
	return used;
}

static bool
same_messages(const seen *a, const seen *b)
{
	return a->count == b->count && a->bad_body == 0 && b->bad_body == 0 &&
		memcmp(a->type, b->type, a->count) == 0 &&
		memcmp(a->length, b->length, a->count * sizeof(a->length[0])) == 0 &&
		memcmp(a->start, b->start, a->count * sizeof(a->start[0])) == 0;
}

/* A small stream with empty bodies, a long body and the usual result messages. */
static void
build_stream(pq_out *out)
{
	const char *const names[] = {"pool_pid", "start_time"};
	const char *const row[] = {"4242", NULL};
	char		long_query[300];

	memset(long_query, 'a', sizeof(long_query) - 1);
	long_query[sizeof(long_query) - 1] = '\0';
	pq_out_init(out);
	pq_put_row_description_text(out, names, 2);
	pq_put_data_row(out, row, 2);
	pq_put_empty_query_response(out);
	pq_put_command_complete(out, "SHOW");
	pq_put_query(out, long_query);
	pq_put_terminate(out);
	pq_put_ready_for_query(out, 'I');
}

static void
scan_whole(const pq_out *out, seen *whole)
{
	pq_scan		scan;

	memset(whole, 0, sizeof(*whole));
	pq_scan_init(&scan, 0);
	feed(&scan, whole, out->data, out->len);
	CU_ASSERT(pq_scan_at_boundary(&scan));
	CU_ASSERT(!pq_scan_failed(&scan));
}

static void
test_scan_whole(void)
{
	pq_out		out;
	seen		s;

	build_stream(&out);
	scan_whole(&out, &s);
	CU_ASSERT_EQUAL_FATAL(s.count, 7);
	CU_ASSERT(memcmp(s.type, "TDICQXZ", 7) == 0);
	CU_ASSERT_EQUAL(s.start[0], 0);
	CU_ASSERT_EQUAL(s.length[2], 4);
	CU_ASSERT_EQUAL(s.start[6], out.len - 6);
	CU_ASSERT_EQUAL(s.length[4], 4 + 300);
	CU_ASSERT_EQUAL(s.bad_body, 0);
	pq_out_free(&out);
}

static void
test_scan_every_split(void)
{
	pq_out		out;
	seen		whole;
	int			mismatches = 0;

	build_stream(&out);
	scan_whole(&out, &whole);
	for (size_t cut = 0; cut <= out.len; cut++)
	{
		pq_scan		scan;
		seen		s = {0};

		pq_scan_init(&scan, 0);
		feed(&scan, &s, out.data, cut);
		feed(&scan, &s, out.data + cut, out.len - cut);
		if (!same_messages(&whole, &s) || !pq_scan_at_boundary(&scan) || s.base != out.len)
			mismatches++;
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	pq_out_free(&out);
}

static void
test_scan_every_pair_of_splits(void)
{
	pq_out		out;
	seen		whole;
	int			mismatches = 0;

	build_stream(&out);
	scan_whole(&out, &whole);
	for (size_t a = 0; a <= out.len; a++)
	{
		for (size_t b = a; b <= out.len; b++)
		{
			pq_scan		scan;
			seen		s = {0};

			pq_scan_init(&scan, 0);
			feed(&scan, &s, out.data, a);
			feed(&scan, &s, out.data + a, b - a);
			feed(&scan, &s, out.data + b, out.len - b);
			if (!same_messages(&whole, &s) || !pq_scan_at_boundary(&scan))
				mismatches++;
		}
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	pq_out_free(&out);
}

static void
test_scan_byte_at_a_time(void)
{
	pq_out		out;
	seen		whole;
	seen		s = {0};
	pq_scan		scan;
	int			wrong_missing = 0;

	build_stream(&out);
	scan_whole(&out, &whole);
	pq_scan_init(&scan, 0);
	for (size_t i = 0; i < out.len; i++)
	{
		feed(&scan, &s, out.data + i, 1);
		if (pq_scan_at_boundary(&scan) != (pq_scan_missing(&scan) == 0))
			wrong_missing++;
	}
	CU_ASSERT(same_messages(&whole, &s));
	CU_ASSERT_EQUAL(wrong_missing, 0);
	pq_out_free(&out);
}

static void
test_scan_split_header(void)
{
	const uint8_t stream[] = {'C', 0, 0, 0, 7, 'O', 'K', 0, 'Z', 0, 0, 0, 5, 'I'};
	pq_scan		scan;
	seen		s = {0};

	pq_scan_init(&scan, 0);
	CU_ASSERT_EQUAL(feed(&scan, &s, stream, 3), 3);
	CU_ASSERT_EQUAL(s.count, 0);
	CU_ASSERT_EQUAL(scan.header_have, 3);
	CU_ASSERT_EQUAL(pq_scan_missing(&scan), 2);
	CU_ASSERT_EQUAL(scan.tail_start, 0);
	CU_ASSERT_EQUAL(feed(&scan, &s, stream + 3, 6), 6);	/* rest of C, and Z's type byte */
	CU_ASSERT_EQUAL(s.count, 1);
	CU_ASSERT_EQUAL(s.type[0], 'C');
	CU_ASSERT_EQUAL(s.length[0], 7);
	CU_ASSERT_EQUAL(s.start[0], 0);
	CU_ASSERT_EQUAL(scan.header_have, 1);
	CU_ASSERT_EQUAL(scan.tail_start, 5);	/* Z begins at data[5] of that feed */
	CU_ASSERT_EQUAL(feed(&scan, &s, stream + 9, 5), 5);
	CU_ASSERT_EQUAL(s.count, 2);
	CU_ASSERT_EQUAL(s.start[1], 8);
	CU_ASSERT(pq_scan_at_boundary(&scan));
}

static void
test_scan_long_message(void)
{
	uint8_t    *buf = calloc(1, 1 << 20);
	pq_scan		scan;
	seen		s = {0};
	size_t		fed = 0;

	buf[0] = 'D';
	pq_be32_set(buf + 1, (1 << 20) - 1);
	pq_scan_init(&scan, 0);
	while (fed < (1 << 20))
	{
		feed(&scan, &s, buf + fed, 4096);
		fed += 4096;
		if (fed < (1 << 20))
			CU_ASSERT_EQUAL(pq_scan_missing(&scan), (1 << 20) - fed);
	}
	CU_ASSERT_EQUAL(s.count, 1);
	CU_ASSERT(pq_scan_at_boundary(&scan));
	free(buf);
}

static void
test_scan_bad_lengths(void)
{
	uint8_t		stream[] = {'Z', 0, 0, 0, 5, 'I', 'D', 0, 0, 0, 3, 'x', 'x'};
	pq_scan		scan;
	seen		s = {0};

	pq_scan_init(&scan, 0);
	CU_ASSERT_EQUAL(feed(&scan, &s, stream, sizeof(stream)), 6);
	CU_ASSERT(pq_scan_failed(&scan));
	CU_ASSERT_EQUAL(scan.bad_type, 'D');
	CU_ASSERT_EQUAL(scan.bad_length, 3);
	CU_ASSERT_EQUAL(s.count, 1);
	/* failure is sticky */
	CU_ASSERT_EQUAL(pq_scan_feed(&scan, stream, 6, NULL, NULL), 0);

	/* the largest accepted length passes, one more fails; the same across a split header */
	pq_scan_init(&scan, 100);
	pq_be32_set(stream + 7, 100);
	CU_ASSERT_EQUAL(pq_scan_feed(&scan, stream, sizeof(stream), NULL, NULL), sizeof(stream));
	CU_ASSERT(!pq_scan_failed(&scan));
	CU_ASSERT_EQUAL(pq_scan_missing(&scan), 96 - 2);
	pq_scan_init(&scan, 100);
	pq_be32_set(stream + 7, 101);
	CU_ASSERT_EQUAL(pq_scan_feed(&scan, stream, 8, NULL, NULL), 8);
	CU_ASSERT_EQUAL(pq_scan_feed(&scan, stream + 8, 5, NULL, NULL), 0);
	CU_ASSERT(pq_scan_failed(&scan));

	/* a "negative" length and the 1 GB default */
	pq_scan_init(&scan, 0);
	pq_be32_set(stream + 7, 0x80000000U);
	CU_ASSERT_EQUAL(pq_scan_feed(&scan, stream, sizeof(stream), NULL, NULL), 6);
	pq_scan_init(&scan, 0);
	pq_be32_set(stream + 7, PQ_SCAN_DEFAULT_MAX_LENGTH + 1);
	CU_ASSERT_EQUAL(pq_scan_feed(&scan, stream, sizeof(stream), NULL, NULL), 6);
	pq_scan_init(&scan, 0);
	pq_be32_set(stream + 7, PQ_SCAN_DEFAULT_MAX_LENGTH);
	CU_ASSERT_EQUAL(pq_scan_feed(&scan, stream, sizeof(stream), NULL, NULL), sizeof(stream));
	CU_ASSERT(!pq_scan_failed(&scan));
	pq_scan_init(&scan, 0);
	pq_be32_set(stream + 7, 4);
	CU_ASSERT_EQUAL(pq_scan_feed(&scan, stream, 11, NULL, NULL), 11);
	CU_ASSERT(pq_scan_at_boundary(&scan));
}

static void
test_scan_stop(void)
{
	pq_out		out;
	seen		s = {0};
	pq_scan		scan;
	size_t		used;
	size_t		z_at;

	build_stream(&out);
	z_at = out.len - 6;
	s.stop_at = 'Z';
	pq_scan_init(&scan, 0);
	used = feed(&scan, &s, out.data, out.len);
	CU_ASSERT_EQUAL(used, z_at);
	CU_ASSERT_EQUAL(s.count, 6);
	CU_ASSERT(pq_scan_at_boundary(&scan));
	s.stop_at = 0;
	CU_ASSERT_EQUAL(feed(&scan, &s, out.data + used, out.len - used), 6);
	CU_ASSERT_EQUAL(s.count, 7);
	CU_ASSERT_EQUAL(s.start[6], z_at);

	/* stopping at a message whose header was split puts the held bytes back */
	memset(&s, 0, sizeof(s));
	s.stop_at = 'Z';
	pq_scan_init(&scan, 0);
	feed(&scan, &s, out.data, z_at + 2);
	CU_ASSERT_EQUAL(scan.header_have, 2);
	CU_ASSERT_EQUAL(feed(&scan, &s, out.data + z_at + 2, 4), 0);
	CU_ASSERT_EQUAL(scan.header_have, 2);
	s.stop_at = 0;
	CU_ASSERT_EQUAL(feed(&scan, &s, out.data + z_at + 2, 4), 4);
	CU_ASSERT_EQUAL(s.count, 7);
	CU_ASSERT_EQUAL(s.start[6], z_at);
	CU_ASSERT(pq_scan_at_boundary(&scan));
	pq_out_free(&out);
}

/* A client's stream: a Sync or Execute longer than PostgreSQL takes is refused, a long Query is not. */
static void
test_scan_frontend_limits(void)
{
	uint8_t		sync[] = {'S', 0, 0, 0, 0};
	uint8_t		query[] = {'Q', 0, 0, 0, 0};
	pq_scan		scan;
	seen		s = {0};

	CU_ASSERT_EQUAL(pq_frontend_max_length('S'), PQ_FRONTEND_SMALL_LIMIT);
	CU_ASSERT_EQUAL(pq_frontend_max_length('E'), PQ_FRONTEND_SMALL_LIMIT);
	CU_ASSERT(pq_frontend_max_length('Q') > PQ_FRONTEND_SMALL_LIMIT);
	CU_ASSERT(pq_frontend_max_length('d') > PQ_FRONTEND_SMALL_LIMIT);
	CU_ASSERT(pq_frontend_type_known('Q') && pq_frontend_type_known('X') && pq_frontend_type_known('S'));
	CU_ASSERT(!pq_frontend_type_known('k') && !pq_frontend_type_known(0) && !pq_frontend_type_known('Z'));
	pq_be32_set(sync + 1, PQ_FRONTEND_SMALL_LIMIT + 1);
	pq_scan_init_frontend(&scan, 0);
	CU_ASSERT_EQUAL(feed(&scan, &s, sync, sizeof(sync)), 0);
	CU_ASSERT(pq_scan_failed(&scan));
	CU_ASSERT_EQUAL(scan.bad_type, 'S');
	/* the same header in a server's stream is only a long message */
	pq_scan_init(&scan, 0);
	feed(&scan, &s, sync, sizeof(sync));
	CU_ASSERT(!pq_scan_failed(&scan));
	/* an unknown type is refused in a client's stream */
	sync[0] = 'k';
	pq_be32_set(sync + 1, 4);
	pq_scan_init_frontend(&scan, 0);
	CU_ASSERT_EQUAL(feed(&scan, &s, sync, sizeof(sync)), 0);
	CU_ASSERT(pq_scan_failed(&scan));
	pq_be32_set(query + 1, 1 << 20);
	pq_scan_init_frontend(&scan, 0);
	feed(&scan, &s, query, sizeof(query));
	CU_ASSERT(!pq_scan_failed(&scan));
}

CU_TestInfo protocol_scan_tests[] = {
	{"a client's stream: PostgreSQL's per-type length limits", test_scan_frontend_limits},
	{"a whole stream in one feed", test_scan_whole},
	{"every single split point gives the same messages", test_scan_every_split},
	{"every pair of split points gives the same messages", test_scan_every_pair_of_splits},
	{"one byte per feed", test_scan_byte_at_a_time},
	{"a header split across feeds", test_scan_split_header},
	{"a message longer than the buffer", test_scan_long_message},
	{"lengths below 4 and above the maximum", test_scan_bad_lengths},
	{"the callback stops before a message", test_scan_stop},
	CU_TEST_INFO_NULL
};
