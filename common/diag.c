/*
 * A growable list of file:line diagnostics (see diag.h).
 */
#include "common/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

void
diag_init(diag_list *list)
{
	list->entries = NULL;
	list->count = 0;
	list->capacity = 0;
}

void
diag_free(diag_list *list)
{
	for (int i = 0; i < list->count; i++)
	{
		free(list->entries[i].file);
		free(list->entries[i].message);
	}
	free(list->entries);
	diag_init(list);
}

void
diag_add(diag_list *list, diag_severity severity, const char *file, int line, const char *fmt, ...)
{
	diag_entry *entry;
	va_list		ap;

	if (list == NULL)
		return;
	if (list->count == list->capacity)
	{
		list->capacity = list->capacity ? list->capacity * 2 : 16;
		list->entries = xrealloc(list->entries, list->capacity * sizeof(diag_entry));
	}
	entry = &list->entries[list->count++];
	entry->severity = severity;
	entry->file = file ? xstrdup(file) : NULL;
	entry->line = line;
	va_start(ap, fmt);
	entry->message = xvasprintf(fmt, ap);
	va_end(ap);
}

int
diag_count(const diag_list *list, diag_severity severity)
{
	int			n = 0;

	for (int i = 0; i < list->count; i++)
		if (list->entries[i].severity == severity)
			n++;
	return n;
}

const diag_entry *
diag_find(const diag_list *list, const char *needle)
{
	for (int i = 0; i < list->count; i++)
		if (strstr(list->entries[i].message, needle) != NULL)
			return &list->entries[i];
	return NULL;
}

void
diag_print(const diag_list *list, FILE *out)
{
	for (int i = 0; i < list->count; i++)
	{
		const diag_entry *e = &list->entries[i];
		const char *sev = e->severity == DIAG_ERROR ? "error" : "warning";

		if (e->file && e->line > 0)
			fprintf(out, "%s:%d: %s: %s\n", e->file, e->line, sev, e->message);
		else if (e->file)
			fprintf(out, "%s: %s: %s\n", e->file, sev, e->message);
		else
			fprintf(out, "%s: %s\n", sev, e->message);
	}
}
