/*
 * pool_hba.conf: which clients may connect and how they authenticate. Parsing follows
 * pgpool-II 4.3 (PostgreSQL's pg_hba syntax, minus what pgpool rejects), and hba_match() picks
 * the first rule that fits a connection, as client authentication needs.
 */
#ifndef PGNG_AUTH_HBA_H
#define PGNG_AUTH_HBA_H

#include <stdbool.h>
#include <sys/socket.h>

#include "common/diag.h"

typedef enum
{
	HBA_CONN_LOCAL,
	HBA_CONN_HOST,
	HBA_CONN_HOSTSSL,
	HBA_CONN_HOSTNOSSL
} hba_conn_type;

typedef enum
{
	HBA_ADDR_NONE,				/* local rules */
	HBA_ADDR_ALL,
	HBA_ADDR_MASK,				/* addr/mask, from CIDR or a separate mask field */
	HBA_ADDR_HOSTNAME,			/* a name, or ".suffix", checked by reverse + forward lookup */
	HBA_ADDR_SAMEHOST,
	HBA_ADDR_SAMENET
} hba_addr_kind;

typedef enum
{
	HBA_METHOD_TRUST,
	HBA_METHOD_REJECT,
	HBA_METHOD_MD5,
	HBA_METHOD_PASSWORD,
	HBA_METHOD_SCRAM,
	HBA_METHOD_CERT,
	HBA_METHOD_PAM,
	HBA_METHOD_LDAP
} hba_method;

typedef struct hba_token
{
	char	   *text;
	bool		quoted;			/* a quoted "all" is a name, not the keyword */
} hba_token;

typedef struct hba_token_list
{
	hba_token  *items;
	int			count;
} hba_token_list;

typedef struct hba_option
{
	char	   *name;
	char	   *value;
} hba_option;

typedef struct hba_rule
{
	int			line;
	hba_conn_type conn;
	hba_token_list databases;
	hba_token_list users;
	hba_addr_kind addr_kind;
	struct sockaddr_storage addr;
	struct sockaddr_storage mask;
	char	   *hostname;
	hba_method	method;
	hba_option *options;		/* name=value pairs after the method, validated */
	int			option_count;
} hba_rule;

typedef struct hba_file
{
	char	   *path;
	hba_rule   *rules;
	int			count;
} hba_file;

/* What is known about a connecting client. */
typedef struct hba_client
{
	bool		local;			/* Unix-domain socket */
	bool		ssl;
	struct sockaddr_storage addr;	/* for TCP clients */
	const char *database;
	const char *user;
	/* filled by hba_match on the first host-name rule: 1 resolved and confirmed, -1 failed */
	int			hostname_state;
	char	   *hostname;		/* malloc'd; free with hba_client_clear */
} hba_client;

/*
 * Reads path into *out (always set; holds every good line). Returns 0 when no error was found
 * (warnings allowed), -1 otherwise. Each bad line is reported with its line number and skipped.
 */
int			hba_load(const char *path, hba_file **out, diag_list *diags);
void		hba_free(hba_file *file);

/* The first rule matching client, or NULL (pgpool's implicit reject). */
const hba_rule *hba_match(const hba_file *file, hba_client *client);
void		hba_client_clear(hba_client *client);

/* The value of an option on the rule ("pamservice", "ldapserver", ...), or NULL. */
const char *hba_rule_option(const hba_rule *rule, const char *name);

const char *hba_method_name(hba_method method);
const char *hba_conn_type_name(hba_conn_type conn);

#endif
