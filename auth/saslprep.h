/*
 * SASLprep (RFC 4013) of passwords as PostgreSQL applies it before SCRAM key derivation: ASCII
 * passes unchanged, other UTF-8 is mapped, NFKC-normalised and checked against the prohibited,
 * unassigned (Unicode 3.2) and bidirectional rules of stringprep (RFC 3454).
 */
#ifndef PGNG_AUTH_SASLPREP_H
#define PGNG_AUTH_SASLPREP_H

typedef enum
{
	SASLPREP_OK,
	SASLPREP_INVALID_UTF8,		/* the caller uses the raw bytes */
	SASLPREP_PROHIBITED			/* the caller uses the raw bytes */
} saslprep_result;

/* On SASLPREP_OK *output is the prepared password (malloc'd); otherwise it is left NULL. */
saslprep_result saslprep(const char *input, char **output);

#endif
