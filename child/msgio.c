/*
 * Message-at-a-time I/O with deadlines (see msgio.h).
 */
#include "child/msgio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

void
msg_buf_free(msg_buf *m)
{
	free(m->data);
	memset(m, 0, sizeof(*m));
}

int
msgio_read(net_conn *c, msg_buf *m, uint32_t max_len, int64_t deadline_ms)
{
	uint8_t		header[PQ_HEADER_SIZE];
	uint32_t	length;

	if (net_conn_recv_exact_with_deadline(c, header, sizeof(header), deadline_ms) != 0)
		return -1;
	length = pq_be32_get(header + 1);
	if (length < PQ_LENGTH_SIZE || length > max_len)
	{
		errno = EMSGSIZE;
		return -1;
	}
	m->type = header[0];
	m->len = length - PQ_LENGTH_SIZE;
	if (m->len + 1 > m->cap)
	{
		m->cap = m->len + 1;
		m->data = xrealloc(m->data, m->cap);
	}
	if (m->len > 0 && net_conn_recv_exact_with_deadline(c, m->data, m->len, deadline_ms) != 0)
		return -1;
	m->data[m->len] = '\0';		/* lets callers treat a text body as a C string safely */
	return 0;
}

int
msgio_send(net_conn *c, pq_out *out, int64_t deadline_ms)
{
	int			rc = 0;

	if (out->len > 0)
		rc = net_conn_send_all_with_deadline(c, out->data, out->len, deadline_ms);
	pq_out_reset(out);
	return rc;
}

const char *
msgio_error_text(int err)
{
	switch (err)
	{
		case ETIMEDOUT:
			return "timed out";
		case ECONNRESET:
			return "connection closed by peer";
		case EMSGSIZE:
			return "invalid message length";
		default:
			return strerror(err);
	}
}
