/*
 * The per-child connection cache (see pool.h).
 */
#include "child/pool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/util.h"
#include "protocol/message.h"

void
pool_init(conn_pool *pool, int max_pool, int num_backends)
{
	pool->size = max_pool > 0 ? max_pool : 1;
	pool->num_backends = num_backends > 0 ? num_backends : 1;
	pool->entries = xcalloc((size_t) pool->size, sizeof(pool_entry));
	for (int i = 0; i < pool->size; i++)
	{
		pool->entries[i].num_backends = pool->num_backends;
		pool->entries[i].backends = xcalloc((size_t) pool->num_backends, sizeof(backend_conn));
		for (int n = 0; n < pool->num_backends; n++)
			pool->entries[i].backends[n].conn.fd = -1;
	}
}

static bool
same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

pool_entry *
pool_find(conn_pool *pool, const pq_startup *st)
{
	for (int i = 0; i < pool->size; i++)
	{
		pool_entry *e = &pool->entries[i];

		if (e->valid && e->startup.major == st->major && strcmp(e->startup.user, st->user) == 0 &&
			strcmp(e->startup.database, st->database) == 0 &&
			same_text(e->startup.options, st->options))
			return e;
	}
	return NULL;
}

/* Tells a backend we are leaving; a Terminate that does not fit the socket buffer is dropped. */
static void
send_terminate(backend_conn *b)
{
	static const uint8_t terminate[] = {PQ_MSG_TERMINATE, 0, 0, 0, 4};

	net_conn_send(&b->conn, terminate, sizeof(terminate));
}

void
pool_discard(pool_entry *entry, bool send_term)
{
	for (int n = 0; n < entry->num_backends; n++)
	{
		backend_conn *b = &entry->backends[n];

		if (!b->connected)
			continue;
		if (send_term)
			send_terminate(b);
		net_conn_close(&b->conn);
		memset(b, 0, sizeof(*b));
		b->conn.fd = -1;
	}
	if (entry->startup_packet != NULL)
		pq_startup_free(&entry->startup);
	free(entry->startup_packet);
	free(entry->welcome);
	free(entry->secret);
	entry->startup_packet = NULL;
	entry->secret = NULL;
	entry->welcome = NULL;
	entry->welcome_len = 0;
	entry->valid = false;
	entry->backend_method = HBA_METHOD_TRUST;
	entry->passed_through = false;
}

pool_entry *
pool_take_free(conn_pool *pool)
{
	pool_entry *oldest = &pool->entries[0];

	for (int i = 0; i < pool->size; i++)
	{
		pool_entry *e = &pool->entries[i];

		if (!e->valid)
			return e;
		if (e->last_used < oldest->last_used)
			oldest = e;
	}
	pool_discard(oldest, true);
	return oldest;
}

void
pool_expire(conn_pool *pool, int life_time, time_t now)
{
	if (life_time <= 0)
		return;
	for (int i = 0; i < pool->size; i++)
	{
		pool_entry *e = &pool->entries[i];

		if (e->valid && now - e->last_used > life_time)
			pool_discard(e, true);
	}
}

void
pool_close_all(conn_pool *pool)
{
	for (int i = 0; i < pool->size; i++)
		if (pool->entries[i].valid)
			pool_discard(&pool->entries[i], true);
}

bool
pool_database_is_cacheable(const char *database)
{
	static const char *const never[] = {"postgres", "template0", "template1", "regression"};

	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		if (strcmp(database, never[i]) == 0)
			return false;
	return true;
}

bool
backend_conn_idle_alive(const backend_conn *b)
{
	char		c;
	ssize_t		n;

	if (b->conn.ssl != NULL && SSL_pending(b->conn.ssl) > 0)
		return false;			/* unsolicited data: not a clean idle connection */
	n = recv(b->conn.fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}
