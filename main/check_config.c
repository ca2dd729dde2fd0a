/*
 * `pgpool --check-config` and the configuration loading shared with start-up: pgpool.conf, then
 * pool_hba.conf, pcp.conf and pool_passwd, every problem collected with its file and line.
 */
#include "main/check_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "auth/aes.h"
#include "auth/hba.h"
#include "auth/passwd.h"
#include "auth/pcp_users.h"
#include "common/util.h"

/*
 * The pool_passwd path as pgpool resolves it: relative to the directory of pgpool.conf. NULL when
 * pool_passwd is disabled (empty).
 */
static char *
resolve_pool_passwd(const pgpool_options *opts, const pool_config *cfg)
{
	char	   *dir;
	char	   *path;

	if (cfg->pool_passwd == NULL || cfg->pool_passwd[0] == '\0')
		return NULL;
	dir = path_dirname(opts->config_file);
	path = path_join_relative(dir, cfg->pool_passwd);
	free(dir);
	return path;
}

/* AES entries are only usable with the key; say so now rather than at the first login. */
static void
check_aes_entries_have_key(const pgpool_options *opts, const passwd_file *pw, diag_list *diags)
{
	char	   *key_path = NULL;
	char	   *key;
	char	   *clear;

	for (int i = 0; i < pw->count; i++)
	{
		const passwd_entry *e = &pw->entries[i];

		if (e->kind != PASSWD_AES)
			continue;
		if (key_path == NULL)
			key_path = opts->key_file ? xstrdup(opts->key_file) : aes_key_file_default();
		key = aes_read_key_file(key_path, NULL);
		if (key == NULL)
		{
			diag_add(diags, DIAG_WARNING, pw->path, e->line,
					 "AES password of user \"%s\" cannot be decrypted: key file \"%s\" is missing or empty",
					 e->user, key_path);
			break;
		}
		if (passwd_cleartext(e->secret, key, &clear) < 0)
			diag_add(diags, DIAG_WARNING, pw->path, e->line,
					 "AES password of user \"%s\" does not decrypt with the key in \"%s\"",
					 e->user, key_path);
		else
			free(clear);
		free(key);
	}
	free(key_path);
}

/* The first pool_hba.conf rule whose method needs a password from pool_passwd, or NULL. */
static const hba_rule *
first_password_rule(const hba_file *hba)
{
	for (int i = 0; hba != NULL && i < hba->count; i++)
	{
		hba_method	m = hba->rules[i].method;

		if (m == HBA_METHOD_MD5 || m == HBA_METHOD_SCRAM)
			return &hba->rules[i];
	}
	return NULL;
}

/*
 * pool_passwd. Without the file pgpool still starts, so a missing file is only reported when a
 * pool_hba.conf rule needs it.
 */
static int
load_pool_passwd(const pgpool_options *opts, const pool_config *cfg, const hba_file *hba,
				 diag_list *diags)
{
	char	   *path = resolve_pool_passwd(opts, cfg);
	const hba_rule *needs = first_password_rule(hba);
	passwd_file *pw = NULL;
	int			rc = 0;

	if (path == NULL)
	{
		if (needs != NULL)
			diag_add(diags, DIAG_WARNING, hba->path, needs->line,
					 "method %s needs pool_passwd, but pool_passwd is set to ''",
					 hba_method_name(needs->method));
		return 0;
	}
	if (access(path, F_OK) != 0)
	{
		if (needs != NULL)
			diag_add(diags, DIAG_WARNING, hba->path, needs->line,
					 "method %s needs pool_passwd, but \"%s\" does not exist",
					 hba_method_name(needs->method), path);
	}
	else
	{
		rc = passwd_load(path, &pw, diags);
		check_aes_entries_have_key(opts, pw, diags);
		passwd_free(pw);
	}
	free(path);
	return rc;
}

/* pool_hba.conf matters only with enable_pool_hba, unless named explicitly with -a. */
static int
load_hba(const pgpool_options *opts, const pool_config *cfg, hba_file **hba, diag_list *diags)
{
	*hba = NULL;
	if (!cfg->enable_pool_hba && !opts->hba_file_given)
		return 0;
	return hba_load(opts->hba_file, hba, diags);
}

/* pcp.conf is needed by the PCP server; a missing default file is only worth a warning. */
static int
load_pcp(const pgpool_options *opts, diag_list *diags)
{
	pcp_users  *users = NULL;
	int			rc;

	if (!opts->pcp_file_given && access(opts->pcp_file, F_OK) != 0)
	{
		diag_add(diags, DIAG_WARNING, opts->pcp_file, 0,
				 "pcp.conf does not exist; the PCP server will accept no user");
		return 0;
	}
	rc = pcp_users_load(opts->pcp_file, &users, diags);
	pcp_users_free(users);
	return rc;
}

/*
 * The pgpool_node_id file beside pgpool.conf says which watchdog node this pgpool is (pgpool 4.2+).
 * Without it the node id stays 0, the local node of configurations converted from pgpool 3.x.
 */
static int
load_pgpool_node_id(const pgpool_options *opts, pool_config *cfg, diag_list *diags)
{
	char	   *dir;
	char	   *path;
	FILE	   *f;
	char		line[64] = "";
	char	   *end;
	long		id;

	if (!cfg->use_watchdog)
		return 0;
	dir = path_dirname(opts->config_file);
	path = path_join_relative(dir, "pgpool_node_id");
	free(dir);
	f = fopen(path, "r");
	if (f == NULL)
	{
		free(path);
		return 0;
	}
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	id = strtol(line, &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	if (end == line || *end != '\0' || id < 0 || id >= CFG_MAX_WD_NODES)
	{
		diag_add(diags, DIAG_ERROR, path, 1, "pgpool_node_id must be a number from 0 to %d",
				 CFG_MAX_WD_NODES - 1);
		free(path);
		return -1;
	}
	cfg->pgpool_node_id = (int) id;
	free(path);
	return 0;
}

int
check_config_load_all(const pgpool_options *opts, pool_config *cfg, diag_list *diags)
{
	int			failed = 0;
	hba_file   *hba;

	if (cfg_load(cfg, opts->config_file, diags) < 0)
		failed = 1;
	if (load_pgpool_node_id(opts, cfg, diags) < 0)
		failed = 1;
	if (cfg_validate(cfg, diags) < 0)
		failed = 1;
	if (load_hba(opts, cfg, &hba, diags) < 0)
		failed = 1;
	if (load_pcp(opts, diags) < 0)
		failed = 1;
	if (load_pool_passwd(opts, cfg, hba, diags) < 0)
		failed = 1;
	hba_free(hba);
	return failed;
}

int
check_config_run(const pgpool_options *opts)
{
	pool_config *cfg = cfg_create();
	diag_list	diags;
	int			failed;
	int			errors;
	int			warnings;

	diag_init(&diags);
	failed = check_config_load_all(opts, cfg, &diags);
	diag_print(&diags, stderr);
	errors = diag_count(&diags, DIAG_ERROR);
	warnings = diag_count(&diags, DIAG_WARNING);
	if (failed && errors == 0)
		errors = 1;				/* a loader failed without saying why: still an error */
	fprintf(stderr, "%s: %d error%s, %d warning%s\n", opts->config_file,
			errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
	diag_free(&diags);
	cfg_destroy(cfg);
	return errors > 0 ? 1 : 0;
}
