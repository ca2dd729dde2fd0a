/*
 * Shared helpers of pg_md5 and pg_enc (see tool_common.h).
 */
#include "tools/tool_common.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/diag.h"
#include "common/util.h"
#include "config/config.h"

int
tool_prompt(const char *prompt, char *buf, size_t size)
{
	struct termios saved;
	struct termios quiet;
	int			tty = isatty(STDIN_FILENO);
	char	   *got;
	size_t		len;

	printf("%s", prompt);
	fflush(stdout);
	if (tty && tcgetattr(STDIN_FILENO, &saved) == 0)
	{
		quiet = saved;
		quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHOE | ECHOK | ECHONL);
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	got = fgets(buf, (int) size, stdin);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	printf("\n");
	if (got == NULL)
	{
		fprintf(stderr, "Couldn't read input from stdin. (fgets(): %s)",
				ferror(stdin) ? strerror(errno) : "end of file");
		return -1;
	}
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	return 0;
}

char *
tool_current_user(void)
{
	struct passwd *pw = getpwuid(getuid());

	if (pw == NULL)
	{
		fprintf(stderr, "getpwuid() failed\n\n");
		return NULL;
	}
	return xstrdup(pw->pw_name);
}

char *
tool_pool_passwd_path(const char *conf_file)
{
	pool_config *cfg = cfg_create();
	diag_list	diags;
	char	   *dir;
	char	   *path = NULL;

	diag_init(&diags);
	if (cfg_load(cfg, conf_file, &diags) != 0)
	{
		diag_print(&diags, stderr);
		fprintf(stderr, "Unable to get configuration. Exiting...\n\n");
	}
	else if (cfg->pool_passwd == NULL || cfg->pool_passwd[0] == '\0')
		fprintf(stderr, "pool_passwd is disabled (empty) in \"%s\"\n\n", conf_file);
	else
	{
		dir = path_dirname(conf_file);
		path = path_join_relative(dir, cfg->pool_passwd);
		free(dir);
	}
	diag_free(&diags);
	cfg_destroy(cfg);
	return path;
}
