# The pgpool program: command line, configuration check, stop/reload control, and the server
# (parent process). The parent's pieces live in the library so that children and tests link them.
libpgng_a_SOURCES += main/server.c main/server.h main/supervisor.c main/supervisor.h \
	main/signals.c main/signals.h main/reload.c main/reload.h main/logging_setup.c \
	main/logging_setup.h main/primary_search.c main/primary_search.h main/pidfile.c main/pidfile.h \
	main/aux.c main/aux.h main/pgconn.c main/pgconn.h main/health_check.c main/health_check.h \
	main/sr_check.c main/sr_check.h main/sr_check_act.c main/sr_check_internal.h main/fence.c main/fence.h \
	main/failover.c main/failover.h main/failover_internal.h main/failover_steps.c main/failover_builtin.c \
	main/failover_command.c main/failover_command.h main/failover_follow.c main/failover_follow.h \
	main/failover_request.c main/failover_request.h main/status_file.c main/status_file.h \
	main/check_password.c main/check_password.h

bin_PROGRAMS += pgpool
pgpool_SOURCES = main/pgpool.c main/options.c main/options.h \
	main/control.c main/control.h main/check_config.c main/check_config.h
pgpool_LDADD = $(PGNG_LIBS)

check_PROGRAMS += unit/test_main
unit_test_main_SOURCES = unit/test_main.c main/options.c
unit_test_main_CFLAGS = $(UNIT_CFLAGS)
unit_test_main_LDADD = $(UNIT_LDADD)
TESTS += unit/test_main

check_PROGRAMS += unit/test_failover
unit_test_failover_SOURCES = unit/test_failover.c
unit_test_failover_CFLAGS = $(UNIT_CFLAGS)
unit_test_failover_LDADD = $(UNIT_LDADD)
TESTS += unit/test_failover
