/*
 * Statement routing for a session that holds connections to several nodes (see
 * docs/design/routing.md). The relay cuts the client's stream into units (a Query, a FunctionCall,
 * or an extended-protocol run up to Sync or Flush); route_plan_unit decides where a unit runs and
 * route_apply records what running it there changes (transaction, named statements and portals,
 * temporary tables, session settings). No I/O here: what needs a backend comes through hooks.
 */
#ifndef PGNG_CHILD_ROUTE_H
#define PGNG_CHILD_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "parser/sql_classify.h"

#define ROUTE_MAX_STATEMENTS 16	/* statements classified per unit; more: the unit is not balanced */
#define ROUTE_MAX_TABLES 32		/* temporary tables; tables written in a transaction */
#define ROUTE_MAX_REPLAY 64		/* session settings replayed on other nodes */
#define ROUTE_MAX_NAMED 256		/* named statements and portals tracked per session */
#define ROUTE_MAX_PENDING 256	/* named Parses sent and not answered yet */

/* What the router needs from the relay. */
typedef struct route_hooks
{
	/* whether node may take reads now (usable, streaming, within delay_threshold) */
	bool		(*node_usable) (void *arg, int node);
	/* 1: the function only reads, 0: it may write (or is unknown) */
	int			(*function_reads_only) (void *arg, const sql_name *fn);
	/* the statement must run on the primary (primary_routing_query_pattern_list) */
	bool		(*primary_only) (void *arg, const char *text, size_t len);
	/* a uniform random number, for statement_level_load_balance */
	uint32_t	(*random) (void *arg);
	void	   *arg;
} route_hooks;

typedef struct route_named
{
	char	   *name;
	uint8_t    *parse;			/* statements: the whole Parse message, to create it elsewhere */
	size_t		parse_len;
	uint32_t	nodes;			/* statements: where it exists (bit per node) */
	uint32_t	pending;		/* statements: where its Parse was sent, not answered yet */
	int			node;			/* portals: where it was bound */
	bool		balanceable;	/* statements: may run on a standby */
} route_named;

typedef struct route_table_set
{
	int			count;
	char	   *names[ROUTE_MAX_TABLES];
	bool		flag[ROUTE_MAX_TABLES];	/* temporary tables: ON COMMIT DROP */
} route_table_set;

/* What the router keeps per session. */
typedef struct route_state
{
	const pool_config *cfg;
	route_hooks hooks;
	int			primary;
	int			lb_node;		/* the session's load-balance node (the primary: none) */
	uint32_t	connected;		/* nodes with a connection in this session (bit per node) */
	bool		lb_off;			/* no more balancing in this session: its state could not be kept */
	bool		wrote;			/* a write ran in this session (disable_load_balance_on_write always) */
	bool		wrote_in_tx;	/* a write ran in some explicit transaction (trans_transaction) */
	char		tx_status;		/* the client's view: status of the last ReadyForQuery it got */
	int			failed_node;	/* tx_status 'E': the node whose transaction failed */
	bool		tx_wrote;		/* this explicit transaction wrote */
	bool		tx_pinned;		/* this explicit transaction stays on the primary */
	char	   *tx_begin;		/* the statement that opened it, to open it on another node */
	route_table_set tx_tables;	/* dml_adaptive: tables this transaction wrote */
	route_table_set temp_tables;
	int			statement_count;
	route_named statements[ROUTE_MAX_NAMED];
	/* named Parses in the order sent: a ParseComplete makes the head exist, its Sync's answer
	 * without one means it failed or was skipped after an error */
	int			pending_head;
	int			pending_count;
	struct
	{
		char	   *name;
		int			node;
		long		sync;		/* the ReadyForQuery that settles it */
	}			pending[ROUTE_MAX_PENDING];
	int			portal_count;
	route_named portals[ROUTE_MAX_NAMED];
	int			unnamed_node;	/* where the last unnamed Parse ran */
	int			replay_count;
	char	   *replay[ROUTE_MAX_REPLAY];	/* SET/RESET/DISCARD texts, in order */
	int			replayed[CFG_MAX_BACKENDS]; /* how many of them each node has run */
	/* read_your_writes: after a committed write, standbys must show it before they take reads */
	bool		ryw_check;		/* a write was committed since the nodes in ryw_ok were checked */
	uint32_t	ryw_ok;			/* nodes known to have replayed the session's last commit */
	char		ryw_lsn[32];	/* the primary's WAL position after that commit ("" not asked yet) */
} route_state;

/* The decision about one unit, and what route_apply needs of it. */
typedef struct route_plan
{
	size_t		len;			/* bytes of the unit (when complete) */
	bool		complete;		/* its last message is in the buffer */
	bool		decided;		/* node is set: complete, or too large to ever be (streamed) */
	int			node;
	bool		balanceable;	/* it may run on a standby */
	bool		writes;			/* it modifies data (or may) */
	bool		flush_ended;
	long		sync;			/* set by the caller: the number of the ReadyForQuery ending it */
	bool		trivial;		/* only Sync, Flush or Close: stays on the current node */
	int			forced;			/* a portal or unnamed statement lives on this node (-1: none) */
	int			count;			/* statements classified */
	bool		overflow;		/* more statements than classified */
	bool		overflow_state; /* one of those changes the session or the transaction */
	const char *texts[ROUTE_MAX_STATEMENTS];
	size_t		text_lens[ROUTE_MAX_STATEMENTS];
	bool		with_params[ROUTE_MAX_STATEMENTS];	/* a Parse declaring or using parameters */
	bool		stmt_balanceable[ROUTE_MAX_STATEMENTS];
	sql_class	classes[ROUTE_MAX_STATEMENTS];
} route_plan;

void		route_init(route_state *st, const pool_config *cfg, const route_hooks *hooks, int primary,
					   int lb_node, uint32_t connected);
void		route_free(route_state *st);

/*
 * Looks at the unit at data[0..len) (the buffer holds at most capacity bytes) and decides where it
 * goes once it is complete or can never be.
 */
void		route_plan_unit(route_state *st, const uint8_t *data, size_t len, size_t capacity,
							route_plan *plan);

/* After the unit was sent to plan->node: records its effects on the session. */
void		route_apply(route_state *st, const uint8_t *data, const route_plan *plan);

/* The backend answered the oldest named Parse still pending with ParseComplete. */
void		route_parse_complete(route_state *st);

/* ReadyForQuery number sync arrived: Parses it settles without a ParseComplete did not happen. */
void		route_sync_answered(route_state *st, long sync);

/* The client got a ReadyForQuery with status from node. */
void		route_note_ready(route_state *st, int node, char status);

/* A statement or portal table lookup (NULL when unknown). */
route_named *route_find(route_named *table, int count, const char *name);

/* Whether a table name the parser saw is in the set (route.c, shared with route_state.c). */
bool		route_table_set_has(const route_table_set *set, const sql_name *name);
bool		route_name_matches(const char *stored, const sql_name *name);

/* Whether a standby may take this unit, under disable_load_balance_on_write (exposed for tests). */
bool		route_may_balance(const route_state *st, const route_plan *plan);

#endif
