/* Suites of unit/test_watchdog, one per file. */
#ifndef PGNG_UNIT_TEST_WATCHDOG_H
#define PGNG_UNIT_TEST_WATCHDOG_H

#include <CUnit/CUnit.h>

extern CU_TestInfo wd_election_tests[];
extern CU_TestInfo wd_vip_tests[];
extern CU_TestInfo wd_consensus_tests[];
extern CU_TestInfo wd_node_request_tests[];

#endif
