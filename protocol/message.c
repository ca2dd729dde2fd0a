/*
 * Builders for every message the pooler writes itself: its answers to clients (errors, the
 * authentication exchange, SHOW results) and the few frontend messages it sends to backends.
 */
#include "protocol/message.h"

#include <stdio.h>
#include <string.h>

#include "protocol/startup.h"

static void
put_field(pq_out *out, char code, const char *value)
{
	if (value == NULL)
		return;
	pq_out_int8(out, (uint8_t) code);
	pq_out_string(out, value);
}

static bool
put_error_or_notice(pq_out *out, uint8_t type, const pq_error_fields *f)
{
	char		line[16];

	pq_out_begin(out, type);
	put_field(out, 'S', f->severity);
	put_field(out, 'V', f->severity_raw ? f->severity_raw : f->severity);
	put_field(out, 'C', f->sqlstate);
	put_field(out, 'M', f->message);
	put_field(out, 'D', f->detail);
	put_field(out, 'H', f->hint);
	put_field(out, 'F', f->file);
	if (f->line > 0)
	{
		snprintf(line, sizeof(line), "%d", f->line);
		put_field(out, 'L', line);
	}
	put_field(out, 'R', f->routine);
	pq_out_int8(out, 0);
	return pq_out_end(out);
}

bool
pq_put_error_response(pq_out *out, const pq_error_fields *f)
{
	return put_error_or_notice(out, PQ_MSG_ERROR_RESPONSE, f);
}

bool
pq_put_notice_response(pq_out *out, const pq_error_fields *f)
{
	return put_error_or_notice(out, PQ_MSG_NOTICE_RESPONSE, f);
}

/* An Authentication request whose payload is data[0..len). */
static bool
put_auth(pq_out *out, pq_auth_type type, const uint8_t *data, size_t len)
{
	pq_out_begin(out, PQ_MSG_AUTHENTICATION);
	pq_out_int32(out, (int32_t) type);
	pq_out_bytes(out, data, len);
	return pq_out_end(out);
}

void
pq_put_auth_ok(pq_out *out)
{
	put_auth(out, PQ_AUTH_OK, NULL, 0);
}

void
pq_put_auth_cleartext(pq_out *out)
{
	put_auth(out, PQ_AUTH_CLEARTEXT_PASSWORD, NULL, 0);
}

void
pq_put_auth_md5(pq_out *out, const uint8_t salt[4])
{
	put_auth(out, PQ_AUTH_MD5_PASSWORD, salt, 4);
}

bool
pq_put_auth_sasl(pq_out *out, const char *const *mechanisms, size_t n)
{
	pq_out_begin(out, PQ_MSG_AUTHENTICATION);
	pq_out_int32(out, PQ_AUTH_SASL);
	for (size_t i = 0; i < n; i++)
		pq_out_string(out, mechanisms[i]);
	pq_out_int8(out, 0);
	return pq_out_end(out);
}

bool
pq_put_auth_sasl_continue(pq_out *out, const uint8_t *data, size_t len)
{
	return put_auth(out, PQ_AUTH_SASL_CONTINUE, data, len);
}

bool
pq_put_auth_sasl_final(pq_out *out, const uint8_t *data, size_t len)
{
	return put_auth(out, PQ_AUTH_SASL_FINAL, data, len);
}

bool
pq_put_parameter_status(pq_out *out, const char *name, const char *value)
{
	pq_out_begin(out, PQ_MSG_PARAMETER_STATUS);
	pq_out_string(out, name);
	pq_out_string(out, value);
	return pq_out_end(out);
}

void
pq_put_backend_key_data(pq_out *out, int32_t pid, int32_t key)
{
	pq_out_begin(out, PQ_MSG_BACKEND_KEY_DATA);
	pq_out_int32(out, pid);
	pq_out_int32(out, key);
	pq_out_end(out);
}

void
pq_put_ready_for_query(pq_out *out, char status)
{
	pq_out_begin(out, PQ_MSG_READY_FOR_QUERY);
	pq_out_int8(out, (uint8_t) status);
	pq_out_end(out);
}

bool
pq_put_row_description(pq_out *out, const pq_column *columns, size_t n)
{
	if (n > INT16_MAX)
		return false;
	pq_out_begin(out, PQ_MSG_ROW_DESCRIPTION);
	pq_out_int16(out, (int16_t) n);
	for (size_t i = 0; i < n; i++)
	{
		pq_out_string(out, columns[i].name);
		pq_out_int32(out, (int32_t) columns[i].table_oid);
		pq_out_int16(out, columns[i].attnum);
		pq_out_int32(out, (int32_t) columns[i].type_oid);
		pq_out_int16(out, columns[i].typlen);
		pq_out_int32(out, columns[i].typmod);
		pq_out_int16(out, columns[i].format);
	}
	return pq_out_end(out);
}

bool
pq_put_row_description_text(pq_out *out, const char *const *names, size_t n)
{
	if (n > INT16_MAX)
		return false;
	pq_out_begin(out, PQ_MSG_ROW_DESCRIPTION);
	pq_out_int16(out, (int16_t) n);
	for (size_t i = 0; i < n; i++)
	{
		pq_out_string(out, names[i]);
		pq_out_int32(out, 0);	/* table OID */
		pq_out_int16(out, (int16_t) i);	/* attnum */
		pq_out_int32(out, 0);	/* type OID */
		pq_out_int16(out, -1);	/* typlen */
		pq_out_int32(out, 0);	/* typmod */
		pq_out_int16(out, 0);	/* text format */
	}
	return pq_out_end(out);
}

bool
pq_put_data_row(pq_out *out, const char *const *values, size_t n)
{
	if (n > INT16_MAX)
		return false;
	pq_out_begin(out, PQ_MSG_DATA_ROW);
	pq_out_int16(out, (int16_t) n);
	for (size_t i = 0; i < n; i++)
	{
		size_t		len = values[i] ? strlen(values[i]) : 0;

		if (len > PQ_MAX_LENGTH_FIELD)
			len = PQ_MAX_LENGTH_FIELD;	/* pq_out_end then refuses the message */
		pq_out_int32(out, values[i] ? (int32_t) len : -1);
		pq_out_bytes(out, values[i], len);
	}
	return pq_out_end(out);
}

bool
pq_put_command_complete(pq_out *out, const char *tag)
{
	pq_out_begin(out, PQ_MSG_COMMAND_COMPLETE);
	pq_out_string(out, tag);
	return pq_out_end(out);
}

void
pq_put_empty_query_response(pq_out *out)
{
	pq_out_begin(out, PQ_MSG_EMPTY_QUERY_RESPONSE);
	pq_out_end(out);
}

bool
pq_put_startup(pq_out *out, const pq_param *params, size_t n)
{
	pq_out_begin(out, 0);
	pq_out_int32(out, (int32_t) PQ_PROTOCOL_3_0);
	for (size_t i = 0; i < n; i++)
	{
		pq_out_string(out, params[i].name);
		pq_out_string(out, params[i].value);
	}
	pq_out_int8(out, 0);
	return pq_out_end(out);
}

bool
pq_put_password(pq_out *out, const char *password)
{
	pq_out_begin(out, PQ_MSG_PASSWORD);
	pq_out_string(out, password);
	return pq_out_end(out);
}

bool
pq_put_sasl_initial_response(pq_out *out, const char *mechanism, const uint8_t *data, size_t len)
{
	if (data != NULL && len > PQ_MAX_LENGTH_FIELD)
		return false;
	pq_out_begin(out, PQ_MSG_PASSWORD);
	pq_out_string(out, mechanism);
	pq_out_int32(out, data ? (int32_t) len : -1);
	if (data != NULL)
		pq_out_bytes(out, data, len);
	return pq_out_end(out);
}

bool
pq_put_sasl_response(pq_out *out, const uint8_t *data, size_t len)
{
	pq_out_begin(out, PQ_MSG_PASSWORD);
	pq_out_bytes(out, data, len);
	return pq_out_end(out);
}

bool
pq_put_query(pq_out *out, const char *sql)
{
	pq_out_begin(out, PQ_MSG_QUERY);
	pq_out_string(out, sql);
	return pq_out_end(out);
}

void
pq_put_terminate(pq_out *out)
{
	pq_out_begin(out, PQ_MSG_TERMINATE);
	pq_out_end(out);
}

void
pq_put_cancel_request(pq_out *out, int32_t pid, int32_t key)
{
	pq_out_begin(out, 0);
	pq_out_int32(out, (int32_t) PQ_CANCEL_REQUEST_CODE);
	pq_out_int32(out, pid);
	pq_out_int32(out, key);
	pq_out_end(out);
}

void
pq_put_ssl_request(pq_out *out)
{
	pq_out_begin(out, 0);
	pq_out_int32(out, (int32_t) PQ_SSL_REQUEST_CODE);
	pq_out_end(out);
}
