# regress/tools: clients that the regress tests drive against PostgreSQL and pgpool-ng (protocol
# sequences, malformed input, fuzzing). Built by `make check`; run by regress/tests/11x-*.sh.
REGRESS_RAWPQ = regress/tools/rawpq.c regress/tools/rawpq.h
check_PROGRAMS += regress/tools/pqseq regress/tools/badclient regress/tools/fuzzclient regress/tools/routeprobe
regress_tools_pqseq_SOURCES = regress/tools/pqseq.c regress/tools/pqseq_raw.c \
	regress/tools/pqseq.h $(REGRESS_RAWPQ)
regress_tools_pqseq_LDADD = $(LIBPQ_LIBS)
regress_tools_badclient_SOURCES = regress/tools/badclient.c $(REGRESS_RAWPQ)
regress_tools_fuzzclient_SOURCES = regress/tools/fuzzclient.c $(REGRESS_RAWPQ)
regress_tools_routeprobe_SOURCES = regress/tools/routeprobe.c
regress_tools_routeprobe_LDADD = $(LIBPQ_LIBS)
