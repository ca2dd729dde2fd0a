/*
 * Small helpers every module uses: allocation that never returns NULL, and string trimming.
 */
#ifndef PGNG_UTIL_H
#define PGNG_UTIL_H

#include <stdarg.h>
#include <stddef.h>

void	   *xmalloc(size_t size);
void	   *xcalloc(size_t n, size_t size);
void	   *xrealloc(void *ptr, size_t size);
char	   *xstrdup(const char *s);
char	   *xstrndup(const char *s, size_t n);
char	   *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char	   *xvasprintf(const char *fmt, va_list ap);

/* Trims ASCII white space at both ends in place; returns s. */
char	   *str_trim(char *s);

/* Case-insensitive ASCII equality. */
int			str_ieq(const char *a, const char *b);

/* Copies src into dst (size bytes) always NUL-terminating; returns strlen(src). */
size_t		str_copy(char *dst, const char *src, size_t size);

/* The directory part of path ("." when none), malloc'd. */
char	   *path_dirname(const char *path);

/* path itself when absolute, else base_dir/path; malloc'd. */
char	   *path_join_relative(const char *base_dir, const char *path);

#endif
