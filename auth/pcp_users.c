/*
 * pcp.conf reader and PCP md5 answer check (see pcp_users.h and spec/pcp-protocol.md).
 */
#include "auth/pcp_users.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/md5.h"
#include "common/util.h"

static void
chomp(char *text)
{
	size_t		len = strlen(text);

	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
}

/* Parses one line; returns 1 when an entry was added, 0 when skipped, -1 on an error. */
static int
parse_line(pcp_users *users, char *text, int line, diag_list *diags)
{
	char	   *colon;
	const pcp_user *prev;

	chomp(text);
	if (text[strspn(text, " \t")] == '\0' || text[0] == '#')
		return 0;
	colon = strchr(text, ':');
	if (colon == NULL)
	{
		diag_add(diags, DIAG_ERROR, users->path, line, "missing ':' between user name and md5 password");
		return -1;
	}
	*colon = '\0';
	if (text[0] == '\0')
	{
		diag_add(diags, DIAG_ERROR, users->path, line, "empty user name before ':'");
		return -1;
	}
	if (strpbrk(text, " \t") || strpbrk(colon + 1, " \t"))
		diag_add(diags, DIAG_WARNING, users->path, line,
				 "spaces or tabs are part of the user name or password here; pcp.conf allows none");
	if (!md5_is_hex(colon + 1))
		diag_add(diags, DIAG_WARNING, users->path, line,
				 "password of user \"%s\" is not an md5 hash (32 hex digits, as pg_md5 prints)", text);
	if ((prev = pcp_users_find(users, text)) != NULL)
		diag_add(diags, DIAG_WARNING, users->path, line,
				 "duplicate entry for user \"%s\"; the one on line %d is used", text, prev->line);
	users->users = xrealloc(users->users, (size_t) (users->count + 1) * sizeof(pcp_user));
	users->users[users->count].user = xstrdup(text);
	users->users[users->count].md5 = xstrdup(colon + 1);
	users->users[users->count].line = line;
	users->count++;
	return 1;
}

int
pcp_users_load(const char *path, pcp_users **out, diag_list *diags)
{
	pcp_users  *users = xcalloc(1, sizeof(pcp_users));
	FILE	   *fp = fopen(path, "r");
	char	   *text = NULL;
	size_t		cap = 0;
	int			line = 0;
	int			rc = 0;

	users->path = xstrdup(path);
	*out = users;
	if (fp == NULL)
	{
		diag_add(diags, DIAG_ERROR, path, 0, "could not open pcp.conf file: %s", strerror(errno));
		return -1;
	}
	while (getline(&text, &cap, fp) != -1)
		if (parse_line(users, text, ++line, diags) < 0)
			rc = -1;
	free(text);
	fclose(fp);
	return rc;
}

void
pcp_users_free(pcp_users *users)
{
	if (users == NULL)
		return;
	for (int i = 0; i < users->count; i++)
	{
		free(users->users[i].user);
		free(users->users[i].md5);
	}
	free(users->users);
	free(users->path);
	free(users);
}

const pcp_user *
pcp_users_find(const pcp_users *users, const char *user)
{
	for (int i = 0; users != NULL && i < users->count; i++)
		if (strcmp(users->users[i].user, user) == 0)
			return &users->users[i];
	return NULL;
}

void
pcp_users_expected_answer(const char *stored_md5, const char *user, const unsigned char *salt,
						  char *out)
{
	char		inner[MD5_HEX_LEN + 1];

	md5_hex_concat(stored_md5, strlen(stored_md5), user, strlen(user), inner);
	md5_hex_concat(inner, MD5_HEX_LEN, salt, MD5_SALT_LEN, out);
}

pcp_users_auth_result
pcp_users_verify(const pcp_users *users, const char *user, const unsigned char *salt,
				 const char *answer)
{
	const pcp_user *entry = pcp_users_find(users, user);
	char		expected[MD5_HEX_LEN + 1];

	if (entry == NULL)
		return PCP_USERS_AUTH_NO_USER;
	pcp_users_expected_answer(entry->md5, user, salt, expected);
	return md5_answer_matches(expected, answer) ? PCP_USERS_AUTH_OK : PCP_USERS_AUTH_MISMATCH;
}
