# Sockets with deadlines, listeners and the buffered connection used by every process.
libpgng_a_SOURCES += net/sock.c net/sock.h net/conn.c net/conn.h
