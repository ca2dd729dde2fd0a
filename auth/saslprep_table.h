/*
 * The Unicode data SASLprep needs, generated into auth/saslprep_table_*.c by
 * auth/saslprep_gen.py. Every table is sorted by code point for binary search.
 */
#ifndef PGNG_AUTH_SASLPREP_TABLE_H
#define PGNG_AUTH_SASLPREP_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct saslprep_range
{
	uint32_t	first;
	uint32_t	last;
} saslprep_range;

typedef struct saslprep_ccc
{
	uint32_t	first;
	uint32_t	last;
	uint8_t		ccc;			/* canonical combining class of every code point in the run */
} saslprep_ccc;

typedef struct saslprep_pair
{
	uint32_t	first;
	uint32_t	second;
	uint32_t	composite;
} saslprep_pair;

/* first..last decompose to one code point each: the code point plus delta */
typedef struct saslprep_single
{
	uint32_t	first;
	uint32_t	last;
	int32_t		delta;
} saslprep_single;

/* code point decomposes (fully, NFKD) to saslprep_multi_data[offset .. offset + len) */
typedef struct saslprep_multi
{
	uint32_t	code;
	uint16_t	offset;
	uint8_t		len;
} saslprep_multi;

extern const saslprep_range saslprep_space[];	/* RFC 3454 C.1.2: mapped to U+0020 */
extern const size_t saslprep_space_count;
extern const saslprep_range saslprep_nothing[];	/* B.1: mapped to nothing */
extern const size_t saslprep_nothing_count;
extern const saslprep_range saslprep_prohibited[];	/* C.1.2-C.9 and A.1 (unassigned) */
extern const size_t saslprep_prohibited_count;
extern const saslprep_range saslprep_randal[];	/* D.1 */
extern const size_t saslprep_randal_count;
extern const saslprep_range saslprep_lcat[];	/* D.2 */
extern const size_t saslprep_lcat_count;
extern const saslprep_ccc saslprep_ccc_runs[];
extern const size_t saslprep_ccc_runs_count;
extern const saslprep_pair saslprep_pairs[];	/* sorted by (first, second) */
extern const size_t saslprep_pairs_count;
extern const saslprep_single saslprep_singles[];
extern const size_t saslprep_singles_count;
extern const saslprep_multi saslprep_multis[];
extern const size_t saslprep_multis_count;
extern const uint32_t saslprep_multi_data[];
extern const size_t saslprep_multi_data_count;

#endif
