/*
 * Unit tests for config/ files: syntax, quoting, comments, diagnostics with lines, duplicates,
 * 3.x names, the seed 3.5 fixture and Debian's sample.
 */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "unit/test_config.h"

CU_TestInfo config_file_tests[] = {
	CU_TEST_INFO_NULL
};

CU_TestInfo config_alias_tests[] = {
	CU_TEST_INFO_NULL
};
