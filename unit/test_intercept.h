/*
 * Shared by the intercept unit tests: a decoded answer, and the fixture (a configuration of 3
 * backends, 4 children and 2 pool slots, its shared-memory region and a session on child slot 1).
 */
#ifndef PGNG_UNIT_TEST_INTERCEPT_H
#define PGNG_UNIT_TEST_INTERCEPT_H

#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <time.h>

#include "child/intercept.h"
#include "child/session.h"
#include "config/config.h"

#define MAX_COLS 24
#define MAX_ROWS 256

typedef struct answer
{
	int			row_descriptions;
	int			ncols;
	char		cols[MAX_COLS][64];
	bool		pgpool_columns; /* every column: attnum = index, type OID 0, typlen -1, typmod 0 */
	int			nrows;
	char	   *rows[MAX_ROWS]; /* values joined by '|' */
	char		tag[64];
	bool		error;
	char		sqlstate[8];
	char		message[256];
	char		detail[256];
	bool		malformed;
} answer;

/* intercept_matches on a NUL-terminated text. */
bool		matches(const char *query);

/* Runs one command through intercept_answer on the fixture's session and decodes what it sent. */
void		run(const char *query, answer *a);
void		answer_free(answer *a);

/* Column names joined by '|' must equal expected; one pgpool-style RowDescription. */
void		check_header(const answer *a, const char *expected);
/* CommandComplete "SELECT <rows>", no error. */
void		check_tag(const answer *a);

/* Node 0 primary, 1 and 2 streaming async standbys, all up since `changed`; node 2 delay 1234. */
void		fixture_backends(time_t changed);

extern pool_config *fx_cfg;
extern session fx_s;

extern CU_TestInfo intercept_show_tests[];
extern CU_TestInfo intercept_pgpool_tests[];

#endif
