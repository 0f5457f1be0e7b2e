#include "core/quote.h"

#include <stdio.h>
#include <string.h>

const char *mae_quote(const char *s, char buf[MEMAE_QUOTE_MAX])
{
    size_t o = 0, i = 0;
    for (; s[i] && i < MEMAE_QUOTE_CHARS; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            o += (size_t)snprintf(buf + o, MEMAE_QUOTE_MAX - o, "\\n");
        else if (c == '\t')
            o += (size_t)snprintf(buf + o, MEMAE_QUOTE_MAX - o, "\\t");
        else if (c == '\'' || c == '\\')
            o += (size_t)snprintf(buf + o, MEMAE_QUOTE_MAX - o, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(buf + o, MEMAE_QUOTE_MAX - o, "\\x%02x", c);
        else
            buf[o++] = (char)c;
    }
    if (s[i])
        memcpy(buf + o, "...", 3), o += 3;
    buf[o] = '\0';
    return buf;
}
