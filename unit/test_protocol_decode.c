/*
 * Unit tests for the startup packet decoder and the backend message decoders: round trips through
 * the builders, and each way a packet or body can be malformed.
 */
#include <stdlib.h>
#include <string.h>

#include "protocol/message.h"
#include "protocol/startup.h"
#include "unit/runner.h"

/* A packet held in a buffer with its length field set to its size. */
typedef struct packet
{
	uint8_t		data[PQ_STARTUP_MAX_LENGTH + 16];
	size_t		len;
} packet;

/* Builds length + code + raw bytes (raw may hold NULs, hence raw_len). */
static void
make_packet(packet *p, uint32_t code, const char *raw, size_t raw_len)
{
	p->len = 8 + raw_len;
	pq_be32_set(p->data, (uint32_t) p->len);
	pq_be32_set(p->data + 4, code);
	memcpy(p->data + 8, raw, raw_len);
}

#define MAKE_V3(p, literal) make_packet((p), PQ_PROTOCOL_3_0, (literal), sizeof(literal) - 1)

static pq_startup_status
parse(const packet *p, pq_startup *st)
{
	return pq_parse_startup(p->data, p->len, st);
}

static void
test_startup_good(void)
{
	packet		p;
	pq_startup	st;

	MAKE_V3(&p, "user\0alice\0database\0db1\0application_name\0psql\0options\0-c x=1\0"
			"replication\0true\0_pq_.ext\0on\0client_encoding\0UTF8\0\0");
	CU_ASSERT_EQUAL_FATAL(parse(&p, &st), PQ_STARTUP_OK);
	CU_ASSERT_EQUAL(st.kind, PQ_STARTUP_MESSAGE);
	CU_ASSERT_EQUAL(st.major, 3);
	CU_ASSERT_EQUAL(st.minor, 0);
	CU_ASSERT_STRING_EQUAL(st.user, "alice");
	CU_ASSERT_STRING_EQUAL(st.database, "db1");
	CU_ASSERT_STRING_EQUAL(st.application_name, "psql");
	CU_ASSERT_STRING_EQUAL(st.options, "-c x=1");
	CU_ASSERT_STRING_EQUAL(st.replication, "true");
	CU_ASSERT_EQUAL_FATAL(st.nparams, 7);
	CU_ASSERT_STRING_EQUAL(st.params[5].name, "_pq_.ext");
	CU_ASSERT_STRING_EQUAL(st.params[6].name, "client_encoding");
	CU_ASSERT_STRING_EQUAL(st.params[6].value, "UTF8");
	CU_ASSERT_STRING_EQUAL(pq_startup_param(&st, "client_encoding"), "UTF8");
	CU_ASSERT_PTR_NULL(pq_startup_param(&st, "datestyle"));
	/* the strings point into the packet: no copies */
	CU_ASSERT((const uint8_t *) st.user > p.data && (const uint8_t *) st.user < p.data + p.len);
	pq_startup_free(&st);
	CU_ASSERT_PTR_NULL(st.params);
}

static void
test_startup_defaults(void)
{
	packet		p;
	pq_startup	st;

	MAKE_V3(&p, "user\0bob\0empty\0\0\0");
	CU_ASSERT_EQUAL_FATAL(parse(&p, &st), PQ_STARTUP_OK);
	CU_ASSERT_STRING_EQUAL(st.database, "bob");
	CU_ASSERT_PTR_NULL(st.application_name);
	CU_ASSERT_PTR_NULL(st.options);
	CU_ASSERT_PTR_NULL(st.replication);
	CU_ASSERT_STRING_EQUAL(pq_startup_param(&st, "empty"), "");
	pq_startup_free(&st);

	/* a later duplicate wins; a newer minor version is the caller's to negotiate */
	make_packet(&p, 0x00030002, "user\0a\0user\0b\0\0", 15);
	CU_ASSERT_EQUAL_FATAL(parse(&p, &st), PQ_STARTUP_OK);
	CU_ASSERT_STRING_EQUAL(st.user, "b");
	CU_ASSERT_EQUAL(st.minor, 2);
	CU_ASSERT_EQUAL(st.nparams, 2);
	pq_startup_free(&st);
}

static void
test_startup_lengths(void)
{
	packet		p;
	pq_startup	st;
	size_t		total;
	const uint8_t seven[4] = {0, 0, 0, 7};
	const uint8_t eight[4] = {0, 0, 0, 8};
	const uint8_t max[4] = {0, 0, 0x27, 0x10};
	const uint8_t over[4] = {0, 0, 0x27, 0x11};
	const uint8_t negative[4] = {0xff, 0xff, 0xff, 0xf0};

	CU_ASSERT_EQUAL(pq_startup_length(seven, &total), PQ_STARTUP_BAD_LENGTH);
	CU_ASSERT_EQUAL(pq_startup_length(eight, &total), PQ_STARTUP_OK);
	CU_ASSERT_EQUAL(total, 8);
	CU_ASSERT_EQUAL(pq_startup_length(max, &total), PQ_STARTUP_OK);
	CU_ASSERT_EQUAL(total, 10000);
	CU_ASSERT_EQUAL(pq_startup_length(over, &total), PQ_STARTUP_BAD_LENGTH);
	CU_ASSERT_EQUAL(pq_startup_length(negative, &total), PQ_STARTUP_BAD_LENGTH);

	/* too short: 7 bytes, and fewer than the length field itself */
	make_packet(&p, PQ_PROTOCOL_3_0, "", 0);
	CU_ASSERT_EQUAL(pq_parse_startup(p.data, 3, &st), PQ_STARTUP_BAD_LENGTH);
	pq_be32_set(p.data, 7);
	CU_ASSERT_EQUAL(pq_parse_startup(p.data, 7, &st), PQ_STARTUP_BAD_LENGTH);
	/* too long */
	memset(p.data + 8, 'x', 10001 - 8 - 1);
	p.data[10000] = 0;
	pq_be32_set(p.data, 10001);
	CU_ASSERT_EQUAL(pq_parse_startup(p.data, 10001, &st), PQ_STARTUP_BAD_LENGTH);
	/* length field disagrees with the bytes given */
	MAKE_V3(&p, "user\0u\0\0");
	CU_ASSERT_EQUAL(pq_parse_startup(p.data, p.len - 1, &st), PQ_STARTUP_BAD_LENGTH);
	CU_ASSERT_EQUAL(pq_parse_startup(p.data, p.len + 1, &st), PQ_STARTUP_BAD_LENGTH);
	CU_ASSERT_EQUAL(pq_parse_startup(p.data, p.len, &st), PQ_STARTUP_OK);
	pq_startup_free(&st);
}

static void
test_startup_largest(void)
{
	packet		p;
	pq_startup	st;
	size_t		n = 7;

	/* a 10000-byte packet of short pairs: the most parameters a client can send */
	memcpy(p.data + 8, "user\0u\0", 7);
	while (8 + n + 4 + 3 <= PQ_STARTUP_MAX_LENGTH)
	{
		memcpy(p.data + 8 + n, "k\0v\0", 4);
		n += 4;
	}
	memcpy(p.data + 8 + n, "k\0", 2);	/* the last value fills the rest */
	n += 2;
	while (8 + n + 2 < PQ_STARTUP_MAX_LENGTH)
		p.data[8 + n++] = 'v';
	p.data[8 + n++] = 0;
	p.data[8 + n++] = 0;
	p.len = 8 + n;
	CU_ASSERT_EQUAL_FATAL(p.len, PQ_STARTUP_MAX_LENGTH);
	pq_be32_set(p.data, PQ_STARTUP_MAX_LENGTH);
	pq_be32_set(p.data + 4, PQ_PROTOCOL_3_0);
	CU_ASSERT_EQUAL_FATAL(parse(&p, &st), PQ_STARTUP_OK);
	CU_ASSERT(st.nparams > 2000);
	CU_ASSERT_STRING_EQUAL(st.params[st.nparams - 1].name, "k");
	pq_startup_free(&st);
}

static void
test_startup_bad_layout(void)
{
	packet		p;
	pq_startup	st;

	MAKE_V3(&p, "user\0bob\0");	/* missing final NUL */
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_MALFORMED);
	CU_ASSERT_PTR_NULL(st.params);
	MAKE_V3(&p, "user\0bob\0database");	/* last string without its NUL */
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_MALFORMED);
	MAKE_V3(&p, "user\0bob\0database\0\0");	/* odd key: its "value" is the terminator */
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_MALFORMED);
	MAKE_V3(&p, "user\0bob\0odd\0");	/* odd key, nothing after */
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_MALFORMED);
	MAKE_V3(&p, "user\0bob\0\0x");	/* bytes after the terminator */
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_MALFORMED);
	MAKE_V3(&p, "user\0bob\0\0\0");
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_MALFORMED);
	MAKE_V3(&p, "");	/* no list at all */
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_MALFORMED);
	MAKE_V3(&p, "\0");	/* an empty list: no user */
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_NO_USER);
	MAKE_V3(&p, "database\0d\0\0");
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_NO_USER);
	CU_ASSERT_PTR_NULL(st.params);
	MAKE_V3(&p, "user\0\0\0");
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_NO_USER);
	CU_ASSERT_STRING_EQUAL(pq_startup_status_text(PQ_STARTUP_MALFORMED),
						   "invalid startup packet layout");
}

static void
test_startup_versions(void)
{
	packet		p;
	pq_startup	st;

	make_packet(&p, 0x00020000, "user\0bob\0\0", 10);
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_UNSUPPORTED_PROTOCOL);
	CU_ASSERT_EQUAL(st.major, 2);
	CU_ASSERT_EQUAL(st.minor, 0);
	CU_ASSERT_PTR_NULL(st.params);
	make_packet(&p, 0x00040000, "user\0bob\0\0", 10);
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_UNSUPPORTED_PROTOCOL);
	CU_ASSERT_EQUAL(st.major, 4);
	make_packet(&p, 80877105, "", 0);	/* 1234.5681: no such request */
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_UNSUPPORTED_PROTOCOL);
	CU_ASSERT_EQUAL(st.major, 1234);
	CU_ASSERT_EQUAL(st.minor, 5681);
	CU_ASSERT_STRING_EQUAL(pq_startup_status_text(PQ_STARTUP_UNSUPPORTED_PROTOCOL),
						   "unsupported frontend protocol");
}

static void
test_startup_requests(void)
{
	packet		p;
	pq_startup	st;

	make_packet(&p, PQ_SSL_REQUEST_CODE, "", 0);
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_OK);
	CU_ASSERT_EQUAL(st.kind, PQ_STARTUP_SSL_REQUEST);
	make_packet(&p, PQ_GSSENC_REQUEST_CODE, "", 0);
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_OK);
	CU_ASSERT_EQUAL(st.kind, PQ_STARTUP_GSSENC_REQUEST);
	make_packet(&p, PQ_CANCEL_REQUEST_CODE, "\x00\x00\x30\x39\xff\xff\xff\xfe", 8);
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_OK);
	CU_ASSERT_EQUAL(st.kind, PQ_STARTUP_CANCEL_REQUEST);
	CU_ASSERT_EQUAL(st.cancel_pid, 12345);
	CU_ASSERT_EQUAL(st.cancel_key, -2);
	pq_startup_free(&st);

	make_packet(&p, PQ_SSL_REQUEST_CODE, "\0", 1);
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_MALFORMED);
	make_packet(&p, PQ_GSSENC_REQUEST_CODE, "abcd", 4);
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_MALFORMED);
	make_packet(&p, PQ_CANCEL_REQUEST_CODE, "1234567", 7);
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_MALFORMED);
	make_packet(&p, PQ_CANCEL_REQUEST_CODE, "123456789", 9);
	CU_ASSERT_EQUAL(parse(&p, &st), PQ_STARTUP_MALFORMED);
}

static void
test_startup_round_trip(void)
{
	const pq_param params[] = {{"user", "u"}, {"database", "d"}, {"x", ""}, {"options", "-c a=b"}};
	pq_out		out;
	pq_startup	st;

	pq_out_init(&out);
	pq_put_startup(&out, params, 4);
	CU_ASSERT_EQUAL_FATAL(pq_parse_startup(out.data, out.len, &st), PQ_STARTUP_OK);
	CU_ASSERT_EQUAL_FATAL(st.nparams, 4);
	for (size_t i = 0; i < 4; i++)
	{
		CU_ASSERT_STRING_EQUAL(st.params[i].name, params[i].name);
		CU_ASSERT_STRING_EQUAL(st.params[i].value, params[i].value);
	}
	pq_startup_free(&st);
	pq_out_reset(&out);
	pq_put_cancel_request(&out, 99, 0x7abcdef0);
	CU_ASSERT_EQUAL(pq_parse_startup(out.data, out.len, &st), PQ_STARTUP_OK);
	CU_ASSERT_EQUAL(st.cancel_pid, 99);
	CU_ASSERT_EQUAL(st.cancel_key, 0x7abcdef0);
	pq_out_reset(&out);
	pq_put_ssl_request(&out);
	CU_ASSERT_EQUAL(pq_parse_startup(out.data, out.len, &st), PQ_STARTUP_OK);
	CU_ASSERT_EQUAL(st.kind, PQ_STARTUP_SSL_REQUEST);
	pq_out_free(&out);
}

CU_TestInfo protocol_startup_tests[] = {
	{"v3 StartupMessage with every parameter kept in order", test_startup_good},
	{"database defaults to user, duplicates, minor version", test_startup_defaults},
	{"packet length limits 8..10000", test_startup_lengths},
	{"a 10000-byte packet of many parameters", test_startup_largest},
	{"broken parameter lists and missing user", test_startup_bad_layout},
	{"protocol 2.0 and unknown versions", test_startup_versions},
	{"SSLRequest, GSSENCRequest, CancelRequest", test_startup_requests},
	{"builders and decoder agree", test_startup_round_trip},
	CU_TEST_INFO_NULL
};

/* The body of the single message in out (after type and length). */
#define BODY(out) ((out)->data + 5)
#define BODY_LEN(out) ((out)->len - 5)

static void
test_error_round_trip(void)
{
	pq_out		out;
	pq_error	err;
	pq_error_fields f = {.severity = "FATAL", .sqlstate = "57P01", .message = "bye",
		.detail = "d", .hint = "h", .file = "x.c", .line = 7, .routine = "r"};

	pq_out_init(&out);
	pq_put_error_response(&out, &f);
	CU_ASSERT_FATAL(pq_parse_error(BODY(&out), BODY_LEN(&out), &err));
	CU_ASSERT_STRING_EQUAL(err.severity, "FATAL");
	CU_ASSERT_STRING_EQUAL(err.severity_localized, "FATAL");
	CU_ASSERT_STRING_EQUAL(err.sqlstate, "57P01");
	CU_ASSERT_STRING_EQUAL(err.message, "bye");
	CU_ASSERT_STRING_EQUAL(err.detail, "d");
	CU_ASSERT_STRING_EQUAL(err.hint, "h");
	CU_ASSERT_STRING_EQUAL(err.file, "x.c");
	CU_ASSERT_STRING_EQUAL(err.line, "7");
	CU_ASSERT_STRING_EQUAL(err.routine, "r");
	CU_ASSERT_PTR_NULL(err.position);
	CU_ASSERT(pq_error_is_fatal(&err));
	pq_out_free(&out);
}

static void
test_error_fields(void)
{
	/* a PostgreSQL 9.5-style body: S only, plus fields the struct does not name */
	const uint8_t body[] = "SFEHLER\0C42P01\0Mx\0P12\0Wctx\0tmytable\0";
	pq_error	err;
	pq_in		in;
	char		code;
	const char *value;
	char		codes[8] = {0};
	int			n = 0;

	CU_ASSERT_FATAL(pq_parse_error(body, sizeof(body), &err));
	CU_ASSERT_STRING_EQUAL(err.severity, "FEHLER");
	CU_ASSERT_STRING_EQUAL(err.position, "12");
	CU_ASSERT_STRING_EQUAL(err.where, "ctx");
	CU_ASSERT(!pq_error_is_fatal(&err));
	pq_in_init(&in, body, sizeof(body));
	while (pq_next_error_field(&in, &code, &value) == 1 && n < 7)
		codes[n++] = code;
	CU_ASSERT_STRING_EQUAL(codes, "SCMPWt");
	CU_ASSERT(pq_in_done(&in));
}

static void
test_error_malformed(void)
{
	pq_error	err;

	CU_ASSERT(!pq_parse_error((const uint8_t *) "", 0, &err));	/* no terminator */
	CU_ASSERT(pq_parse_error((const uint8_t *) "", 1, &err));	/* terminator only */
	CU_ASSERT_PTR_NULL(err.severity);
	CU_ASSERT(!pq_error_is_fatal(&err));
	CU_ASSERT(!pq_parse_error((const uint8_t *) "SERROR", 6, &err));	/* value without NUL */
	CU_ASSERT(!pq_parse_error((const uint8_t *) "SERROR\0", 7, &err));	/* no terminator */
	CU_ASSERT(!pq_parse_error((const uint8_t *) "S", 1, &err));	/* code without value */
	CU_ASSERT(!pq_parse_error((const uint8_t *) "Sx\0\0\0", 5, &err));	/* after terminator */
}

static void
test_auth_round_trip(void)
{
	pq_out		out;
	pq_auth_request req;
	const uint8_t salt[4] = {1, 2, 3, 4};
	const char *const mechs[] = {"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"};
	size_t		pos = 0;

	pq_out_init(&out);
	pq_put_auth_ok(&out);
	CU_ASSERT(pq_parse_auth_request(BODY(&out), BODY_LEN(&out), &req));
	CU_ASSERT_EQUAL(req.type, PQ_AUTH_OK);
	CU_ASSERT_EQUAL(req.data_len, 0);
	pq_out_reset(&out);
	pq_put_auth_md5(&out, salt);
	CU_ASSERT(pq_parse_auth_request(BODY(&out), BODY_LEN(&out), &req));
	CU_ASSERT_EQUAL(req.type, PQ_AUTH_MD5_PASSWORD);
	CU_ASSERT(memcmp(req.md5_salt, salt, 4) == 0);
	pq_out_reset(&out);
	pq_put_auth_sasl(&out, mechs, 2);
	CU_ASSERT(pq_parse_auth_request(BODY(&out), BODY_LEN(&out), &req));
	CU_ASSERT_EQUAL(req.type, PQ_AUTH_SASL);
	CU_ASSERT_STRING_EQUAL(pq_next_sasl_mechanism(&req, &pos), "SCRAM-SHA-256-PLUS");
	CU_ASSERT_STRING_EQUAL(pq_next_sasl_mechanism(&req, &pos), "SCRAM-SHA-256");
	CU_ASSERT_PTR_NULL(pq_next_sasl_mechanism(&req, &pos));
	CU_ASSERT_PTR_NULL(pq_next_sasl_mechanism(&req, &pos));
	CU_ASSERT(pq_sasl_mechanism_offered(&req, "SCRAM-SHA-256"));
	CU_ASSERT(!pq_sasl_mechanism_offered(&req, "SCRAM"));
	pq_out_reset(&out);
	pq_put_auth_sasl_continue(&out, (const uint8_t *) "r=abc,s=x,i=4096", 16);
	CU_ASSERT(pq_parse_auth_request(BODY(&out), BODY_LEN(&out), &req));
	CU_ASSERT_EQUAL(req.type, PQ_AUTH_SASL_CONTINUE);
	CU_ASSERT_EQUAL(req.data_len, 16);
	CU_ASSERT(memcmp(req.data, "r=abc", 5) == 0);
	CU_ASSERT(!pq_sasl_mechanism_offered(&req, "r=abc,s=x,i=4096"));
	pq_out_reset(&out);
	pq_put_auth_sasl_final(&out, (const uint8_t *) "v=zz", 4);
	CU_ASSERT(pq_parse_auth_request(BODY(&out), BODY_LEN(&out), &req));
	CU_ASSERT_EQUAL(req.type, PQ_AUTH_SASL_FINAL);
	CU_ASSERT_EQUAL(req.data_len, 4);
	pq_out_free(&out);
}

static void
test_auth_malformed(void)
{
	pq_auth_request req;

	CU_ASSERT(!pq_parse_auth_request((const uint8_t *) "\0\0\0", 3, &req));
	CU_ASSERT(!pq_parse_auth_request((const uint8_t *) "\0\0\0\0x", 5, &req));	/* Ok + byte */
	CU_ASSERT(!pq_parse_auth_request((const uint8_t *) "\0\0\0\3x", 5, &req));
	CU_ASSERT(!pq_parse_auth_request((const uint8_t *) "\0\0\0\5abc", 7, &req));	/* 3-byte salt */
	CU_ASSERT(!pq_parse_auth_request((const uint8_t *) "\0\0\0\5abcde", 9, &req));
	CU_ASSERT(!pq_parse_auth_request((const uint8_t *) "\0\0\0\12", 4, &req));	/* SASL, no list */
	CU_ASSERT(!pq_parse_auth_request((const uint8_t *) "\0\0\0\12M\0", 6, &req));	/* no end */
	CU_ASSERT(!pq_parse_auth_request((const uint8_t *) "\0\0\0\12M", 5, &req));
	CU_ASSERT(!pq_parse_auth_request((const uint8_t *) "\0\0\0\12M\0\0x", 8, &req));
	/* an unknown subtype is passed along for the caller to refuse */
	CU_ASSERT(pq_parse_auth_request((const uint8_t *) "\0\0\0\77??", 6, &req));
	CU_ASSERT_EQUAL(req.type, 077);
	CU_ASSERT_EQUAL(req.data_len, 2);
}

static void
test_session_round_trip(void)
{
	pq_out		out;
	pq_param	param;
	int32_t		pid;
	int32_t		key;
	char		status;
	const char *tag;

	pq_out_init(&out);
	pq_put_parameter_status(&out, "server_version", "16.4");
	CU_ASSERT(pq_parse_parameter_status(BODY(&out), BODY_LEN(&out), &param));
	CU_ASSERT_STRING_EQUAL(param.name, "server_version");
	CU_ASSERT_STRING_EQUAL(param.value, "16.4");
	pq_out_reset(&out);
	pq_put_backend_key_data(&out, 4242, INT32_MIN);
	CU_ASSERT(pq_parse_backend_key_data(BODY(&out), BODY_LEN(&out), &pid, &key));
	CU_ASSERT_EQUAL(pid, 4242);
	CU_ASSERT_EQUAL(key, INT32_MIN);
	pq_out_reset(&out);
	pq_put_ready_for_query(&out, PQ_TX_INBLOCK);
	CU_ASSERT(pq_parse_ready_for_query(BODY(&out), BODY_LEN(&out), &status));
	CU_ASSERT_EQUAL(status, 'T');
	pq_out_reset(&out);
	pq_put_command_complete(&out, "INSERT 0 1");
	CU_ASSERT(pq_parse_command_complete(BODY(&out), BODY_LEN(&out), &tag));
	CU_ASSERT_STRING_EQUAL(tag, "INSERT 0 1");
	pq_out_free(&out);
}

static void
test_session_malformed(void)
{
	pq_param	param;
	int32_t		pid;
	int32_t		key;
	char		status;
	const char *tag;

	CU_ASSERT(!pq_parse_parameter_status((const uint8_t *) "a\0", 2, &param));
	CU_ASSERT_PTR_NULL(param.name);
	CU_ASSERT(!pq_parse_parameter_status((const uint8_t *) "a\0b", 3, &param));
	CU_ASSERT(!pq_parse_parameter_status((const uint8_t *) "a\0b\0c", 5, &param));
	CU_ASSERT(pq_parse_parameter_status((const uint8_t *) "\0\0", 2, &param));
	CU_ASSERT(!pq_parse_backend_key_data((const uint8_t *) "1234567", 7, &pid, &key));
	CU_ASSERT(!pq_parse_backend_key_data((const uint8_t *) "123456789", 9, &pid, &key));
	CU_ASSERT(!pq_parse_ready_for_query((const uint8_t *) "X", 1, &status));
	CU_ASSERT_EQUAL(status, 0);
	CU_ASSERT(!pq_parse_ready_for_query((const uint8_t *) "II", 2, &status));
	CU_ASSERT(!pq_parse_ready_for_query((const uint8_t *) "", 0, &status));
	CU_ASSERT(pq_parse_ready_for_query((const uint8_t *) "E", 1, &status));
	CU_ASSERT(!pq_parse_command_complete((const uint8_t *) "SELECT 1", 8, &tag));
	CU_ASSERT_PTR_NULL(tag);
	CU_ASSERT(!pq_parse_command_complete((const uint8_t *) "A\0B\0", 4, &tag));
	CU_ASSERT(!pq_parse_command_complete(NULL, 0, &tag));
}

CU_TestInfo protocol_decode_tests[] = {
	{"ErrorResponse round trip", test_error_round_trip},
	{"error fields in order, S-only severity", test_error_fields},
	{"malformed ErrorResponse bodies", test_error_malformed},
	{"Authentication requests round trip", test_auth_round_trip},
	{"malformed Authentication requests", test_auth_malformed},
	{"ParameterStatus, BackendKeyData, ReadyForQuery, CommandComplete", test_session_round_trip},
	{"malformed session messages", test_session_malformed},
	CU_TEST_INFO_NULL
};
