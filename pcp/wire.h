/*
 * The PCP wire format, and the only code that touches its bytes: a packet is one kind byte, a
 * 4-byte big-endian length counting itself and the payload, then the payload (NUL-terminated
 * strings, numbers as decimal text). Builders for outgoing packets, a reader for payloads, and
 * framed I/O on a socket with a deadline.
 */
#ifndef PGNG_PCP_WIRE_H
#define PGNG_PCP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest payload either side accepts (pgpool's limit too). */
#define PCP_MAX_PAYLOAD (64 * 1024)
#define PCP_HEADER_SIZE 5
#define PCP_SALT_LEN 4

/* A growing output buffer holding zero or more whole packets. */
typedef struct pcp_buf
{
	uint8_t    *data;
	size_t		len;
	size_t		cap;
	size_t		msg_start;		/* where the packet being built starts */
} pcp_buf;

void		pcp_buf_init(pcp_buf *b);
void		pcp_buf_free(pcp_buf *b);
void		pcp_buf_reset(pcp_buf *b);

/* Building one packet: begin, add fields, end (which fills in the length). */
void		pcp_msg_begin(pcp_buf *b, char kind);
void		pcp_msg_add_str(pcp_buf *b, const char *s);	/* with its NUL */
void		pcp_msg_add_bytes(pcp_buf *b, const void *data, size_t len);
void		pcp_msg_add_int32(pcp_buf *b, int32_t v);	/* big-endian, raw */
void		pcp_msg_end(pcp_buf *b);

/* A whole packet: kind + NUL-terminated strings. */
void		pcp_msg_strings(pcp_buf *b, char kind, const char *const *strings, size_t n);

/*
 * An 'E' (error) or 'N' (notice) packet: S severity, C XX000, M message, D detail (skipped when
 * NULL), then the final NUL, as pgpool sends them.
 */
void		pcp_msg_error(pcp_buf *b, char kind, const char *severity, const char *message,
						  const char *detail);

/* ---- decoding ---- */

typedef enum
{
	PCP_HDR_OK,
	PCP_HDR_BAD_LENGTH			/* length < 4 or payload over max_payload */
} pcp_hdr_status;

/* Reads a 5-byte header: kind and payload length. */
pcp_hdr_status pcp_header_parse(const uint8_t *hdr, size_t max_payload, char *kind,
								size_t *payload_len);

/* A cursor over a payload. */
typedef struct pcp_reader
{
	const uint8_t *p;
	size_t		left;
} pcp_reader;

void		pcp_reader_init(pcp_reader *r, const void *payload, size_t len);
/* The next NUL-terminated string, or NULL when the payload ends without a NUL. */
const char *pcp_read_str(pcp_reader *r);
/* The next byte, or -1 at the end. */
int			pcp_read_byte(pcp_reader *r);
/* A raw big-endian int32: 0, or -1 when fewer than 4 bytes are left. */
int			pcp_read_int32(pcp_reader *r, int32_t *v);
bool		pcp_reader_at_end(const pcp_reader *r);

/* What an 'E' or 'N' packet says; pointers into the payload, "" for absent fields. */
typedef struct pcp_notice
{
	const char *severity;
	const char *message;
	const char *detail;
} pcp_notice;

/* 0, or -1 when the payload is not a well-formed field list. */
int			pcp_notice_parse(const void *payload, size_t len, pcp_notice *out);

/* ---- framed I/O (fd non-blocking or not; every wait ends at the deadline) ---- */

/* A received packet; payload is malloc'd with a NUL after its len bytes. */
typedef struct pcp_packet
{
	char		kind;
	uint8_t    *payload;
	size_t		len;
} pcp_packet;

typedef enum
{
	PCP_IO_OK = 0,
	PCP_IO_EOF = -1,			/* the peer closed before a packet began */
	PCP_IO_TRUNCATED = -2,		/* closed in the middle of a packet */
	PCP_IO_TIMEOUT = -3,
	PCP_IO_BAD_LENGTH = -4,
	PCP_IO_ERROR = -5			/* errno set */
} pcp_io_status;

pcp_io_status pcp_packet_recv_with_deadline(int fd, size_t max_payload, int64_t deadline_ms,
											pcp_packet *pkt);
void		pcp_packet_free(pcp_packet *pkt);

/* Sends every byte of b; PCP_IO_OK, PCP_IO_TIMEOUT or PCP_IO_ERROR. */
pcp_io_status pcp_buf_send_with_deadline(int fd, const pcp_buf *b, int64_t deadline_ms);

const char *pcp_io_status_text(pcp_io_status st);

#endif
