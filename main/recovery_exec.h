/*
 * Running PostgreSQL's programs (pg_ctl, pg_rewind, pg_basebackup) for the built-in online
 * recovery: as the OS user that owns the data directory (PostgreSQL refuses root), without a shell,
 * in a session of their own, with a deadline after which the whole process group is killed.
 */
#ifndef PGNG_MAIN_RECOVERY_EXEC_H
#define PGNG_MAIN_RECOVERY_EXEC_H

#include <stddef.h>
#include <sys/types.h>

/* Whom the programs run as, and where they are. */
typedef struct rec_runas
{
	uid_t		uid;
	gid_t		gid;
	char		user[64];		/* for initgroups and HOME; "" when uid has no passwd entry */
	char		home[256];
	char		bindir[256];	/* "" : found in PATH */
	const char *password;		/* PGPASSWORD for the programs, NULL or "" for none */
} rec_runas;

/*
 * Fills as for the owner of data_dir; bindir from its PG_VERSION (/usr/lib/postgresql/<v>/bin when
 * it exists). -1 with err set when the directory is missing or we may not act as its owner.
 */
int			rec_runas_for_dir(rec_runas *as, const char *data_dir, char *err, size_t err_size);

/*
 * Runs program (a name in bindir) with argv (argv[0] is the program name, NULL-terminated), at most
 * timeout_s. Returns its exit code, 128+signal, or -1 when it could not be started or was killed at
 * the deadline. out (may be NULL) gets the end of what it printed, for error details.
 */
int			rec_run_with_deadline(const rec_runas *as, const char *const argv[], int timeout_s,
								  char *out, size_t out_size);

/* Changes path's owner to as (a no-op unless we are root); -1 on failure. */
int			rec_chown(const rec_runas *as, const char *path);

#endif
