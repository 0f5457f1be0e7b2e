#include "nn/loss.h"

#include "backend/backend.h"

#include <math.h>

double mae_mse(const float *recon, const float *x, size_t n, float *grad, int threads)
{
    double s = 0.0;
    float k = 2.0f / (float)n;
    /* Static chunks summed in chunk order would still depend on the thread
     * count; a serial sum keeps the loss bitwise reproducible. */
    for (size_t i = 0; i < n; i++) {
        double d = (double)recon[i] - x[i];
        s += d * d;
    }
    if (grad) {
#pragma omp parallel for schedule(static) num_threads(mae_par(n, threads))
        for (size_t i = 0; i < n; i++)
            grad[i] = k * (recon[i] - x[i]);
    }
    return s / (double)n;
}

void mae_sample_errors(const float *recon, const float *x, int batch, size_t sample_size,
                         int kind, float *scores, int threads)
{
    mae_sample_errors_weighted(recon, x, batch, sample_size, kind, NULL, scores, threads);
}

void mae_add_errors(const float *recon, const float *x, size_t n, int kind, double *acc)
{
    for (size_t i = 0; i < n; i++) {
        double d = (double)recon[i] - x[i];
        acc[i] += kind == MEMAE_SCORE_MAE ? fabs(d) : d * d;
    }
}

void mae_sample_errors_weighted(const float *recon, const float *x, int batch,
                                  size_t sample_size, int kind, const float *w, float *scores,
                                  int threads)
{
#pragma omp parallel for schedule(static) \
    num_threads(mae_par((size_t)batch * sample_size, threads))
    for (int b = 0; b < batch; b++) {
        const float *r = recon + (size_t)b * sample_size, *xi = x + (size_t)b * sample_size;
        double s = 0.0;
        for (size_t i = 0; i < sample_size; i++) {
            double d = (double)r[i] - xi[i], e = kind == MEMAE_SCORE_MAE ? fabs(d) : d * d;
            s += w ? w[i] * e : e;
        }
        scores[b] = (float)(s / (double)sample_size);
    }
}

void mae_adam_step(float *p, const float *g, float *m, float *v, size_t n, int64_t step,
                     const memae_train_opts *o, int threads)
{
    /* As torch.optim.Adam (single-tensor path): scalars in double, as Python computes them. */
    double bc1 = 1.0 - pow(o->beta1, (double)step);
    double bc2 = 1.0 - pow(o->beta2, (double)step);
    float step_size = (float)(o->lr / bc1);
    float bc2_sqrt = (float)sqrt(bc2);
    float b1 = o->beta1, b2 = o->beta2, eps = o->eps;
#pragma omp parallel for schedule(static) num_threads(mae_par(n, threads))
    for (size_t i = 0; i < n; i++) {
        m[i] = m[i] * b1 + (1.0f - b1) * g[i];
        v[i] = v[i] * b2 + (1.0f - b2) * g[i] * g[i];
        float denom = sqrtf(v[i]) / bc2_sqrt + eps;
        p[i] -= step_size * (m[i] / denom);
    }
}
