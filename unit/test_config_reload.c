/*
 * Unit tests for reload rules (config/reload.c): restart-only parameters keep their running value.
 */
#include <stdlib.h>
#include <string.h>

#include "unit/test_config.h"

static void
test_restart_only_kept(void)
{
	loaded		before;
	loaded		after;

	load_text(&before, "port = 9999\nnum_init_children = 10\nclient_idle_limit = 5\n"
			  "backend_hostname0 = 'a'\nbackend_port0 = 5432\nreset_query_list = 'ABORT'\n");
	load_text(&after, "port = 7777\nnum_init_children = 20\nclient_idle_limit = 30\n"
			  "backend_hostname0 = 'a'\nbackend_port0 = 5432\nreset_query_list = 'ABORT; DISCARD ALL'\n");
	CU_ASSERT_EQUAL_FATAL(before.rc, 0);
	CU_ASSERT_EQUAL_FATAL(after.rc, 0);
	diag_free(&after.diags);
	diag_init(&after.diags);
	CU_ASSERT(cfg_keep_restart_only(after.cfg, before.cfg, &after.diags) >= 2);
	/* restart-only: kept */
	CU_ASSERT_EQUAL(after.cfg->port, 9999);
	CU_ASSERT_EQUAL(after.cfg->num_init_children, 10);
	CU_ASSERT_PTR_NOT_NULL(find_diag(&after.diags, DIAG_WARNING, 0, "\"port\" cannot be changed"));
	CU_ASSERT_PTR_NOT_NULL(find_diag(&after.diags, DIAG_WARNING, 0, "\"num_init_children\""));
	/* reloadable: the new value */
	CU_ASSERT_EQUAL(after.cfg->client_idle_limit, 30);
	CU_ASSERT_PTR_NULL(find_diag(&after.diags, DIAG_WARNING, 0, "\"client_idle_limit\""));
	loaded_free(&before);
	loaded_free(&after);
}

static void
test_unchanged_reload_is_silent(void)
{
	loaded		a;
	loaded		b;
	const char *text = "port = 9999\nlisten_addresses = '*'\nbackend_hostname0 = 'h'\nbackend_port0 = 5432\n";

	load_text(&a, text);
	load_text(&b, text);
	diag_free(&b.diags);
	diag_init(&b.diags);
	CU_ASSERT_EQUAL(cfg_keep_restart_only(b.cfg, a.cfg, &b.diags), 0);
	CU_ASSERT_EQUAL(b.diags.count, 0);
	loaded_free(&a);
	loaded_free(&b);
}

CU_TestInfo config_reload_tests[] = {
	{"restart-only parameters keep their value", test_restart_only_kept},
	{"an unchanged file reloads silently", test_unchanged_reload_is_silent},
	CU_TEST_INFO_NULL
};
