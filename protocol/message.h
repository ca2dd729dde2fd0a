/*
 * Typed PostgreSQL v3 messages: builders for what the pooler sends (to clients as a server, to
 * backends as a client) and decoders for the backend messages the pooler must understand.
 * Decoders take a message body (the bytes after the length field) and point into it, never copying.
 */
#ifndef PGNG_PROTOCOL_MESSAGE_H
#define PGNG_PROTOCOL_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/pqbuf.h"

/* Message type bytes sent by a server. */
#define PQ_MSG_AUTHENTICATION		'R'
#define PQ_MSG_BACKEND_KEY_DATA		'K'
#define PQ_MSG_COMMAND_COMPLETE		'C'
#define PQ_MSG_DATA_ROW				'D'
#define PQ_MSG_EMPTY_QUERY_RESPONSE 'I'
#define PQ_MSG_ERROR_RESPONSE		'E'
#define PQ_MSG_NOTICE_RESPONSE		'N'
#define PQ_MSG_PARAMETER_STATUS		'S'
#define PQ_MSG_READY_FOR_QUERY		'Z'
#define PQ_MSG_ROW_DESCRIPTION		'T'

/* Message type bytes sent by a client. */
#define PQ_MSG_PASSWORD				'p'	/* also SASLInitialResponse and SASLResponse */
#define PQ_MSG_QUERY				'Q'
#define PQ_MSG_TERMINATE			'X'

/* Authentication request subtypes (the int32 after 'R'). */
typedef enum pq_auth_type
{
	PQ_AUTH_OK = 0,
	PQ_AUTH_KERBEROS_V5 = 2,
	PQ_AUTH_CLEARTEXT_PASSWORD = 3,
	PQ_AUTH_MD5_PASSWORD = 5,
	PQ_AUTH_GSS = 7,
	PQ_AUTH_GSS_CONTINUE = 8,
	PQ_AUTH_SSPI = 9,
	PQ_AUTH_SASL = 10,
	PQ_AUTH_SASL_CONTINUE = 11,
	PQ_AUTH_SASL_FINAL = 12
} pq_auth_type;

/* ReadyForQuery transaction status. */
#define PQ_TX_IDLE		'I'
#define PQ_TX_INBLOCK	'T'
#define PQ_TX_FAILED	'E'

/* The fields of an ErrorResponse or NoticeResponse the pooler writes; NULL fields are left out. */
typedef struct pq_error_fields
{
	const char *severity;		/* S: possibly localized ("ERROR", "FATAL", "NOTICE") */
	const char *severity_raw;	/* V: never localized; NULL writes severity again */
	const char *sqlstate;		/* C: five characters */
	const char *message;		/* M */
	const char *detail;			/* D */
	const char *hint;			/* H */
	const char *file;			/* F */
	int			line;			/* L: written when > 0 */
	const char *routine;		/* R */
} pq_error_fields;

/* One RowDescription column. */
typedef struct pq_column
{
	const char *name;
	uint32_t	table_oid;
	int16_t		attnum;
	uint32_t	type_oid;
	int16_t		typlen;
	int32_t		typmod;
	int16_t		format;			/* 0 text, 1 binary */
} pq_column;

/* A name/value pair: a StartupMessage parameter, a ParameterStatus. */
typedef struct pq_param
{
	const char *name;
	const char *value;
} pq_param;

/*
 * Builders: each appends one complete message to out. Those that carry caller-sized data return
 * false, appending nothing, when the message would exceed the protocol's length limit.
 */
bool		pq_put_error_response(pq_out *out, const pq_error_fields *f);
bool		pq_put_notice_response(pq_out *out, const pq_error_fields *f);
void		pq_put_auth_ok(pq_out *out);
void		pq_put_auth_cleartext(pq_out *out);
void		pq_put_auth_md5(pq_out *out, const uint8_t salt[4]);
bool		pq_put_auth_sasl(pq_out *out, const char *const *mechanisms, size_t n);
bool		pq_put_auth_sasl_continue(pq_out *out, const uint8_t *data, size_t len);
bool		pq_put_auth_sasl_final(pq_out *out, const uint8_t *data, size_t len);
bool		pq_put_parameter_status(pq_out *out, const char *name, const char *value);
void		pq_put_backend_key_data(pq_out *out, int32_t pid, int32_t key);
void		pq_put_ready_for_query(pq_out *out, char status);
bool		pq_put_row_description(pq_out *out, const pq_column *columns, size_t n);
/* pgpool's SHOW columns: attnum = column index (from 0), type OID 0, typlen -1, typmod 0, text. */
bool		pq_put_row_description_text(pq_out *out, const char *const *names, size_t n);
/* Text values; a NULL value is sent as SQL NULL. */
bool		pq_put_data_row(pq_out *out, const char *const *values, size_t n);
bool		pq_put_command_complete(pq_out *out, const char *tag);
void		pq_put_empty_query_response(pq_out *out);

/* Frontend messages the pooler sends to a backend. */
bool		pq_put_startup(pq_out *out, const pq_param *params, size_t n);
bool		pq_put_password(pq_out *out, const char *password);
/* data NULL sends the "no initial response" length -1. */
bool		pq_put_sasl_initial_response(pq_out *out, const char *mechanism, const uint8_t *data,
										 size_t len);
bool		pq_put_sasl_response(pq_out *out, const uint8_t *data, size_t len);
bool		pq_put_query(pq_out *out, const char *sql);
void		pq_put_terminate(pq_out *out);
void		pq_put_cancel_request(pq_out *out, int32_t pid, int32_t key);
void		pq_put_ssl_request(pq_out *out);

/*
 * A decoded ErrorResponse or NoticeResponse; every pointer points into the body, NULL when the
 * field was absent. Fields this struct does not name are still reachable with pq_next_error_field.
 */
typedef struct pq_error
{
	const char *severity;		/* V when present (never localized), else S */
	const char *severity_localized; /* S */
	const char *sqlstate;		/* C */
	const char *message;		/* M */
	const char *detail;			/* D */
	const char *hint;			/* H */
	const char *position;		/* P */
	const char *where;			/* W */
	const char *file;			/* F */
	const char *line;			/* L */
	const char *routine;		/* R */
} pq_error;

bool		pq_parse_error(const uint8_t *body, size_t len, pq_error *err);
/*
 * Walks the fields of an ErrorResponse/NoticeResponse body in order, for logging all of them:
 * returns 1 with the next field, 0 at the terminator, -1 when the body is malformed.
 */
int			pq_next_error_field(pq_in *in, char *code, const char **value);
/* True for FATAL and PANIC: the backend closes the connection after sending it. */
bool		pq_error_is_fatal(const pq_error *err);

/* A decoded Authentication request. */
typedef struct pq_auth_request
{
	int32_t		type;			/* a pq_auth_type, or an unknown code passed along as is */
	const uint8_t *data;		/* the bytes after the subtype */
	size_t		data_len;
	uint8_t		md5_salt[4];	/* PQ_AUTH_MD5_PASSWORD */
} pq_auth_request;

/*
 * Known subtypes are checked for their exact layout (Ok and Cleartext carry nothing, MD5 four
 * bytes of salt, SASL a list of names ending with an empty one); unknown ones are accepted.
 */
bool		pq_parse_auth_request(const uint8_t *body, size_t len, pq_auth_request *req);
/* Walks a PQ_AUTH_SASL mechanism list: *pos starts at 0; returns NULL after the last name. */
const char *pq_next_sasl_mechanism(const pq_auth_request *req, size_t *pos);
bool		pq_sasl_mechanism_offered(const pq_auth_request *req, const char *name);

bool		pq_parse_parameter_status(const uint8_t *body, size_t len, pq_param *param);
bool		pq_parse_backend_key_data(const uint8_t *body, size_t len, int32_t *pid, int32_t *key);
/* *status is 'I', 'T' or 'E'; anything else is malformed. */
bool		pq_parse_ready_for_query(const uint8_t *body, size_t len, char *status);
bool		pq_parse_command_complete(const uint8_t *body, size_t len, const char **tag);

#endif
