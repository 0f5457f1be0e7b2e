/* Reference element-wise activations. */
#include "backend/ref.h"

#include <math.h>

void mae_ref_act_forward(const memae_kernels *be, int kind, size_t n, const float *x, float *y,
                         int threads)
{
    (void)be;
    if (kind == MEMAE_ACT_TANH) {
#pragma omp parallel for schedule(static) num_threads(mae_par(n, threads))
        for (size_t i = 0; i < n; i++)
            y[i] = tanhf(x[i]);
    } else {
#pragma omp parallel for schedule(static) num_threads(mae_par(n, threads))
        for (size_t i = 0; i < n; i++)
            y[i] = x[i] > 0.0f ? x[i] : MEMAE_LEAKY_SLOPE * x[i];
    }
}

/* One sample's channel block: y = act(x * a[lane] + sh[lane]) (a hot loop). */
MEMAE_REF_CLONES static void affine_act_block(const float *xb, float *yb, size_t s, int blk,
                                              const float *a, const float *sh, int act)
{
    if (act == MEMAE_ACT_TANH)
        for (size_t i = 0; i < s; i++)
            for (int l = 0; l < blk; l++)
                yb[i * blk + l] = tanhf(xb[i * blk + l] * a[l] + sh[l]);
    else
        for (size_t i = 0; i < s; i++)
            for (int l = 0; l < blk; l++) {
                float v = xb[i * blk + l] * a[l] + sh[l];
                yb[i * blk + l] = v > 0.0f ? v : MEMAE_LEAKY_SLOPE * v;
            }
}

void mae_ref_affine_act(const memae_kernels *be, int n, int c, size_t s, int blk,
                        const float *scale, const float *shift, int act, const float *x, float *y,
                        int threads)
{
    (void)be;
    int nb = c / blk;
#pragma omp parallel for collapse(2) schedule(static) num_threads(mae_par((size_t)n *c *s, threads))
    for (int b = 0; b < n; b++)
        for (int cb = 0; cb < nb; cb++) {
            size_t off = ((size_t)b * nb + cb) * s * blk;
            const float *a = scale + (size_t)cb * blk, *sh = shift + (size_t)cb * blk;
            affine_act_block(x + off, y + off, s, blk, a, sh, act);
        }
}

void mae_ref_act_backward(const memae_kernels *be, int kind, size_t n, const float *y,
                          const float *dy, float *dx, int threads)
{
    (void)be;
    if (kind == MEMAE_ACT_TANH) {
#pragma omp parallel for schedule(static) num_threads(mae_par(n, threads))
        for (size_t i = 0; i < n; i++)
            dx[i] = dy[i] * (1.0f - y[i] * y[i]);
    } else {
        /* The slope is positive, so the output has the input's sign. */
#pragma omp parallel for schedule(static) num_threads(mae_par(n, threads))
        for (size_t i = 0; i < n; i++)
            dx[i] = y[i] > 0.0f ? dy[i] : MEMAE_LEAKY_SLOPE * dy[i];
    }
}
