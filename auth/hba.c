/*
 * pool_hba.conf parser: turns tokenized lines into hba_rule values, reporting each bad line
 * with its number and the reason, and keeping every good line. Matching is in hba_match.c.
 */
#include "auth/hba.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/hba_internal.h"
#include "common/util.h"

/* Where one line is being parsed, for messages. */
typedef struct parse_ctx
{
	const char *path;
	int			line;
	diag_list  *diags;
	int			field;			/* index of the next field to read */
	hba_line   *tokens;
} parse_ctx;

static const struct
{
	const char *name;
	hba_method	method;
}			methods[] =
{
	{"trust", HBA_METHOD_TRUST},
	{"reject", HBA_METHOD_REJECT},
	{"md5", HBA_METHOD_MD5},
	{"password", HBA_METHOD_PASSWORD},
	{"scram-sha-256", HBA_METHOD_SCRAM},
	{"cert", HBA_METHOD_CERT},
	{"pam", HBA_METHOD_PAM},
	{"ldap", HBA_METHOD_LDAP},
};

/* Options pgpool 4.3 knows, and the method each belongs to. */
static const struct
{
	const char *name;
	hba_method	method;
}			options[] =
{
	{"pamservice", HBA_METHOD_PAM},
	{"pam_use_hostname", HBA_METHOD_PAM},
	{"ldapurl", HBA_METHOD_LDAP},
	{"ldaptls", HBA_METHOD_LDAP},
	{"ldapscheme", HBA_METHOD_LDAP},
	{"ldapserver", HBA_METHOD_LDAP},
	{"ldapport", HBA_METHOD_LDAP},
	{"ldapbinddn", HBA_METHOD_LDAP},
	{"ldapbindpasswd", HBA_METHOD_LDAP},
	{"ldapsearchattribute", HBA_METHOD_LDAP},
	{"ldapsearchfilter", HBA_METHOD_LDAP},
	{"ldapbasedn", HBA_METHOD_LDAP},
	{"ldapprefix", HBA_METHOD_LDAP},
	{"ldapsuffix", HBA_METHOD_LDAP},
	{"backend_use_passwd", HBA_METHOD_LDAP},
};

#define N_ELEMENTS(a) ((int) (sizeof(a) / sizeof((a)[0])))

static int
error_at(parse_ctx *ctx, const char *fmt, const char *arg)
{
	char	   *msg = xasprintf(fmt, arg ? arg : "");

	diag_add(ctx->diags, DIAG_ERROR, ctx->path, ctx->line, "%s", msg);
	free(msg);
	return -1;
}

/* The next field, or NULL (after reporting "end-of-line before <what>"). */
static hba_token_list *
take_field(parse_ctx *ctx, const char *what)
{
	if (ctx->field >= ctx->tokens->field_count)
	{
		error_at(ctx, "end-of-line before %s", what);
		return NULL;
	}
	return &ctx->tokens->fields[ctx->field++];
}

/* A field that must hold exactly one token; NULL (reported) otherwise. */
static const hba_token *
take_single(parse_ctx *ctx, const char *what, const char *multiple_msg)
{
	hba_token_list *field = take_field(ctx, what);

	if (field == NULL)
		return NULL;
	if (field->count != 1)
	{
		error_at(ctx, multiple_msg, NULL);
		return NULL;
	}
	return &field->items[0];
}

static bool
is_keyword(const hba_token *tok, const char *word)
{
	return !tok->quoted && strcmp(tok->text, word) == 0;
}

static int
parse_conn_type(parse_ctx *ctx, hba_rule *rule)
{
	const hba_token *tok = take_single(ctx, "connection type",
									   "multiple values specified for connection type");

	if (tok == NULL)
		return -1;
	if (strcmp(tok->text, "local") == 0)
		rule->conn = HBA_CONN_LOCAL;
	else if (strcmp(tok->text, "host") == 0)
		rule->conn = HBA_CONN_HOST;
	else if (strcmp(tok->text, "hostssl") == 0)
		rule->conn = HBA_CONN_HOSTSSL;
	else if (strcmp(tok->text, "hostnossl") == 0)
		rule->conn = HBA_CONN_HOSTNOSSL;
	else
		return error_at(ctx, "invalid connection type \"%s\" (expected local, host, hostssl or hostnossl)",
						tok->text);
	return 0;
}

static void
copy_tokens(hba_token_list *dst, const hba_token_list *src)
{
	dst->items = xcalloc((size_t) src->count, sizeof(hba_token));
	dst->count = src->count;
	for (int i = 0; i < src->count; i++)
	{
		dst->items[i].text = xstrdup(src->items[i].text);
		dst->items[i].quoted = src->items[i].quoted;
	}
}

/* Databases and users; warns about the group forms pgpool accepts but never matches. */
static int
parse_db_and_users(parse_ctx *ctx, hba_rule *rule)
{
	hba_token_list *dbs = take_field(ctx, "database specification");
	hba_token_list *users = dbs ? take_field(ctx, "role specification") : NULL;

	if (users == NULL)
		return -1;
	copy_tokens(&rule->databases, dbs);
	copy_tokens(&rule->users, users);
	for (int i = 0; i < dbs->count; i++)
		if (is_keyword(&dbs->items[i], "samegroup") || is_keyword(&dbs->items[i], "samerole"))
			diag_add(ctx->diags, DIAG_WARNING, ctx->path, ctx->line,
					 "database keyword \"%s\" is not supported by pgpool; this line never matches",
					 dbs->items[i].text);
	for (int i = 0; i < users->count; i++)
		if (!users->items[i].quoted && users->items[i].text[0] == '+')
			diag_add(ctx->diags, DIAG_WARNING, ctx->path, ctx->line,
					 "group \"%s\" is not supported by pgpool; this line never matches",
					 users->items[i].text);
	return 0;
}

/* Numeric address into ss; returns getaddrinfo's code (EAI_NONAME: not numeric). */
static int
parse_numeric(const char *text, struct sockaddr_storage *ss)
{
	struct addrinfo hints;
	struct addrinfo *res = NULL;
	int			rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;
	hints.ai_family = AF_UNSPEC;
	rc = getaddrinfo(text, NULL, &hints, &res);
	if (rc == 0 && res != NULL)
		memcpy(ss, res->ai_addr, res->ai_addrlen);
	if (res != NULL)
		freeaddrinfo(res);
	return rc;
}

/* Builds a mask of bits leading ones for the family; -1 when bits is not a valid length. */
static int
cidr_mask(const char *bits_text, int family, struct sockaddr_storage *mask)
{
	char	   *end;
	long		bits;
	unsigned char *bytes;
	int			max = family == AF_INET ? 32 : 128;

	errno = 0;
	bits = strtol(bits_text, &end, 10);
	if (bits_text[0] == '\0' || *end != '\0' || errno != 0 || bits < 0 || bits > max)
		return -1;
	memset(mask, 0, sizeof(*mask));
	mask->ss_family = (sa_family_t) family;
	bytes = family == AF_INET
		? (unsigned char *) &((struct sockaddr_in *) mask)->sin_addr
		: (unsigned char *) &((struct sockaddr_in6 *) mask)->sin6_addr;
	for (int i = 0; i < bits; i++)
		bytes[i / 8] |= (unsigned char) (0x80 >> (i % 8));
	return 0;
}

static int
parse_separate_mask(parse_ctx *ctx, hba_rule *rule)
{
	const hba_token *tok = take_single(ctx, "netmask specification (give an address in CIDR notation, or a separate netmask)",
									   "multiple values specified for netmask");
	int			rc;

	if (tok == NULL)
		return -1;
	if ((rc = parse_numeric(tok->text, &rule->mask)) != 0)
	{
		char	   *msg = xasprintf("invalid IP mask \"%s\": %s", tok->text, gai_strerror(rc));

		error_at(ctx, "%s", msg);
		free(msg);
		return -1;
	}
	if (rule->mask.ss_family != rule->addr.ss_family)
		return error_at(ctx, "IP address and mask do not match (one is IPv4, the other IPv6)", NULL);
	return 0;
}

/* addr[/bits], addr + mask, a host name, or all / samehost / samenet. */
static int
parse_address(parse_ctx *ctx, hba_rule *rule)
{
	const hba_token *tok = take_single(ctx, "IP address specification",
									   "multiple values specified for host address");
	char	   *text;
	char	   *slash;
	int			rc;

	if (tok == NULL)
		return -1;
	if (is_keyword(tok, "all") || is_keyword(tok, "samehost") || is_keyword(tok, "samenet"))
	{
		rule->addr_kind = tok->text[0] == 'a' ? HBA_ADDR_ALL
			: strcmp(tok->text, "samehost") == 0 ? HBA_ADDR_SAMEHOST : HBA_ADDR_SAMENET;
		return 0;
	}
	text = xstrdup(tok->text);
	if ((slash = strchr(text, '/')) != NULL)
		*slash = '\0';
	rule->addr_kind = HBA_ADDR_MASK;
	rc = parse_numeric(text, &rule->addr);
	if (rc == EAI_NONAME && slash == NULL)
	{
		rule->addr_kind = HBA_ADDR_HOSTNAME;
		rule->hostname = text;
		return 0;
	}
	free(text);
	if (rc == EAI_NONAME)
		return error_at(ctx, "specifying both host name and CIDR mask is invalid: \"%s\"", tok->text);
	if (rc != 0)
		return error_at(ctx, "invalid IP address \"%s\"", tok->text);
	if (slash == NULL)
		return parse_separate_mask(ctx, rule);
	if (cidr_mask(strchr(tok->text, '/') + 1, rule->addr.ss_family, &rule->mask) != 0)
		return error_at(ctx, "invalid CIDR mask in address \"%s\"", tok->text);
	return 0;
}

static int
parse_method(parse_ctx *ctx, hba_rule *rule)
{
	const hba_token *tok = take_single(ctx, "authentication method",
									   "multiple values specified for authentication type");

	if (tok == NULL)
		return -1;
	for (int i = 0; i < N_ELEMENTS(methods); i++)
		if (strcmp(tok->text, methods[i].name) == 0)
		{
			rule->method = methods[i].method;
			return 0;
		}
	return error_at(ctx, "invalid authentication method \"%s\" (pgpool accepts trust, reject, md5, password, scram-sha-256, cert, pam, ldap)",
					tok->text);
}

static int
add_option(parse_ctx *ctx, hba_rule *rule, const char *text)
{
	const char *eq = strchr(text, '=');
	char	   *name;
	int			known = -1;

	if (eq == NULL)
		return error_at(ctx, "authentication option not in name=value format: %s", text);
	name = xstrndup(text, (size_t) (eq - text));
	for (int i = 0; i < N_ELEMENTS(options); i++)
		if (strcmp(name, options[i].name) == 0)
			known = i;
	if (known < 0 || options[known].method != rule->method)
	{
		char	   *msg = known < 0
			? xasprintf("unrecognized authentication option name: \"%s\"", name)
			: xasprintf("authentication option \"%s\" can only be used with method \"%s\"",
						name, hba_method_name(options[known].method));

		error_at(ctx, "%s", msg);
		free(msg);
		free(name);
		return -1;
	}
	rule->options = xrealloc(rule->options, (size_t) (rule->option_count + 1) * sizeof(hba_option));
	rule->options[rule->option_count].name = name;
	rule->options[rule->option_count].value = xstrdup(eq + 1);
	rule->option_count++;
	return 0;
}

/* pgpool's checks on LDAP option combinations. */
static int
check_ldap_options(parse_ctx *ctx, const hba_rule *rule)
{
	bool		simple = hba_rule_option(rule, "ldapprefix") || hba_rule_option(rule, "ldapsuffix");
	bool		search = hba_rule_option(rule, "ldapbasedn") || hba_rule_option(rule, "ldapbinddn") ||
		hba_rule_option(rule, "ldapbindpasswd") || hba_rule_option(rule, "ldapsearchattribute") ||
		hba_rule_option(rule, "ldapsearchfilter");

	if (simple && search)
		return error_at(ctx, "cannot use ldapbasedn, ldapbinddn, ldapbindpasswd, ldapsearchattribute, ldapsearchfilter, or ldapurl together with ldapprefix", NULL);
	if (!simple && !hba_rule_option(rule, "ldapbasedn") && !hba_rule_option(rule, "ldapurl"))
		return error_at(ctx, "authentication method \"ldap\" requires argument \"ldapbasedn\", \"ldapprefix\", or \"ldapsuffix\" to be set", NULL);
	if (hba_rule_option(rule, "ldapsearchattribute") && hba_rule_option(rule, "ldapsearchfilter"))
		return error_at(ctx, "cannot use ldapsearchattribute together with ldapsearchfilter", NULL);
	return 0;
}

static int
parse_options(parse_ctx *ctx, hba_rule *rule)
{
	while (ctx->field < ctx->tokens->field_count)
	{
		hba_token_list *field = &ctx->tokens->fields[ctx->field++];

		for (int i = 0; i < field->count; i++)
			if (add_option(ctx, rule, field->items[i].text) != 0)
				return -1;
	}
	return rule->method == HBA_METHOD_LDAP ? check_ldap_options(ctx, rule) : 0;
}

static void
rule_free(hba_rule *rule)
{
	hba_token_list_free(&rule->databases);
	hba_token_list_free(&rule->users);
	free(rule->hostname);
	for (int i = 0; i < rule->option_count; i++)
	{
		free(rule->options[i].name);
		free(rule->options[i].value);
	}
	free(rule->options);
}

static int
parse_rule(parse_ctx *ctx, hba_rule *rule)
{
	memset(rule, 0, sizeof(*rule));
	rule->line = ctx->line;
	if (parse_conn_type(ctx, rule) != 0 || parse_db_and_users(ctx, rule) != 0 ||
		(rule->conn != HBA_CONN_LOCAL && parse_address(ctx, rule) != 0) ||
		parse_method(ctx, rule) != 0 || parse_options(ctx, rule) != 0)
	{
		rule_free(rule);
		return -1;
	}
	return 0;
}

/* Tokenizes and parses one line; appends the rule when good. Returns -1 on an error. */
static int
load_line(hba_file *file, const char *dir, const char *text, int line, diag_list *diags)
{
	hba_line	tokens;
	char	   *error;
	parse_ctx	ctx = {file->path, line, diags, 0, &tokens};
	hba_rule	rule;
	int			rc = 0;

	if (hba_tokenize_line(text, dir, &tokens, &error) != 0)
	{
		diag_add(diags, DIAG_ERROR, file->path, line, "%s", error);
		free(error);
		rc = -1;
	}
	else if (tokens.field_count > 0 && (rc = parse_rule(&ctx, &rule)) == 0)
	{
		file->rules = xrealloc(file->rules, (size_t) (file->count + 1) * sizeof(hba_rule));
		file->rules[file->count++] = rule;
	}
	hba_line_free(&tokens);
	return rc;
}

int
hba_load(const char *path, hba_file **out, diag_list *diags)
{
	hba_file   *file = xcalloc(1, sizeof(hba_file));
	char	   *dir = path_dirname(path);
	FILE	   *fp = fopen(path, "r");
	char	   *text = NULL;
	size_t		cap = 0;
	int			line = 0;
	int			rc = 0;

	file->path = xstrdup(path);
	*out = file;
	if (fp == NULL)
	{
		diag_add(diags, DIAG_ERROR, path, 0, "could not open pool_hba.conf file: %s", strerror(errno));
		free(dir);
		return -1;
	}
	while (getline(&text, &cap, fp) != -1)
	{
		text[strcspn(text, "\n")] = '\0';
		if (load_line(file, dir, text, ++line, diags) != 0)
			rc = -1;
	}
	if (rc == 0 && file->count == 0)
	{
		diag_add(diags, DIAG_ERROR, path, 0, "configuration file \"%s\" contains no entries", path);
		rc = -1;
	}
	fclose(fp);
	free(text);
	free(dir);
	return rc;
}

void
hba_free(hba_file *file)
{
	if (file == NULL)
		return;
	for (int i = 0; i < file->count; i++)
		rule_free(&file->rules[i]);
	free(file->rules);
	free(file->path);
	free(file);
}

const char *
hba_rule_option(const hba_rule *rule, const char *name)
{
	for (int i = 0; i < rule->option_count; i++)
		if (strcmp(rule->options[i].name, name) == 0)
			return rule->options[i].value;
	return NULL;
}

const char *
hba_method_name(hba_method method)
{
	for (int i = 0; i < N_ELEMENTS(methods); i++)
		if (methods[i].method == method)
			return methods[i].name;
	return "unknown";
}

const char *
hba_conn_type_name(hba_conn_type conn)
{
	static const char *const names[] = {"local", "host", "hostssl", "hostnossl"};

	return names[conn];
}
