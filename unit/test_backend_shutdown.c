/*
 * Unit tests for child/backend_shutdown.c: which backend messages are shutdown notices, and what a
 * probe's answer says about the server (going away, alive, not known).
 */
#include <string.h>

#include "child/backend_shutdown.h"
#include "protocol/message.h"
#include "protocol/pqbuf.h"
#include "unit/runner.h"

/* An ErrorResponse (notice false) or NoticeResponse body with these fields, in out. */
static const uint8_t *
error_body(pq_out *out, bool notice, const char *severity, const char *sqlstate, size_t *len)
{
	pq_error_fields f = {.severity = severity, .sqlstate = sqlstate, .message = "some words"};

	pq_out_init(out);
	CU_ASSERT_FATAL(notice ? pq_put_notice_response(out, &f) : pq_put_error_response(out, &f));
	*len = out->len - PQ_HEADER_SIZE;
	return out->data + PQ_HEADER_SIZE;
}

/* Whether the message is a shutdown notice; code gets its SQLSTATE. */
static bool
notice(uint8_t type, const char *severity, const char *sqlstate, char *code)
{
	pq_out		out;
	size_t		len;
	const uint8_t *body = error_body(&out, type == PQ_MSG_NOTICE_RESPONSE, severity, sqlstate, &len);
	bool		is = backend_shutdown_notice_code(type, body, len, code);

	pq_out_free(&out);
	return is;
}

static void
test_fatal_shutdown_codes(void)
{
	char		code[6];

	CU_ASSERT_TRUE(notice(PQ_MSG_ERROR_RESPONSE, "FATAL", "57P01", code));
	CU_ASSERT_STRING_EQUAL(code, "57P01");
	CU_ASSERT_TRUE(notice(PQ_MSG_ERROR_RESPONSE, "FATAL", "57P02", code));
	CU_ASSERT_STRING_EQUAL(code, "57P02");
	CU_ASSERT_TRUE(notice(PQ_MSG_ERROR_RESPONSE, "PANIC", "57P01", code));
}

static void
test_warning_notices_count(void)
{
	char		code[6];

	/* immediate shutdown and a crash of another backend (PostgreSQL 14+) */
	CU_ASSERT_TRUE(notice(PQ_MSG_NOTICE_RESPONSE, "WARNING", "57P01", code));
	CU_ASSERT_STRING_EQUAL(code, "57P01");
	CU_ASSERT_TRUE(notice(PQ_MSG_NOTICE_RESPONSE, "WARNING", "57P02", code));
	CU_ASSERT_STRING_EQUAL(code, "57P02");
}

static void
test_other_messages_do_not(void)
{
	char		code[6] = "x";
	static const uint8_t garbage[] = {'C', '5', '7'};

	CU_ASSERT_FALSE(notice(PQ_MSG_ERROR_RESPONSE, "ERROR", "57P01", code));
	CU_ASSERT_STRING_EQUAL(code, "");
	CU_ASSERT_FALSE(notice(PQ_MSG_ERROR_RESPONSE, "FATAL", "57P03", code));
	CU_ASSERT_FALSE(notice(PQ_MSG_ERROR_RESPONSE, "FATAL", "57P05", code));	/* idle_session_timeout */
	CU_ASSERT_FALSE(notice(PQ_MSG_ERROR_RESPONSE, "FATAL", "25P03", code));
	CU_ASSERT_FALSE(notice(PQ_MSG_ERROR_RESPONSE, "FATAL", "28000", code));
	CU_ASSERT_FALSE(notice(PQ_MSG_NOTICE_RESPONSE, "WARNING", "57P03", code));
	CU_ASSERT_FALSE(notice(PQ_MSG_ERROR_RESPONSE, "FATAL", NULL, code));
	CU_ASSERT_FALSE(backend_shutdown_notice_code(PQ_MSG_ERROR_RESPONSE, garbage, sizeof(garbage), code));
	CU_ASSERT_FALSE(backend_shutdown_notice_code(PQ_MSG_READY_FOR_QUERY, (const uint8_t *) "I", 1, code));
	CU_ASSERT_STRING_EQUAL(code, "");
}

static backend_server_state
verdict_of(backend_probe_outcome outcome, const char *error, char *why)
{
	backend_probe_answer a = {.outcome = outcome, .error = error};

	return backend_probe_verdict(&a, why, 400);
}

/* The verdict on a first answer that is an ErrorResponse with sqlstate. */
static backend_server_state
verdict_on_error(const char *sqlstate, char *why)
{
	pq_out		out;
	backend_probe_answer a = {.outcome = BACKEND_PROBE_ANSWERED, .type = PQ_MSG_ERROR_RESPONSE};
	backend_server_state state;

	a.body = error_body(&out, false, "FATAL", sqlstate, &a.len);
	state = backend_probe_verdict(&a, why, 400);
	pq_out_free(&out);
	return state;
}

static void
test_no_connection_is_going_away(void)
{
	char		why[400];

	CU_ASSERT_EQUAL(verdict_of(BACKEND_PROBE_REFUSED, "Connection refused", why), BACKEND_SERVER_GOING_AWAY);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "refuses new connections (Connection refused)"));
	CU_ASSERT_EQUAL(verdict_of(BACKEND_PROBE_CLOSED, NULL, why), BACKEND_SERVER_GOING_AWAY);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "closes new connections"));
}

static void
test_timeout_is_not_known(void)
{
	char		why[400];

	CU_ASSERT_EQUAL(verdict_of(BACKEND_PROBE_TIMED_OUT, "timed out", why), BACKEND_SERVER_UNKNOWN);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no answer in time"));
}

static void
test_cannot_connect_now_is_going_away(void)
{
	char		why[400];

	CU_ASSERT_EQUAL(verdict_on_error("57P03", why), BACKEND_SERVER_GOING_AWAY);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "FATAL 57P03: some words"));
	CU_ASSERT_EQUAL(verdict_on_error("57P01", why), BACKEND_SERVER_GOING_AWAY);
	CU_ASSERT_EQUAL(verdict_on_error("57P02", why), BACKEND_SERVER_GOING_AWAY);
}

static void
test_authentication_is_alive(void)
{
	static const uint8_t md5[] = {0, 0, 0, 5, 1, 2, 3, 4};
	backend_probe_answer a = {.outcome = BACKEND_PROBE_ANSWERED, .type = PQ_MSG_AUTHENTICATION, .body = md5,
	.len = sizeof(md5)};
	char		why[400];

	CU_ASSERT_EQUAL(backend_probe_verdict(&a, why, sizeof(why)), BACKEND_SERVER_ALIVE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "asked to authenticate"));
}

static void
test_login_refused_is_alive(void)
{
	char		why[400];

	CU_ASSERT_EQUAL(verdict_on_error("28000", why), BACKEND_SERVER_ALIVE);	/* no such role, pg_hba */
	CU_ASSERT_EQUAL(verdict_on_error("3D000", why), BACKEND_SERVER_ALIVE);	/* no such database */
	CU_ASSERT_EQUAL(verdict_on_error("53300", why), BACKEND_SERVER_ALIVE);	/* too many clients */
}

static void
test_odd_answers_are_not_known(void)
{
	static const uint8_t garbage[] = {'S'};
	backend_probe_answer a = {.outcome = BACKEND_PROBE_ANSWERED, .type = PQ_MSG_READY_FOR_QUERY,
	.body = (const uint8_t *) "I", .len = 1};
	char		why[400];

	CU_ASSERT_EQUAL(backend_probe_verdict(&a, why, sizeof(why)), BACKEND_SERVER_UNKNOWN);
	a.type = PQ_MSG_ERROR_RESPONSE;
	a.body = garbage;
	a.len = sizeof(garbage);
	CU_ASSERT_EQUAL(backend_probe_verdict(&a, why, sizeof(why)), BACKEND_SERVER_UNKNOWN);
	/* a short buffer still gets a terminated text */
	a.outcome = BACKEND_PROBE_REFUSED;
	a.error = "Connection refused";
	CU_ASSERT_EQUAL(backend_probe_verdict(&a, why, 8), BACKEND_SERVER_GOING_AWAY);
	CU_ASSERT_EQUAL(strlen(why), 7);
}

static CU_TestInfo notice_tests[] = {
	{"FATAL 57P01/57P02 is a shutdown notice", test_fatal_shutdown_codes},
	{"so is a WARNING notice with them", test_warning_notices_count},
	{"other errors and messages are not", test_other_messages_do_not},
	CU_TEST_INFO_NULL
};

static CU_TestInfo verdict_tests[] = {
	{"refused or closed: going away", test_no_connection_is_going_away},
	{"no answer in time: not known", test_timeout_is_not_known},
	{"57P03 and shutdown codes: going away", test_cannot_connect_now_is_going_away},
	{"an authentication request: alive", test_authentication_is_alive},
	{"a refused login: alive", test_login_refused_is_alive},
	{"odd answers: not known", test_odd_answers_are_not_known},
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{"shutdown notice", NULL, NULL, NULL, NULL, notice_tests},
	{"probe verdict", NULL, NULL, NULL, NULL, verdict_tests},
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return unit_run("test_backend_shutdown", suites);
}
