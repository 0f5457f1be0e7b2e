/* Helpers shared by the tests: fixtures, random data, gradient checks. */
#ifndef MEMAE_TESTUTIL_H
#define MEMAE_TESTUTIL_H

#include <stddef.h>

#include "core/rng.h"
#include "nn/layer.h"

/* Path of a fixture under $MEMAE_FIXTURES (default tests/fixtures); static buffer. */
const char *tu_fixture(const char *name);

void tu_fill(memae_rng *r, float *x, size_t n, float lo, float hi);

/* A layer with its own parameter, gradient, buffer and workspace memory. */
typedef struct tu_layer {
    memae_layer l;
    const memae_layer_ops *ops;
    memae_run run;
    float *params, *grads, *buffers, *x, *y, *dy, *dx;
    size_t nx, ny;
} tu_layer;

/* Set the layer up for a batch (l must have op, prefix, in and settings),
 * on the reference kernels or, with _on, on backend be (its workspace, and
 * so its plan-time primitives, made for this batch). */
int tu_layer_make(tu_layer *t, const memae_layer *l, int batch, int train, uint64_t seed);
int tu_layer_make_on(tu_layer *t, const memae_layer *l, int batch, int train, uint64_t seed,
                     const memae_kernels *be);
void tu_layer_free(tu_layer *t);

/* The backends every kernel-level test runs on: the reference, then oneDNN
 * (made on first use, kept to the end of the program); NULL past the last
 * or when oneDNN cannot be made (reported on stderr). */
/* How many of tu_backend's to run a check on: 2 (ref, dnnl), or 1 in a build
 * without oneDNN (make DNNL=0), which says once that dnnl is skipped. */
int tu_nbackends(void);
const memae_kernels *tu_backend(int i);

typedef struct tu_gradcheck {
    double h, atol, rtol;
    int samples;       /* elements checked per tensor (x and params) */
    int skip_kinks;    /* skip points where one-sided differences disagree */
} tu_gradcheck;

/* Compares backward with central differences of L = sum(y * r) + ew * entropy
 * (the memory layer's entropy term); returns the number of mismatches and
 * prints the first few.  *checked receives how many elements were compared. */
int tu_gradcheck_layer(tu_layer *t, const tu_gradcheck *gc, int *checked);

/* max |a - b| / (atol + rtol |b|) over n values: <= 1 passes. */
double tu_close(const float *a, const float *b, size_t n, double atol, double rtol,
                size_t *worst);

#endif
