/*
 * UDP heartbeats: every node sends its state (a signed wd_msg) to every other node's heartbeat
 * address each interval and at once when its vote or leadership changes. Never blocks.
 */
#ifndef PGNG_WATCHDOG_HEARTBEAT_H
#define PGNG_WATCHDOG_HEARTBEAT_H

#include <stddef.h>

#include "watchdog/membership.h"
#include "watchdog/wire.h"

/* A non-blocking UDP socket bound to 0.0.0.0:port, or -1 with err set. */
int			wd_heartbeat_open(int port, char *err, size_t err_size);

/* Sends msg to every peer with an address; returns how many sends failed (not fatal: UDP). */
int			wd_heartbeat_send(int fd, const wd_members *m, const wd_msg *msg, const char *key);

/*
 * Reads one datagram if there is one. Returns 1 with *out decoded and authenticated, 0 when nothing
 * was waiting, -1 for a datagram that was not a valid message (*status says why).
 */
int			wd_heartbeat_receive(int fd, const char *key, wd_msg *out, wd_wire_status *status);

#endif
