/*
 * The pgpool_status file (see status_file.h).
 */
#include "main/status_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "shmem/shmem.h"

static char *
status_path(const pool_config *cfg)
{
	return xasprintf("%s/pgpool_status", cfg->logdir && cfg->logdir[0] ? cfg->logdir : "/tmp");
}

int
status_file_write(const pool_config *cfg)
{
	shm_backend_table t;
	char	   *path = status_path(cfg);
	char	   *tmp = xasprintf("%s.tmp", path);
	FILE	   *f;
	int			rc = -1;

	if (shm_backends_snapshot(&t) == 0)
		log_error("could not read the backend table to write \"%s\"", path);
	else if ((f = fopen(tmp, "w")) == NULL)
		log_error("could not write \"%s\": %s", tmp, strerror(errno));
	else
	{
		for (int i = 0; i < t.num_backends; i++)
			fprintf(f, "%s\n", t.nodes[i].status == SHM_CON_DOWN ? "down" : "up");
		if (fclose(f) == 0 && rename(tmp, path) == 0)
			rc = 0;
		else
			log_error("could not write \"%s\": %s", path, strerror(errno));
	}
	free(tmp);
	free(path);
	return rc;
}

/* Reads up to max lines: down[i] true for "down". Returns the lines read, -1 when there is no file. */
static int
read_file(const char *path, bool *down, int max)
{
	FILE	   *f = fopen(path, "r");
	char		line[64];
	int			n = 0;

	if (f == NULL)
		return -1;
	while (n < max && fgets(line, sizeof(line), f))
		down[n++] = strncmp(str_trim(line), "down", 4) == 0;
	fclose(f);
	return n;
}

static int
mark_down(const pool_config *cfg, const bool *down, int n)
{
	shm_backend_table *t = shm_backends_edit_begin_with_deadline(5000);
	int			marked = 0;

	if (t == NULL)
		return 0;
	for (int i = 0; i < n && i < t->num_backends; i++)
		if (down[i] && cfg->backends[i].port != 0)
		{
			t->nodes[i].status = SHM_CON_DOWN;
			t->nodes[i].last_status_change = (int64_t) time(NULL);
			marked++;
		}
	shm_backends_edit_commit();
	return marked;
}

int
status_file_apply(const pool_config *cfg, bool discard)
{
	char	   *path = status_path(cfg);
	bool		down[CFG_MAX_BACKENDS] = {false};
	int			n,
				up = 0,
				marked = 0;

	if (discard)
	{
		log_info("discarding \"%s\" (-D)", path);
		unlink(path);
		free(path);
		return 0;
	}
	n = read_file(path, down, CFG_MAX_BACKENDS);
	for (int i = 0; i < cfg->num_backends; i++)
		if (cfg->backends[i].port != 0 && !(i < n && down[i]))
			up++;
	if (n > 0 && up == 0)
		log_warning("\"%s\" lists every node as down; ignoring it", path);
	else if (n > 0)
		marked = mark_down(cfg, down, n);
	if (marked > 0)
		log_info("%d node(s) marked down from \"%s\"", marked, path);
	free(path);
	return marked;
}
