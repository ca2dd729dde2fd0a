/*
 * A tiny raw PostgreSQL v3 client for the regress tools: TCP connect, start-up with trust
 * authentication, building messages by hand and reading typed messages with deadlines.
 */
#ifndef PGNG_REGRESS_RAWPQ_H
#define PGNG_REGRESS_RAWPQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer for outgoing messages. */
typedef struct raw_buf
{
	uint8_t    *data;
	size_t		len;
	size_t		cap;
	size_t		msg_start;		/* where the message being built begins */
} raw_buf;

void		raw_buf_free(raw_buf *b);
void		raw_put(raw_buf *b, const void *p, size_t n);
void		raw_put8(raw_buf *b, uint8_t v);
void		raw_put16(raw_buf *b, uint16_t v);
void		raw_put32(raw_buf *b, uint32_t v);
void		raw_puts(raw_buf *b, const char *s);	/* with its NUL */
void		raw_begin(raw_buf *b, char type);	/* type and a length placeholder */
void		raw_end(raw_buf *b);		/* fills the length of the message begun last */

/* Common messages. */
void		raw_query(raw_buf *b, const char *sql);
void		raw_parse(raw_buf *b, const char *stmt, const char *sql);
void		raw_bind(raw_buf *b, const char *portal, const char *stmt, int nparams, const char **params);
void		raw_execute(raw_buf *b, const char *portal, uint32_t max_rows);
void		raw_describe(raw_buf *b, char kind, const char *name);
void		raw_close(raw_buf *b, char kind, const char *name);
void		raw_simple(raw_buf *b, char type);	/* Sync, Flush, Terminate, CopyDone */
void		raw_startup(raw_buf *b, const char *user, const char *database);

/* A message read from the server. */
typedef struct raw_msg
{
	char		type;
	uint32_t	len;			/* body length */
	uint8_t    *body;
	size_t		cap;
} raw_msg;

/* Connects to host:port over TCP (non-blocking socket); fd or -1. */
int			raw_connect(const char *host, int port, int timeout_ms);
int64_t		raw_now_ms(void);
/* Writes everything by the deadline; 0, or -1 (error, timeout). */
int			raw_send(int fd, const void *p, size_t n, int64_t deadline);
int			raw_send_buf(int fd, raw_buf *b, int64_t deadline);	/* and empties b */
/* Reads one message by the deadline: 0, -1 error/timeout, -2 EOF at a boundary. */
int			raw_read_msg(int fd, raw_msg *m, int64_t deadline);
void		raw_msg_free(raw_msg *m);
/* Connects and logs in (trust); fd ready for queries (after ReadyForQuery) or -1. */
int			raw_login(const char *host, int port, const char *user, const char *db, int64_t deadline);
/* Reads until ReadyForQuery, EOF or deadline; returns the type of the last message, or 0. */
char		raw_drain_until_ready(int fd, raw_msg *m, int64_t deadline);
/* A one-line summary of an ErrorResponse/NoticeResponse body: "SEVERITY SQLSTATE message". */
void		raw_error_text(const raw_msg *m, char *out, size_t outlen);

#endif
