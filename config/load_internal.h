/*
 * Shared by parse.c and aliases.c: one parsed line of pgpool.conf and the state of reading one
 * file (duplicate tracking, pgpool 3.x names waiting to be combined at the end).
 */
#ifndef PGNG_CONFIG_LOAD_INTERNAL_H
#define PGNG_CONFIG_LOAD_INTERNAL_H

#include "config/config.h"

typedef struct cfg_entry
{
	char	   *name;
	char	   *value;
	int			line;
} cfg_entry;

typedef struct cfg_seen
{
	char	   *name;			/* the 4.3 name the line finally sets */
	int			line;
} cfg_seen;

typedef struct cfg_load_state
{
	pool_config *cfg;
	const char *file;
	diag_list  *diags;
	bool		legacy_watchdog;	/* the file uses 3.x other_pgpool_* / heartbeat_destination* */
	cfg_seen   *seen;
	int			num_seen;
	/* 3.x clustering switches, combined into backend_clustering_mode at the end */
	int			master_slave_mode;	/* -1 not given, else 0/1 */
	int			master_slave_line;
	char	   *master_slave_sub_mode;
	int			sub_mode_line;
	int			replication_mode;	/* -1 not given, else 0/1 */
	int			replication_line;
	bool		clustering_mode_given;
} cfg_load_state;

/*
 * Sets name (a 4.3 name) from the file, warning when an earlier line set it too. written_as is
 * the name the file used when it differs (a 3.x name), else NULL.
 */
void		cfg_load_set(cfg_load_state *st, const char *name, const char *value, int line,
						 const char *written_as);

/* true when the entries use pgpool 3.x watchdog names (other_pgpool_*, heartbeat_destination*). */
bool		cfg_alias_detect_legacy(const cfg_entry *entries, int count);

/* Handles a renamed or removed name; false when the name is not one of those. */
bool		cfg_alias_apply(cfg_load_state *st, const cfg_entry *entry);

/* Combines what only makes sense at the end of the file (clustering mode). */
void		cfg_alias_finish(cfg_load_state *st);

#endif
