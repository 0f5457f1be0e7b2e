/* The portable reference kernels (the oracle every other backend is checked against). */
#ifndef MEMAE_BACKEND_REF_H
#define MEMAE_BACKEND_REF_H

#include "backend/backend.h"

/* out[c] = sum over n and s of t[n][c][s], in double. */
void mae_ref_channel_sum(const memae_kernels *be, const float *t, int n, int c, size_t s, int blk,
                         float *out, int threads);
size_t mae_ref_conv_scratch(const memae_kernels *be, const memae_conv_geom *g);
void mae_ref_conv_forward(const memae_kernels *be, const memae_conv_geom *g, const float *x,
                          const float *w, const float *b, float *y, float *scratch, int threads);
void mae_ref_conv_forward_affine_act(const memae_kernels *be, const memae_conv_geom *g,
                                     const float *x, const float *w, const float *b,
                                     const float *scale, const float *shift, int act, float *y,
                                     float *scratch, int threads);
void mae_ref_conv_backward_data(const memae_kernels *be, const memae_conv_geom *g, const float *dy,
                                const float *w, float *dx, float *scratch, int threads);
void mae_ref_conv_backward_weights(const memae_kernels *be, const memae_conv_geom *g,
                                   const float *x, const float *dy, float *dw, float *db,
                                   float *scratch, int threads);
/* The packing panels of mae_ref_gemm: a constant, whatever the shape. */
#define MEMAE_REF_GEMM_SCRATCH ((size_t)(256 + 2048) * 256)

/*
 * The hottest loops (the GEMM's register tile, batch norm, the fused
 * inference bias + batch norm + activation) are compiled for AVX-512,
 * AVX2 and the x86-64 baseline, and the loader picks one for the CPU, so the
 * portable default build does not run them on SSE2 alone.  The vector width
 * changes no result: no sum is reassociated, and in ISO C mode (-std=c11)
 * GCC contracts no a * b + c into a fused multiply-add.  A build for a
 * CPU with AVX2 or more (make NATIVE=1) needs no clones.
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__AVX2__)
#define MEMAE_REF_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MEMAE_REF_CLONES
#endif
size_t mae_ref_gemm_scratch(const memae_kernels *be, const memae_gemm_geom *g);
void mae_ref_gemm(const memae_kernels *be, const memae_gemm_geom *g, const float *a, const float *b,
                  float *c, float *scratch, int threads);
void mae_ref_bn_forward(const memae_kernels *be, int n, int c, size_t s, int blk, const float *x,
                        const float *gamma, const float *beta, float *y, float *mean, float *invstd,
                        float *running_mean, float *running_var, float momentum, float eps,
                        int train, int threads);
void mae_ref_bn_backward(const memae_kernels *be, int n, int c, size_t s, int blk, const float *x,
                         const float *dy, const float *gamma, const float *mean,
                         const float *invstd, float *dx, float *dgamma, float *dbeta, int train,
                         int threads);
void mae_ref_act_forward(const memae_kernels *be, int kind, size_t n, const float *x, float *y,
                         int threads);
void mae_ref_affine_act(const memae_kernels *be, int n, int c, size_t s, int blk,
                        const float *scale, const float *shift, int act, const float *x, float *y,
                        int threads);
void mae_ref_act_backward(const memae_kernels *be, int kind, size_t n, const float *y,
                          const float *dy, float *dx, int threads);

#endif
