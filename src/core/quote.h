/* Text from a file, made safe to quote in a one-line error message. */
#ifndef MEMAE_CORE_QUOTE_H
#define MEMAE_CORE_QUOTE_H

#include <stddef.h>

/* The quote buffer: enough for MEMAE_QUOTE_CHARS input bytes, all escaped. */
#define MEMAE_QUOTE_CHARS 40
#define MEMAE_QUOTE_MAX (4 * MEMAE_QUOTE_CHARS + 4)

/* s with control bytes, quotes and backslashes escaped (\n, \t, \xHH, \', \\)
 * and cut after MEMAE_QUOTE_CHARS bytes with "..."; returns buf. */
const char *mae_quote(const char *s, char buf[MEMAE_QUOTE_MAX]);

#endif
