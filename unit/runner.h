/*
 * The shared main of every CUnit test program: registers the given suites, runs them verbosely and
 * prints one "unit <program>: N passed, M failed" line that scripts/test-all.sh adds up.
 */
#ifndef PGNG_UNIT_RUNNER_H
#define PGNG_UNIT_RUNNER_H

#include <CUnit/CUnit.h>

/* Returns the process exit status: 0 when every test passed. */
int unit_run(const char *program, CU_SuiteInfo *suites);

/* Writes text to a new temporary file and returns its malloc'd path (the caller unlinks and frees). */
char *unit_write_temp_file(const char *text);

#endif
