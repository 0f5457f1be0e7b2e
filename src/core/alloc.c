#include "core/alloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *mae_aligned_alloc(size_t bytes)
{
    if (bytes == 0)
        return NULL;
    size_t rounded = (bytes + MEMAE_ALIGN - 1) / MEMAE_ALIGN * MEMAE_ALIGN;
    void *p = aligned_alloc(MEMAE_ALIGN, rounded);
    if (p)
        memset(p, 0, rounded);
    return p;
}

float *mae_falloc(size_t n)
{
    if (n > (size_t)-1 / sizeof(float))
        return NULL;
    return mae_aligned_alloc(n * sizeof(float));
}

void mae_aligned_free(void *p)
{
    free(p);
}

double memae_parse_size(const char *s)
{
    char *end;
    double v = s ? strtod(s, &end) : -1;
    if (!s || end == s || !(v > 0) || v > 1e18)
        return -1;
    static const char units[] = "KMGT";
    const char *u = *end ? strchr(units, *end) : NULL;
    if (*end && (!u || end[1]))
        return -1;
    for (const char *p = units; u && p <= u; p++)
        v *= 1024;
    return v;
}

double mae_memory_limit(void)
{
    double v = memae_parse_size(getenv("MEMAE_MAX_MEMORY"));
    if (v > 0)
        return v;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (double)pages * (double)page : 1e18;
}
