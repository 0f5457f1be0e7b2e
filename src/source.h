/* Sample sources inside the library (the public type is memae_source in memae.h). */
#ifndef MEMAE_SOURCE_H
#define MEMAE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "memae.h"

/* An array of n samples of sample_size floats, as a source (a must outlive it). */
typedef struct memae_array_source {
    const float *x;
    size_t ss;
} memae_array_source;

memae_source mae_array_source_make(memae_array_source *a, const float *x, int64_t n,
                                   size_t sample_size);

/* Samples idx[first .. first+count-1] (idx NULL: first .. first+count-1) into
 * buf; a failure of the source is set on m with its message. */
int mae_source_fill(memae_model *m, const memae_source *src, const int64_t *idx, int64_t first,
                    int count, float *buf);

#endif
