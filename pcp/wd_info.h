/*
 * Printing the watchdog cluster document of a PCP watchdog info reply (see wd_info.c).
 */
#ifndef PGNG_PCP_WD_INFO_H
#define PGNG_PCP_WD_INFO_H

#include <stdbool.h>
#include <stdio.h>

/* Prints doc as pcp_watchdog_info does (verbose: -v). 0, or -1 when doc cannot be read. */
int			pcp_wd_info_print(FILE *out, const char *doc, bool verbose);

#endif
