/* 64-byte aligned allocation for tensors and flat parameter buffers. */
#ifndef MEMAE_CORE_ALLOC_H
#define MEMAE_CORE_ALLOC_H

#include <stddef.h>

#include "memae.h"

#define MEMAE_ALIGN 64

/* Zero-filled, 64-byte aligned; NULL on failure or when n == 0. */
float *mae_falloc(size_t n);
void *mae_aligned_alloc(size_t bytes);
void mae_aligned_free(void *p);

/* Bytes a model may plan to use: MEMAE_MAX_MEMORY (bytes, or with a K, M or
 * G suffix; the CLI's --max-memory sets it) when set and valid, else the
 * machine's physical memory. */
double mae_memory_limit(void);
/* memae_parse_size: memae.h. */

#endif
