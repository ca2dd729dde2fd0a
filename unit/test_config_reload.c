/*
 * Unit tests for reload rules (config/reload.c): restart-only parameters keep their running value;
 * and for the copies PGPOOL SET works on (cfg_copy, cfg_copy_param).
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

/* A copy owns its strings and lists: changing or freeing it leaves the original intact. */
static void
test_copy_is_deep(void)
{
	loaded		a;
	pool_config *copy;
	diag_list	diags;
	const cfg_param *p;
	char	   *v;

	load_text(&a, "client_idle_limit = 7\nbackend_hostname1 = 'h1'\nbackend_port1 = 5433\n"
			  "reset_query_list = 'ABORT; DISCARD ALL'\nhealth_check_user1 = 'hc'\n");
	CU_ASSERT_EQUAL_FATAL(a.rc, 0);
	copy = cfg_copy(a.cfg);
	diag_init(&diags);
	CU_ASSERT_EQUAL(cfg_set(copy, "client_idle_limit", "300", NULL, 0, &diags), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg_set(copy, "reset_query_list", "SELECT 1", NULL, 0, &diags), CFG_SET_OK);
	CU_ASSERT_EQUAL(cfg_set(copy, "backend_hostname1", "other", NULL, 0, &diags), CFG_SET_OK);
	CU_ASSERT_EQUAL(a.cfg->client_idle_limit, 7);
	CU_ASSERT_STRING_EQUAL(a.cfg->reset_query_list.text, "ABORT; DISCARD ALL");
	CU_ASSERT_EQUAL(a.cfg->reset_query_list.count, 2);
	CU_ASSERT_STRING_EQUAL(a.cfg->backends[1].hostname, "h1");
	CU_ASSERT_EQUAL(copy->num_backends, 2);
	CU_ASSERT_STRING_EQUAL(copy->health_check_params[1].health_check_user, "hc");
	/* one parameter back to the original's value */
	p = cfg_find("client_idle_limit");
	cfg_copy_param(copy, a.cfg, p, -1);
	CU_ASSERT_EQUAL(copy->client_idle_limit, 7);
	p = cfg_find("reset_query_list");
	cfg_copy_param(copy, a.cfg, p, -1);
	v = cfg_format_value(copy, p, -1, CFG_FORMAT_SHOW);
	CU_ASSERT_STRING_EQUAL(v, "ABORT; DISCARD ALL");
	CU_ASSERT_EQUAL(copy->reset_query_list.count, 2);
	free(v);
	cfg_destroy(copy);
	CU_ASSERT_STRING_EQUAL(a.cfg->backends[1].hostname, "h1");
	CU_ASSERT_STRING_EQUAL(a.cfg->reset_query_list.items[1], "DISCARD ALL");
	diag_free(&diags);
	loaded_free(&a);
}

CU_TestInfo config_reload_tests[] = {
	{"cfg_copy is deep; cfg_copy_param restores one value", test_copy_is_deep},
	{"restart-only parameters keep their value", test_restart_only_kept},
	{"an unchanged file reloads silently", test_unchanged_reload_is_silent},
	CU_TEST_INFO_NULL
};
