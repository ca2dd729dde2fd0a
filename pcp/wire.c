/*
 * PCP packets (see wire.h): encoding, decoding, and reading/writing them on a socket.
 */
#include "pcp/wire.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util.h"
#include "net/sock.h"

void
pcp_buf_init(pcp_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
pcp_buf_free(pcp_buf *b)
{
	free(b->data);
	pcp_buf_init(b);
}

void
pcp_buf_reset(pcp_buf *b)
{
	b->len = 0;
	b->msg_start = 0;
}

static void
buf_reserve(pcp_buf *b, size_t more)
{
	size_t		want = b->len + more;

	if (want <= b->cap)
		return;
	while (b->cap < want)
		b->cap = b->cap ? b->cap * 2 : 256;
	b->data = xrealloc(b->data, b->cap);
}

void
pcp_msg_add_bytes(pcp_buf *b, const void *data, size_t len)
{
	buf_reserve(b, len);
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
}

void
pcp_msg_begin(pcp_buf *b, char kind)
{
	uint8_t		hdr[PCP_HEADER_SIZE] = {(uint8_t) kind, 0, 0, 0, 0};

	b->msg_start = b->len;
	pcp_msg_add_bytes(b, hdr, sizeof(hdr));
}

void
pcp_msg_add_str(pcp_buf *b, const char *s)
{
	pcp_msg_add_bytes(b, s ? s : "", strlen(s ? s : "") + 1);
}

void
pcp_msg_add_int32(pcp_buf *b, int32_t v)
{
	uint32_t	u = (uint32_t) v;
	uint8_t		raw[4] = {(uint8_t) (u >> 24), (uint8_t) (u >> 16), (uint8_t) (u >> 8), (uint8_t) u};

	pcp_msg_add_bytes(b, raw, 4);
}

void
pcp_msg_end(pcp_buf *b)
{
	uint32_t	len = (uint32_t) (b->len - b->msg_start - 1);
	uint8_t    *p = b->data + b->msg_start + 1;

	p[0] = (uint8_t) (len >> 24);
	p[1] = (uint8_t) (len >> 16);
	p[2] = (uint8_t) (len >> 8);
	p[3] = (uint8_t) len;
}

void
pcp_msg_strings(pcp_buf *b, char kind, const char *const *strings, size_t n)
{
	pcp_msg_begin(b, kind);
	for (size_t i = 0; i < n; i++)
		pcp_msg_add_str(b, strings[i]);
	pcp_msg_end(b);
}

static void
add_field(pcp_buf *b, char code, const char *value)
{
	pcp_msg_add_bytes(b, &code, 1);
	pcp_msg_add_str(b, value);
}

void
pcp_msg_error(pcp_buf *b, char kind, const char *severity, const char *message,
			  const char *detail)
{
	pcp_msg_begin(b, kind);
	add_field(b, 'S', severity);
	add_field(b, 'C', "XX000");
	add_field(b, 'M', message);
	if (detail)
		add_field(b, 'D', detail);
	pcp_msg_add_bytes(b, "", 1);
	pcp_msg_end(b);
}

/* ---- decoding ---- */

pcp_hdr_status
pcp_header_parse(const uint8_t *hdr, size_t max_payload, char *kind, size_t *payload_len)
{
	uint32_t	len = ((uint32_t) hdr[1] << 24) | ((uint32_t) hdr[2] << 16) |
		((uint32_t) hdr[3] << 8) | (uint32_t) hdr[4];

	*kind = (char) hdr[0];
	if (len < 4 || len - 4 > max_payload)
		return PCP_HDR_BAD_LENGTH;
	*payload_len = len - 4;
	return PCP_HDR_OK;
}

void
pcp_reader_init(pcp_reader *r, const void *payload, size_t len)
{
	r->p = payload;
	r->left = len;
}

const char *
pcp_read_str(pcp_reader *r)
{
	const uint8_t *nul = r->left ? memchr(r->p, '\0', r->left) : NULL;
	const char *s = (const char *) r->p;

	if (!nul)
		return NULL;
	r->left -= (size_t) (nul - r->p) + 1;
	r->p = nul + 1;
	return s;
}

int
pcp_read_byte(pcp_reader *r)
{
	if (r->left == 0)
		return -1;
	r->left--;
	return *r->p++;
}

int
pcp_read_int32(pcp_reader *r, int32_t *v)
{
	if (r->left < 4)
		return -1;
	*v = (int32_t) (((uint32_t) r->p[0] << 24) | ((uint32_t) r->p[1] << 16) |
					((uint32_t) r->p[2] << 8) | (uint32_t) r->p[3]);
	r->p += 4;
	r->left -= 4;
	return 0;
}

bool
pcp_reader_at_end(const pcp_reader *r)
{
	return r->left == 0;
}

int
pcp_notice_parse(const void *payload, size_t len, pcp_notice *out)
{
	pcp_reader	r;
	int			code;

	out->severity = out->message = out->detail = "";
	pcp_reader_init(&r, payload, len);
	while ((code = pcp_read_byte(&r)) > 0)
	{
		const char *value = pcp_read_str(&r);

		if (!value)
			return -1;
		if (code == 'S')
			out->severity = value;
		else if (code == 'M')
			out->message = value;
		else if (code == 'D')
			out->detail = value;
	}
	return code == 0 ? 0 : -1;
}

/* ---- framed I/O ---- */

/* Reads exactly len bytes; *got tells how many arrived when it fails. */
static pcp_io_status
recv_exact(int fd, uint8_t *buf, size_t len, int64_t deadline_ms, size_t *got)
{
	*got = 0;
	while (*got < len)
	{
		ssize_t		n = recv(fd, buf + *got, len - *got, MSG_DONTWAIT);

		if (n > 0)
		{
			*got += (size_t) n;
			continue;
		}
		if (n == 0)
			return PCP_IO_EOF;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return PCP_IO_ERROR;
		n = net_wait_with_deadline(fd, POLLIN, deadline_ms);
		if (n == 0)
			return PCP_IO_TIMEOUT;
		if (n < 0)
			return PCP_IO_ERROR;
	}
	return PCP_IO_OK;
}

pcp_io_status
pcp_packet_recv_with_deadline(int fd, size_t max_payload, int64_t deadline_ms, pcp_packet *pkt)
{
	uint8_t		hdr[PCP_HEADER_SIZE];
	size_t		got;
	pcp_io_status st;

	memset(pkt, 0, sizeof(*pkt));
	st = recv_exact(fd, hdr, sizeof(hdr), deadline_ms, &got);
	if (st == PCP_IO_EOF && got > 0)
		return PCP_IO_TRUNCATED;
	if (st != PCP_IO_OK)
		return st;
	if (pcp_header_parse(hdr, max_payload, &pkt->kind, &pkt->len) != PCP_HDR_OK)
		return PCP_IO_BAD_LENGTH;
	pkt->payload = xmalloc(pkt->len + 1);
	pkt->payload[pkt->len] = '\0';
	st = recv_exact(fd, pkt->payload, pkt->len, deadline_ms, &got);
	if (st != PCP_IO_OK)
	{
		pcp_packet_free(pkt);
		return st == PCP_IO_EOF ? PCP_IO_TRUNCATED : st;
	}
	return PCP_IO_OK;
}

void
pcp_packet_free(pcp_packet *pkt)
{
	free(pkt->payload);
	pkt->payload = NULL;
	pkt->len = 0;
}

pcp_io_status
pcp_buf_send_with_deadline(int fd, const pcp_buf *b, int64_t deadline_ms)
{
	size_t		sent = 0;

	while (sent < b->len)
	{
		ssize_t		n = send(fd, b->data + sent, b->len - sent, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0)
		{
			sent += (size_t) n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return PCP_IO_ERROR;
		n = net_wait_with_deadline(fd, POLLOUT, deadline_ms);
		if (n == 0)
			return PCP_IO_TIMEOUT;
		if (n < 0)
			return PCP_IO_ERROR;
	}
	return PCP_IO_OK;
}

const char *
pcp_io_status_text(pcp_io_status st)
{
	switch (st)
	{
		case PCP_IO_OK: return "ok";
		case PCP_IO_EOF: return "connection closed";
		case PCP_IO_TRUNCATED: return "connection closed in the middle of a packet";
		case PCP_IO_TIMEOUT: return "timed out";
		case PCP_IO_BAD_LENGTH: return "invalid packet length";
		case PCP_IO_ERROR: return strerror(errno);
	}
	return "unknown";
}
