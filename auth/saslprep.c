/*
 * SASLprep (RFC 4013) as PostgreSQL's backend and libpq apply it to passwords: pure ASCII is kept
 * as is; other strings must be valid UTF-8, are mapped (RFC 3454 C.1.2 to space, B.1 removed),
 * refused when prohibited, unassigned or badly bidirectional, and NFKC-normalised.
 */
#include "auth/saslprep.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/saslprep_table.h"
#include "common/util.h"

#define MAX_DECOMPOSITION 18		/* the longest NFKD expansion of one code point (U+FDFA) */

/* Hangul syllables are composed and decomposed by arithmetic (Unicode chapter 3.12). */
#define HANGUL_S 0xAC00
#define HANGUL_L 0x1100
#define HANGUL_V 0x1161
#define HANGUL_T 0x11A7
#define HANGUL_L_COUNT 19
#define HANGUL_V_COUNT 21
#define HANGUL_T_COUNT 28
#define HANGUL_N_COUNT (HANGUL_V_COUNT * HANGUL_T_COUNT)
#define HANGUL_S_COUNT (HANGUL_L_COUNT * HANGUL_N_COUNT)

static bool
in_ranges(const saslprep_range *table, size_t count, uint32_t c)
{
	size_t		lo = 0;
	size_t		hi = count;

	while (lo < hi)
	{
		size_t		mid = (lo + hi) / 2;

		if (c < table[mid].first)
			hi = mid;
		else if (c > table[mid].last)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static int
combining_class(uint32_t c)
{
	size_t		lo = 0;
	size_t		hi = saslprep_ccc_runs_count;

	while (lo < hi)
	{
		size_t		mid = (lo + hi) / 2;

		if (c < saslprep_ccc_runs[mid].first)
			hi = mid;
		else if (c > saslprep_ccc_runs[mid].last)
			lo = mid + 1;
		else
			return saslprep_ccc_runs[mid].ccc;
	}
	return 0;
}

/* Decodes well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF); -1 otherwise. */
static int
utf8_next(const unsigned char **p, uint32_t *out)
{
	const unsigned char *s = *p;
	int			len;
	uint32_t	c;
	unsigned char lo = 0x80;
	unsigned char hi = 0xBF;

	if (s[0] < 0x80)
		len = 1, c = s[0];
	else if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, c = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, c = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, c = s[0] & 0x07;
	else
		return -1;
	if (s[0] == 0xE0)
		lo = 0xA0;
	else if (s[0] == 0xED)
		hi = 0x9F;
	else if (s[0] == 0xF0)
		lo = 0x90;
	else if (s[0] == 0xF4)
		hi = 0x8F;
	for (int i = 1; i < len; i++)
	{
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xBF))
			return -1;
		c = (c << 6) | (s[i] & 0x3F);
	}
	*p = s + len;
	*out = c;
	return 0;
}

static size_t
utf8_put(uint32_t c, char *out)
{
	if (c < 0x80)
		return (size_t) (out[0] = (char) c, 1);
	if (c < 0x800)
	{
		out[0] = (char) (0xC0 | (c >> 6));
		out[1] = (char) (0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000)
	{
		out[0] = (char) (0xE0 | (c >> 12));
		out[1] = (char) (0x80 | ((c >> 6) & 0x3F));
		out[2] = (char) (0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char) (0xF0 | (c >> 18));
	out[1] = (char) (0x80 | ((c >> 12) & 0x3F));
	out[2] = (char) (0x80 | ((c >> 6) & 0x3F));
	out[3] = (char) (0x80 | (c & 0x3F));
	return 4;
}

/* Code points of input after the SASLprep mapping step; *count set. NULL when not UTF-8. */
static uint32_t *
decode_and_map(const char *input, size_t *count)
{
	const unsigned char *p = (const unsigned char *) input;
	uint32_t   *cps = xmalloc((strlen(input) + 1) * sizeof(uint32_t));
	size_t		n = 0;
	uint32_t	c;

	while (*p)
	{
		if (utf8_next(&p, &c) != 0)
		{
			free(cps);
			return NULL;
		}
		/* C.1.2 is looked at first: U+200B is in both sets and becomes a space */
		if (in_ranges(saslprep_space, saslprep_space_count, c))
			cps[n++] = 0x20;
		else if (!in_ranges(saslprep_nothing, saslprep_nothing_count, c))
			cps[n++] = c;
	}
	*count = n;
	return cps;
}

/* Writes the full compatibility decomposition of c into out; returns its length. */
static size_t
decompose_one(uint32_t c, uint32_t *out)
{
	size_t		lo = 0;
	size_t		hi = saslprep_multis_count;

	if (c >= HANGUL_S && c < HANGUL_S + HANGUL_S_COUNT)
	{
		uint32_t	s = c - HANGUL_S;

		out[0] = HANGUL_L + s / HANGUL_N_COUNT;
		out[1] = HANGUL_V + (s % HANGUL_N_COUNT) / HANGUL_T_COUNT;
		out[2] = HANGUL_T + s % HANGUL_T_COUNT;
		return out[2] == HANGUL_T ? 2 : 3;
	}
	while (lo < hi)
	{
		size_t		mid = (lo + hi) / 2;
		const saslprep_multi *m = &saslprep_multis[mid];

		if (c == m->code)
		{
			memcpy(out, &saslprep_multi_data[m->offset], m->len * sizeof(uint32_t));
			return m->len;
		}
		if (c < m->code)
			hi = mid;
		else
			lo = mid + 1;
	}
	for (lo = 0, hi = saslprep_singles_count; lo < hi;)
	{
		size_t		mid = (lo + hi) / 2;

		if (c < saslprep_singles[mid].first)
			hi = mid;
		else if (c > saslprep_singles[mid].last)
			lo = mid + 1;
		else
			return (size_t) (out[0] = (uint32_t) ((int32_t) c + saslprep_singles[mid].delta), 1);
	}
	out[0] = c;
	return 1;
}

/* Canonical ordering: each run of non-starters is sorted by combining class, stably. */
static void
reorder(uint32_t *cps, size_t n)
{
	for (size_t i = 1; i < n; i++)
	{
		uint32_t	c = cps[i];
		int			cc = combining_class(c);
		size_t		j = i;

		if (cc == 0)
			continue;
		while (j > 0 && combining_class(cps[j - 1]) > cc)
		{
			cps[j] = cps[j - 1];
			j--;
		}
		cps[j] = c;
	}
}

/* The primary composite of a + b, or 0. */
static uint32_t
compose_pair(uint32_t a, uint32_t b)
{
	size_t		lo = 0;
	size_t		hi = saslprep_pairs_count;

	if (a >= HANGUL_L && a < HANGUL_L + HANGUL_L_COUNT && b >= HANGUL_V &&
		b < HANGUL_V + HANGUL_V_COUNT)
		return HANGUL_S + ((a - HANGUL_L) * HANGUL_V_COUNT + (b - HANGUL_V)) * HANGUL_T_COUNT;
	if (a >= HANGUL_S && a < HANGUL_S + HANGUL_S_COUNT && (a - HANGUL_S) % HANGUL_T_COUNT == 0 &&
		b > HANGUL_T && b < HANGUL_T + HANGUL_T_COUNT)
		return a + (b - HANGUL_T);
	while (lo < hi)
	{
		size_t		mid = (lo + hi) / 2;
		const saslprep_pair *p = &saslprep_pairs[mid];

		if (a == p->first && b == p->second)
			return p->composite;
		if (a < p->first || (a == p->first && b < p->second))
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

/* Canonical composition in place; returns the new length. */
static size_t
compose(uint32_t *cps, size_t n)
{
	size_t		starter = 0;
	size_t		out = 1;
	int			last_cc;

	if (n == 0)
		return 0;
	/* a leading non-starter has nothing to compose with */
	last_cc = combining_class(cps[0]) == 0 ? 0 : 256;
	for (size_t i = 1; i < n; i++)
	{
		uint32_t	c = cps[i];
		int			cc = combining_class(c);
		uint32_t	composite = compose_pair(cps[starter], c);

		if (composite != 0 && (last_cc < cc || last_cc == 0))
		{
			cps[starter] = composite;
			continue;
		}
		if (cc == 0)
			starter = out;
		last_cc = cc;
		cps[out++] = c;
	}
	return out;
}

/* NFKC of n code points into a new array; *count set. */
static uint32_t *
nfkc(const uint32_t *cps, size_t n, size_t *count)
{
	uint32_t   *out = xmalloc((n * MAX_DECOMPOSITION + 1) * sizeof(uint32_t));
	size_t		len = 0;

	for (size_t i = 0; i < n; i++)
		len += decompose_one(cps[i], out + len);
	reorder(out, len);
	*count = compose(out, len);
	return out;
}

/* RFC 3454 sections 5 and 6: prohibited or unassigned code points, and the bidirectional rule. */
static bool
is_acceptable(const uint32_t *cps, size_t n)
{
	bool		randal = false;
	bool		lcat = false;

	for (size_t i = 0; i < n; i++)
	{
		if (in_ranges(saslprep_prohibited, saslprep_prohibited_count, cps[i]))
			return false;
		randal |= in_ranges(saslprep_randal, saslprep_randal_count, cps[i]);
		lcat |= in_ranges(saslprep_lcat, saslprep_lcat_count, cps[i]);
	}
	if (!randal)
		return true;
	return !lcat && in_ranges(saslprep_randal, saslprep_randal_count, cps[0]) &&
		in_ranges(saslprep_randal, saslprep_randal_count, cps[n - 1]);
}

saslprep_result
saslprep(const char *input, char **output)
{
	uint32_t   *mapped;
	uint32_t   *normal;
	size_t		n;
	size_t		len = 0;
	bool		ascii = true;

	*output = NULL;
	for (const char *p = input; *p && ascii; p++)
		ascii = (unsigned char) *p < 0x80;
	if (ascii)
	{
		*output = xstrdup(input);
		return SASLPREP_OK;
	}
	if ((mapped = decode_and_map(input, &n)) == NULL)
		return SASLPREP_INVALID_UTF8;

	/*
	 * PostgreSQL checks the prohibited, unassigned and bidirectional rules on the mapped input,
	 * not on the normalised output as RFC 4013 says: U+1F190 (unassigned in Unicode 3.2) leaves
	 * the password raw although its NFKC form "DJ" would pass. Libpq does the same, so we follow.
	 */
	if (!is_acceptable(mapped, n))
	{
		free(mapped);
		return SASLPREP_PROHIBITED;
	}
	normal = nfkc(mapped, n, &n);
	free(mapped);
	*output = xmalloc(n * 4 + 1);
	for (size_t i = 0; i < n; i++)
		len += utf8_put(normal[i], *output + len);
	(*output)[len] = '\0';
	free(normal);
	return SASLPREP_OK;
}
