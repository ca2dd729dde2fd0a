/*
 * Helpers shared by the config/ unit tests: load a configuration from text and look for a
 * diagnostic by severity, line and text.
 */
#ifndef PGNG_UNIT_TEST_CONFIG_H
#define PGNG_UNIT_TEST_CONFIG_H

#include <CUnit/CUnit.h>
#include <stdbool.h>

#include "common/diag.h"
#include "config/config.h"

/* Writes text to a temporary file and cfg_load()s it over a fresh configuration. */
typedef struct loaded
{
	pool_config *cfg;
	diag_list	diags;
	int			rc;
	char	   *path;
} loaded;

void		load_text(loaded *l, const char *text);
void		loaded_free(loaded *l);

/* The first diagnostic with this severity, line (0: any) and text, or NULL. */
const diag_entry *find_diag(const diag_list *d, diag_severity sev, int line, const char *needle);

/* The value of a parameter by name in the given format, malloc'd ("" when unknown). */
char	   *value_of(const pool_config *cfg, const char *name, cfg_format fmt);

extern CU_TestInfo config_value_tests[];
extern CU_TestInfo config_file_tests[];
extern CU_TestInfo config_alias_tests[];
extern CU_TestInfo config_reload_tests[];

#endif
