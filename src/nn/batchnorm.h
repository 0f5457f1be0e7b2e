/* What a batch-norm layer (batchnorm.c) adds to a layer, and its folded form. */
#ifndef MEMAE_NN_BATCHNORM_H
#define MEMAE_NN_BATCHNORM_H

#include <stdint.h>

typedef struct memae_bn_layer {
    int64_t batches_tracked; /* num_batches_tracked (stored as a counter tensor) */
} memae_bn_layer;

struct memae_layer;
struct memae_run;

/* A batch norm's inference-time affine map, y = scale * x + shift per
 * channel, from its running statistics, into its own workspace (2c floats,
 * free in inference); returns scale (shift follows it). */
float *mae_bn_fold(const struct memae_layer *bn, const struct memae_run *run);

#endif
