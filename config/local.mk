# config: pgpool.conf — the parameter table, the file reader, value parsing/formatting, 3.x names
# and start-up checks.
libpgng_a_SOURCES += config/config.h config/params_internal.h config/load_internal.h \
	config/params.c config/params_general.c config/params_cluster.c config/params_watchdog.c \
	config/values.c config/parse.c config/aliases.c config/validate.c config/reload.c

check_PROGRAMS += unit/test_config
unit_test_config_SOURCES = unit/test_config.c unit/test_config_values.c unit/test_config_files.c unit/test_config_reload.c \
	unit/test_config.h
unit_test_config_CFLAGS = $(UNIT_CFLAGS) -DPGNG_SRCDIR='"$(abs_top_srcdir)"'
unit_test_config_LDADD = $(UNIT_LDADD)
TESTS += unit/test_config
# A real pgpool-II 3.5 configuration (duplicated other_pgpool_hostname0, Chinese comments).
EXTRA_DIST += config/testdata/seed-3.5-pgpool.conf
