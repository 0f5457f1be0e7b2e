/* What the memory module (memory.c) adds to a layer, and its weights. */
#ifndef MEMAE_NN_MEMORY_H
#define MEMAE_NN_MEMORY_H

#include <stdint.h>

enum memae_addressing { MEMAE_ADDR_DOT = 0, MEMAE_ADDR_COSINE = 1 };
enum memae_query { MEMAE_QUERY_POSITION = 0, MEMAE_QUERY_FLAT = 1 };

typedef struct memae_memory_layer {
    int slots, addressing, query; /* N; MEMAE_ADDR_*; MEMAE_QUERY_* */
    float shrink;                 /* lambda of the hard shrinkage; 0: none */
    int dim;                      /* of a slot: set by the layer's setup */
    /* of the last forward pass */
    double entropy;
    int64_t zero_queries, queries;
} memae_memory_layer;

struct memae_layer;

/* The memory layer's addressing weights (after shrinkage) of its last
 * forward pass over batch samples: queries x slots, queries channels last. */
const float *mae_memory_weights(const struct memae_layer *l, int batch);

#endif
