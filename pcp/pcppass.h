/*
 * The PCP password file ($PCPPASSFILE or ~/.pcppass): lines "host:port:user:password", '*' matching
 * anything in the first three fields, '\' escaping ':' and '\', '#' comments. The first matching
 * line wins.
 */
#ifndef PGNG_PCP_PCPPASS_H
#define PGNG_PCP_PCPPASS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Looks up the password for host (the Unix socket connections use "localhost"), port and user in
 * the text of a password file. Returns true and copies it into out (size bytes) on a match.
 */
bool		pcppass_lookup_text(const char *text, const char *host, const char *port,
								const char *user, char *out, size_t size);

/*
 * The same on the file: $PCPPASSFILE, else ~/.pcppass. A file readable by group or others is
 * ignored with a warning on stderr, as libpq does for .pgpass.
 */
bool		pcppass_lookup(const char *host, const char *port, const char *user, char *out,
						   size_t size);

#endif
