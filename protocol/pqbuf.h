/*
 * Byte-level primitives of the PostgreSQL v3 wire format: a growable output buffer that queues whole
 * messages back to back (so several leave in one write), and a bounds-checked cursor over one body.
 */
#ifndef PGNG_PROTOCOL_PQBUF_H
#define PGNG_PROTOCOL_PQBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The length field counts itself, so no message is shorter than this. */
#define PQ_LENGTH_SIZE 4
/* Type byte + length field. */
#define PQ_HEADER_SIZE 5
/* The largest length field the protocol can carry. */
#define PQ_MAX_LENGTH_FIELD 0x7fffffffU

/*
 * Queued outgoing bytes. data[0..len) holds complete messages (plus the open one between begin and
 * end). The storage grows on demand and is kept across pq_out_reset(), so a long-lived buffer
 * stops allocating once it has seen its largest batch.
 */
typedef struct pq_out
{
	uint8_t    *data;
	size_t		len;
	size_t		cap;
	size_t		open_at;		/* offset of the open message's first byte, or PQ_OUT_CLOSED */
	bool		open_typed;		/* the open message starts with a type byte */
} pq_out;

#define PQ_OUT_CLOSED SIZE_MAX

void		pq_out_init(pq_out *out);
void		pq_out_free(pq_out *out);
/* Forgets the queued bytes and keeps the storage. */
void		pq_out_reset(pq_out *out);
/* Drops the first n queued bytes (after a partial write) and keeps the rest in order. */
void		pq_out_consume(pq_out *out, size_t n);

/* Opens a message; type 0 opens an untyped one (StartupMessage, SSLRequest, CancelRequest). */
void		pq_out_begin(pq_out *out, uint8_t type);
void		pq_out_int8(pq_out *out, uint8_t v);
void		pq_out_int16(pq_out *out, int16_t v);
void		pq_out_int32(pq_out *out, int32_t v);
void		pq_out_bytes(pq_out *out, const void *p, size_t n);
/* Writes s and its terminating NUL. */
void		pq_out_string(pq_out *out, const char *s);
/*
 * Closes the open message by writing its length. Returns false, and removes the message, when it
 * would exceed the largest length the protocol can carry.
 */
bool		pq_out_end(pq_out *out);

/*
 * A read cursor over one message body (the bytes after the length field). Getters never read past
 * the end: a getter that cannot be satisfied returns false, zeroes its result and makes every later
 * getter fail too, so a decoder may check once at the end.
 */
typedef struct pq_in
{
	const uint8_t *data;
	size_t		len;
	size_t		pos;
	bool		failed;
} pq_in;

void		pq_in_init(pq_in *in, const uint8_t *body, size_t len);
bool		pq_in_int8(pq_in *in, uint8_t *v);
bool		pq_in_int16(pq_in *in, int16_t *v);
bool		pq_in_int32(pq_in *in, int32_t *v);
/* Points *p at the next n bytes in place. */
bool		pq_in_bytes(pq_in *in, size_t n, const uint8_t **p);
/* Points *s at the next NUL-terminated string in place; a string without its NUL fails. */
bool		pq_in_string(pq_in *in, const char **s);
size_t		pq_in_remaining(const pq_in *in);
/* True when the cursor has not failed and every byte was read. */
bool		pq_in_done(const pq_in *in);

/* Big-endian helpers for code that looks at headers in place. */
static inline uint32_t
pq_be32_get(const uint8_t *p)
{
	return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

static inline void
pq_be32_set(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) (v >> 24);
	p[1] = (uint8_t) (v >> 16);
	p[2] = (uint8_t) (v >> 8);
	p[3] = (uint8_t) v;
}

#endif
