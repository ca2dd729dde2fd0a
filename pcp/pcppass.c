/*
 * PCP password file lookup (see pcppass.h).
 */
#include "pcp/pcppass.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

#define PCPPASS_MAX_SIZE (1024 * 1024)
#define FIELD_MAX 1024

/* Copies one ':'-separated field of line (unescaping) into out; returns where the next starts. */
static const char *
next_field(const char *p, const char *end, char *out, size_t size, bool *complete)
{
	size_t		n = 0;

	*complete = false;
	while (p < end && *p != ':')
	{
		if (*p == '\\' && p + 1 < end)
			p++;
		if (n + 1 < size)
			out[n++] = *p;
		p++;
	}
	out[n] = '\0';
	if (p < end && *p == ':')
	{
		*complete = true;
		p++;
	}
	return p;
}

static bool
field_matches(const char *pattern, const char *value)
{
	return strcmp(pattern, "*") == 0 || strcmp(pattern, value) == 0;
}

/* Checks one line; on a match copies the password. */
static bool
line_matches(const char *p, const char *end, const char *const want[3], char *out, size_t size)
{
	char		field[FIELD_MAX];
	bool		complete;

	if (p == end || *p == '#')
		return false;
	for (int i = 0; i < 3; i++)
	{
		p = next_field(p, end, field, sizeof(field), &complete);
		if (!complete || !field_matches(field, want[i]))
			return false;
	}
	next_field(p, end, out, size, &complete);
	return true;
}

bool
pcppass_lookup_text(const char *text, const char *host, const char *port, const char *user,
					char *out, size_t size)
{
	const char *want[3] = {host ? host : "localhost", port, user};
	const char *p = text;

	while (*p)
	{
		const char *eol = strchr(p, '\n');
		const char *end = eol ? eol : p + strlen(p);

		if (end > p && end[-1] == '\r')
			end--;
		if (line_matches(p, end, want, out, size))
			return true;
		p = eol ? eol + 1 : end;
	}
	return false;
}

static char *
pcppass_path(void)
{
	const char *env = getenv("PCPPASSFILE");
	const char *home = getenv("HOME");
	char	   *path;

	if (env && env[0])
		return xstrdup(env);
	if (!home || !home[0])
	{
		struct passwd *pw = getpwuid(getuid());

		home = pw ? pw->pw_dir : NULL;
	}
	if (!home)
		return NULL;
	path = xmalloc(strlen(home) + sizeof("/.pcppass"));
	sprintf(path, "%s/.pcppass", home);
	return path;
}

/* The whole file, NUL-terminated, or NULL when it cannot or must not be used. */
static char *
read_pcppass(const char *path)
{
	struct stat st;
	FILE	   *f;
	char	   *text;
	size_t		n;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > PCPPASS_MAX_SIZE)
		return NULL;
	if (st.st_mode & (S_IRWXG | S_IRWXO))
	{
		fprintf(stderr, "WARNING: password file \"%s\" has group or world access; permissions "
				"should be u=rw (0600) or less\n", path);
		return NULL;
	}
	f = fopen(path, "r");
	if (!f)
		return NULL;
	text = xmalloc((size_t) st.st_size + 1);
	n = fread(text, 1, (size_t) st.st_size, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

bool
pcppass_lookup(const char *host, const char *port, const char *user, char *out, size_t size)
{
	char	   *path = pcppass_path();
	char	   *text = path ? read_pcppass(path) : NULL;
	bool		found = text && pcppass_lookup_text(text, host, port, user, out, size);

	free(text);
	free(path);
	return found;
}
