# Sockets with deadlines, listeners and the buffered connection used by every process.
libpgng_a_SOURCES += net/sock.c net/sock.h net/conn.c net/conn.h
# TLS contexts and handshakes for clients and backends.
libpgng_a_SOURCES += net/tls.c net/tls.h

check_PROGRAMS += unit/test_tls
unit_test_tls_SOURCES = unit/test_tls.c unit/test_tls_pki.c unit/test_tls_pki.h
unit_test_tls_CFLAGS = $(UNIT_CFLAGS)
unit_test_tls_LDADD = $(UNIT_LDADD)
TESTS += unit/test_tls
