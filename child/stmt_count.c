/*
 * Statement counting (see stmt_count.h). Named statements and portals are remembered in small
 * fixed tables; a name not found (evicted, or its Parse split over reads) counts as "other".
 */
#include "child/stmt_count.h"

#include <string.h>

#include "common/util.h"
#include "parser/sql_classify.h"
#include "protocol/message.h"
#include "shmem/shmem.h"

#define NAMED_SLOTS 16
#define NAME_MAX_LEN 64

typedef struct named_kind
{
	char		name[NAME_MAX_LEN];
	uint8_t		kind;			/* an shm_counter */
	bool		used;
} named_kind;

typedef struct kind_map
{
	uint8_t		unnamed;
	named_kind	named[NAMED_SLOTS];
	int			next_victim;
} kind_map;

static kind_map statements;
static kind_map portals;

void
stmt_count_reset(void)
{
	memset(&statements, 0, sizeof(statements));
	memset(&portals, 0, sizeof(portals));
	statements.unnamed = portals.unnamed = SHM_CNT_OTHER;
}

static void
map_put(kind_map *m, const char *name, uint8_t kind)
{
	named_kind *slot = NULL;

	if (name[0] == '\0')
	{
		m->unnamed = kind;
		return;
	}
	for (int i = 0; i < NAMED_SLOTS && slot == NULL; i++)
		if (m->named[i].used && strcmp(m->named[i].name, name) == 0)
			slot = &m->named[i];
	if (slot == NULL)
	{
		slot = &m->named[m->next_victim];
		m->next_victim = (m->next_victim + 1) % NAMED_SLOTS;
	}
	str_copy(slot->name, name, sizeof(slot->name));
	slot->kind = kind;
	slot->used = true;
}

static uint8_t
map_get(const kind_map *m, const char *name)
{
	if (name[0] == '\0')
		return m->unnamed;
	for (int i = 0; i < NAMED_SLOTS; i++)
		if (m->named[i].used && strcmp(m->named[i].name, name) == 0)
			return m->named[i].kind;
	return SHM_CNT_OTHER;
}

static uint8_t
counter_for(const char *text, size_t len)
{
	sql_class	c;

	sql_classify(text, len, &c);
	switch (c.kind)
	{
		case SQL_KIND_SELECT:
			return SHM_CNT_SELECT;
		case SQL_KIND_INSERT:
			return SHM_CNT_INSERT;
		case SQL_KIND_UPDATE:
			return SHM_CNT_UPDATE;
		case SQL_KIND_DELETE:
			return SHM_CNT_DELETE;
		case SQL_KIND_DDL:
		case SQL_KIND_TRUNCATE:
			return SHM_CNT_DDL;
		default:
			return SHM_CNT_OTHER;
	}
}

/* The message's first two strings (name and text, or portal and statement). */
static bool
two_strings(const uint8_t *body, size_t len, const char **a, const char **b)
{
	pq_in		in;

	pq_in_init(&in, body, len);
	return pq_in_string(&in, a) && pq_in_string(&in, b);
}

void
stmt_count_client_message(int slot, int node, uint8_t type, const uint8_t *body, size_t len)
{
	const char *first;
	const char *second;

	switch (type)
	{
		case 'Q':
			if (len > 0)
				shm_count(slot, node, (shm_counter) counter_for((const char *) body, len - 1));
			break;
		case 'P':
			if (two_strings(body, len, &first, &second))
				map_put(&statements, first, counter_for(second, strlen(second)));
			break;
		case 'B':
			if (two_strings(body, len, &first, &second))
				map_put(&portals, first, map_get(&statements, second));
			break;
		case 'E':
			{
				pq_in		in;

				pq_in_init(&in, body, len);
				if (pq_in_string(&in, &first))
					shm_count(slot, node, (shm_counter) map_get(&portals, first));
				break;
			}
	}
}

void
stmt_count_backend_error(int slot, int node, const uint8_t *body, size_t len)
{
	pq_error	err;

	if (!pq_parse_error(body, len, &err) || err.severity == NULL)
		return;
	if (strcmp(err.severity, "PANIC") == 0)
		shm_count(slot, node, SHM_CNT_PANIC);
	else if (strcmp(err.severity, "FATAL") == 0)
		shm_count(slot, node, SHM_CNT_FATAL);
	else if (strcmp(err.severity, "ERROR") == 0)
		shm_count(slot, node, SHM_CNT_ERROR);
}
