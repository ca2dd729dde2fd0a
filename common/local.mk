# Shared helpers: logging, diagnostics, allocation and strings.
libpgng_a_SOURCES += common/log.c common/log.h common/diag.c common/diag.h \
	common/util.c common/util.h common/ps_title.c common/ps_title.h
