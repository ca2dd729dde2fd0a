/*
 * Process titles as `ps` shows them ("pgpool: wait for connection request"), written over the
 * program's argument area as pgpool does, so that monitoring that greps ps keeps working.
 */
#ifndef PGNG_PS_TITLE_H
#define PGNG_PS_TITLE_H

/* Call first thing in main(): takes over the argument area (the environment is moved aside). */
void		ps_title_init(int argc, char **argv);

/* Sets the title to "pgpool: " + the formatted text (cut to the space available). */
void		ps_title_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
