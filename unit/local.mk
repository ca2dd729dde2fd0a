# The CUnit runner shared by every unit test program (unit/test_*).
unit_libunit_a_SOURCES = unit/runner.c unit/runner.h
unit_libunit_a_CFLAGS = $(UNIT_CFLAGS)

check_PROGRAMS += unit/test_common
unit_test_common_SOURCES = unit/test_common.c
unit_test_common_CFLAGS = $(UNIT_CFLAGS)
unit_test_common_LDADD = $(UNIT_LDADD)
TESTS += unit/test_common
