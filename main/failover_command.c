/*
 * Placeholder expansion and bounded execution of the failover scripts (see failover_command.h).
 */
#include "main/failover_command.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "net/sock.h"

#define KILL_GRACE_MS 2000

typedef struct strbuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} strbuf;

static void
sb_add(strbuf *sb, const char *s)
{
	size_t		n = strlen(s);

	if (sb->len + n + 1 > sb->cap)
	{
		sb->cap = (sb->len + n + 1) * 2;
		sb->data = xrealloc(sb->data, sb->cap);
	}
	memcpy(sb->data + sb->len, s, n + 1);
	sb->len += n;
}

static bool
valid(const pool_config *cfg, int node)
{
	return node >= 0 && node < cfg->num_backends && cfg->backends[node].port != 0;
}

static const char *
host_of(const pool_config *cfg, int node)
{
	return valid(cfg, node) && cfg->backends[node].hostname ? cfg->backends[node].hostname : "";
}

static const char *
dir_of(const pool_config *cfg, int node)
{
	return valid(cfg, node) && cfg->backends[node].data_directory ? cfg->backends[node].data_directory : "";
}

static void
port_of(const pool_config *cfg, int node, char *buf, size_t size)
{
	if (valid(cfg, node))
		snprintf(buf, size, "%d", cfg->backends[node].port);
	else
		buf[0] = '\0';
}

/* The text of one placeholder letter into buf (or a pointer to config text); NULL if unknown. */
static const char *
placeholder(const pool_config *cfg, const fo_command_vars *v, char c, char *buf, size_t size)
{
	switch (c)
	{
		case 'd': snprintf(buf, size, "%d", v->node); return buf;
		case 'h': return host_of(cfg, v->node);
		case 'p': port_of(cfg, v->node, buf, size); return buf;
		case 'D': return dir_of(cfg, v->node);
		case 'm': snprintf(buf, size, "%d", v->new_main); return buf;
		case 'H': return host_of(cfg, v->new_main);
		case 'M': snprintf(buf, size, "%d", v->old_main); return buf;
		case 'P': snprintf(buf, size, "%d", v->old_primary); return buf;
		case 'r': port_of(cfg, v->new_main, buf, size); return buf;
		case 'R': return dir_of(cfg, v->new_main);
		case 'N': return host_of(cfg, v->old_primary);
		case 'S': port_of(cfg, v->old_primary, buf, size); return buf;
		case '%': return "%";
		default: return NULL;
	}
}

char *
fo_command_expand(const pool_config *cfg, const char *templ, const fo_command_vars *vars)
{
	strbuf		sb = {xstrdup(""), 0, 1};

	for (const char *p = templ; *p; p++)
	{
		char		buf[32];
		char		one[2] = {*p, '\0'};
		const char *text = *p == '%' && p[1] ? placeholder(cfg, vars, p[1], buf, sizeof(buf)) : NULL;

		if (text)
		{
			sb_add(&sb, text);
			p++;
		}
		else
			sb_add(&sb, one);
	}
	return sb.data;
}

/* Waits for pid until deadline_ms; true when it exited (status stored). */
static bool
wait_until(pid_t pid, int64_t deadline_ms, int *status)
{
	struct timespec step = {0, 20 * 1000 * 1000};

	for (;;)
	{
		pid_t		r = waitpid(pid, status, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return r == pid;
		if (net_now_ms() >= deadline_ms)
			return false;
		nanosleep(&step, NULL);
	}
}

int
fo_command_run_with_deadline(const char *what, const char *command, int timeout_s)
{
	pid_t		pid;
	int			status = 0;

	log_info("%s: running \"%s\"", what, command);
	pid = fork();
	if (pid < 0)
	{
		log_error("%s: could not fork: %s", what, strerror(errno));
		return -1;
	}
	if (pid == 0)
	{
		setpgid(0, 0);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execl("/bin/sh", "sh", "-c", command, (char *) NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	if (!wait_until(pid, net_now_ms() + (int64_t) timeout_s * 1000, &status))
	{
		log_error("%s: \"%s\" still runs after %d s; killing it", what, command, timeout_s);
		kill(-pid, SIGTERM);
		if (!wait_until(pid, net_now_ms() + KILL_GRACE_MS, &status))
		{
			kill(-pid, SIGKILL);
			wait_until(pid, net_now_ms() + KILL_GRACE_MS, &status);
		}
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	log_warning("%s: \"%s\" failed (%s %d)", what, command,
				WIFEXITED(status) ? "exit status" : "signal",
				WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
