/*
 * pqseq: protocol-sequence scenarios run against a server (PostgreSQL directly, or pgpool-ng in
 * front of it); each prints a transcript that must be the same both ways. Shared declarations.
 */
#ifndef PGNG_REGRESS_PQSEQ_H
#define PGNG_REGRESS_PQSEQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where to connect (raw scenarios use host/port/user/db; libpq ones the conninfo). */
typedef struct seq_target
{
	const char *conninfo;
	const char *host;
	int			port;
	const char *user;
	const char *db;
} seq_target;

/* A scenario: 0 when it ran to its end (its transcript says what happened), else 1. */
typedef int (*seq_fn) (const seq_target *t);

typedef struct seq_scenario
{
	const char *name;
	seq_fn		fn;
} seq_scenario;

extern const seq_scenario seq_raw_scenarios[];

/* FNV-1a over bytes, to print a fingerprint of large data. */
uint64_t	seq_hash(uint64_t h, const void *p, size_t n);
#define SEQ_HASH_INIT 1469598103934665603ULL

#endif
