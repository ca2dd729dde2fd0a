/*
 * pcp.conf: "username:md5hex(password)" lines for PCP clients, with '#' comments and blank
 * lines. Reading with file:line diagnostics, lookup, and checking a salted md5 answer.
 */
#ifndef PGNG_AUTH_PCP_USERS_H
#define PGNG_AUTH_PCP_USERS_H

#include <stdbool.h>

#include "common/diag.h"

typedef struct pcp_user
{
	char	   *user;
	char	   *md5;			/* as written; normally 32 lowercase hex digits */
	int			line;
} pcp_user;

typedef struct pcp_users
{
	char	   *path;
	pcp_user   *users;
	int			count;
} pcp_users;

typedef enum
{
	PCP_USERS_AUTH_OK,
	PCP_USERS_AUTH_NO_USER,
	PCP_USERS_AUTH_MISMATCH
} pcp_users_auth_result;

/* Reads path into *out (always set). 0 when no error was found (warnings allowed), else -1. */
int			pcp_users_load(const char *path, pcp_users **out, diag_list *diags);
void		pcp_users_free(pcp_users *users);

/* The first entry for user, or NULL. */
const pcp_user *pcp_users_find(const pcp_users *users, const char *user);

/* The answer a PCP client sends: md5hex(md5hex(stored + user) + salt), into out (33 bytes). */
void		pcp_users_expected_answer(const char *stored_md5, const char *user,
									  const unsigned char *salt, char *out);

/* Checks the answer a client sent for the 4-byte salt it was given. */
pcp_users_auth_result pcp_users_verify(const pcp_users *users, const char *user,
									   const unsigned char *salt, const char *answer);

#endif
