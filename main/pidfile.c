/*
 * Reading and writing the pid file in pgpool's format (see pidfile.h).
 */
#include "main/pidfile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

pid_t
pidfile_read(const char *path)
{
	char		buf[32];
	ssize_t		n;
	int			fd = open(path, O_RDONLY);
	long		pid = 0;
	int			digits = 0;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (int i = 0; i < n && isdigit((unsigned char) buf[i]); i++, digits++)
	{
		pid = pid * 10 + (buf[i] - '0');
		if (pid > 1L << 30)
			return -1;
	}
	if (digits == 0 || pid <= 0)
		return -1;
	return (pid_t) pid;
}

int
pidfile_write(const char *path, pid_t pid)
{
	char		tmp[4096];
	char		buf[32];
	int			len = snprintf(buf, sizeof(buf), "%d", (int) pid) + 1;	/* with the NUL */
	int			fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int) sizeof(tmp))
	{
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, buf, len) != len || fsync(fd) != 0)
	{
		int			saved = errno;

		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	close(fd);
	if (rename(tmp, path) != 0)
	{
		int			saved = errno;

		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}
