/*
 * Allocation and string helpers (see util.h). Allocation failure is fatal: a pooler that cannot
 * get a few bytes of heap cannot serve anyone correctly.
 */
#include "common/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void
out_of_memory(size_t size)
{
	fprintf(stderr, "FATAL: out of memory (requested %zu bytes)\n", size);
	abort();
}

void *
xmalloc(size_t size)
{
	void	   *p = malloc(size ? size : 1);

	if (p == NULL)
		out_of_memory(size);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	   *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		out_of_memory(n * size);
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void	   *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		out_of_memory(size);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	   *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list		copy;
	int			len;
	char	   *p;

	va_copy(copy, ap);
	len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (len < 0)
		len = 0;
	p = xmalloc((size_t) len + 1);
	vsnprintf(p, (size_t) len + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list		ap;
	char	   *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

char *
str_trim(char *s)
{
	char	   *start = s;
	size_t		len;

	while (*start && isspace((unsigned char) *start))
		start++;
	len = strlen(start);
	while (len > 0 && isspace((unsigned char) start[len - 1]))
		len--;
	memmove(s, start, len);
	s[len] = '\0';
	return s;
}

int
str_ieq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

size_t
str_copy(char *dst, const char *src, size_t size)
{
	size_t		len = strlen(src);

	if (size > 0)
	{
		size_t		n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

char *
path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t) (slash - path));
}

char *
path_join_relative(const char *base_dir, const char *path)
{
	if (path[0] == '/' || base_dir == NULL || base_dir[0] == '\0')
		return xstrdup(path);
	return xasprintf("%s/%s", base_dir, path);
}
