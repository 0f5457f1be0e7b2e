/* Reference batch norm: statistics in double (as PyTorch's CPU path). */
#include "backend/ref.h"

#include <math.h>

void memae_ref_bn_forward(const memae_backend *be, int n, int c, size_t s, const float *x,
                          const float *gamma, const float *beta, float *y, float *mean,
                          float *invstd, float *running_mean, float *running_var, float momentum,
                          float eps, int train, int threads)
{
    (void)be;
    double cnt = (double)n * (double)s;
#pragma omp parallel for schedule(static) num_threads(memae_par((size_t)n *c *s, threads))
    for (int ch = 0; ch < c; ch++) {
        double mu, inv;
        if (train) {
            double sum = 0.0;
            for (int b = 0; b < n; b++) {
                const float *xc = x + ((size_t)b * c + ch) * s;
                for (size_t i = 0; i < s; i++)
                    sum += xc[i];
            }
            mu = sum / cnt;
            double ss = 0.0;
            for (int b = 0; b < n; b++) {
                const float *xc = x + ((size_t)b * c + ch) * s;
                for (size_t i = 0; i < s; i++) {
                    double d = xc[i] - mu;
                    ss += d * d;
                }
            }
            double var = ss / cnt;
            inv = 1.0 / sqrt(var + eps);
            mean[ch] = (float)mu;
            invstd[ch] = (float)inv;
            double unbiased = cnt > 1 ? ss / (cnt - 1) : var;
            running_mean[ch] = (float)((1.0 - momentum) * running_mean[ch] + momentum * mu);
            running_var[ch] = (float)((1.0 - momentum) * running_var[ch] + momentum * unbiased);
        } else {
            mu = running_mean[ch];
            inv = 1.0 / sqrt((double)running_var[ch] + eps);
            mean[ch] = (float)mu;
            invstd[ch] = (float)inv;
        }
        float a = (float)(gamma[ch] * inv);
        float bsh = (float)(beta[ch] - mu * gamma[ch] * inv);
        for (int b = 0; b < n; b++) {
            const float *xc = x + ((size_t)b * c + ch) * s;
            float *yc = y + ((size_t)b * c + ch) * s;
            for (size_t i = 0; i < s; i++)
                yc[i] = xc[i] * a + bsh;
        }
    }
}

void memae_ref_bn_backward(const memae_backend *be, int n, int c, size_t s, const float *x,
                           const float *dy, const float *gamma, const float *mean,
                           const float *invstd, float *dx, float *dgamma, float *dbeta, int train,
                           int threads)
{
    (void)be;
    double cnt = (double)n * (double)s;
#pragma omp parallel for schedule(static) num_threads(memae_par((size_t)n *c *s, threads))
    for (int ch = 0; ch < c; ch++) {
        double mu = mean[ch], inv = invstd[ch];
        double sdy = 0.0, sdyx = 0.0;
        for (int b = 0; b < n; b++) {
            const float *xc = x + ((size_t)b * c + ch) * s;
            const float *dc = dy + ((size_t)b * c + ch) * s;
            for (size_t i = 0; i < s; i++) {
                sdy += dc[i];
                sdyx += dc[i] * (xc[i] - mu);
            }
        }
        dbeta[ch] = (float)sdy;
        dgamma[ch] = (float)(sdyx * inv);
        if (!dx)
            continue;
        /* dx = gamma * inv * (dy - mean(dy) - xhat * mean(dy * xhat)); with
         * running statistics only the first term remains. */
        double k = gamma[ch] * inv;
        double mdy = train ? sdy / cnt : 0.0, proj = train ? sdyx * inv * inv / cnt : 0.0;
        for (int b = 0; b < n; b++) {
            const float *xc = x + ((size_t)b * c + ch) * s;
            const float *dc = dy + ((size_t)b * c + ch) * s;
            float *oc = dx + ((size_t)b * c + ch) * s;
            for (size_t i = 0; i < s; i++)
                oc[i] = (float)(k * (dc[i] - mdy - (xc[i] - mu) * proj));
        }
    }
}
