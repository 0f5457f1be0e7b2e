/* Loading samples in two steps, for callers that need the array's shape first. */
#ifndef MEMAE_IO_DATASET_H
#define MEMAE_IO_DATASET_H

#include "io/formats/array.h"
#include "memae.h"

/* A folder of images (channels > 0: decoded as that many channels, resized
 * to h x w when given), a .npy, or an IDX file, as it is. */
int mae_array_load(const char *path, int channels, int h, int w, memae_array *a, memae_err *err);

/* Check the array against the model and map it into the model's input space. */
int mae_data_from_array(memae_model *m, const char *path, const memae_array *a, float **x,
                        int64_t *n);

/* How uint8 pixels map into m's input space: x * scale + offset (video3d: [-1, 1]). */
int mae_model_uint8_rule(const memae_model *m, float *scale, float *offset, memae_err *err);

#endif
