#include "core/alloc.h"

#include <stdlib.h>
#include <string.h>

void *memae_aligned_alloc(size_t bytes)
{
    if (bytes == 0)
        return NULL;
    size_t rounded = (bytes + MEMAE_ALIGN - 1) / MEMAE_ALIGN * MEMAE_ALIGN;
    void *p = aligned_alloc(MEMAE_ALIGN, rounded);
    if (p)
        memset(p, 0, rounded);
    return p;
}

float *memae_falloc(size_t n)
{
    if (n > (size_t)-1 / sizeof(float))
        return NULL;
    return memae_aligned_alloc(n * sizeof(float));
}

void memae_aligned_free(void *p)
{
    free(p);
}
