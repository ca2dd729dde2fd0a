/*
 * Shared CUnit runner: one place that sets up the registry, runs, and reports in the line format
 * that scripts/test-all.sh sums over all programs.
 */
#include "unit/runner.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
unit_run(const char *program, CU_SuiteInfo *suites)
{
	unsigned	run;
	unsigned	failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
	{
		fprintf(stderr, "%s: cannot initialise CUnit: %s\n", program, CU_get_error_msg());
		return 2;
	}
	if (CU_register_suites(suites) != CUE_SUCCESS)
	{
		fprintf(stderr, "%s: cannot register suites: %s\n", program, CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	run = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed();
	if (CU_get_number_of_suites_failed() > 0)
		failed++;
	printf("\nunit %s: %u passed, %u failed\n", program, run - CU_get_number_of_tests_failed(), failed);
	CU_cleanup_registry();
	return failed == 0 && run > 0 ? 0 : 1;
}

char *
unit_write_temp_file(const char *text)
{
	char		tmpl[] = "/tmp/pgng-unit-XXXXXX";
	int			fd = mkstemp(tmpl);
	size_t		len = strlen(text);

	if (fd < 0)
		return NULL;
	if (write(fd, text, len) != (ssize_t) len)
	{
		close(fd);
		unlink(tmpl);
		return NULL;
	}
	close(fd);
	return strdup(tmpl);
}
