# The pgpool program: command line, configuration check, stop/reload control.
bin_PROGRAMS += pgpool
pgpool_SOURCES = main/pgpool.c main/options.c main/options.h main/pidfile.c main/pidfile.h \
	main/control.c main/control.h main/check_config.c main/check_config.h
pgpool_LDADD = $(PGNG_LIBS)

check_PROGRAMS += unit/test_main
unit_test_main_SOURCES = unit/test_main.c main/options.c main/pidfile.c
unit_test_main_CFLAGS = $(UNIT_CFLAGS)
unit_test_main_LDADD = $(UNIT_LDADD)
TESTS += unit/test_main
