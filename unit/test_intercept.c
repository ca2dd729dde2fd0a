/*
 * Unit tests for child/intercept*.c: which query texts are pgpool-ng's own commands, and the exact
 * messages answered for a small shared-memory region (4 children, 2 pool slots, 3 backends).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "child/intercept.h"
#include "common/util.h"
#include "config/config.h"
#include "protocol/message.h"
#include "shmem/shmem.h"
#include "unit/runner.h"
#include "unit/test_intercept.h"

/* ---- matching ---- */

bool
matches(const char *q)
{
	return intercept_matches(q, strlen(q) + 1);
}

static void
test_match_show(void)
{
	CU_ASSERT_TRUE(matches("SHOW pool_nodes"));
	CU_ASSERT_TRUE(matches("show POOL_NODES;"));
	CU_ASSERT_TRUE(matches("  Show  pool_version ; "));
	CU_ASSERT_TRUE(matches("\n\tSHOW\tpool_status\n"));
	CU_ASSERT_TRUE(matches("SHOW pool_processes"));
	CU_ASSERT_TRUE(matches("SHOW pool_pools"));
	CU_ASSERT_TRUE(matches("SHOW pool_backend_stats"));
	CU_ASSERT_TRUE(matches("SHOW pool_health_check_stats"));
	CU_ASSERT_TRUE(matches("SHOW pool_cache"));
	/* the length bounds the text even without a NUL */
	CU_ASSERT_TRUE(intercept_matches("SHOW pool_nodesXYZ", 15));
	CU_ASSERT_FALSE(intercept_matches("SHOW pool_nodes", 12));
}

static void
test_match_pgpool(void)
{
	CU_ASSERT_TRUE(matches("PGPOOL SHOW ALL"));
	CU_ASSERT_TRUE(matches("pgpool show LOAD_BALANCE_MODE;"));
	CU_ASSERT_TRUE(matches("PGPOOL SHOW no_such_param"));
	CU_ASSERT_TRUE(matches("PGPOOL SET client_idle_limit = 300"));
	CU_ASSERT_TRUE(matches("PGPOOL SET client_idle_limit=300;"));
	CU_ASSERT_TRUE(matches("pgpool set client_idle_limit to 5"));
	CU_ASSERT_TRUE(matches("PGPOOL SET client_idle_limit = 'abc'"));
	CU_ASSERT_TRUE(matches("PGPOOL SET port = 1234"));
	CU_ASSERT_TRUE(matches("PGPOOL SET client_idle_limit TO DEFAULT"));
	CU_ASSERT_TRUE(matches("PGPOOL RESET client_idle_limit"));
	CU_ASSERT_TRUE(matches("PGPOOL RESET ALL ;"));
}

static void
test_match_others_go_to_postgresql(void)
{
	CU_ASSERT_FALSE(matches("SHOW pool_foo"));
	CU_ASSERT_FALSE(matches("SHOW search_path"));
	CU_ASSERT_FALSE(matches("SHOW pool_nodes extra"));
	CU_ASSERT_FALSE(matches("SHOW pool_nodes;;"));
	CU_ASSERT_FALSE(matches("SHOW"));
	CU_ASSERT_FALSE(matches("SELECT 1; SHOW pool_nodes"));
	CU_ASSERT_FALSE(matches("PGPOOL FOO"));
	CU_ASSERT_FALSE(matches("PGPOOL SHOW"));
	CU_ASSERT_FALSE(matches("PGPOOL SHOW a b"));
	CU_ASSERT_FALSE(matches("PGPOOL SET client_idle_limit"));
	CU_ASSERT_FALSE(matches("PGPOOL SET client_idle_limit ="));
	CU_ASSERT_FALSE(matches("PGPOOL SET client_idle_limit = 'abc"));
	CU_ASSERT_FALSE(matches("PGPOOL SET client_idle_limit = 'a' b"));
	CU_ASSERT_FALSE(matches("PGPOOL RESET"));
	CU_ASSERT_FALSE(matches("PGPOOL RESET a b"));
	CU_ASSERT_FALSE(matches("SHOWpool_nodes"));
	CU_ASSERT_FALSE(matches(""));
	CU_ASSERT_FALSE(matches(";"));
}

/* ---- a decoded answer ---- */

static void
decode_row_description(pq_in *in, answer *a)
{
	int16_t		n = 0;

	a->row_descriptions++;
	pq_in_int16(in, &n);
	a->ncols = n;
	a->pgpool_columns = true;
	for (int i = 0; i < n && i < MAX_COLS; i++)
	{
		const char *name = "";
		int32_t		table, type, typmod;
		int16_t		attnum, typlen, format;

		pq_in_string(in, &name);
		pq_in_int32(in, &table);
		pq_in_int16(in, &attnum);
		pq_in_int32(in, &type);
		pq_in_int16(in, &typlen);
		pq_in_int32(in, &typmod);
		pq_in_int16(in, &format);
		str_copy(a->cols[i], name, sizeof(a->cols[i]));
		if (table != 0 || attnum != i || type != 0 || typlen != -1 || typmod != 0 || format != 0)
			a->pgpool_columns = false;
	}
}

static void
decode_data_row(pq_in *in, answer *a)
{
	int16_t		n = 0;
	char	   *row = xstrdup("");

	pq_in_int16(in, &n);
	for (int i = 0; i < n; i++)
	{
		int32_t		len = 0;
		const uint8_t *p = NULL;
		char	   *next;

		pq_in_int32(in, &len);
		if (len < 0 || !pq_in_bytes(in, (size_t) len, &p))
			a->malformed = true;
		next = xasprintf("%s%s%.*s", row, i ? "|" : "", len > 0 ? (int) len : 0,
						 p ? (const char *) p : "");
		free(row);
		row = next;
	}
	if (a->nrows < MAX_ROWS)
		a->rows[a->nrows] = row;
	else
		free(row);
	a->nrows++;
}

static void
decode_error(const uint8_t *body, size_t len, answer *a)
{
	pq_error	e;

	a->error = true;
	if (!pq_parse_error(body, len, &e))
	{
		a->malformed = true;
		return;
	}
	str_copy(a->sqlstate, e.sqlstate ? e.sqlstate : "", sizeof(a->sqlstate));
	str_copy(a->message, e.message ? e.message : "", sizeof(a->message));
	str_copy(a->detail, e.detail ? e.detail : "", sizeof(a->detail));
}

static void
decode(const pq_out *out, answer *a)
{
	size_t		pos = 0;

	memset(a, 0, sizeof(*a));
	while (pos + 5 <= out->len)
	{
		uint8_t		type = out->data[pos];
		uint32_t	len = ((uint32_t) out->data[pos + 1] << 24) | ((uint32_t) out->data[pos + 2] << 16) |
			((uint32_t) out->data[pos + 3] << 8) | out->data[pos + 4];
		const uint8_t *body = out->data + pos + 5;
		pq_in		in;
		const char *tag = "";

		if (len < 4 || pos + 1 + len > out->len)
			break;
		pq_in_init(&in, body, len - 4);
		if (type == PQ_MSG_ROW_DESCRIPTION)
			decode_row_description(&in, a);
		else if (type == PQ_MSG_DATA_ROW)
			decode_data_row(&in, a);
		else if (type == PQ_MSG_COMMAND_COMPLETE && pq_parse_command_complete(body, len - 4, &tag))
			str_copy(a->tag, tag, sizeof(a->tag));
		else if (type == PQ_MSG_ERROR_RESPONSE)
			decode_error(body, len - 4, a);
		else
			a->malformed = true;
		if (type == PQ_MSG_ROW_DESCRIPTION || type == PQ_MSG_DATA_ROW)
			a->malformed |= !pq_in_done(&in);
		pos += 1 + len;
	}
	a->malformed |= pos != out->len;
}

void
answer_free(answer *a)
{
	for (int i = 0; i < a->nrows && i < MAX_ROWS; i++)
		free(a->rows[i]);
}

static char *
joined_columns(const answer *a)
{
	char	   *s = xstrdup("");

	for (int i = 0; i < a->ncols && i < MAX_COLS; i++)
	{
		char	   *next = xasprintf("%s%s%s", s, i ? "|" : "", a->cols[i]);

		free(s);
		s = next;
	}
	return s;
}

/* ---- the fixture: configuration, region, session ---- */

pool_config *fx_cfg;
static child_context fx_ctx;
static pool_entry fx_entry;
session		fx_s;

/* Runs in a suite's set-up, where CU_ASSERT may not be used: returns false on failure. */
static bool
set_param(pool_config *cfg, const char *name, const char *value)
{
	diag_list	diags;
	int			rc;

	diag_init(&diags);
	rc = cfg_set(cfg, name, value, NULL, 0, &diags);
	diag_free(&diags);
	return rc == CFG_SET_OK;
}

static bool
fixture_config(void)
{
	static const char *const settings[][2] = {
		{"num_init_children", "4"}, {"max_pool", "2"}, {"port", "27999"},
		{"health_check_period", "2"}, {"health_check_user", "postgres"},
		{"backend_hostname0", "127.0.0.1"}, {"backend_port0", "27432"},
		{"backend_application_name0", "node0"}, {"backend_data_directory0", "/tmp/cluster/n0"},
		{"backend_hostname1", "127.0.0.1"}, {"backend_port1", "27433"},
		{"backend_application_name1", "node1"}, {"backend_data_directory1", "/tmp/cluster/n1"},
		{"backend_hostname2", "127.0.0.1"}, {"backend_port2", "27434"},
		{"backend_application_name2", "node2"}, {"backend_data_directory2", "/tmp/cluster/n2"},
	};

	fx_cfg = cfg_create();
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (!set_param(fx_cfg, settings[i][0], settings[i][1]))
			return false;
	return true;
}

/* Node 0 primary, 1 and 2 streaming standbys, all up since `changed`. */
void
fixture_backends(time_t changed)
{
	shm_backend_table *t = shm_backends_edit_begin_with_deadline(1000);

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	t->primary_node_id = 0;
	for (int i = 0; i < 3; i++)
	{
		t->nodes[i].status = SHM_CON_UP;
		t->nodes[i].pg_status = SHM_PG_STATUS_UP;
		t->nodes[i].role = t->nodes[i].pg_role = i == 0 ? SHM_ROLE_PRIMARY : SHM_ROLE_STANDBY;
		t->nodes[i].last_status_change = changed;
		str_copy(t->nodes[i].replication_state, i ? "streaming" : "", SHM_REPL_STATE_SIZE);
		str_copy(t->nodes[i].replication_sync_state, i ? "async" : "", SHM_REPL_STATE_SIZE);
	}
	t->nodes[2].replication_delay = 1234;
	CU_ASSERT_EQUAL(shm_backends_edit_commit(), 0);
}

static int
fixture_setup(void)
{
	if (!fixture_config() || shm_create(fx_cfg) != 0)
		return 1;
	memset(&fx_ctx, 0, sizeof(fx_ctx));
	fx_ctx.cfg = fx_cfg;
	fx_ctx.slot = 1;
	memset(&fx_entry, 0, sizeof(fx_entry));
	fx_entry.main_node = 0;
	memset(&fx_s, 0, sizeof(fx_s));
	fx_s.ctx = &fx_ctx;
	fx_s.cfg = fx_cfg;
	fx_s.entry = &fx_entry;
	return 0;
}

static int
fixture_teardown(void)
{
	intercept_session_end(&fx_s);
	shm_destroy();
	cfg_destroy(fx_cfg);
	return 0;
}

/* Runs one command through intercept_answer and decodes the result. */
void
run(const char *query, answer *a)
{
	pq_out		out;

	CU_ASSERT_TRUE(matches(query));
	pq_out_init(&out);
	intercept_answer(&fx_s, query, &out);
	decode(&out, a);
	CU_ASSERT_FALSE(a->malformed);
	pq_out_free(&out);
}

void
check_header(const answer *a, const char *expected)
{
	char	   *got = joined_columns(a);

	CU_ASSERT_STRING_EQUAL(got, expected);
	CU_ASSERT_EQUAL(a->row_descriptions, 1);
	CU_ASSERT_TRUE(a->pgpool_columns);
	free(got);
}

void
check_tag(const answer *a)
{
	char		tag[32];

	snprintf(tag, sizeof(tag), "SELECT %d", a->nrows);
	CU_ASSERT_STRING_EQUAL(a->tag, tag);
	CU_ASSERT_FALSE(a->error);
}

static CU_TestInfo match_tests[] = {
	{"SHOW pool_*: spacing, case, semicolon", test_match_show},
	{"PGPOOL SHOW / SET / RESET", test_match_pgpool},
	{"everything else goes to PostgreSQL", test_match_others_go_to_postgresql},
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{"intercept matching", NULL, NULL, NULL, NULL, match_tests},
	{"intercept SHOW", fixture_setup, fixture_teardown, NULL, NULL, intercept_show_tests},
	{"intercept PGPOOL SHOW/SET/RESET", fixture_setup, fixture_teardown, NULL, NULL,
	intercept_pgpool_tests},
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return unit_run("test_intercept", suites);
}
