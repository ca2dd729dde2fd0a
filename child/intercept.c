/*
 * Recognising the commands pgpool-ng answers itself, dispatching them, and PGPOOL SET / RESET on a
 * session-local copy of the configuration; also the result-set helpers the SHOW files share.
 */
#include "child/intercept.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "child/intercept_internal.h"
#include "common/diag.h"
#include "common/util.h"
#include "config/config.h"
#include "protocol/message.h"
#include "shmem/report.h"
#include "shmem/shmem.h"

#define IC_NAME_MAX 128

typedef enum
{
	IC_CMD_SHOW,				/* SHOW pool_* */
	IC_CMD_PGPOOL_SHOW,
	IC_CMD_PGPOOL_SET,
	IC_CMD_PGPOOL_RESET
} ic_kind;

/* A recognised command. */
typedef struct ic_command
{
	ic_kind		kind;
	void		(*show) (session *s, pq_out *out);	/* IC_CMD_SHOW */
	char		name[IC_NAME_MAX];	/* PGPOOL SHOW/SET/RESET target */
	char	   *value;			/* PGPOOL SET: malloc'd; NULL for DEFAULT */
} ic_command;

static const struct
{
	const char *name;
	void		(*show) (session *s, pq_out *out);
}			show_commands[] = {
	{"pool_nodes", ic_show_pool_nodes},
	{"pool_status", ic_show_pool_status},
	{"pool_processes", ic_show_pool_processes},
	{"pool_pools", ic_show_pool_pools},
	{"pool_version", ic_show_pool_version},
	{"pool_backend_stats", ic_show_pool_backend_stats},
	{"pool_health_check_stats", ic_show_pool_health_check_stats},
	{"pool_cache", ic_show_pool_cache},
};

/* A cursor over the query text, without its blanks around and its trailing ';'. */
typedef struct ic_scan
{
	const char *p;
	const char *end;
} ic_scan;

static void
skip_blanks(ic_scan *sc)
{
	while (sc->p < sc->end && isspace((unsigned char) *sc->p))
		sc->p++;
}

static bool
is_word_char(char c)
{
	return isalnum((unsigned char) c) || c == '_';
}

/* The next word ([A-Za-z0-9_]+) into buf; false when there is none or it does not fit. */
static bool
scan_word(ic_scan *sc, char *buf, size_t size)
{
	size_t		n = 0;

	skip_blanks(sc);
	while (sc->p < sc->end && is_word_char(*sc->p))
	{
		if (n + 1 >= size)
			return false;
		buf[n++] = *sc->p++;
	}
	buf[n] = '\0';
	return n > 0;
}

static bool
at_end(ic_scan *sc)
{
	skip_blanks(sc);
	return sc->p == sc->end;
}

/* A quoted value ('it''s' or "x"), which must end the text; malloc'd, or NULL. */
static char *
scan_quoted(ic_scan *sc)
{
	char		quote = *sc->p++;
	char	   *buf = xmalloc((size_t) (sc->end - sc->p) + 1);
	size_t		n = 0;

	while (sc->p < sc->end)
	{
		char		c = *sc->p++;

		if (c == quote && (sc->p == sc->end || *sc->p != quote))
		{
			buf[n] = '\0';
			if (at_end(sc))
				return buf;
			break;
		}
		if (c == quote)
			sc->p++;			/* a doubled quote stands for one */
		buf[n++] = c;
	}
	free(buf);
	return NULL;
}

/* PGPOOL SET's value: quoted, or the rest of the text as written. false when missing/malformed. */
static bool
scan_value(ic_scan *sc, ic_command *cmd)
{
	skip_blanks(sc);
	if (sc->p == sc->end)
		return false;
	if (*sc->p == '\'' || *sc->p == '"')
	{
		cmd->value = scan_quoted(sc);
		return cmd->value != NULL;
	}
	cmd->value = xstrndup(sc->p, (size_t) (sc->end - sc->p));
	if (strcasecmp(cmd->value, "default") == 0)
	{
		free(cmd->value);
		cmd->value = NULL;
	}
	return true;
}

/* After PGPOOL SET name: "= value" or "TO value". */
static bool
scan_assignment(ic_scan *sc, ic_command *cmd)
{
	char		word[8];

	skip_blanks(sc);
	if (sc->p < sc->end && *sc->p == '=')
		sc->p++;
	else if (!scan_word(sc, word, sizeof(word)) || strcasecmp(word, "to") != 0)
		return false;
	return scan_value(sc, cmd);
}

static bool
parse_show(ic_scan *sc, ic_command *cmd)
{
	char		word[32];

	if (!scan_word(sc, word, sizeof(word)) || !at_end(sc))
		return false;
	for (size_t i = 0; i < sizeof(show_commands) / sizeof(show_commands[0]); i++)
	{
		if (strcasecmp(word, show_commands[i].name) == 0)
		{
			cmd->kind = IC_CMD_SHOW;
			cmd->show = show_commands[i].show;
			return true;
		}
	}
	return false;
}

static bool
parse_pgpool(ic_scan *sc, ic_command *cmd)
{
	char		verb[8];

	if (!scan_word(sc, verb, sizeof(verb)) || !scan_word(sc, cmd->name, sizeof(cmd->name)))
		return false;
	if (strcasecmp(verb, "show") == 0)
		cmd->kind = IC_CMD_PGPOOL_SHOW;
	else if (strcasecmp(verb, "reset") == 0)
		cmd->kind = IC_CMD_PGPOOL_RESET;
	else if (strcasecmp(verb, "set") == 0)
	{
		cmd->kind = IC_CMD_PGPOOL_SET;
		return scan_assignment(sc, cmd);
	}
	else
		return false;
	return at_end(sc);
}

/* Fills cmd when the text is one of our commands; cmd->value must then be freed. */
static bool
parse_command(const char *query, size_t len, ic_command *cmd)
{
	const char *nul = memchr(query, '\0', len);
	ic_scan		sc = {query, nul ? nul : query + len};
	char		word[8];
	bool		ok = false;

	memset(cmd, 0, sizeof(*cmd));
	while (sc.end > sc.p && isspace((unsigned char) sc.end[-1]))
		sc.end--;
	if (sc.end > sc.p && sc.end[-1] == ';')
		sc.end--;
	if (!scan_word(&sc, word, sizeof(word)))
		return false;
	if (strcasecmp(word, "show") == 0)
		ok = parse_show(&sc, cmd);
	else if (strcasecmp(word, "pgpool") == 0)
		ok = parse_pgpool(&sc, cmd);
	if (!ok)
	{
		free(cmd->value);
		cmd->value = NULL;
	}
	return ok;
}

bool
intercept_matches(const char *query, size_t len)
{
	ic_command	cmd;

	if (!parse_command(query, len, &cmd))
		return false;
	free(cmd.value);
	return true;
}

/* ---- PGPOOL SET / RESET ---- */

/* The session's own configuration, made on the first PGPOOL SET. */
static pool_config *
session_config(session *s)
{
	if (!s->session_cfg)
	{
		s->session_cfg = cfg_copy(s->cfg);
		s->cfg = s->session_cfg;
	}
	return s->session_cfg;
}

/* The configuration the session had before any PGPOOL SET: the child's. */
static const pool_config *
original_config(const session *s)
{
	return s->ctx ? s->ctx->cfg : s->cfg;
}

static void
drop_session_config(session *s)
{
	if (!s->session_cfg)
		return;
	s->cfg = original_config(s);
	cfg_destroy(s->session_cfg);
	s->session_cfg = NULL;
}

/* Sets the value, or sends pgpool's error with what is allowed as its detail. */
static void
set_value(session *s, const char *name, const char *value, pq_out *out)
{
	diag_list	diags;
	char	   *prefix = xasprintf("invalid value for parameter \"%s\": \"%s\": ", name, value);
	const diag_entry *e;

	diag_init(&diags);
	if (cfg_set(session_config(s), name, value, NULL, 0, &diags) == CFG_SET_OK)
		pq_put_command_complete(out, "SET");
	else
	{
		pq_error_fields f = {.severity = "ERROR", .sqlstate = "XX000"};
		char	   *message = xasprintf("invalid value for parameter \"%s\": \"%s\"", name, value);

		e = diag_find(&diags, "invalid value");
		if (e && strncmp(e->message, prefix, strlen(prefix)) == 0)
			f.detail = e->message + strlen(prefix);
		f.message = message;
		pq_put_error_response(out, &f);
		free(message);
	}
	diag_free(&diags);
	free(prefix);
}

/* PGPOOL RESET name: back to the value the configuration file gave. */
static void
reset_value(session *s, const cfg_param *param, int index, pq_out *out)
{
	if (s->session_cfg)
		cfg_copy_param(s->session_cfg, original_config(s), param, index);
	pq_put_command_complete(out, "SET");
}

/* PGPOOL SET name = value (value NULL: DEFAULT) and PGPOOL RESET name. */
static void
pgpool_set(session *s, const ic_command *cmd, pq_out *out)
{
	int			index;
	const cfg_param *param = cfg_find_indexed(cmd->name, &index);
	char	   *name;

	if (!param)
	{
		ic_error(out, "unrecognized configuration parameter \"%s\"", cmd->name);
		return;
	}
	name = cfg_param_name(param, index);
	if (param->context != CFG_CONTEXT_SESSION)
		ic_error(out, "invalid Context, value for parameter \"%s\" cannot be changed", name);
	else if (cmd->kind == IC_CMD_PGPOOL_RESET || cmd->value == NULL)
		reset_value(s, param, index, out);
	else
		set_value(s, name, cmd->value, out);
	free(name);
}

static void
run_command(session *s, const ic_command *cmd, pq_out *out)
{
	switch (cmd->kind)
	{
		case IC_CMD_SHOW:
			cmd->show(s, out);
			break;
		case IC_CMD_PGPOOL_SHOW:
			ic_pgpool_show(s, cmd->name, out);
			break;
		case IC_CMD_PGPOOL_RESET:
			if (strcasecmp(cmd->name, "all") == 0)
			{
				drop_session_config(s);
				pq_put_command_complete(out, "RESET");
				break;
			}
			/* fall through */
		case IC_CMD_PGPOOL_SET:
			pgpool_set(s, cmd, out);
			break;
	}
}

/* The child's published status while the command runs, and after, as the relay would set it. */
static void
publish_status(const session *s, bool running)
{
	const backend_conn *b;

	if (!s->ctx)
		return;
	if (running)
	{
		shm_child_set_status(s->ctx->slot, SHM_CHILD_EXECUTE_COMMAND);
		return;
	}
	b = s->entry && s->entry->backends ? &s->entry->backends[s->entry->main_node] : NULL;
	shm_child_set_status(s->ctx->slot, b && b->tx_status != PQ_TX_IDLE && b->tx_status != 0 ?
						 SHM_CHILD_IDLE_IN_TRANSACTION : SHM_CHILD_IDLE);
}

void
intercept_answer(session *s, const char *query, pq_out *out)
{
	ic_command	cmd;

	if (!parse_command(query, strlen(query), &cmd))
	{
		ic_error(out, "not a pgpool-ng command");
		return;
	}
	publish_status(s, true);
	run_command(s, &cmd, out);
	publish_status(s, false);
	free(cmd.value);
}

void
intercept_session_end(session *s)
{
	drop_session_config(s);
}

/* ---- shared by the SHOW files ---- */

void
ic_result_begin(ic_result *r, pq_out *out, const char *const *names, size_t ncols)
{
	r->out = out;
	r->ncols = ncols;
	r->rows = 0;
	pq_put_row_description_text(out, names, ncols);
}

void
ic_result_row(ic_result *r, const char *const *values)
{
	if (pq_put_data_row(r->out, values, r->ncols))
		r->rows++;
}

void
ic_result_end(ic_result *r)
{
	char		tag[32];

	snprintf(tag, sizeof(tag), "SELECT %ld", r->rows);
	pq_put_command_complete(r->out, tag);
}

void
ic_error(pq_out *out, const char *fmt, ...)
{
	va_list		ap;
	char	   *message;
	pq_error_fields f = {.severity = "ERROR", .sqlstate = "XX000"};

	va_start(ap, fmt);
	message = xvasprintf(fmt, ap);
	va_end(ap);
	f.message = message;
	pq_put_error_response(out, &f);
	free(message);
}

char *
ic_format_time(time_t t, char *buf, size_t size)
{
	return report_format_time(t, buf, size);
}

/* The node the session's balanced reads go to (relay_route_begin sets it). */
int
ic_load_balance_node(const session *s)
{
	return s->entry ? s->lb_node : -1;
}
