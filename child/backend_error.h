/*
 * failover_on_backend_error, the children's side: a session that finds a backend node broken asks
 * for that node's failover. Broken means a read or write that failed, an end of stream the server
 * did not announce, or a connection that could not be opened. A server that ends a session itself
 * (pg_terminate_backend, idle timeouts, a shutdown) says so first with a FATAL or a 57P0x notice;
 * SQL errors and anything on the client's side never count.
 */
#ifndef PGNG_CHILD_BACKEND_ERROR_H
#define PGNG_CHILD_BACKEND_ERROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "child/pool.h"
#include "config/config.h"

/*
 * Whether an ErrorResponse/NoticeResponse body announces the end of its connection: severity
 * FATAL or PANIC, or SQLSTATE 57P01-57P03 (shutdown, crash of another backend, cannot connect now).
 */
bool		backend_error_is_goodbye(uint8_t type, const uint8_t *body, size_t len);

/*
 * Remembers on b that the server announced the end of the connection, when the message does, and
 * whether it said it is shutting down (see backend_shutdown.h).
 */
void		backend_error_note_message(backend_conn *b, uint8_t type, const uint8_t *body, size_t len);

/*
 * Requests node's degeneration as a backend error (on a watchdog node a vote, see
 * wd_gate_decide) and logs why ("...; failover of the node requested (param)" or "...; no
 * failover: reason"). Returns whether it was queued.
 */
bool		backend_error_request_failover(const pool_config *cfg, int node, const char *why,
										   const char *param);

/*
 * node failed while the session was what-ing it ("reading from", "writing to", "connecting to");
 * detail says how. Logs it once and, with failover_on_backend_error, requests the node's
 * degeneration (bounded by the failover queue's lock timeout). Returns whether it was requested.
 */
bool		backend_error_report(const pool_config *cfg, int node, const char *what, const char *detail);

/*
 * The same for an I/O failure with errno err on b (0: end of stream). Not a node failure, and not
 * reported: a timeout (a busy or hung node is the health check's business), a bad message length,
 * or an end the server announced. Returns whether it was reported as a node failure.
 */
bool		backend_error_io(const pool_config *cfg, int node, const backend_conn *b, const char *what,
							 int err);

#endif
