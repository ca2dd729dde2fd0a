/*
 * Helpers shared by the shared-memory tests: a region from a small configuration, and forked
 * processes whose result comes back as their exit status, waited for with a deadline.
 */
#ifndef PGNG_UNIT_TEST_SHMEM_H
#define PGNG_UNIT_TEST_SHMEM_H

#include <CUnit/CUnit.h>
#include <sys/types.h>

/* Creates the region for these dimensions (nodes 127.0.0.1:5432+i, weight 1); CU fatal on failure. */
void		tshm_start(int children, int max_pool, int backends);

/* Runs fn(arg) in a forked process, which exits with fn's return value. */
pid_t		tshm_fork(int (*fn) (void *arg), void *arg);

/* The exit status of pid, or -1 when it did not end within timeout_ms (it is then killed). */
int			tshm_wait(pid_t pid, int timeout_ms);

/* Milliseconds on CLOCK_MONOTONIC. */
long		tshm_now_ms(void);

extern CU_TestInfo tshm_proc_tests[];

#endif
