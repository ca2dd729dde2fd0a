/*
 * Shared by the child/intercept*.c files only: building a result set the way pgpool sends its own
 * (text columns, type OID 0, SELECT n), errors, time formats, and one function per SHOW command.
 */
#ifndef PGNG_CHILD_INTERCEPT_INTERNAL_H
#define PGNG_CHILD_INTERCEPT_INTERNAL_H

#include <stddef.h>
#include <time.h>

#include "child/session.h"
#include "protocol/pqbuf.h"

/* A result set being sent: its column count and the rows sent so far. */
typedef struct ic_result
{
	pq_out	   *out;
	size_t		ncols;
	long		rows;
} ic_result;

/* Sends the RowDescription. */
void		ic_result_begin(ic_result *r, pq_out *out, const char *const *names, size_t ncols);
/* Sends one DataRow of r->ncols text values. */
void		ic_result_row(ic_result *r, const char *const *values);
/* Sends CommandComplete "SELECT <rows>". */
void		ic_result_end(ic_result *r);

/* ERROR XX000 with a printf-style message, as pgpool reports its own command errors. */
void		ic_error(pq_out *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define IC_TIME_SIZE 32
/* "YYYY-MM-DD HH:MM:SS" in local time; "" for 0 (never). Returns buf. */
char	   *ic_format_time(time_t t, char *buf, size_t size);

/* The node this session reads from, for SHOW pool_nodes' load_balance_node; -1 when none. */
int			ic_load_balance_node(const session *s);

/* intercept_show_nodes.c */
void		ic_show_pool_nodes(session *s, pq_out *out);
void		ic_show_pool_backend_stats(session *s, pq_out *out);
void		ic_show_pool_health_check_stats(session *s, pq_out *out);

/* intercept_show_status.c */
void		ic_show_pool_status(session *s, pq_out *out);
/* PGPOOL SHOW ALL | <group> | <parameter> */
void		ic_pgpool_show(session *s, const char *what, pq_out *out);

/* intercept_show_procs.c */
void		ic_show_pool_processes(session *s, pq_out *out);
void		ic_show_pool_pools(session *s, pq_out *out);
void		ic_show_pool_version(session *s, pq_out *out);
void		ic_show_pool_cache(session *s, pq_out *out);

#endif
