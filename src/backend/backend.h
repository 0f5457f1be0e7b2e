/*
 * Kernels behind one interface.  ref.c is the portable oracle; a faster
 * backend fills the same table.  Every convolution is described by one
 * geometry over (D, H, W): a 2D convolution is the 3D one with D = 1, kernel 1,
 * stride 1 and padding 0, so one kernel serves both.  A transposed convolution
 * is the adjoint of a convolution: its forward pass is conv_backward_data of
 * the convolution that maps its output back to its input, which is why the
 * layer in src/nn/conv.c needs no kernels of its own.
 *
 * Feature maps are plain NC(D)HW, or, between the convolutions of a backend
 * that sets `blocked`, channel-blocked nC(D)HW16c (oneDNN's native layout:
 * MEMAE_CBLK channels side by side per position), so that no reorder runs
 * from layer to layer.  Batch norm and channel sums take the layout as blk
 * (1 or MEMAE_CBLK); activations are element-wise and need not know it.
 */
#ifndef MEMAE_BACKEND_H
#define MEMAE_BACKEND_H

#include <stddef.h>

#define MEMAE_CBLK 16

typedef struct memae_conv_geom {
    int n;      /* batch */
    int ci, co; /* the convolution's input and output channels */
    int in[3];  /* input size D, H, W */
    int out[3]; /* output size D, H, W */
    int k[3], s[3], p[3];
    int src_blocked, dst_blocked; /* nC(D)HW16c instead of NC(D)HW (backends with `blocked`) */
    int fused_act; /* inference runs conv_forward_affine_act with MEMAE_ACT_x + 1 (0: never) */
} memae_conv_geom;

/* C = alpha op(A) op(B) + beta C, row-major, op = transpose when ta / tb. */
typedef struct memae_gemm_geom {
    int ta, tb, m, n, k, lda, ldb, ldc;
    float alpha, beta;
} memae_gemm_geom;

typedef struct memae_kernels {
    const char *name;
    void *ctx;   /* the backend's own state (oneDNN engine, primitive cache); ref: NULL */
    int blocked; /* its convolutions take channel-blocked tensors */
    void (*destroy)(struct memae_kernels *be);
    /* Floats of scratch the three conv kernels need for this geometry; the
     * caller plans it ahead (no allocation in a step). */
    size_t (*conv_scratch)(const struct memae_kernels *be, const memae_conv_geom *g);
    /* y = conv(x, w) + b (b may be NULL); w is (co, ci, kd, kh, kw). */
    void (*conv_forward)(const struct memae_kernels *be, const memae_conv_geom *g, const float *x,
                         const float *w, const float *b, float *y, float *scratch, int threads);
    /* Inference: y = act(scale[c] * (conv(x, w) + b) + shift[c]), in one
     * primitive where the backend can fuse it. */
    void (*conv_forward_affine_act)(const struct memae_kernels *be, const memae_conv_geom *g,
                                    const float *x, const float *w, const float *b,
                                    const float *scale, const float *shift, int act, float *y,
                                    float *scratch, int threads);
    /* dx = conv^T(dy, w), overwriting dx. */
    void (*conv_backward_data)(const struct memae_kernels *be, const memae_conv_geom *g,
                               const float *dy, const float *w, float *dx, float *scratch,
                               int threads);
    /* dw = sum over the batch of x (*) dy, db = sum of dy (db may be NULL); overwrites. */
    void (*conv_backward_weights)(const struct memae_kernels *be, const memae_conv_geom *g,
                                  const float *x, const float *dy, float *dw, float *db,
                                  float *scratch, int threads);
    /* out[c] = sum of t[n][c][...] over n and s positions (a bias gradient). */
    void (*channel_sum)(const struct memae_kernels *be, const float *t, int n, int c, size_t s,
                        int blk, float *out, int threads);
    /* Floats of scratch gemm needs for g, planned by the caller; a backend
     * with primitives makes them here, at plan time. */
    size_t (*gemm_scratch)(const struct memae_kernels *be, const memae_gemm_geom *g);
    void (*gemm)(const struct memae_kernels *be, const memae_gemm_geom *g, const float *a,
                 const float *b, float *c, float *scratch, int threads);
    /* Batch norm over (n, c, s): per channel c, statistics over n * s values.
     * train: batch statistics, saved to mean / invstd, and the running
     * statistics updated (unbiased variance); else the running statistics.
     * mean / invstd receive the statistics used, for backward (whose train
     * says whether they were the batch's, which then depend on x). */
    void (*bn_forward)(const struct memae_kernels *be, int n, int c, size_t s, int blk,
                       const float *x, const float *gamma, const float *beta, float *y, float *mean,
                       float *invstd, float *running_mean, float *running_var, float momentum,
                       float eps, int train, int threads);
    void (*bn_backward)(const struct memae_kernels *be, int n, int c, size_t s, int blk,
                        const float *x, const float *dy, const float *gamma, const float *mean,
                        const float *invstd, float *dx, float *dgamma, float *dbeta, int train,
                        int threads);
    /* Element-wise activations; backward from the output y (so they run in place). */
    void (*act_forward)(const struct memae_kernels *be, int kind, size_t n, const float *x,
                        float *y, int threads);
    void (*act_backward)(const struct memae_kernels *be, int kind, size_t n, const float *y,
                         const float *dy, float *dx, int threads);
    /* y = act(scale[c] * x + shift[c]) over (n, c, s) in one pass: an
     * inference-time conv bias, batch norm and activation together (x may be y). */
    void (*affine_act)(const struct memae_kernels *be, int n, int c, size_t s, int blk,
                       const float *scale, const float *shift, int act, const float *x, float *y,
                       int threads);
} memae_kernels;

enum memae_act { MEMAE_ACT_LEAKY_RELU = 0, MEMAE_ACT_TANH = 1 };
#define MEMAE_LEAKY_SLOPE 0.2f

const memae_kernels *mae_backend_ref(void);

/* A oneDNN backend instance (its engine, stream and primitive cache); free it
 * with be->destroy.  MEMAE_E_UNSUPPORTED (with a message) when unavailable. */
#include "core/error.h"
int mae_backend_dnnl_create(memae_kernels **out, memae_err *err);

/* Threads worth waking for this much work: a parallel region costs a
 * barrier, and on a loaded machine a barrier can wait for a descheduled
 * thread for a whole time slice, so small loops run on one thread. */
#define MEMAE_PAR_MIN ((size_t)1 << 15)
static inline int mae_par(size_t work, int threads)
{
    return work >= MEMAE_PAR_MIN ? threads : 1;
}

#endif
