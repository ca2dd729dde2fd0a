/*
 * Configuration reload (see reload.h). The new file is read into a fresh configuration and only
 * swapped in when it is free of errors, so a typo never takes down a running server.
 */
#include "main/reload.h"

#include <string.h>

#include "common/diag.h"
#include "common/log.h"

static void
log_diags(const diag_list *diags)
{
	for (int i = 0; i < diags->count; i++)
	{
		const diag_entry *e = &diags->entries[i];
		log_level	level = e->severity == DIAG_ERROR ? LOG_LEVEL_ERROR : LOG_LEVEL_WARNING;

		if (e->file && e->line > 0)
			log_msg(level, "%s:%d: %s", e->file, e->line, e->message);
		else
			log_msg(level, "%s", e->message);
	}
}

int
reload_config_file(const char *config_file, pool_config *cfg)
{
	pool_config *fresh = cfg_create();
	pool_config swap;
	diag_list	diags;
	int			rc = -1;

	diag_init(&diags);
	if (cfg_load(fresh, config_file, &diags) < 0 || cfg_validate(fresh, &diags) < 0)
	{
		log_diags(&diags);
		log_error("configuration file \"%s\" has errors; nothing was reloaded", config_file);
	}
	else
	{
		cfg_keep_restart_only(fresh, cfg, &diags);
		log_diags(&diags);
		/* swap contents so that pointers to *cfg held elsewhere stay valid */
		memcpy(&swap, cfg, sizeof(swap));
		memcpy(cfg, fresh, sizeof(swap));
		memcpy(fresh, &swap, sizeof(swap));
		rc = 0;
	}
	cfg_destroy(fresh);
	diag_free(&diags);
	return rc;
}

int
reload_parent_config(const pgpool_options *opts, pool_config *cfg)
{
	int			rc = reload_config_file(opts->config_file, cfg);

	if (rc == 0)
		log_info("reloaded configuration file \"%s\"", opts->config_file);
	return rc;
}
