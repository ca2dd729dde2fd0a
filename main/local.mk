# The pgpool program: command line, configuration check, stop/reload control.
check_PROGRAMS += unit/test_main
unit_test_main_SOURCES = unit/test_main.c main/options.c main/pidfile.c
unit_test_main_CFLAGS = $(UNIT_CFLAGS)
unit_test_main_LDADD = $(UNIT_LDADD)
TESTS += unit/test_main
