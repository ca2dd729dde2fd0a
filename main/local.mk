# The pgpool program: command line, configuration check, stop/reload control.
bin_PROGRAMS += pgpool
pgpool_SOURCES = main/pgpool.c
pgpool_LDADD = $(PGNG_LIBS)
