/*
 * The first packet a client sends (length-prefixed, no type byte): a v3 StartupMessage, an
 * SSLRequest, a GSSENCRequest or a CancelRequest. Decoding checks its layout and limits only;
 * authentication and the choice of answer stay with the caller.
 */
#ifndef PGNG_PROTOCOL_STARTUP_H
#define PGNG_PROTOCOL_STARTUP_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/message.h"

/* The int32 after the length: a protocol version (major << 16 | minor) or a request code. */
#define PQ_PROTOCOL_3_0				0x00030000U
#define PQ_CANCEL_REQUEST_CODE		80877102U	/* 1234.5678 */
#define PQ_SSL_REQUEST_CODE			80877103U	/* 1234.5679 */
#define PQ_GSSENC_REQUEST_CODE		80877104U	/* 1234.5680 */

/* Accepted length of the whole packet, length field included (PostgreSQL's own bounds). */
#define PQ_STARTUP_MIN_LENGTH		8
#define PQ_STARTUP_MAX_LENGTH		10000

typedef enum pq_startup_kind
{
	PQ_STARTUP_MESSAGE,			/* protocol 3.x with parameters */
	PQ_STARTUP_SSL_REQUEST,
	PQ_STARTUP_GSSENC_REQUEST,
	PQ_STARTUP_CANCEL_REQUEST
} pq_startup_kind;

typedef enum pq_startup_status
{
	PQ_STARTUP_OK = 0,
	PQ_STARTUP_BAD_LENGTH,		/* length field outside 8..10000 or not the packet's size */
	PQ_STARTUP_UNSUPPORTED_PROTOCOL,	/* 2.0 or an unknown version: major/minor say which */
	PQ_STARTUP_MALFORMED,		/* a request of the wrong size, or a broken parameter list */
	PQ_STARTUP_NO_USER			/* a StartupMessage without the user parameter */
} pq_startup_status;

/*
 * A decoded startup packet. Strings point into the packet, which must outlive this struct; params
 * is the only allocation (free it with pq_startup_free).
 */
typedef struct pq_startup
{
	pq_startup_kind kind;
	uint16_t	major;			/* StartupMessage, and the unsupported version */
	uint16_t	minor;
	pq_param   *params;			/* every parameter, in the client's order */
	size_t		nparams;
	const char *user;
	const char *database;		/* the user name when the client sent none, as PostgreSQL does */
	const char *application_name;	/* NULL when absent */
	const char *options;
	const char *replication;
	int32_t		cancel_pid;		/* CancelRequest */
	int32_t		cancel_key;
} pq_startup;

/*
 * Checks the 4-byte length prefix before the rest is read: returns PQ_STARTUP_OK and the whole
 * packet's length in *total, or PQ_STARTUP_BAD_LENGTH.
 */
pq_startup_status pq_startup_length(const uint8_t prefix[4], size_t *total);

/* Decodes a whole packet (length field included); on failure *st holds nothing to free. */
pq_startup_status pq_parse_startup(const uint8_t *packet, size_t len, pq_startup *st);
void		pq_startup_free(pq_startup *st);

/* A value from the parameter list, or NULL. */
const char *pq_startup_param(const pq_startup *st, const char *name);

/* A short English description of a status, for logs and error messages. */
const char *pq_startup_status_text(pq_startup_status status);

#endif
