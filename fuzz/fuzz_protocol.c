/*
 * libFuzzer target for protocol/: the startup decoder, the backend message decoders and the message
 * walker. Besides crashes it checks properties: whatever decodes re-encodes to the same bytes, the
 * walker finds the same messages however the input is cut into reads or stopped and resumed, and
 * messages built from input strings decode back to those strings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/message.h"
#include "protocol/scan.h"
#include "protocol/startup.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

static bool
out_equals(const pq_out *out, const uint8_t *bytes, size_t len)
{
	return out->len == len && (len == 0 || memcmp(out->data, bytes, len) == 0);
}

/* The body of the single message in out must be the given bytes. */
static bool
body_equals(const pq_out *out, const uint8_t *body, size_t len)
{
	return out->len == len + PQ_HEADER_SIZE && memcmp(out->data + PQ_HEADER_SIZE, body, len) == 0;
}

static void
check_startup(const uint8_t *packet, size_t len)
{
	pq_startup	st;
	pq_out		out;

	if (pq_parse_startup(packet, len, &st) != PQ_STARTUP_OK)
		return;
	pq_out_init(&out);
	if (st.kind == PQ_STARTUP_MESSAGE)
	{
		CHECK(st.user != NULL && st.database != NULL);
		CHECK(pq_put_startup(&out, st.params, st.nparams));
		if (st.minor == 0)
			CHECK(out_equals(&out, packet, len));
		else
			CHECK(out.len == len && memcmp(out.data + 8, packet + 8, len - 8) == 0);
	}
	else if (st.kind == PQ_STARTUP_CANCEL_REQUEST)
	{
		pq_put_cancel_request(&out, st.cancel_pid, st.cancel_key);
		CHECK(out_equals(&out, packet, len));
	}
	else if (st.kind == PQ_STARTUP_SSL_REQUEST)
	{
		pq_put_ssl_request(&out);
		CHECK(out_equals(&out, packet, len));
	}
	pq_out_free(&out);
	pq_startup_free(&st);
}

/* The input as is, and again behind a length field that matches it. */
static void
fuzz_startup(const uint8_t *data, size_t size)
{
	uint8_t    *packet;

	check_startup(data, size);
	if (size > PQ_STARTUP_MAX_LENGTH)
		return;
	packet = malloc(size + 4);
	pq_be32_set(packet, (uint32_t) size + 4);
	if (size > 0)
		memcpy(packet + 4, data, size);
	check_startup(packet, size + 4);
	free(packet);
}

static void
fuzz_error(const uint8_t *body, size_t len)
{
	pq_error	err;
	pq_in		in;
	pq_out		out;
	char		code;
	const char *value;

	if (!pq_parse_error(body, len, &err))
		return;
	pq_error_is_fatal(&err);
	pq_out_init(&out);
	pq_in_init(&in, body, len);
	while (pq_next_error_field(&in, &code, &value) == 1)
	{
		pq_out_int8(&out, (uint8_t) code);
		pq_out_string(&out, value);
	}
	pq_out_int8(&out, 0);
	CHECK(out_equals(&out, body, len));
	pq_out_free(&out);
}

static void
fuzz_auth(const uint8_t *body, size_t len)
{
	pq_auth_request req;
	const char *names[PQ_STARTUP_MAX_LENGTH];
	size_t		n = 0;
	size_t		pos = 0;
	pq_out		out;

	if (!pq_parse_auth_request(body, len, &req) || req.type != PQ_AUTH_SASL)
		return;
	while (n < PQ_STARTUP_MAX_LENGTH && (names[n] = pq_next_sasl_mechanism(&req, &pos)) != NULL)
		n++;
	pq_sasl_mechanism_offered(&req, "SCRAM-SHA-256");
	pq_out_init(&out);
	pq_put_auth_sasl(&out, names, n);
	CHECK(n == PQ_STARTUP_MAX_LENGTH || body_equals(&out, body, len));
	pq_out_free(&out);
}

static void
fuzz_session(const uint8_t *body, size_t len)
{
	pq_param	param;
	int32_t		pid;
	int32_t		key;
	char		status;
	const char *tag;
	pq_out		out;

	pq_out_init(&out);
	if (pq_parse_parameter_status(body, len, &param))
	{
		pq_put_parameter_status(&out, param.name, param.value);
		CHECK(body_equals(&out, body, len));
		pq_out_reset(&out);
	}
	if (pq_parse_backend_key_data(body, len, &pid, &key))
	{
		pq_put_backend_key_data(&out, pid, key);
		CHECK(body_equals(&out, body, len));
		pq_out_reset(&out);
	}
	if (pq_parse_ready_for_query(body, len, &status))
		CHECK(len == 1 && status == (char) body[0]);
	if (pq_parse_command_complete(body, len, &tag))
	{
		pq_put_command_complete(&out, tag);
		CHECK(body_equals(&out, body, len));
	}
	pq_out_free(&out);
}

#define MAX_TOKENS 8

/* Cuts a NUL-terminated copy of the input at its NULs into at most MAX_TOKENS strings. */
static size_t
split_tokens(char *copy, size_t size, const char **tokens)
{
	size_t		n = 0;
	size_t		pos = 0;

	while (n < MAX_TOKENS && pos <= size)
	{
		tokens[n++] = copy + pos;
		pos += strlen(copy + pos) + 1;
	}
	return n;
}

/* Checks one message built from the tokens against what the decoders read back. */
static int
check_built(void *arg, const pq_scan_msg *m)
{
	const char **tokens = arg;
	pq_error	err;
	pq_param	param;
	const char *tag;

	CHECK(pq_scan_msg_complete(m));
	if (m->type == PQ_MSG_ERROR_RESPONSE)
	{
		CHECK(pq_parse_error(m->body, m->body_avail, &err));
		CHECK(strcmp(err.severity, tokens[1]) == 0 && strcmp(err.message, tokens[2]) == 0);
	}
	else if (m->type == PQ_MSG_PARAMETER_STATUS)
	{
		CHECK(pq_parse_parameter_status(m->body, m->body_avail, &param));
		CHECK(strcmp(param.name, tokens[0]) == 0 && strcmp(param.value, tokens[1]) == 0);
	}
	else if (m->type == PQ_MSG_COMMAND_COMPLETE)
	{
		CHECK(pq_parse_command_complete(m->body, m->body_avail, &tag));
		CHECK(strcmp(tag, tokens[0]) == 0);
	}
	return PQ_SCAN_CONTINUE;
}

/* Builds messages from input strings; the walker and the decoders must read them back. */
static void
fuzz_builders(const uint8_t *data, size_t size)
{
	char	   *copy = malloc(size + 1);
	const char *tokens[MAX_TOKENS];
	size_t		n;
	pq_out		out;
	pq_scan		scan;
	pq_error_fields f = {0};

	memcpy(copy, data, size);
	copy[size] = '\0';
	n = split_tokens(copy, size, tokens);
	while (n < 3)
		tokens[n++] = "";
	f.severity = tokens[1];
	f.message = tokens[2];
	f.detail = tokens[0];
	pq_out_init(&out);
	pq_put_error_response(&out, &f);
	pq_put_parameter_status(&out, tokens[0], tokens[1]);
	pq_put_command_complete(&out, tokens[0]);
	pq_put_row_description_text(&out, tokens, n);
	pq_put_data_row(&out, tokens, n);
	pq_put_ready_for_query(&out, PQ_TX_IDLE);
	pq_scan_init(&scan, 0);
	CHECK(pq_scan_feed(&scan, out.data, out.len, check_built, tokens) == out.len);
	CHECK(pq_scan_at_boundary(&scan));
	pq_out_free(&out);
	free(copy);
}

#define MAX_SEEN 4096

/* The messages one way of feeding the input produced, with absolute starts. */
typedef struct walk
{
	size_t		base;
	size_t		count;
	uint32_t	length[MAX_SEEN];
	size_t		start[MAX_SEEN];
	uint8_t		type[MAX_SEEN];
	const uint8_t *feed_end;
	uint32_t	rng;			/* 0: never stop; else stop at messages the generator picks */
	size_t		stopped_at;		/* each message is stopped at most once */
} walk;

static uint32_t
next_random(uint32_t *state)
{
	uint32_t	x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x ? x : 0x9e3779b9U;
	return *state;
}

static int
note_message(void *arg, const pq_scan_msg *m)
{
	walk	   *w = arg;
	size_t		abs_start = w->base + m->start - m->header_held;

	CHECK(m->length >= PQ_LENGTH_SIZE);
	CHECK(m->body + m->body_avail <= w->feed_end);
	CHECK(m->header_held == 0 || m->start == 0);
	if (w->rng != 0 && (next_random(&w->rng) & 3) == 0 && abs_start + 1 > w->stopped_at)
	{
		w->stopped_at = abs_start + 1;
		return PQ_SCAN_STOP;
	}
	if (w->count < MAX_SEEN)
	{
		w->type[w->count] = m->type;
		w->length[w->count] = m->length;
		w->start[w->count] = abs_start;
	}
	w->count++;
	return PQ_SCAN_CONTINUE;
}

/* Feeds data[0..len) in one chunk, resuming after each stop; returns the bytes consumed. */
static size_t
feed_chunk(pq_scan *s, walk *w, const uint8_t *data, size_t len)
{
	size_t		done = 0;

	w->feed_end = data + len;
	while (done < len && !pq_scan_failed(s))
	{
		size_t		used = pq_scan_feed(s, data + done, len - done, note_message, w);

		done += used;
		w->base += used;
	}
	return done;
}

static bool
same_walk(const walk *a, const walk *b)
{
	size_t		n = a->count < MAX_SEEN ? a->count : MAX_SEEN;

	return a->count == b->count && memcmp(a->type, b->type, n) == 0 &&
		memcmp(a->length, b->length, n * sizeof(a->length[0])) == 0 &&
		memcmp(a->start, b->start, n * sizeof(a->start[0])) == 0;
}

static void
fuzz_scan(const uint8_t *data, size_t size, uint32_t seed)
{
	static walk whole;
	static walk cut;
	uint32_t	max_length = (seed & 1) ? (seed >> 24) : 0;
	uint32_t	rng = seed | 1;
	pq_scan		s1;
	pq_scan		s2;
	size_t		pos = 0;

	memset(&whole, 0, sizeof(whole));
	memset(&cut, 0, sizeof(cut));
	pq_scan_init(&s1, max_length);
	feed_chunk(&s1, &whole, data, size);

	pq_scan_init(&s2, max_length);
	cut.rng = (seed & 2) ? rng : 0;
	while (pos < size && !pq_scan_failed(&s2))
	{
		size_t		n = 1 + next_random(&rng) % (size - pos < 16 ? size - pos : 16);

		if (next_random(&rng) & 1)
			n = size - pos < 64 ? size - pos : 1 + next_random(&rng) % (size - pos);
		pos += feed_chunk(&s2, &cut, data + pos, n);
	}
	CHECK(same_walk(&whole, &cut));
	CHECK(pq_scan_failed(&s1) == pq_scan_failed(&s2));
	CHECK(whole.base == cut.base - (pq_scan_failed(&s2) ? s2.header_have : 0));
	if (!pq_scan_failed(&s1))
	{
		CHECK(pq_scan_at_boundary(&s1) == pq_scan_at_boundary(&s2));
		CHECK(pq_scan_missing(&s1) == pq_scan_missing(&s2));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t	seed;

	if (size < 4)
		return 0;
	seed = pq_be32_get(data);
	data += 4;
	size -= 4;
	fuzz_startup(data, size);
	fuzz_error(data, size);
	fuzz_auth(data, size);
	fuzz_session(data, size);
	fuzz_builders(data, size);
	fuzz_scan(data, size, seed);
	return 0;
}
