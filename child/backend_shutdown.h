/*
 * failover_on_backend_shutdown: a backend connection that ends with the server's shutdown notice
 * (SQLSTATE 57P01 admin_shutdown or 57P02 crash_shutdown) fails its node over at once, but only
 * when the server itself is going away. pg_terminate_backend() sends the same 57P01 for one
 * session, so a bounded probe (a new connection to the node) tells the two apart first.
 */
#ifndef PGNG_CHILD_BACKEND_SHUTDOWN_H
#define PGNG_CHILD_BACKEND_SHUTDOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/* Longest the probe may take: connect, start-up packet, first answer. */
#define BACKEND_SHUTDOWN_PROBE_MS 1500

/*
 * Whether a backend message is a shutdown notice: an ErrorResponse FATAL/PANIC (fast shutdown,
 * pg_terminate_backend) or a NoticeResponse (immediate shutdown, crash of another backend: PostgreSQL
 * 14 and later send these as WARNING) with SQLSTATE 57P01 or 57P02. Copies the SQLSTATE into
 * sqlstate (6 bytes) and returns true; else sets it to "" and returns false.
 */
bool		backend_shutdown_notice_code(uint8_t type, const uint8_t *body, size_t len, char *sqlstate);

/* How a probe connection went. */
typedef enum
{
	BACKEND_PROBE_REFUSED,		/* the connection could not be opened before the deadline */
	BACKEND_PROBE_CLOSED,		/* opened, then closed before any answer */
	BACKEND_PROBE_TIMED_OUT,	/* no answer (or no connection) by the deadline */
	BACKEND_PROBE_ANSWERED		/* the server's first message is in type, body, len */
} backend_probe_outcome;

typedef struct backend_probe_answer
{
	backend_probe_outcome outcome;
	const char *error;			/* REFUSED, CLOSED, TIMED_OUT: what the socket said; may be NULL */
	uint8_t		type;
	const uint8_t *body;
	size_t		len;
} backend_probe_answer;

typedef enum
{
	BACKEND_SERVER_GOING_AWAY,	/* shutting down, restarting after a crash, or gone */
	BACKEND_SERVER_ALIVE,		/* it takes new connections: only the one session was ended */
	BACKEND_SERVER_UNKNOWN		/* no answer in time, or one that says neither */
} backend_server_state;

/*
 * The pure decision: what the probe's answer says about the server. A refused or closed connection
 * or a 57P01-57P03 error (shutting down, in recovery mode after a crash, starting up) is going away;
 * an authentication request, or any other error (a login the server refuses), is alive. why (size
 * why_size) says it in words for the log.
 */
backend_server_state backend_probe_verdict(const backend_probe_answer *a, char *why, size_t why_size);

/*
 * A connection to node ended with the shutdown notice sqlstate. With failover_on_backend_shutdown,
 * probes the node (at most BACKEND_SHUTDOWN_PROBE_MS) and requests its failover when the server is
 * going away (backend_error_request_failover); logs what it found either way. Returns whether a
 * failover was requested.
 */
bool		backend_shutdown_check(const pool_config *cfg, int node, const char *sqlstate);

/*
 * Probes node (at most BACKEND_SHUTDOWN_PROBE_MS): whether its server still takes connections.
 * why (why_size) gets what the probe found and how long it took, for the log.
 */
backend_server_state backend_probe_server(const pool_config *cfg, int node, char *why, size_t why_size);

#endif
