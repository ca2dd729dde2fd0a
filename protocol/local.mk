# protocol: the PostgreSQL v3 wire format: output buffer and body cursor, message builders and
# decoders, the client's startup packet, and the relay's message walker. No sockets here.
libpgng_a_SOURCES += protocol/pqbuf.c protocol/pqbuf.h protocol/message.c protocol/message.h \
	protocol/decode.c protocol/startup.c protocol/startup.h protocol/scan.c protocol/scan.h

check_PROGRAMS += unit/test_protocol
unit_test_protocol_SOURCES = unit/test_protocol.c unit/test_protocol_decode.c \
	unit/test_protocol_scan.c
unit_test_protocol_CFLAGS = $(UNIT_CFLAGS)
unit_test_protocol_LDADD = $(UNIT_LDADD)
TESTS += unit/test_protocol

# libFuzzer targets (make fuzz, make fuzz-run) live in fuzz/.
include fuzz/local.mk
