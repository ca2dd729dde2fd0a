/*
 * The relay's message walker: finds message boundaries in a stream of typed messages (type byte +
 * int32 length) fed in arbitrary chunks, without copying or allocating. It carries across feeds
 * the bytes still owed by the current message and up to four bytes of a split header.
 */
#ifndef PGNG_PROTOCOL_SCAN_H
#define PGNG_PROTOCOL_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/pqbuf.h"

/* PostgreSQL allocates no message above 1 GB, so a larger length means a broken stream. */
#define PQ_SCAN_DEFAULT_MAX_LENGTH 0x40000000U

/* What the walker knows about a message once its header is complete. */
typedef struct pq_scan_msg
{
	uint8_t		type;
	uint32_t	length;			/* the length field: 4 + body size */
	size_t		start;			/* offset in this feed's data of the message's first byte here */
	uint8_t		header_held;	/* header bytes that came in earlier feeds (start is then 0) */
	const uint8_t *body;		/* the body's first byte in this feed's data */
	size_t		body_avail;		/* body bytes present in this feed's data */
} pq_scan_msg;

static inline bool
pq_scan_msg_complete(const pq_scan_msg *m)
{
	return m->body_avail == (size_t) m->length - PQ_LENGTH_SIZE;
}

/* The callback's answer: go on, or stop before this message (see pq_scan_feed). */
#define PQ_SCAN_CONTINUE 0
#define PQ_SCAN_STOP 1

typedef int (*pq_scan_cb) (void *arg, const pq_scan_msg *msg);

typedef struct pq_scan
{
	uint32_t	max_length;		/* largest length field accepted */
	size_t		remaining;		/* body bytes of the current message not yet fed */
	uint8_t		header[PQ_HEADER_SIZE]; /* a header split across feeds */
	uint8_t		header_have;
	bool		failed;			/* sticky: the stream is not the protocol */
	size_t		tail_start;		/* offset in the last data of the unfinished message's bytes */
	uint8_t		bad_type;		/* the offending header, when failed */
	uint32_t	bad_length;
	bool		frontend;		/* a client's stream: PostgreSQL's per-type length limits apply */
} pq_scan;

/*
 * PostgreSQL's limit on the length field of a frontend message of this type after start-up: small
 * for the control messages (Sync, Execute, Describe...), large for those that carry data (Query,
 * Parse, Bind, FunctionCall, CopyData). A longer one makes the server close the session without a
 * word ("invalid message length"), so it is refused before it reaches a server.
 */
#define PQ_FRONTEND_SMALL_LIMIT 10000U
uint32_t	pq_frontend_max_length(uint8_t type);

/*
 * Whether type is a frontend message PostgreSQL knows after start-up; the server ends the session
 * at any other (FATAL), so such a message is refused before it reaches a server.
 */
bool		pq_frontend_type_known(uint8_t type);

/* max_length 0 means PQ_SCAN_DEFAULT_MAX_LENGTH; the smallest accepted maximum is 4. */
void		pq_scan_init(pq_scan *s, uint32_t max_length);

/* pq_scan_init, and the stream is a client's (pq_frontend_max_length applies per message). */
void		pq_scan_init_frontend(pq_scan *s, uint32_t max_length);

/*
 * Walks data[0..len) and calls cb (may be NULL) once per message, when its header is complete.
 * Returns the number of bytes consumed, which is len unless:
 *  - cb returned PQ_SCAN_STOP: the walker is put back to just before that message's bytes in data
 *    and the return value is msg->start, so feeding data + that offset later resumes with it;
 *  - a length field is below 4 or above max_length: pq_scan_failed() becomes true and the return
 *    value is where the bad message's bytes begin here (the bytes before it are good messages;
 *    header_have says how many of its bytes came in earlier feeds).
 */
size_t		pq_scan_feed(pq_scan *s, const uint8_t *data, size_t len, pq_scan_cb cb, void *arg);

static inline bool
pq_scan_failed(const pq_scan *s)
{
	return s->failed;
}

/* True between messages: nothing of an unfinished message has been fed. */
static inline bool
pq_scan_at_boundary(const pq_scan *s)
{
	return s->remaining == 0 && s->header_have == 0;
}

/*
 * Bytes the unfinished message still needs: its body's rest, or for a split header the header
 * bytes still missing (the body's size is not known yet).
 */
static inline size_t
pq_scan_missing(const pq_scan *s)
{
	return s->header_have > 0 ? (size_t) (PQ_HEADER_SIZE - s->header_have) : s->remaining;
}

#endif
