/*
 * The child's cache of backend connections: up to max_pool entries, each the connections of one
 * (user, database) pair, kept after a client leaves so that the next client with the same pair
 * starts without connecting and authenticating to PostgreSQL again.
 */
#ifndef PGNG_CHILD_POOL_H
#define PGNG_CHILD_POOL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "auth/hba.h"
#include "config/config.h"
#include "net/conn.h"
#include "protocol/startup.h"

/* One backend connection of an entry. */
typedef struct backend_conn
{
	bool		connected;
	net_conn	conn;
	int32_t		pid;			/* the backend's BackendKeyData, for cancel */
	int32_t		key;
	char		tx_status;		/* last ReadyForQuery status: I, T or E */
	bool		goodbye;		/* the server announced the end of the connection (FATAL, 57P0x) */
	char		shutdown_notice[6]; /* the goodbye's SQLSTATE when it was 57P01/57P02, else "" */
	time_t		connected_at;
} backend_conn;


typedef struct pool_entry
{
	bool		valid;
	int			num_backends;
	backend_conn *backends;		/* num_backends slots; only the used nodes are connected */
	int			main_node;		/* the node the session talks to */
	uint8_t    *startup_packet;	/* the first client's start-up packet: the session defaults */
	pq_startup	startup;		/* decoded from startup_packet */
	uint8_t    *welcome;		/* the ParameterStatus messages the backend sent, for replay */
	size_t		welcome_len;
	/*
	 * How the main backend authenticated the user (trust, md5, password, scram-sha-256). With
	 * pool_hba off, every later client of this entry must pass the same method.
	 */
	hba_method	backend_method;
	/* the client answered the backend's own challenge: md5 salt and answer, or the password */
	bool		passed_through;
	uint8_t		md5_salt[4];
	char	   *secret;
	time_t		created;
	time_t		last_used;
	uint64_t	counter;		/* sessions served, pgpool's pool_counter */
} pool_entry;

typedef struct conn_pool
{
	pool_entry *entries;
	int			size;			/* max_pool */
	int			num_backends;
} conn_pool;

void		pool_init(conn_pool *pool, int max_pool, int num_backends);

/*
 * The valid entry made for the same user, database, protocol version and start-up options
 * (options are fixed for a connection's life), or NULL.
 */
pool_entry *pool_find(conn_pool *pool, const pq_startup *startup);

/*
 * A free entry for a new connection set: an empty one, else the least recently used one after
 * closing its connections.
 */
pool_entry *pool_take_free(conn_pool *pool);

/*
 * Whether an idle backend connection is still clean: nothing unsolicited and no EOF waiting (a
 * server that closed or terminated it leaves one of those). One non-blocking peek.
 */
bool		backend_conn_idle_alive(const backend_conn *b);

/* Closes the entry's connections (sending Terminate when they are healthy) and empties it. */
void		pool_discard(pool_entry *entry, bool send_terminate);

/* Discards entries idle for more than life_time seconds (connection_life_time; 0 = never). */
void		pool_expire(conn_pool *pool, int life_time, time_t now);

/* Closes everything, at child exit. */
void		pool_close_all(conn_pool *pool);

/* pgpool never caches connections to these databases. */
bool		pool_database_is_cacheable(const char *database);

#endif
