/*
 * if_up_cmd, if_down_cmd and arping_cmd as pgpool runs them: $_IP_$ replaced by delegate_ip, the
 * command's directory taken from if_cmd_path / arping_path unless the command starts with '/'.
 * One command at a time, through /bin/sh in its own process group, never waited for: the watchdog
 * polls it every turn and kills it (the whole group) after WD_VIP_CMD_TIMEOUT_MS.
 */
#ifndef PGNG_WATCHDOG_VIP_CMD_H
#define PGNG_WATCHDOG_VIP_CMD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define WD_VIP_CMD_TIMEOUT_MS 10000
#define WD_VIP_CMD_MAX 1024

typedef struct wd_vip_cmd
{
	pid_t		pid;			/* 0: none running */
	int64_t		started_ms;
	int			killed;
	const char *what;			/* "if_up_cmd", ... for log lines */
} wd_vip_cmd;

/* The command line for template (0), or -1 when it does not fit out. */
int			wd_vip_cmd_build(const char *tmpl, const char *dir, const char *ip, char *out,
							 size_t out_size);

/* Starts cmd; 0, or -1 (logged) when it could not be forked. */
int			wd_vip_cmd_start(wd_vip_cmd *c, const char *cmd, const char *what, int64_t now_ms);

typedef enum
{
	WD_CMD_RUNNING,
	WD_CMD_SUCCEEDED,
	WD_CMD_FAILED				/* non-zero exit, a signal, or killed for its timeout */
} wd_cmd_status;

/* Reaps the command if it ended (logging a failure); kills it when overdue. Never blocks. */
wd_cmd_status wd_vip_cmd_poll(wd_vip_cmd *c, int64_t now_ms);

/* Kills the running command's group; wd_vip_cmd_poll reaps it. */
void		wd_vip_cmd_kill(wd_vip_cmd *c);

#endif
