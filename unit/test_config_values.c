/*
 * Unit tests for config/ values: booleans, numbers with units and ranges, enums, lists, strings,
 * and the two display formats.
 */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "unit/test_config.h"

CU_TestInfo config_value_tests[] = {
	CU_TEST_INFO_NULL
};
