/*
 * Unit tests for protocol/: the output buffer and body cursor, and the exact bytes of every message
 * the pooler builds. Decoders and the walker are tested in test_protocol_decode.c and _scan.c.
 */
#include <stdlib.h>
#include <string.h>

#include "protocol/message.h"
#include "protocol/pqbuf.h"
#include "protocol/startup.h"
#include "unit/runner.h"

extern CU_TestInfo protocol_startup_tests[];
extern CU_TestInfo protocol_decode_tests[];
extern CU_TestInfo protocol_scan_tests[];

/* Asserts that out holds exactly the expected bytes, then empties it. */
#define ASSERT_BYTES(out, ...) \
	do { \
		const uint8_t expected_[] = {__VA_ARGS__}; \
		CU_ASSERT_EQUAL_FATAL((out)->len, sizeof(expected_)); \
		CU_ASSERT(memcmp((out)->data, expected_, sizeof(expected_)) == 0); \
		pq_out_reset(out); \
	} while (0)

static void
test_out_integers(void)
{
	pq_out		out;

	pq_out_init(&out);
	pq_out_int8(&out, 0xab);
	pq_out_int16(&out, -2);
	pq_out_int32(&out, 0x01020304);
	pq_out_int32(&out, -1);
	pq_out_string(&out, "ab");
	pq_out_bytes(&out, "\0z", 2);
	pq_out_bytes(&out, NULL, 0);
	ASSERT_BYTES(&out, 0xab, 0xff, 0xfe, 1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff, 'a', 'b', 0, 0, 'z');
	pq_out_free(&out);
}

static void
test_out_queues_messages(void)
{
	pq_out		out;
	size_t		cap;

	pq_out_init(&out);
	pq_put_ready_for_query(&out, 'I');
	pq_put_terminate(&out);
	pq_put_empty_query_response(&out);
	CU_ASSERT_EQUAL(out.len, 6 + 5 + 5);
	pq_out_consume(&out, 6);
	CU_ASSERT_EQUAL(out.len, 10);
	CU_ASSERT_EQUAL(out.data[0], 'X');
	CU_ASSERT_EQUAL(out.data[5], 'I');
	cap = out.cap;
	pq_out_reset(&out);
	CU_ASSERT_EQUAL(out.len, 0);
	CU_ASSERT_EQUAL(out.cap, cap);
	pq_out_free(&out);
	CU_ASSERT_PTR_NULL(out.data);
}

static void
test_out_grows(void)
{
	pq_out		out;
	char	   *big = malloc(100000);

	memset(big, 'q', 99999);
	big[99999] = '\0';
	pq_out_init(&out);
	pq_put_ready_for_query(&out, 'T');
	CU_ASSERT(pq_put_query(&out, big));
	CU_ASSERT_EQUAL(out.len, 6 + 1 + 4 + 100000);
	CU_ASSERT_EQUAL(pq_be32_get(out.data + 7), 4 + 100000);
	CU_ASSERT_EQUAL(out.data[6 + 5 + 99998], 'q');
	CU_ASSERT_EQUAL(out.data[6 + 5 + 99999], 0);
	pq_out_free(&out);
	free(big);
}

static void
test_in_getters(void)
{
	const uint8_t body[] = {0x7f, 0xff, 0xfe, 0x80, 0, 0, 1, 'h', 'i', 0, 9, 8};
	pq_in		in;
	uint8_t		b;
	int16_t		s;
	int32_t		i;
	const char *str;
	const uint8_t *p;

	pq_in_init(&in, body, sizeof(body));
	CU_ASSERT(pq_in_int8(&in, &b) && b == 0x7f);
	CU_ASSERT(pq_in_int16(&in, &s) && s == -2);
	CU_ASSERT(pq_in_int32(&in, &i) && i == (int32_t) 0x80000001);
	CU_ASSERT(pq_in_string(&in, &str) && strcmp(str, "hi") == 0);
	CU_ASSERT_EQUAL(pq_in_remaining(&in), 2);
	CU_ASSERT(!pq_in_done(&in));
	CU_ASSERT(pq_in_bytes(&in, 2, &p) && p == body + 10);
	CU_ASSERT(pq_in_done(&in));
	CU_ASSERT(pq_in_bytes(&in, 0, &p));
}

static void
test_in_bounds(void)
{
	const uint8_t body[] = {1, 2, 3, 'a', 'b'};
	pq_in		in;
	int32_t		i = 77;
	int16_t		s;
	const char *str = "x";
	const uint8_t *p;

	pq_in_init(&in, body, 3);
	CU_ASSERT(!pq_in_int32(&in, &i));
	CU_ASSERT_EQUAL(i, 0);
	/* failure is sticky even for a getter that would fit */
	CU_ASSERT(!pq_in_int16(&in, &s));
	CU_ASSERT_EQUAL(pq_in_remaining(&in), 0);
	CU_ASSERT(!pq_in_done(&in));

	pq_in_init(&in, body, sizeof(body));
	CU_ASSERT(pq_in_bytes(&in, 3, &p));
	CU_ASSERT(!pq_in_string(&in, &str));	/* "ab" without its NUL */
	CU_ASSERT_PTR_NULL(str);

	pq_in_init(&in, body, sizeof(body));
	CU_ASSERT(!pq_in_bytes(&in, 6, &p));
	CU_ASSERT_PTR_NULL(p);

	pq_in_init(&in, NULL, 0);
	CU_ASSERT(!pq_in_string(&in, &str));
	pq_in_init(&in, NULL, 0);
	CU_ASSERT(pq_in_done(&in));
}

static void
test_bytes_ready_for_query(void)
{
	pq_out		out;

	pq_out_init(&out);
	pq_put_ready_for_query(&out, PQ_TX_IDLE);
	ASSERT_BYTES(&out, 0x5a, 0, 0, 0, 5, 0x49);
	pq_put_ready_for_query(&out, PQ_TX_FAILED);
	ASSERT_BYTES(&out, 'Z', 0, 0, 0, 5, 'E');
	pq_out_free(&out);
}

static void
test_bytes_error_response(void)
{
	pq_out		out;
	pq_error_fields f = {.severity = "FATAL", .sqlstate = "28P01", .message = "no"};
	pq_error_fields full = {.severity = "ERREUR", .severity_raw = "ERROR", .sqlstate = "42601",
		.message = "m", .detail = "d", .hint = "h", .file = "f.c", .line = 42, .routine = "r"};

	pq_out_init(&out);
	CU_ASSERT(pq_put_error_response(&out, &f));
	ASSERT_BYTES(&out, 'E', 0, 0, 0, 30,
				 'S', 'F', 'A', 'T', 'A', 'L', 0, 'V', 'F', 'A', 'T', 'A', 'L', 0,
				 'C', '2', '8', 'P', '0', '1', 0, 'M', 'n', 'o', 0, 0);
	CU_ASSERT(pq_put_notice_response(&out, &full));
	ASSERT_BYTES(&out, 'N', 0, 0, 0, 48,
				 'S', 'E', 'R', 'R', 'E', 'U', 'R', 0, 'V', 'E', 'R', 'R', 'O', 'R', 0,
				 'C', '4', '2', '6', '0', '1', 0, 'M', 'm', 0, 'D', 'd', 0, 'H', 'h', 0,
				 'F', 'f', '.', 'c', 0, 'L', '4', '2', 0, 'R', 'r', 0, 0);
	pq_out_free(&out);
}

static void
test_bytes_authentication(void)
{
	pq_out		out;
	const uint8_t salt[4] = {0xde, 0xad, 0xbe, 0xef};
	const char *const mechs[] = {"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"};

	pq_out_init(&out);
	pq_put_auth_ok(&out);
	ASSERT_BYTES(&out, 'R', 0, 0, 0, 8, 0, 0, 0, 0);
	pq_put_auth_cleartext(&out);
	ASSERT_BYTES(&out, 'R', 0, 0, 0, 8, 0, 0, 0, 3);
	pq_put_auth_md5(&out, salt);
	ASSERT_BYTES(&out, 'R', 0, 0, 0, 12, 0, 0, 0, 5, 0xde, 0xad, 0xbe, 0xef);
	CU_ASSERT(pq_put_auth_sasl(&out, mechs + 1, 1));
	ASSERT_BYTES(&out, 'R', 0, 0, 0, 23, 0, 0, 0, 10,
				 'S', 'C', 'R', 'A', 'M', '-', 'S', 'H', 'A', '-', '2', '5', '6', 0, 0);
	CU_ASSERT(pq_put_auth_sasl(&out, mechs, 2));
	CU_ASSERT_EQUAL(out.len, 1 + 4 + 4 + 19 + 14 + 1);
	pq_out_reset(&out);
	CU_ASSERT(pq_put_auth_sasl_continue(&out, (const uint8_t *) "r=x", 3));
	ASSERT_BYTES(&out, 'R', 0, 0, 0, 11, 0, 0, 0, 11, 'r', '=', 'x');
	CU_ASSERT(pq_put_auth_sasl_final(&out, (const uint8_t *) "v=", 2));
	ASSERT_BYTES(&out, 'R', 0, 0, 0, 10, 0, 0, 0, 12, 'v', '=');
	pq_out_free(&out);
}

static void
test_bytes_session_messages(void)
{
	pq_out		out;

	pq_out_init(&out);
	CU_ASSERT(pq_put_parameter_status(&out, "a", "b"));
	ASSERT_BYTES(&out, 'S', 0, 0, 0, 8, 'a', 0, 'b', 0);
	pq_put_backend_key_data(&out, 0x1234, -2);
	ASSERT_BYTES(&out, 'K', 0, 0, 0, 12, 0, 0, 0x12, 0x34, 0xff, 0xff, 0xff, 0xfe);
	CU_ASSERT(pq_put_command_complete(&out, "SHOW"));
	ASSERT_BYTES(&out, 'C', 0, 0, 0, 9, 'S', 'H', 'O', 'W', 0);
	pq_put_empty_query_response(&out);
	ASSERT_BYTES(&out, 'I', 0, 0, 0, 4);
	pq_out_free(&out);
}

static void
test_bytes_show_answer(void)
{
	pq_out		out;
	const char *const names[] = {"a", "bc"};
	const char *const values[] = {"x", NULL, ""};
	const pq_column col = {.name = "n", .table_oid = 1259, .attnum = 3, .type_oid = 25,
		.typlen = -1, .typmod = -1, .format = 1};

	pq_out_init(&out);
	CU_ASSERT(pq_put_row_description_text(&out, names, 2));
	ASSERT_BYTES(&out, 'T', 0, 0, 0, 47, 0, 2,
				 'a', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0,
				 'b', 'c', 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0);
	CU_ASSERT(pq_put_row_description(&out, &col, 1));
	ASSERT_BYTES(&out, 'T', 0, 0, 0, 26, 0, 1, 'n', 0, 0, 0, 0x04, 0xeb, 0, 3, 0, 0, 0, 25,
				 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 1);
	CU_ASSERT(pq_put_data_row(&out, values, 3));
	ASSERT_BYTES(&out, 'D', 0, 0, 0, 19, 0, 3, 0, 0, 0, 1, 'x', 0xff, 0xff, 0xff, 0xff,
				 0, 0, 0, 0);
	CU_ASSERT(pq_put_data_row(&out, NULL, 0));
	ASSERT_BYTES(&out, 'D', 0, 0, 0, 6, 0, 0);
	pq_out_free(&out);
}

static void
test_bytes_frontend_messages(void)
{
	pq_out		out;
	const pq_param params[] = {{"user", "bob"}, {"database", "db"}};

	pq_out_init(&out);
	CU_ASSERT(pq_put_startup(&out, params, 2));
	ASSERT_BYTES(&out, 0, 0, 0, 30, 0, 3, 0, 0, 'u', 's', 'e', 'r', 0, 'b', 'o', 'b', 0,
				 'd', 'a', 't', 'a', 'b', 'a', 's', 'e', 0, 'd', 'b', 0, 0);
	pq_put_ssl_request(&out);
	ASSERT_BYTES(&out, 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f);
	pq_put_cancel_request(&out, 7, -1);
	ASSERT_BYTES(&out, 0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff);
	CU_ASSERT(pq_put_password(&out, "pw"));
	ASSERT_BYTES(&out, 'p', 0, 0, 0, 7, 'p', 'w', 0);
	CU_ASSERT(pq_put_sasl_initial_response(&out, "M", (const uint8_t *) "ab", 2));
	ASSERT_BYTES(&out, 'p', 0, 0, 0, 12, 'M', 0, 0, 0, 0, 2, 'a', 'b');
	CU_ASSERT(pq_put_sasl_initial_response(&out, "M", NULL, 0));
	ASSERT_BYTES(&out, 'p', 0, 0, 0, 10, 'M', 0, 0xff, 0xff, 0xff, 0xff);
	CU_ASSERT(pq_put_sasl_response(&out, (const uint8_t *) "c=", 2));
	ASSERT_BYTES(&out, 'p', 0, 0, 0, 6, 'c', '=');
	CU_ASSERT(pq_put_query(&out, "SELECT 1"));
	ASSERT_BYTES(&out, 'Q', 0, 0, 0, 13, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1', 0);
	pq_put_terminate(&out);
	ASSERT_BYTES(&out, 'X', 0, 0, 0, 4);
	pq_out_free(&out);
}

static CU_TestInfo protocol_buffer_tests[] = {
	{"pq_out integers are big-endian", test_out_integers},
	{"pq_out queues messages back to back", test_out_queues_messages},
	{"pq_out grows past its first capacity", test_out_grows},
	{"pq_in getters", test_in_getters},
	{"pq_in never reads past the end", test_in_bounds},
	CU_TEST_INFO_NULL
};

static CU_TestInfo protocol_builder_tests[] = {
	{"ReadyForQuery bytes", test_bytes_ready_for_query},
	{"ErrorResponse and NoticeResponse bytes", test_bytes_error_response},
	{"Authentication request bytes", test_bytes_authentication},
	{"ParameterStatus, BackendKeyData, CommandComplete bytes", test_bytes_session_messages},
	{"RowDescription and DataRow bytes", test_bytes_show_answer},
	{"frontend message bytes", test_bytes_frontend_messages},
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{"protocol buffer", NULL, NULL, NULL, NULL, protocol_buffer_tests},
	{"protocol builders", NULL, NULL, NULL, NULL, protocol_builder_tests},
	{"protocol startup", NULL, NULL, NULL, NULL, protocol_startup_tests},
	{"protocol decoders", NULL, NULL, NULL, NULL, protocol_decode_tests},
	{"protocol scanner", NULL, NULL, NULL, NULL, protocol_scan_tests},
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return unit_run("test_protocol", suites);
}
