/*
 * Keyword lookup: one hash of the lower-cased word into an open-addressing table built once at
 * start-up from the keyword list, then a single case-insensitive compare on a hit.
 */
#include "parser/sql_lexer.h"

#define KW_SLOTS 1024			/* power of two, more than twice the keyword count */
#define KW_MAX_LEN 17			/* "current_timestamp" */

#define KW_NAME_(word, cat) #word,
static const char *const kw_names[SQL_KW_COUNT_] = {"", SQL_KEYWORD_LIST(KW_NAME_)};
#undef KW_NAME_

#define KW_CAT_(word, cat) SQL_KWCAT_##cat,
static const unsigned char kw_cats[SQL_KW_COUNT_] = {SQL_KWCAT_U, SQL_KEYWORD_LIST(KW_CAT_)};
#undef KW_CAT_

static uint16_t kw_slots[KW_SLOTS];
static unsigned char kw_lens[SQL_KW_COUNT_];

static inline unsigned char
lower_ascii(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char) (c + 32) : c;
}

static inline uint32_t
kw_hash(const char *word, size_t len)
{
	uint32_t	h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ lower_ascii((unsigned char) word[i])) * 16777619u;
	return h ^ (h >> 15);
}

__attribute__((constructor)) static void
kw_build_table(void)
{
	for (int kw = 1; kw < SQL_KW_COUNT_; kw++)
	{
		size_t		len = 0;
		uint32_t	slot;

		while (kw_names[kw][len] != '\0')
			len++;
		kw_lens[kw] = (unsigned char) len;
		slot = kw_hash(kw_names[kw], len) & (KW_SLOTS - 1);
		while (kw_slots[slot] != 0)
			slot = (slot + 1) & (KW_SLOTS - 1);
		kw_slots[slot] = (uint16_t) kw;
	}
}

/* The list holds upper-case names, so compare the word upper-cased. */
static bool
kw_equal(const char *name, const char *word, size_t len)
{
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) word[i];

		if (c >= 'a' && c <= 'z')
			c = (unsigned char) (c - 32);
		if ((unsigned char) name[i] != c)
			return false;
	}
	return true;
}

sql_keyword
sql_keyword_lookup(const char *word, size_t len)
{
	uint32_t	slot;

	if (len < 2 || len > KW_MAX_LEN)
		return SQL_KW_NOT_KEYWORD;
	slot = kw_hash(word, len) & (KW_SLOTS - 1);
	for (;;)
	{
		uint16_t	kw = kw_slots[slot];

		if (kw == 0)
			return SQL_KW_NOT_KEYWORD;
		if (kw_lens[kw] == len && kw_equal(kw_names[kw], word, len))
			return (sql_keyword) kw;
		slot = (slot + 1) & (KW_SLOTS - 1);
	}
}

sql_keyword_category
sql_keyword_category_of(sql_keyword kw)
{
	return (sql_keyword_category) kw_cats[kw < SQL_KW_COUNT_ ? kw : 0];
}

const char *
sql_keyword_name(sql_keyword kw)
{
	return kw < SQL_KW_COUNT_ ? kw_names[kw] : "";
}
