# tools: pg_md5 and pg_enc, the password helpers shipped with pgpool.
bin_PROGRAMS += pg_md5 pg_enc
pg_md5_SOURCES = tools/pg_md5.c tools/tool_common.c tools/tool_common.h
pg_md5_LDADD = $(PGNG_LIBS)
pg_enc_SOURCES = tools/pg_enc.c tools/tool_common.c tools/tool_common.h
pg_enc_LDADD = $(PGNG_LIBS)
