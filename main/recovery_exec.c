/*
 * PostgreSQL's programs run as the data directory's owner with a deadline (see recovery_exec.h).
 */
#include "main/recovery_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "net/sock.h"

#define KILL_GRACE_MS 2000

int
rec_runas_for_dir(rec_runas *as, const char *data_dir, char *err, size_t err_size)
{
	struct stat st;
	struct passwd *pw;
	char		path[512], version[16] = "";
	FILE	   *f;

	memset(as, 0, sizeof(*as));
	if (data_dir == NULL || data_dir[0] == '\0' || stat(data_dir, &st) != 0 || !S_ISDIR(st.st_mode))
	{
		snprintf(err, err_size, "data directory \"%s\" does not exist: %s", data_dir ? data_dir : "",
				 data_dir && data_dir[0] ? strerror(errno) : "backend_data_directory is not set");
		return -1;
	}
	if (geteuid() != 0 && geteuid() != st.st_uid)
	{
		snprintf(err, err_size, "data directory \"%s\" belongs to uid %d; pgpool-ng runs as uid %d and "
				 "can run PostgreSQL's programs only as itself or, as root, as the owner",
				 data_dir, (int) st.st_uid, (int) geteuid());
		return -1;
	}
	if (st.st_uid == 0)
	{
		snprintf(err, err_size, "data directory \"%s\" belongs to root; PostgreSQL does not run as root", data_dir);
		return -1;
	}
	as->uid = st.st_uid;
	as->gid = st.st_gid;
	if ((pw = getpwuid(st.st_uid)) != NULL)
	{
		snprintf(as->user, sizeof(as->user), "%s", pw->pw_name);
		snprintf(as->home, sizeof(as->home), "%s", pw->pw_dir);
		as->gid = pw->pw_gid;
	}
	snprintf(path, sizeof(path), "%s/PG_VERSION", data_dir);
	if ((f = fopen(path, "r")) != NULL)
	{
		if (fgets(version, sizeof(version), f))
			version[strcspn(version, "\n")] = '\0';
		fclose(f);
	}
	snprintf(path, sizeof(path), "/usr/lib/postgresql/%s/bin/pg_ctl", version);
	if (version[0] && access(path, X_OK) == 0)
		snprintf(as->bindir, sizeof(as->bindir), "/usr/lib/postgresql/%s/bin", version);
	return 0;
}

/* In the child: become the owner, detach, and exec; never returns. */
static void
exec_child(const rec_runas *as, const char *const argv[], int out_fd)
{
	char		prog[512];
	sigset_t	none;
	int			devnull = open("/dev/null", O_RDONLY);

	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	if (devnull >= 0)
		dup2(devnull, 0);
	dup2(out_fd, 1);
	dup2(out_fd, 2);
	/* nothing of pgpool's (PCP client socket, listeners) may live on in a postmaster */
	if (close_range(3, ~0U, 0) != 0)
		for (int fd = 3; fd < 4096; fd++)
			close(fd);
	if (geteuid() == 0 &&
		(setgid(as->gid) != 0 || (as->user[0] && initgroups(as->user, as->gid) != 0) ||
		 setuid(as->uid) != 0))
	{
		fprintf(stderr, "cannot switch to uid %d: %s\n", (int) as->uid, strerror(errno));
		_exit(126);
	}
	if (as->home[0])
		setenv("HOME", as->home, 1);
	if (as->user[0])
		setenv("USER", as->user, 1);
	if (as->password && as->password[0])
		setenv("PGPASSWORD", as->password, 1);
	if (chdir("/") != 0)
		_exit(126);
	/* a full path in argv[0]: pg_rewind finds its postgres beside itself through it */
	if (as->bindir[0] && argv[0][0] != '/')
	{
		const char *args[64];
		int			n = 0;

		snprintf(prog, sizeof(prog), "%s/%s", as->bindir, argv[0]);
		args[n++] = prog;
		while (argv[n] && n < 63)
		{
			args[n] = argv[n];
			n++;
		}
		args[n] = NULL;
		execv(prog, (char *const *) args);
	}
	else
		execvp(argv[0], (char *const *) argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Keeps the last out_size - 1 bytes of what the program printed. */
static void
keep_tail(char *out, size_t out_size, size_t *len, const char *buf, size_t n)
{
	if (out == NULL || out_size < 2)
		return;
	if (n >= out_size - 1)
	{
		buf += n - (out_size - 1);
		n = out_size - 1;
		*len = 0;
	}
	if (*len + n > out_size - 1)
	{
		size_t		drop = *len + n - (out_size - 1);

		memmove(out, out + drop, *len - drop);
		*len -= drop;
	}
	memcpy(out + *len, buf, n);
	*len += n;
	out[*len] = '\0';
}

/* Reads the program's output until EOF or the deadline; false at the deadline. */
static bool
drain_with_deadline(int fd, int64_t deadline, char *out, size_t out_size)
{
	size_t		len = 0;
	char		buf[1024];

	for (;;)
	{
		struct pollfd p = {fd, POLLIN, 0};
		int64_t		left = deadline - net_now_ms();
		ssize_t		n;

		if (left <= 0)
			return false;
		if (poll(&p, 1, (int) (left > 1000 ? 1000 : left)) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return true;
		if (n > 0)
			keep_tail(out, out_size, &len, buf, (size_t) n);
	}
}

static int
reap_with_deadline(pid_t pid, int64_t deadline)
{
	int			status;

	while (net_now_ms() < deadline)
	{
		pid_t		r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (r < 0 && errno != EINTR)
			return -1;
		usleep(20 * 1000);
	}
	return -2;
}

static void
kill_group(pid_t pid)
{
	kill(-pid, SIGTERM);
	if (reap_with_deadline(pid, net_now_ms() + KILL_GRACE_MS) == -2)
	{
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

int
rec_run_with_deadline(const rec_runas *as, const char *const argv[], int timeout_s, char *out,
					  size_t out_size)
{
	int64_t		deadline = net_now_ms() + (int64_t) timeout_s * 1000;
	int			fds[2], rc;
	pid_t		pid;

	if (out && out_size > 0)
		out[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid < 0)
	{
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0)
		exec_child(as, argv, fds[1]);
	close(fds[1]);
	log_info("recovery: running %s%s%s (as uid %d, at most %d s)", argv[0][0] == '/' ? "" : as->bindir,
			 as->bindir[0] && argv[0][0] != '/' ? "/" : "", argv[0], (int) as->uid, timeout_s);
	if (!drain_with_deadline(fds[0], deadline, out, out_size) ||
		(rc = reap_with_deadline(pid, deadline)) == -2)
	{
		log_error("recovery: %s did not finish within %d s; killed", argv[0], timeout_s);
		close(fds[0]);
		kill_group(pid);
		return -1;
	}
	close(fds[0]);
	return rc;
}

int
rec_chown(const rec_runas *as, const char *path)
{
	if (geteuid() != 0)
		return 0;
	return chown(path, as->uid, as->gid);
}
