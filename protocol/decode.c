/*
 * Decoders for the backend messages the pooler reads (see message.h): errors and notices, the
 * authentication requests, and the session-state messages. Each checks that the body is exactly
 * what the type allows, so a desynchronised stream is caught at the first odd message.
 */
#include "protocol/message.h"

#include <string.h>

int
pq_next_error_field(pq_in *in, char *code, const char **value)
{
	uint8_t		c;

	*code = 0;
	*value = NULL;
	if (!pq_in_int8(in, &c))
		return -1;
	if (c == 0)
		return pq_in_done(in) ? 0 : -1;
	if (!pq_in_string(in, value))
		return -1;
	*code = (char) c;
	return 1;
}

static void
note_error_field(pq_error *err, char code, const char *value)
{
	switch (code)
	{
		case 'S':
			err->severity_localized = value;
			break;
		case 'V':
			err->severity = value;
			break;
		case 'C':
			err->sqlstate = value;
			break;
		case 'M':
			err->message = value;
			break;
		case 'D':
			err->detail = value;
			break;
		case 'H':
			err->hint = value;
			break;
		case 'P':
			err->position = value;
			break;
		case 'W':
			err->where = value;
			break;
		case 'F':
			err->file = value;
			break;
		case 'L':
			err->line = value;
			break;
		case 'R':
			err->routine = value;
			break;
		default:
			break;
	}
}

bool
pq_parse_error(const uint8_t *body, size_t len, pq_error *err)
{
	pq_in		in;
	char		code;
	const char *value;
	int			rc;

	memset(err, 0, sizeof(*err));
	pq_in_init(&in, body, len);
	while ((rc = pq_next_error_field(&in, &code, &value)) > 0)
		note_error_field(err, code, value);
	if (err->severity == NULL)
		err->severity = err->severity_localized;
	return rc == 0;
}

bool
pq_error_is_fatal(const pq_error *err)
{
	return err->severity != NULL &&
		(strcmp(err->severity, "FATAL") == 0 || strcmp(err->severity, "PANIC") == 0);
}

/* Checks a SASL mechanism list: non-empty names, then an empty one as the last byte. */
static bool
sasl_list_valid(const uint8_t *data, size_t len)
{
	pq_in		in;
	const char *name;

	pq_in_init(&in, data, len);
	while (pq_in_string(&in, &name))
	{
		if (name[0] == '\0')
			return pq_in_done(&in);
	}
	return false;
}

bool
pq_parse_auth_request(const uint8_t *body, size_t len, pq_auth_request *req)
{
	pq_in		in;

	memset(req, 0, sizeof(*req));
	pq_in_init(&in, body, len);
	if (!pq_in_int32(&in, &req->type))
		return false;
	req->data_len = pq_in_remaining(&in);
	req->data = req->data_len > 0 ? body + in.pos : NULL;
	switch (req->type)
	{
		case PQ_AUTH_OK:
		case PQ_AUTH_CLEARTEXT_PASSWORD:
		case PQ_AUTH_KERBEROS_V5:
		case PQ_AUTH_GSS:
		case PQ_AUTH_SSPI:
			return req->data_len == 0;
		case PQ_AUTH_MD5_PASSWORD:
			if (req->data_len != 4)
				return false;
			memcpy(req->md5_salt, req->data, 4);
			return true;
		case PQ_AUTH_SASL:
			return sasl_list_valid(req->data, req->data_len);
		default:
			return true;
	}
}

const char *
pq_next_sasl_mechanism(const pq_auth_request *req, size_t *pos)
{
	pq_in		in;
	const char *name;

	if (req->type != PQ_AUTH_SASL)
		return NULL;
	pq_in_init(&in, req->data, req->data_len);
	in.pos = *pos <= req->data_len ? *pos : req->data_len;
	if (!pq_in_string(&in, &name) || name[0] == '\0')
		return NULL;
	*pos = in.pos;
	return name;
}

bool
pq_sasl_mechanism_offered(const pq_auth_request *req, const char *name)
{
	size_t		pos = 0;
	const char *m;

	while ((m = pq_next_sasl_mechanism(req, &pos)) != NULL)
	{
		if (strcmp(m, name) == 0)
			return true;
	}
	return false;
}

bool
pq_parse_parameter_status(const uint8_t *body, size_t len, pq_param *param)
{
	pq_in		in;

	pq_in_init(&in, body, len);
	pq_in_string(&in, &param->name);
	pq_in_string(&in, &param->value);
	if (pq_in_done(&in))
		return true;
	param->name = param->value = NULL;
	return false;
}

bool
pq_parse_backend_key_data(const uint8_t *body, size_t len, int32_t *pid, int32_t *key)
{
	pq_in		in;

	pq_in_init(&in, body, len);
	pq_in_int32(&in, pid);
	pq_in_int32(&in, key);
	return pq_in_done(&in);
}

bool
pq_parse_ready_for_query(const uint8_t *body, size_t len, char *status)
{
	*status = 0;
	if (len != 1 || (body[0] != PQ_TX_IDLE && body[0] != PQ_TX_INBLOCK && body[0] != PQ_TX_FAILED))
		return false;
	*status = (char) body[0];
	return true;
}

bool
pq_parse_command_complete(const uint8_t *body, size_t len, const char **tag)
{
	pq_in		in;

	pq_in_init(&in, body, len);
	pq_in_string(&in, tag);
	if (pq_in_done(&in))
		return true;
	*tag = NULL;
	return false;
}
