/*
 * Per-feature scaling of encoded records: x' = (x - shift) / scale.
 * z-score: shift = mean, scale = standard deviation (population, as
 * sklearn's StandardScaler); min-max: shift = min, scale = max - min (to
 * [0, 1], as MinMaxScaler).  A constant feature has scale 0; it is given
 * scale 1 instead (as sklearn does), so it becomes 0 after shifting and never
 * divides by zero.  None / identity: no arrays, nothing done.
 */
#ifndef MEMAE_IO_SCALER_H
#define MEMAE_IO_SCALER_H

#include <stdint.h>

#include "core/error.h"

/* MEMAE_SCALE_NONE, _ZSCORE, _MINMAX: in memae.h */

typedef struct memae_scaler {
    int kind;
    int64_t width;
    double *shift, *scale; /* width each; NULL for MEMAE_SCALE_NONE */
} memae_scaler;

/* "none", "zscore", "minmax" -> kind; -1 for anything else. */
int memae_scale_kind(const char *name);
const char *mae_scale_name(int kind);

/* Fits kind on the rows of x (n x width) whose keep flag is set (keep NULL: all). */
int mae_scaler_fit(memae_scaler *s, int kind, const float *x, int64_t n, int64_t width,
                   const uint8_t *keep, memae_err *err);
void mae_scaler_apply(const memae_scaler *s, float *x, int64_t n);
void mae_scaler_free(memae_scaler *s);

#endif
