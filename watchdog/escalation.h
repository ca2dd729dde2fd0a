/*
 * wd_escalation_command and wd_de_escalation_command: run through /bin/sh when this node becomes
 * the leader and when it stops being one. The watchdog never waits for them: it reaps them in its
 * loop and kills one that runs longer than WD_COMMAND_TIMEOUT_MS.
 */
#ifndef PGNG_WATCHDOG_ESCALATION_H
#define PGNG_WATCHDOG_ESCALATION_H

#include <stdint.h>
#include <sys/types.h>

#define WD_COMMAND_TIMEOUT_MS 60000
#define WD_MAX_COMMANDS 4

typedef struct wd_commands
{
	pid_t		pid[WD_MAX_COMMANDS];
	int64_t		started_ms[WD_MAX_COMMANDS];
	const char *what[WD_MAX_COMMANDS];
} wd_commands;

/* Starts cmd (nothing for NULL or ""); what names it in log lines. */
void		wd_command_start(wd_commands *c, const char *cmd, const char *what, int64_t now_ms);

/* Reaps finished commands and kills overdue ones; never blocks. */
void		wd_command_reap(wd_commands *c, int64_t now_ms);

#endif
