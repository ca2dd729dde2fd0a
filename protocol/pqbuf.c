/*
 * The output buffer and the body cursor (see pqbuf.h). Every integer on the wire is big-endian;
 * this file and pqbuf.h are the only places that shift bytes.
 */
#include "protocol/pqbuf.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define PQ_OUT_MIN_CAP 256

void
pq_out_init(pq_out *out)
{
	out->data = NULL;
	out->len = 0;
	out->cap = 0;
	out->open_at = PQ_OUT_CLOSED;
	out->open_typed = false;
}

void
pq_out_free(pq_out *out)
{
	free(out->data);
	pq_out_init(out);
}

void
pq_out_reset(pq_out *out)
{
	out->len = 0;
	out->open_at = PQ_OUT_CLOSED;
}

void
pq_out_consume(pq_out *out, size_t n)
{
	assert(n <= out->len);
	assert(out->open_at == PQ_OUT_CLOSED || n <= out->open_at);
	if (n == 0)
		return;
	memmove(out->data, out->data + n, out->len - n);
	out->len -= n;
	if (out->open_at != PQ_OUT_CLOSED)
		out->open_at -= n;
}

/* Makes room for n more bytes and returns where they go. */
static uint8_t *
pq_out_reserve(pq_out *out, size_t n)
{
	uint8_t    *at;

	if (n > SIZE_MAX / 2 - out->len)
		abort();
	if (out->len + n > out->cap)
	{
		size_t		cap = out->cap ? out->cap : PQ_OUT_MIN_CAP;

		while (cap < out->len + n)
			cap *= 2;
		out->data = xrealloc(out->data, cap);
		out->cap = cap;
	}
	at = out->data + out->len;
	out->len += n;
	return at;
}

void
pq_out_begin(pq_out *out, uint8_t type)
{
	assert(out->open_at == PQ_OUT_CLOSED);
	out->open_at = out->len;
	out->open_typed = type != 0;
	if (type != 0)
		pq_out_int8(out, type);
	pq_out_int32(out, 0);
}

void
pq_out_int8(pq_out *out, uint8_t v)
{
	*pq_out_reserve(out, 1) = v;
}

void
pq_out_int16(pq_out *out, int16_t v)
{
	uint8_t    *p = pq_out_reserve(out, 2);
	uint16_t	u = (uint16_t) v;

	p[0] = (uint8_t) (u >> 8);
	p[1] = (uint8_t) u;
}

void
pq_out_int32(pq_out *out, int32_t v)
{
	pq_be32_set(pq_out_reserve(out, 4), (uint32_t) v);
}

void
pq_out_bytes(pq_out *out, const void *p, size_t n)
{
	if (n > 0)
		memcpy(pq_out_reserve(out, n), p, n);
}

void
pq_out_string(pq_out *out, const char *s)
{
	pq_out_bytes(out, s, strlen(s) + 1);
}

bool
pq_out_end(pq_out *out)
{
	size_t		length_at;
	size_t		length;

	assert(out->open_at != PQ_OUT_CLOSED);
	length_at = out->open_at + (out->open_typed ? 1 : 0);
	length = out->len - length_at;
	if (length > PQ_MAX_LENGTH_FIELD)
	{
		out->len = out->open_at;
		out->open_at = PQ_OUT_CLOSED;
		return false;
	}
	pq_be32_set(out->data + length_at, (uint32_t) length);
	out->open_at = PQ_OUT_CLOSED;
	return true;
}

void
pq_in_init(pq_in *in, const uint8_t *body, size_t len)
{
	in->data = body;
	in->len = body ? len : 0;
	in->pos = 0;
	in->failed = false;
}

/* Claims the next n bytes, or fails the cursor when fewer remain. */
static const uint8_t *
pq_in_take(pq_in *in, size_t n)
{
	const uint8_t *p;

	if (in->failed || n > in->len - in->pos)
	{
		in->failed = true;
		return NULL;
	}
	if (n == 0)
		return in->data ? in->data + in->pos : (const uint8_t *) "";
	p = in->data + in->pos;
	in->pos += n;
	return p;
}

bool
pq_in_int8(pq_in *in, uint8_t *v)
{
	const uint8_t *p = pq_in_take(in, 1);

	*v = p ? p[0] : 0;
	return p != NULL;
}

bool
pq_in_int16(pq_in *in, int16_t *v)
{
	const uint8_t *p = pq_in_take(in, 2);

	*v = p ? (int16_t) (((uint16_t) p[0] << 8) | p[1]) : 0;
	return p != NULL;
}

bool
pq_in_int32(pq_in *in, int32_t *v)
{
	const uint8_t *p = pq_in_take(in, 4);

	*v = p ? (int32_t) pq_be32_get(p) : 0;
	return p != NULL;
}

bool
pq_in_bytes(pq_in *in, size_t n, const uint8_t **p)
{
	*p = pq_in_take(in, n);
	return *p != NULL;
}

bool
pq_in_string(pq_in *in, const char **s)
{
	const uint8_t *start = NULL;
	const uint8_t *nul = NULL;

	*s = NULL;
	if (!in->failed && in->pos < in->len)
	{
		start = in->data + in->pos;
		nul = memchr(start, '\0', in->len - in->pos);
	}
	if (nul == NULL)
	{
		in->failed = true;
		return false;
	}
	*s = (const char *) start;
	in->pos += (size_t) (nul - start) + 1;
	return true;
}

size_t
pq_in_remaining(const pq_in *in)
{
	return in->failed ? 0 : in->len - in->pos;
}

bool
pq_in_done(const pq_in *in)
{
	return !in->failed && in->pos == in->len;
}
