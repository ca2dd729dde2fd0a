/*
 * Running the VIP commands (see vip_cmd.h).
 */
#include "watchdog/vip_cmd.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"

#define IP_PLACEHOLDER "$_IP_$"

int
wd_vip_cmd_build(const char *tmpl, const char *dir, const char *ip, char *out, size_t out_size)
{
	size_t		len = 0;
	size_t		ph = strlen(IP_PLACEHOLDER);
	int			n;

	n = tmpl[0] == '/' || dir == NULL || dir[0] == '\0' ? snprintf(out, out_size, "%s", "") :
		snprintf(out, out_size, "%s/", dir);
	if (n < 0 || (size_t) n >= out_size)
		return -1;
	len = (size_t) n;
	for (const char *p = tmpl; *p;)
	{
		const char *piece = strncmp(p, IP_PLACEHOLDER, ph) == 0 ? ip : NULL;
		size_t		plen = piece ? strlen(ip) : 1;

		if (len + plen >= out_size)
			return -1;
		memcpy(out + len, piece ? piece : p, plen);
		len += plen;
		p += piece ? ph : 1;
	}
	out[len] = '\0';
	return 0;
}

int
wd_vip_cmd_start(wd_vip_cmd *c, const char *cmd, const char *what, int64_t now_ms)
{
	pid_t		pid = fork();

	if (pid == 0)
	{
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *) NULL);
		_exit(127);
	}
	if (pid < 0)
	{
		log_error("watchdog: could not fork for %s: %s", what, strerror(errno));
		return -1;
	}
	setpgid(pid, pid);			/* also here: the group must exist before we may kill it */
	log_info("watchdog: running %s: %s", what, cmd);
	c->pid = pid;
	c->started_ms = now_ms;
	c->killed = 0;
	c->what = what;
	return 0;
}

void
wd_vip_cmd_kill(wd_vip_cmd *c)
{
	if (c->pid <= 0 || c->killed)
		return;
	kill(-c->pid, SIGKILL);
	kill(c->pid, SIGKILL);
	c->killed = 1;
}

wd_cmd_status
wd_vip_cmd_poll(wd_vip_cmd *c, int64_t now_ms)
{
	int			status = 0;
	pid_t		r;

	if (c->pid <= 0)
		return WD_CMD_FAILED;
	r = waitpid(c->pid, &status, WNOHANG);
	if (r == 0)
	{
		if (now_ms - c->started_ms > WD_VIP_CMD_TIMEOUT_MS && !c->killed)
		{
			log_warning("watchdog: %s still runs after %d ms; killing it", c->what,
						WD_VIP_CMD_TIMEOUT_MS);
			wd_vip_cmd_kill(c);
		}
		return WD_CMD_RUNNING;
	}
	c->pid = 0;
	if (r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && !c->killed)
		return WD_CMD_SUCCEEDED;
	if (r < 0)
		log_warning("watchdog: lost track of %s: %s", c->what, strerror(errno));
	else if (!c->killed)
		log_warning("watchdog: %s failed (%s %d)", c->what,
					WIFEXITED(status) ? "exit status" : "signal",
					WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return WD_CMD_FAILED;
}
