/*
 * Query cancellation across children: a session publishes the key it gave its client and its
 * backends' real keys in shared memory; a CancelRequest may arrive at any child, which looks the
 * key up and sends CancelRequest to each backend of that session.
 */
#ifndef PGNG_CHILD_CANCEL_H
#define PGNG_CHILD_CANCEL_H

#include <stdint.h>

#include "child/session.h"

void		cancel_publish(int slot, const session *s);
void		cancel_withdraw(int slot);

/*
 * Cancels whatever the entry's backends are running, before its connections are dropped: a
 * backend busy with a statement would otherwise notice the closed socket only when it ends.
 */
void		cancel_entry_backends(const pool_config *cfg, const pool_entry *entry);

/* Handles a client's CancelRequest; an unknown key is ignored silently, as PostgreSQL does. */
void		cancel_forward(const pool_config *cfg, int32_t pid, int32_t key);

#endif
