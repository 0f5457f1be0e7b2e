/* Reference element-wise activations. */
#include "backend/ref.h"

#include <math.h>

void memae_ref_act_forward(const memae_backend *be, int kind, size_t n, const float *x, float *y,
                           int threads)
{
    (void)be;
    if (kind == MEMAE_ACT_TANH) {
#pragma omp parallel for schedule(static) num_threads(memae_par(n, threads))
        for (size_t i = 0; i < n; i++)
            y[i] = tanhf(x[i]);
    } else {
#pragma omp parallel for schedule(static) num_threads(memae_par(n, threads))
        for (size_t i = 0; i < n; i++)
            y[i] = x[i] > 0.0f ? x[i] : MEMAE_LEAKY_SLOPE * x[i];
    }
}

void memae_ref_act_backward(const memae_backend *be, int kind, size_t n, const float *y,
                            const float *dy, float *dx, int threads)
{
    (void)be;
    if (kind == MEMAE_ACT_TANH) {
#pragma omp parallel for schedule(static) num_threads(memae_par(n, threads))
        for (size_t i = 0; i < n; i++)
            dx[i] = dy[i] * (1.0f - y[i] * y[i]);
    } else {
        /* The slope is positive, so the output has the input's sign. */
#pragma omp parallel for schedule(static) num_threads(memae_par(n, threads))
        for (size_t i = 0; i < n; i++)
            dx[i] = y[i] > 0.0f ? dy[i] : MEMAE_LEAKY_SLOPE * dy[i];
    }
}
