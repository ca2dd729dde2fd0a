/*
 * pgpool-ng's pgpool_recovery extension: pgpool_recovery() runs an online-recovery script that lives
 * in the primary's data directory, pgpool_remote_start() runs the script "pgpool_remote_start"
 * there. Scripts get pgpool's arguments: the primary's data directory, the target's host, data
 * directory, the primary's port, the target's node id and port, the primary's host.
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include <sys/wait.h>

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(pgng_recovery);
PG_FUNCTION_INFO_V1(pgng_remote_start);

/* Appends ' arg' quoted for /bin/sh (single quotes; a quote inside becomes '\''). */
static void
append_quoted(StringInfo cmd, const char *arg)
{
	appendStringInfoString(cmd, " '");
	for (; *arg; arg++)
	{
		if (*arg == '\'')
			appendStringInfoString(cmd, "'\\''");
		else
			appendStringInfoChar(cmd, *arg);
	}
	appendStringInfoChar(cmd, '\'');
}

/* Runs DataDir/script with args; ERROR unless it exits with 0. */
static void
run_script(const char *script, const char *const *args, int nargs)
{
	StringInfoData cmd;
	int			rc;

	if (!superuser())
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						errmsg("only a superuser may run online recovery scripts")));
	if (script[0] == '\0' || strchr(script, '/') != NULL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("invalid recovery script name \"%s\"", script),
						errdetail("The script must be a file name in the data directory \"%s\".", DataDir)));
	initStringInfo(&cmd);
	appendStringInfoString(&cmd, "exec");
	append_quoted(&cmd, psprintf("%s/%s", DataDir, script));
	for (int i = 0; i < nargs; i++)
		append_quoted(&cmd, args[i]);
	elog(LOG, "pgpool_recovery: running %s", cmd.data);
	rc = system(cmd.data);
	if (rc != 0)
		ereport(ERROR, (errmsg("recovery script \"%s\" failed", script),
						errdetail("%s", rc < 0 ? "it could not be started" :
								  WIFEXITED(rc) ? psprintf("exit code %d", WEXITSTATUS(rc)) :
								  psprintf("killed by signal %d", WTERMSIG(rc)))));
	pfree(cmd.data);
}

/*
 * pgpool_recovery(script, remote_host, remote_data_directory [, primary_port [, remote_node
 * [, remote_port [, primary_host]]]]): missing trailing arguments are passed as empty strings.
 */
Datum
pgng_recovery(PG_FUNCTION_ARGS)
{
	const char *args[7];
	int			n = PG_NARGS();

	args[0] = DataDir;
	for (int i = 1; i < 7; i++)
	{
		if (i >= n)
			args[i] = "";
		else if (i == 4)
			args[i] = psprintf("%d", PG_GETARG_INT32(i));
		else
			args[i] = text_to_cstring(PG_GETARG_TEXT_PP(i));
	}
	run_script(text_to_cstring(PG_GETARG_TEXT_PP(0)), args, 7);
	PG_RETURN_BOOL(true);
}

/* pgpool_remote_start(remote_host, remote_data_directory) */
Datum
pgng_remote_start(PG_FUNCTION_ARGS)
{
	const char *args[2];

	args[0] = text_to_cstring(PG_GETARG_TEXT_PP(0));
	args[1] = text_to_cstring(PG_GETARG_TEXT_PP(1));
	run_script("pgpool_remote_start", args, 2);
	PG_RETURN_BOOL(true);
}
