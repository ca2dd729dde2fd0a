/*
 * Whole-message reads and writes with deadlines, for the exchanges where the child must look at
 * every message (start-up, authentication, session reset). The relay loop does not use these.
 */
#ifndef PGNG_CHILD_MSGIO_H
#define PGNG_CHILD_MSGIO_H

#include <stdint.h>

#include "net/conn.h"
#include "protocol/pqbuf.h"

typedef struct msg_buf
{
	uint8_t    *data;			/* the body */
	size_t		cap;
	uint8_t		type;
	size_t		len;			/* body length */
} msg_buf;

void		msg_buf_free(msg_buf *m);

/*
 * Reads one typed message (type byte, length, body) by the deadline. Returns 0, or -1 with errno:
 * ETIMEDOUT, ECONNRESET (peer closed), EMSGSIZE (length below 4 or above max_len), or an I/O error.
 */
int			msgio_read(net_conn *c, msg_buf *m, uint32_t max_len, int64_t deadline_ms);

/* Sends every queued byte of out by the deadline and empties it; 0 or -1 (errno). */
int			msgio_send(net_conn *c, pq_out *out, int64_t deadline_ms);

/* Text for a msgio error, for log lines. */
const char *msgio_error_text(int err);

#endif
