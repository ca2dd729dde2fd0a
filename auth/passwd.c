/*
 * pool_passwd reader and writer (see passwd.h). The tokenizer follows pgpool: fields end at an
 * unescaped ':' and a backslash makes the next character literal; the first line for a user wins.
 */
#include "auth/passwd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/aes.h"
#include "auth/md5.h"
#include "common/util.h"

#define PASSWD_MAX_FIELDS 4

/* Splits line into at most max ':'-separated fields, removing escapes; returns the count. */
static int
split_fields(const char *line, char **fields, int max)
{
	size_t		len = strlen(line);
	char	   *buf = xmalloc(len + 1);
	size_t		n = 0;
	int			count = 0;

	for (const char *p = line;; p++)
	{
		if (*p == '\\' && p[1] != '\0')
			buf[n++] = *++p;
		else if ((*p == ':' && count < max - 1) || *p == '\0')
		{
			buf[n] = '\0';
			fields[count++] = xstrdup(buf);
			n = 0;
			if (*p == '\0')
				break;
		}
		else
			buf[n++] = *p;
	}
	free(buf);
	return count;
}

passwd_kind
passwd_kind_of(const char *secret)
{
	if (strncmp(secret, "md5", 3) == 0)
		return strlen(secret) == MD5_PASSWD_LEN ? PASSWD_MD5 : PASSWD_PLAIN;
	if (strncmp(secret, "AES", 3) == 0)
		return PASSWD_AES;
	if (strncmp(secret, "SCRAM-SHA-256$", 14) == 0)
		return PASSWD_SCRAM;
	if (strncmp(secret, "TEXT", 4) == 0)
		return PASSWD_TEXT;
	return PASSWD_PLAIN;
}

const char *
passwd_kind_name(passwd_kind kind)
{
	switch (kind)
	{
		case PASSWD_MD5:
			return "md5";
		case PASSWD_AES:
			return "AES";
		case PASSWD_SCRAM:
			return "SCRAM-SHA-256";
		case PASSWD_TEXT:
			return "TEXT";
		case PASSWD_PLAIN:
			break;
	}
	return "cleartext";
}

/* SCRAM-SHA-256$<iterations>:<salt>$<storedkey>:<serverkey>, as PostgreSQL stores it. */
static int
scram_secret_complete(const char *secret)
{
	const char *colon1 = strchr(secret, ':');
	const char *dollar2 = colon1 ? strchr(colon1, '$') : NULL;

	return dollar2 != NULL && strchr(dollar2, ':') != NULL;
}

/* Checks one secret; returns -1 (and reports) when the line cannot be used. */
static int
check_secret(const char *path, int line, const char *user, const char *secret, diag_list *diags)
{
	unsigned char *raw;

	if (secret[0] == '\0')
	{
		diag_add(diags, DIAG_ERROR, path, line, "empty password for user \"%s\"", user);
		return -1;
	}
	if (strncmp(secret, "md5", 3) == 0 && passwd_kind_of(secret) != PASSWD_MD5)
		diag_add(diags, DIAG_WARNING, path, line,
				 "password of user \"%s\" starts with \"md5\" but is not 32 hex digits after it; it is used as a cleartext password",
				 user);
	else if (passwd_kind_of(secret) == PASSWD_MD5 && !md5_is_hex(secret + 3))
		diag_add(diags, DIAG_WARNING, path, line,
				 "md5 password of user \"%s\" contains characters that are not hex digits", user);
	else if (passwd_kind_of(secret) == PASSWD_AES)
	{
		int			n = aes_base64_decode(secret + 3, &raw);

		free(raw);
		if (n <= 0 || n % 16 != 0)
		{
			diag_add(diags, DIAG_ERROR, path, line,
					 "AES password of user \"%s\" is not valid base64 of an AES-256-CBC ciphertext", user);
			return -1;
		}
	}
	else if (passwd_kind_of(secret) == PASSWD_SCRAM && !scram_secret_complete(secret))
		diag_add(diags, DIAG_WARNING, path, line,
				 "SCRAM secret of user \"%s\" is incomplete (a ':' inside it must be written as '\\:')",
				 user);
	return 0;
}

static void
free_fields(char **fields, int n)
{
	for (int i = 0; i < n; i++)
		free(fields[i]);
}

/* Parses one non-blank line into e; returns -1 (after reporting) when the line is unusable. */
static int
parse_line(const char *path, int line, const char *text, passwd_entry *e, diag_list *diags)
{
	char	   *f[PASSWD_MAX_FIELDS];
	int			n = split_fields(text, f, PASSWD_MAX_FIELDS);

	memset(e, 0, sizeof(*e));
	if (n < 2)
		diag_add(diags, DIAG_ERROR, path, line, "missing ':' between user name and password");
	else if (f[0][0] == '\0')
		diag_add(diags, DIAG_ERROR, path, line, "empty user name before ':'");
	else if (check_secret(path, line, f[0], f[1], diags) == 0 &&
			 (n < 4 || check_secret(path, line, f[2], f[3], diags) == 0))
	{
		e->user = f[0];
		e->secret = f[1];
		e->kind = passwd_kind_of(f[1]);
		e->line = line;
		if (n == 3)
			diag_add(diags, DIAG_WARNING, path, line,
					 "backend user \"%s\" has no password; the mapping is ignored", f[2]);
		if (n == 4)
		{
			e->backend_user = f[2];
			e->backend_secret = f[3];
			e->backend_kind = passwd_kind_of(f[3]);
			return 0;
		}
		free_fields(f + 2, n - 2);
		return 0;
	}
	free_fields(f, n);
	return -1;
}

static void
add_entry(passwd_file *file, const passwd_entry *e, diag_list *diags)
{
	const passwd_entry *prev = passwd_find(file, e->user);

	if (prev != NULL)
		diag_add(diags, DIAG_WARNING, file->path, e->line,
				 "duplicate entry for user \"%s\"; the one on line %d is used", e->user, prev->line);
	file->entries = xrealloc(file->entries, (size_t) (file->count + 1) * sizeof(passwd_entry));
	file->entries[file->count++] = *e;
}

/* Strips the line end; warns about a carriage return, which would become part of a password. */
static void
chomp(char *text, const char *path, int line, diag_list *diags)
{
	size_t		len = strlen(text);

	if (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	if (len > 0 && text[len - 1] == '\r')
	{
		text[--len] = '\0';
		diag_add(diags, DIAG_WARNING, path, line, "line ends with a carriage return (ignored)");
	}
}

int
passwd_load(const char *path, passwd_file **out, diag_list *diags)
{
	passwd_file *file = xcalloc(1, sizeof(passwd_file));
	FILE	   *fp = fopen(path, "r");
	char	   *text = NULL;
	size_t		cap = 0;
	int			line = 0;
	int			rc = 0;

	file->path = xstrdup(path);
	*out = file;
	if (fp == NULL)
	{
		diag_add(diags, DIAG_ERROR, path, 0, "could not open pool_passwd file: %s", strerror(errno));
		return -1;
	}
	while (getline(&text, &cap, fp) != -1)
	{
		passwd_entry e;

		line++;
		chomp(text, path, line, diags);
		/* blank lines and comments carry nothing (pgpool never matches them either) */
		if (text[strspn(text, " \t")] == '\0' || text[0] == '#')
			continue;
		if (parse_line(path, line, text, &e, diags) == 0)
			add_entry(file, &e, diags);
		else
			rc = -1;
	}
	free(text);
	fclose(fp);
	return rc;
}

void
passwd_free(passwd_file *file)
{
	if (file == NULL)
		return;
	for (int i = 0; i < file->count; i++)
	{
		free(file->entries[i].user);
		free(file->entries[i].secret);
		free(file->entries[i].backend_user);
		free(file->entries[i].backend_secret);
	}
	free(file->entries);
	free(file->path);
	free(file);
}

const passwd_entry *
passwd_find(const passwd_file *file, const char *user)
{
	for (int i = 0; file != NULL && i < file->count; i++)
		if (strcmp(file->entries[i].user, user) == 0)
			return &file->entries[i];
	return NULL;
}

int
passwd_cleartext(const char *secret, const char *aes_key, char **out)
{
	switch (passwd_kind_of(secret))
	{
		case PASSWD_AES:
			if (aes_key == NULL)
				return -1;
			return aes_decrypt_b64(secret + 3, aes_key, out);
		case PASSWD_TEXT:
			*out = xstrdup(secret + 4);
			return 0;
		case PASSWD_PLAIN:
			*out = xstrdup(secret);
			return 0;
		case PASSWD_MD5:
		case PASSWD_SCRAM:
			break;
	}
	return -1;
}

/* True when the first field of line (escapes removed) equals user. */
static int
line_is_for_user(const char *line, const char *user)
{
	char	   *f[2];
	int			n = split_fields(line, f, 2);
	int			match = n == 2 && strcmp(f[0], user) == 0;

	free_fields(f, n);
	return match;
}

/* "user:secret\n" with ':' and '\' in the user name escaped so that the reader gets it back. */
static void
append_entry_line(FILE *out, const char *user, const char *secret)
{
	for (const char *p = user; *p; p++)
	{
		if (*p == ':' || *p == '\\')
			fputc('\\', out);
		fputc(*p, out);
	}
	fprintf(out, ":%s\n", secret);
}

/* Copies in to out, replacing the first line for user; returns whether it was replaced. */
static int
copy_replacing(FILE *in, FILE *out, const char *user, const char *secret)
{
	char	   *text = NULL;
	size_t		cap = 0;
	ssize_t		len;
	int			replaced = 0;

	while ((len = getline(&text, &cap, in)) != -1)
	{
		char	   *body = xstrndup(text, (size_t) len - (text[len - 1] == '\n'));

		if (!replaced && line_is_for_user(body, user))
		{
			append_entry_line(out, user, secret);
			replaced = 1;
		}
		else
			fprintf(out, "%s\n", body);
		free(body);
	}
	free(text);
	return replaced;
}

static int
fail(char **error, const char *what, const char *path)
{
	*error = xasprintf("could not %s \"%s\": %s", what, path, strerror(errno));
	return -1;
}

int
passwd_update_file(const char *path, const char *user, const char *secret, char **error)
{
	char	   *tmp = xasprintf("%s.XXXXXX", path);
	FILE	   *in = fopen(path, "r");
	FILE	   *out;
	struct stat st;
	int			fd;
	int			rc = 0;

	*error = NULL;
	if (in == NULL && errno != ENOENT)
		rc = fail(error, "open pool_passwd file", path);
	else if ((fd = mkstemp(tmp)) < 0)
		rc = fail(error, "create temporary file beside", path);
	else if ((out = fdopen(fd, "w")) == NULL)
	{
		rc = fail(error, "write a new copy of", path);
		close(fd);
		unlink(tmp);
	}
	else
	{
		/* keep the mode and owner of an existing file; a new one is readable by its owner only */
		if (in != NULL && fstat(fileno(in), &st) == 0 &&
			(fchmod(fd, st.st_mode & 07777) != 0 ||
			 (geteuid() == 0 && fchown(fd, st.st_uid, st.st_gid) != 0)))
			rc = fail(error, "copy permissions to a new copy of", path);
		if (rc == 0 && (in == NULL || !copy_replacing(in, out, user, secret)))
			append_entry_line(out, user, secret);
		if (rc == 0 && (fflush(out) != 0 || fsync(fd) != 0))
			rc = fail(error, "write a new copy of", path);
		fclose(out);
		if (rc == 0 && rename(tmp, path) != 0)
			rc = fail(error, "replace", path);
		if (rc != 0)
			unlink(tmp);
	}
	if (in != NULL)
		fclose(in);
	free(tmp);
	return rc;
}
