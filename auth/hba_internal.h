/*
 * Shared between the pool_hba.conf tokenizer and parser; not for other modules.
 */
#ifndef PGNG_AUTH_HBA_INTERNAL_H
#define PGNG_AUTH_HBA_INTERNAL_H

#include "auth/hba.h"

/* One line split into fields, each a comma-separated list of tokens with @file expanded. */
typedef struct hba_line
{
	int			line;
	hba_token_list *fields;
	int			field_count;
} hba_line;

/*
 * Splits text (one line without its newline) into fields. Returns 0, or -1 with *error set
 * (malloc'd) when a quote is unterminated or an @file cannot be read. dir resolves @file.
 */
int			hba_tokenize_line(const char *text, const char *dir, hba_line *out, char **error);
void		hba_line_free(hba_line *line);
void		hba_token_list_free(hba_token_list *list);

#endif
