/*
 * Diagnostics collected while reading configuration files: each problem keeps its file, line,
 * severity and text, so that `pgpool --check-config` can print them all and tests can inspect them.
 */
#ifndef PGNG_DIAG_H
#define PGNG_DIAG_H

#include <stdio.h>

typedef enum
{
	DIAG_WARNING,
	DIAG_ERROR
} diag_severity;

typedef struct diag_entry
{
	diag_severity severity;
	char	   *file;			/* may be NULL when not tied to a file */
	int			line;			/* 0 when not tied to a line */
	char	   *message;
} diag_entry;

typedef struct diag_list
{
	diag_entry *entries;
	int			count;
	int			capacity;
} diag_list;

void		diag_init(diag_list *list);
void		diag_free(diag_list *list);
void		diag_add(diag_list *list, diag_severity severity, const char *file, int line,
					 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int			diag_count(const diag_list *list, diag_severity severity);

/* The first entry whose message contains needle, or NULL (for tests and callers that filter). */
const diag_entry *diag_find(const diag_list *list, const char *needle);

/* Prints "FILE:LINE: error: message" (or warning), one line per entry. */
void		diag_print(const diag_list *list, FILE *out);

#endif
