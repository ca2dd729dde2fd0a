/*
 * Encoding and decoding of watchdog messages (see wire.h). Layout, big-endian:
 *   "PGWD" version:u8 type:u8 length:u16 | node_id:i32 boot_id:u64 seq:u64 priority:i32 state:i32
 *   vote_for:i32 vote_lease_ms:u32 leader_id:i32 start_time:i64 pgpool_port:u16 wd_port:u16 |
 *   node_name:(u8 len, bytes) host_name:(u8 len, bytes) down_votes:(u8 len <= 16, bytes)
 *   command:u8 command_id:u32 command_time:i64 |
 *   backend_count:u8 backend_primary:i32 backend_up:(u8 len <= 16, bytes) |
 *   request:u8 request_node:i32 request_flags:u32 request_id:u32 request_time:i64 request_to:i32 |
 *   HMAC-SHA256 of everything before it.
 */
#include "watchdog/wire.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define WD_MAGIC "PGWD"
#define WD_FIXED_SIZE 60		/* magic through wd_port */
#define WD_LENGTH_OFFSET 6
#define WD_COMMAND_SIZE 13
#define WD_BACKENDS_FIXED 5		/* backend_count, backend_primary */
#define WD_REQUEST_SIZE 25
#define WD_MIN_SIZE (WD_FIXED_SIZE + 3 + WD_COMMAND_SIZE + WD_BACKENDS_FIXED + 1 + WD_REQUEST_SIZE + \
					 WD_WIRE_HMAC_SIZE)
#define WD_MAX_COMMAND 10
#define WD_MAX_NODE_ID 1023		/* far above CFG_MAX_WD_NODES; rejects garbage early */
#define WD_MAX_STATE 20
#define WD_MAX_REQUEST 3		/* shm_failover_kind's last */

typedef struct put_buf
{
	uint8_t    *p;
	size_t		len;
	size_t		cap;
} put_buf;

static void
put_bytes(put_buf *b, const void *src, size_t n)
{
	if (b->len + n <= b->cap)
		memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void
put_u(put_buf *b, uint64_t v, int bytes)
{
	uint8_t		tmp[8];

	for (int i = 0; i < bytes; i++)
		tmp[i] = (uint8_t) (v >> (8 * (bytes - 1 - i)));
	put_bytes(b, tmp, (size_t) bytes);
}

static void
put_name(put_buf *b, const char *s)
{
	size_t		n = strnlen(s, WD_WIRE_NAME_MAX + 1);

	if (n > WD_WIRE_NAME_MAX)
		n = WD_WIRE_NAME_MAX;
	put_u(b, n, 1);
	put_bytes(b, s, n);
}

static uint64_t
get_u(const uint8_t *p, int bytes)
{
	uint64_t	v = 0;

	for (int i = 0; i < bytes; i++)
		v = (v << 8) | p[i];
	return v;
}

static int
sign(const char *key, size_t key_len, const uint8_t *data, size_t len, uint8_t *mac)
{
	unsigned int mac_len = 0;
	static const char empty[1] = "";

	if (HMAC(EVP_sha256(), key_len ? key : empty, (int) key_len, data, len, mac, &mac_len) == NULL ||
		mac_len != WD_WIRE_HMAC_SIZE)
		return -1;
	return 0;
}

int
wd_wire_encode(const wd_msg *msg, const char *key, size_t key_len, uint8_t *buf, size_t buf_size)
{
	put_buf		b = {buf, 0, buf_size};

	if (msg->type < WD_MSG_HEARTBEAT || msg->type > WD_MSG_INFO)
		return -WD_WIRE_BAD_TYPE;
	put_bytes(&b, WD_MAGIC, 4);
	put_u(&b, WD_WIRE_VERSION, 1);
	put_u(&b, msg->type, 1);
	put_u(&b, 0, 2);			/* length, filled in below */
	put_u(&b, (uint32_t) msg->node_id, 4);
	put_u(&b, msg->boot_id, 8);
	put_u(&b, msg->seq, 8);
	put_u(&b, (uint32_t) msg->priority, 4);
	put_u(&b, (uint32_t) msg->state, 4);
	put_u(&b, (uint32_t) msg->vote_for, 4);
	put_u(&b, msg->vote_lease_ms, 4);
	put_u(&b, (uint32_t) msg->leader_id, 4);
	put_u(&b, (uint64_t) msg->start_time, 8);
	put_u(&b, msg->pgpool_port, 2);
	put_u(&b, msg->wd_port, 2);
	put_name(&b, msg->node_name);
	put_name(&b, msg->host_name);
	put_u(&b, WD_WIRE_VOTE_BYTES, 1);
	put_bytes(&b, msg->down_votes, WD_WIRE_VOTE_BYTES);
	put_u(&b, msg->command, 1);
	put_u(&b, msg->command_id, 4);
	put_u(&b, (uint64_t) msg->command_time, 8);
	put_u(&b, msg->backend_count, 1);
	put_u(&b, (uint32_t) msg->backend_primary, 4);
	put_u(&b, WD_WIRE_VOTE_BYTES, 1);
	put_bytes(&b, msg->backend_up, WD_WIRE_VOTE_BYTES);
	put_u(&b, msg->request, 1);
	put_u(&b, (uint32_t) msg->request_node, 4);
	put_u(&b, msg->request_flags, 4);
	put_u(&b, msg->request_id, 4);
	put_u(&b, (uint64_t) msg->request_time, 8);
	put_u(&b, (uint32_t) msg->request_to, 4);
	if (b.len + WD_WIRE_HMAC_SIZE > buf_size || b.len + WD_WIRE_HMAC_SIZE > WD_WIRE_MAX_SIZE)
		return -WD_WIRE_TOO_BIG;
	buf[WD_LENGTH_OFFSET] = (uint8_t) ((b.len + WD_WIRE_HMAC_SIZE) >> 8);
	buf[WD_LENGTH_OFFSET + 1] = (uint8_t) (b.len + WD_WIRE_HMAC_SIZE);
	if (sign(key, key_len, buf, b.len, buf + b.len) != 0)
		return -WD_WIRE_BAD_HMAC;
	return (int) (b.len + WD_WIRE_HMAC_SIZE);
}

int
wd_wire_frame_length(const uint8_t *buf, size_t len)
{
	size_t		n;

	if (len < 8)
		return 0;
	if (memcmp(buf, WD_MAGIC, 4) != 0)
		return -1;
	n = (size_t) get_u(buf + WD_LENGTH_OFFSET, 2);
	if (n < WD_MIN_SIZE || n > WD_WIRE_MAX_SIZE)
		return -1;
	return (int) n;
}

/* A length-prefixed name of printable text; advances *pos. */
static wd_wire_status
get_name(const uint8_t *buf, size_t end, size_t *pos, char *out)
{
	size_t		n;

	if (*pos >= end)
		return WD_WIRE_BAD_LENGTH;
	n = buf[*pos];
	if (n > WD_WIRE_NAME_MAX || *pos + 1 + n > end)
		return WD_WIRE_BAD_LENGTH;
	for (size_t i = 0; i < n; i++)
		if (buf[*pos + 1 + i] < 0x20 || buf[*pos + 1 + i] == 0x7f)
			return WD_WIRE_BAD_FIELD;
	memcpy(out, buf + *pos + 1, n);
	out[n] = '\0';
	*pos += 1 + n;
	return WD_WIRE_OK;
}

/* A bitmap (votes, backends up): a length (at most WD_WIRE_VOTE_BYTES; missing bytes are zero), then the bytes. */
static wd_wire_status
get_votes(const uint8_t *buf, size_t end, size_t *pos, uint8_t *out)
{
	size_t		n;

	if (*pos >= end)
		return WD_WIRE_BAD_LENGTH;
	n = buf[*pos];
	if (n > WD_WIRE_VOTE_BYTES || *pos + 1 + n > end)
		return WD_WIRE_BAD_LENGTH;
	memcpy(out, buf + *pos + 1, n);
	*pos += 1 + n;
	return WD_WIRE_OK;
}

static void
get_fixed(const uint8_t *buf, wd_msg *out)
{
	out->type = buf[5];
	out->node_id = (int32_t) get_u(buf + 8, 4);
	out->boot_id = get_u(buf + 12, 8);
	out->seq = get_u(buf + 20, 8);
	out->priority = (int32_t) get_u(buf + 28, 4);
	out->state = (int32_t) get_u(buf + 32, 4);
	out->vote_for = (int32_t) get_u(buf + 36, 4);
	out->vote_lease_ms = (uint32_t) get_u(buf + 40, 4);
	out->leader_id = (int32_t) get_u(buf + 44, 4);
	out->start_time = (int64_t) get_u(buf + 48, 8);
	out->pgpool_port = (uint16_t) get_u(buf + 56, 2);
	out->wd_port = (uint16_t) get_u(buf + 58, 2);
}

/* The node request, the last field before the signature; advances *pos. */
static wd_wire_status
get_request(const uint8_t *buf, size_t end, size_t *pos, wd_msg *out)
{
	if (*pos + WD_REQUEST_SIZE != end)
		return WD_WIRE_BAD_LENGTH;
	out->request = buf[*pos];
	out->request_node = (int32_t) get_u(buf + *pos + 1, 4);
	out->request_flags = (uint32_t) get_u(buf + *pos + 5, 4);
	out->request_id = (uint32_t) get_u(buf + *pos + 9, 4);
	out->request_time = (int64_t) get_u(buf + *pos + 13, 8);
	out->request_to = (int32_t) get_u(buf + *pos + 21, 4);
	*pos += WD_REQUEST_SIZE;
	if (out->request > WD_MAX_REQUEST || (out->request_flags & ~WD_WIRE_REQUEST_FLAGS) ||
		out->request_node < -1 || out->request_node >= 8 * WD_WIRE_VOTE_BYTES ||
		out->request_to < -1 || out->request_to > WD_MAX_NODE_ID)
		return WD_WIRE_BAD_FIELD;
	return WD_WIRE_OK;
}

/* The command, the backend view and the node request, after the bitmaps; advances *pos. */
static wd_wire_status
get_tail(const uint8_t *buf, size_t end, size_t *pos, wd_msg *out)
{
	wd_wire_status st;

	if (*pos + WD_COMMAND_SIZE + WD_BACKENDS_FIXED > end)
		return WD_WIRE_BAD_LENGTH;
	out->command = buf[*pos];
	out->command_id = (uint32_t) get_u(buf + *pos + 1, 4);
	out->command_time = (int64_t) get_u(buf + *pos + 5, 8);
	*pos += WD_COMMAND_SIZE;
	out->backend_count = buf[*pos];
	out->backend_primary = (int32_t) get_u(buf + *pos + 1, 4);
	*pos += WD_BACKENDS_FIXED;
	if ((st = get_votes(buf, end, pos, out->backend_up)) != WD_WIRE_OK ||
		(st = get_request(buf, end, pos, out)) != WD_WIRE_OK)
		return st;
	if (out->command > WD_MAX_COMMAND || out->backend_count > 8 * WD_WIRE_VOTE_BYTES ||
		out->backend_primary < -1 || out->backend_primary >= 8 * WD_WIRE_VOTE_BYTES)
		return WD_WIRE_BAD_FIELD;
	return WD_WIRE_OK;
}

static wd_wire_status
check_fields(const wd_msg *m)
{
	if (m->type < WD_MSG_HEARTBEAT || m->type > WD_MSG_INFO)
		return WD_WIRE_BAD_TYPE;
	if (m->node_id < 0 || m->node_id > WD_MAX_NODE_ID || m->state < 0 || m->state > WD_MAX_STATE ||
		m->vote_for < -1 || m->vote_for > WD_MAX_NODE_ID ||
		m->leader_id < -1 || m->leader_id > WD_MAX_NODE_ID || m->vote_lease_ms > 600000)
		return WD_WIRE_BAD_FIELD;
	return WD_WIRE_OK;
}

wd_wire_status
wd_wire_decode(const uint8_t *buf, size_t len, const char *key, size_t key_len, wd_msg *out,
			   size_t *used)
{
	uint8_t		mac[WD_WIRE_HMAC_SIZE];
	size_t		total;
	size_t		pos = WD_FIXED_SIZE;
	wd_wire_status st;

	if (len < 8)
		return WD_WIRE_SHORT;
	if (memcmp(buf, WD_MAGIC, 4) != 0)
		return WD_WIRE_BAD_MAGIC;
	if (buf[4] != WD_WIRE_VERSION)
		return WD_WIRE_BAD_VERSION;
	total = (size_t) get_u(buf + WD_LENGTH_OFFSET, 2);
	if (total < WD_MIN_SIZE || total > WD_WIRE_MAX_SIZE)
		return WD_WIRE_BAD_LENGTH;
	if (len < total)
		return WD_WIRE_SHORT;
	/* the signature first: nothing unauthenticated is looked at beyond the framing */
	if (sign(key, key_len, buf, total - WD_WIRE_HMAC_SIZE, mac) != 0 ||
		CRYPTO_memcmp(mac, buf + total - WD_WIRE_HMAC_SIZE, WD_WIRE_HMAC_SIZE) != 0)
		return WD_WIRE_BAD_HMAC;
	memset(out, 0, sizeof(*out));
	get_fixed(buf, out);
	if ((st = check_fields(out)) != WD_WIRE_OK)
		return st;
	if ((st = get_name(buf, total - WD_WIRE_HMAC_SIZE, &pos, out->node_name)) != WD_WIRE_OK ||
		(st = get_name(buf, total - WD_WIRE_HMAC_SIZE, &pos, out->host_name)) != WD_WIRE_OK ||
		(st = get_votes(buf, total - WD_WIRE_HMAC_SIZE, &pos, out->down_votes)) != WD_WIRE_OK ||
		(st = get_tail(buf, total - WD_WIRE_HMAC_SIZE, &pos, out)) != WD_WIRE_OK)
		return st;
	if (used)
		*used = total;
	return WD_WIRE_OK;
}

const char *
wd_wire_status_name(wd_wire_status status)
{
	switch (status)
	{
		case WD_WIRE_OK: return "ok";
		case WD_WIRE_SHORT: return "message truncated";
		case WD_WIRE_BAD_MAGIC: return "not a watchdog message";
		case WD_WIRE_BAD_VERSION: return "unknown message version";
		case WD_WIRE_BAD_TYPE: return "unknown message type";
		case WD_WIRE_BAD_LENGTH: return "inconsistent message length";
		case WD_WIRE_BAD_FIELD: return "field out of range";
		case WD_WIRE_BAD_HMAC: return "authentication failed (wd_authkey differs?)";
		case WD_WIRE_TOO_BIG: return "message too big";
	}
	return "unknown error";
}
