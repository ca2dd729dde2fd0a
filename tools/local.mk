# tools: pg_md5 and pg_enc, the password helpers shipped with pgpool.
bin_PROGRAMS += pg_md5 pg_enc
pg_md5_SOURCES = tools/pg_md5.c tools/tool_common.c tools/tool_common.h
pg_md5_LDADD = $(PGNG_LIBS)
pg_enc_SOURCES = tools/pg_enc.c tools/tool_common.c tools/tool_common.h
pg_enc_LDADD = $(PGNG_LIBS)

check_PROGRAMS += unit/test_tools
unit_test_tools_SOURCES = unit/test_tools.c tools/tool_common.c tools/tool_common.h
unit_test_tools_CFLAGS = $(UNIT_CFLAGS)
unit_test_tools_LDADD = $(UNIT_LDADD)
TESTS += unit/test_tools
