# shmem: the shared memory region (backend table, health-check statistics, child slots, cancel keys,
# requests to the parent), created by the parent before fork and read through shm_* accessors.
libpgng_a_SOURCES += shmem/shmem.h shmem/layout.h shmem/layout.c shmem/sync.h shmem/sync.c \
	shmem/backends.c shmem/children.c shmem/cancel.c shmem/failover.c \
	shmem/report.c shmem/report.h shmem/watchdog.c

check_PROGRAMS += unit/test_shmem
unit_test_shmem_SOURCES = unit/test_shmem.c unit/test_shmem_procs.c unit/test_shmem.h
unit_test_shmem_CFLAGS = $(UNIT_CFLAGS)
unit_test_shmem_LDADD = $(UNIT_LDADD)
TESTS += unit/test_shmem
