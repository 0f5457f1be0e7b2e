/* 64-byte aligned allocation for tensors and flat parameter buffers. */
#ifndef MEMAE_CORE_ALLOC_H
#define MEMAE_CORE_ALLOC_H

#include <stddef.h>

#define MEMAE_ALIGN 64

/* Zero-filled, 64-byte aligned; NULL on failure or when n == 0. */
float *memae_falloc(size_t n);
void *memae_aligned_alloc(size_t bytes);
void memae_aligned_free(void *p);

#endif
