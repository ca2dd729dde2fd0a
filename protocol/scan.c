/*
 * The message walker (see scan.h). The common case, a whole header inside the data, is read in
 * place; only a header cut by the end of a read goes through the five-byte holding area.
 */
#include "protocol/scan.h"

#include <string.h>

void
pq_scan_init(pq_scan *s, uint32_t max_length)
{
	memset(s, 0, sizeof(*s));
	if (max_length == 0)
		max_length = PQ_SCAN_DEFAULT_MAX_LENGTH;
	if (max_length < PQ_LENGTH_SIZE)
		max_length = PQ_LENGTH_SIZE;
	s->max_length = max_length;
}

void
pq_scan_init_frontend(pq_scan *s, uint32_t max_length)
{
	pq_scan_init(s, max_length);
	s->frontend = true;
}

bool
pq_frontend_type_known(uint8_t type)
{
	return type != 0 && strchr("QPBEDCHSFdcfXp", type) != NULL;
}

uint32_t
pq_frontend_max_length(uint8_t type)
{
	switch (type)
	{
		case 'Q':				/* Query */
		case 'P':				/* Parse */
		case 'B':				/* Bind */
		case 'F':				/* FunctionCall */
		case 'd':				/* CopyData */
			return PQ_SCAN_DEFAULT_MAX_LENGTH;
		default:
			return PQ_FRONTEND_SMALL_LIMIT;
	}
}

/*
 * Completes the header starting at data[*pos]: returns it (in place, or from the holding area)
 * after advancing *pos, or NULL when data ends first (the bytes are then held).
 */
static const uint8_t *
take_header(pq_scan *s, const uint8_t *data, size_t len, size_t *pos)
{
	size_t		n;

	if (s->header_have == 0 && len - *pos >= PQ_HEADER_SIZE)
	{
		*pos += PQ_HEADER_SIZE;
		return data + *pos - PQ_HEADER_SIZE;
	}
	n = PQ_HEADER_SIZE - s->header_have;
	if (n > len - *pos)
		n = len - *pos;
	memcpy(s->header + s->header_have, data + *pos, n);
	s->header_have += (uint8_t) n;
	*pos += n;
	if (s->header_have < PQ_HEADER_SIZE)
		return NULL;
	s->header_have = 0;
	return s->header;
}

size_t
pq_scan_feed(pq_scan *s, const uint8_t *data, size_t len, pq_scan_cb cb, void *arg)
{
	size_t		pos = 0;
	pq_scan_msg msg;

	if (s->failed)
		return 0;
	s->tail_start = 0;
	while (pos < len)
	{
		const uint8_t *hdr;

		if (s->remaining > 0)
		{
			size_t		n = s->remaining < len - pos ? s->remaining : len - pos;

			s->remaining -= n;
			pos += n;
			continue;
		}
		msg.start = pos;
		msg.header_held = s->header_have;
		s->tail_start = pos;
		hdr = take_header(s, data, len, &pos);
		if (hdr == NULL)
			break;
		msg.type = hdr[0];
		msg.length = pq_be32_get(hdr + 1);
		if (msg.length < PQ_LENGTH_SIZE || msg.length > s->max_length ||
			(s->frontend && (!pq_frontend_type_known(msg.type) ||
							 msg.length > pq_frontend_max_length(msg.type))))
		{
			s->failed = true;
			s->bad_type = msg.type;
			s->bad_length = msg.length;
			s->header_have = msg.header_held;
			return msg.start;
		}
		s->remaining = msg.length - PQ_LENGTH_SIZE;
		msg.body = data + pos;
		msg.body_avail = s->remaining < len - pos ? s->remaining : len - pos;
		if (cb != NULL && cb(arg, &msg) != PQ_SCAN_CONTINUE)
		{
			s->remaining = 0;
			s->header_have = msg.header_held;
			return msg.start;
		}
	}
	return len;
}
