/*
 * Decoding of the client's first packet (see startup.h). Every limit is checked before a byte is
 * looked at, so a hostile client can neither make us read past its packet nor allocate much.
 */
#include "protocol/startup.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static void
startup_clear(pq_startup *st)
{
	memset(st, 0, sizeof(*st));
}

pq_startup_status
pq_startup_length(const uint8_t prefix[4], size_t *total)
{
	uint32_t	len = pq_be32_get(prefix);

	*total = 0;
	if (len < PQ_STARTUP_MIN_LENGTH || len > PQ_STARTUP_MAX_LENGTH)
		return PQ_STARTUP_BAD_LENGTH;
	*total = len;
	return PQ_STARTUP_OK;
}

/*
 * Walks the parameter list (name, value, ..., empty name as its very last byte). With params NULL
 * only counts; returns the number of pairs, or -1 when the layout is broken.
 */
static long
walk_params(const uint8_t *list, size_t len, pq_param *params)
{
	pq_in		in;
	long		n = 0;
	const char *name;
	const char *value;

	pq_in_init(&in, list, len);
	for (;;)
	{
		if (!pq_in_string(&in, &name))
			return -1;			/* the list or its terminator lacks a NUL */
		if (name[0] == '\0')
			return pq_in_done(&in) ? n : -1;	/* bytes after the terminator */
		if (!pq_in_string(&in, &value))
			return -1;			/* a name without a value */
		if (params != NULL)
		{
			params[n].name = name;
			params[n].value = value;
		}
		n++;
	}
}

/* Points the well-known fields at the last occurrence of each name. */
static void
note_known_params(pq_startup *st)
{
	for (size_t i = 0; i < st->nparams; i++)
	{
		const char *name = st->params[i].name;
		const char *value = st->params[i].value;

		if (strcmp(name, "user") == 0)
			st->user = value;
		else if (strcmp(name, "database") == 0)
			st->database = value;
		else if (strcmp(name, "application_name") == 0)
			st->application_name = value;
		else if (strcmp(name, "options") == 0)
			st->options = value;
		else if (strcmp(name, "replication") == 0)
			st->replication = value;
	}
}

static pq_startup_status
parse_startup_message(const uint8_t *list, size_t len, pq_startup *st)
{
	long		n = walk_params(list, len, NULL);

	if (n < 0)
		return PQ_STARTUP_MALFORMED;
	st->kind = PQ_STARTUP_MESSAGE;
	st->nparams = (size_t) n;
	st->params = xcalloc(st->nparams, sizeof(pq_param));
	walk_params(list, len, st->params);
	note_known_params(st);
	if (st->user == NULL || st->user[0] == '\0')
	{
		pq_startup_free(st);
		return PQ_STARTUP_NO_USER;
	}
	if (st->database == NULL || st->database[0] == '\0')
		st->database = st->user;
	return PQ_STARTUP_OK;
}

/* A request with a fixed layout: only its size is left to check. */
static pq_startup_status
parse_request(const uint8_t *packet, size_t len, uint32_t code, pq_startup *st)
{
	if (code == PQ_CANCEL_REQUEST_CODE)
	{
		if (len != 16)
			return PQ_STARTUP_MALFORMED;
		st->kind = PQ_STARTUP_CANCEL_REQUEST;
		st->cancel_pid = (int32_t) pq_be32_get(packet + 8);
		st->cancel_key = (int32_t) pq_be32_get(packet + 12);
		return PQ_STARTUP_OK;
	}
	if (len != 8)
		return PQ_STARTUP_MALFORMED;
	st->kind = code == PQ_SSL_REQUEST_CODE ? PQ_STARTUP_SSL_REQUEST : PQ_STARTUP_GSSENC_REQUEST;
	return PQ_STARTUP_OK;
}

pq_startup_status
pq_parse_startup(const uint8_t *packet, size_t len, pq_startup *st)
{
	size_t		total;
	uint32_t	code;

	startup_clear(st);
	if (len < 4 || pq_startup_length(packet, &total) != PQ_STARTUP_OK || total != len)
		return PQ_STARTUP_BAD_LENGTH;
	code = pq_be32_get(packet + 4);
	if (code == PQ_CANCEL_REQUEST_CODE || code == PQ_SSL_REQUEST_CODE ||
		code == PQ_GSSENC_REQUEST_CODE)
		return parse_request(packet, len, code, st);
	st->major = (uint16_t) (code >> 16);
	st->minor = (uint16_t) code;
	if (st->major != 3)
		return PQ_STARTUP_UNSUPPORTED_PROTOCOL;
	return parse_startup_message(packet + 8, len - 8, st);
}

void
pq_startup_free(pq_startup *st)
{
	free(st->params);
	st->params = NULL;
	st->nparams = 0;
	st->user = st->database = st->application_name = st->options = st->replication = NULL;
}

const char *
pq_startup_param(const pq_startup *st, const char *name)
{
	const char *found = NULL;

	for (size_t i = 0; i < st->nparams; i++)
	{
		if (strcmp(st->params[i].name, name) == 0)
			found = st->params[i].value;
	}
	return found;
}

const char *
pq_startup_status_text(pq_startup_status status)
{
	switch (status)
	{
		case PQ_STARTUP_OK:
			return "valid startup packet";
		case PQ_STARTUP_BAD_LENGTH:
			return "invalid length of startup packet";
		case PQ_STARTUP_UNSUPPORTED_PROTOCOL:
			return "unsupported frontend protocol";
		case PQ_STARTUP_MALFORMED:
			return "invalid startup packet layout";
		case PQ_STARTUP_NO_USER:
			return "no PostgreSQL user name specified in startup packet";
	}
	return "unknown startup packet status";
}
