/*
 * Reference batch norm: statistics in double (as PyTorch's CPU path), on
 * plain NC(D)HW tensors (blk 1) or channel-blocked ones (blk MEMAE_CBLK,
 * nC(D)HW16c: channel ch of sample b at position i is element
 * ((b * c / blk + ch / blk) * s + i) * blk + ch % blk).  A block's channels
 * are lanes of one pass over memory, and each channel's sums run over
 * (b, i) in the same order in both layouts, so both give the same bits.
 */
#include "backend/ref.h"

#include <math.h>

/* The first float of sample b's channel block cb. */
static size_t block_off(int b, int nb, int cb, size_t s, int blk)
{
    return ((size_t)b * nb + cb) * s * blk;
}

/* Per lane of block cb: the sum of t and, when mu is given, of (t - mu)^2.
 * This and the other block_ loops are the hot ones (MEMAE_REF_CLONES). */
MEMAE_REF_CLONES static void block_sums(const float *t, int n, int nb, int cb, size_t s, int blk,
                                        const double *mu, double *sum)
{
    for (int l = 0; l < blk; l++)
        sum[l] = 0.0;
    for (int b = 0; b < n; b++) {
        const float *tb = t + block_off(b, nb, cb, s, blk);
        for (size_t i = 0; i < s; i++)
            for (int l = 0; l < blk; l++) {
                double v = tb[i * blk + l];
                sum[l] += mu ? (v - mu[l]) * (v - mu[l]) : v;
            }
    }
}

/* y = x * a[lane] + sh[lane] over block cb of every sample. */
MEMAE_REF_CLONES static void block_affine(const float *x, float *y, int n, int nb, int cb, size_t s,
                                          int blk, const float *a, const float *sh)
{
    for (int b = 0; b < n; b++) {
        size_t off = block_off(b, nb, cb, s, blk);
        const float *xb = x + off;
        float *yb = y + off;
        for (size_t i = 0; i < s; i++)
            for (int l = 0; l < blk; l++)
                yb[i * blk + l] = xb[i * blk + l] * a[l] + sh[l];
    }
}

/* Per lane of block cb: the sums of dy and of dy * (x - mu). */
MEMAE_REF_CLONES static void block_dsums(const float *x, const float *dy, int n, int nb, int cb,
                                         size_t s, int blk, const double *mu, double *sdy,
                                         double *sdyx)
{
    for (int b = 0; b < n; b++) {
        size_t off = block_off(b, nb, cb, s, blk);
        const float *xb = x + off, *db = dy + off;
        for (size_t i = 0; i < s; i++)
            for (int l = 0; l < blk; l++) {
                sdy[l] += db[i * blk + l];
                sdyx[l] += db[i * blk + l] * (xb[i * blk + l] - mu[l]);
            }
    }
}

/* dx = k (dy - mdy - (x - mu) proj), per lane of block cb. */
MEMAE_REF_CLONES static void block_dx(const float *x, const float *dy, float *dx, int n, int nb,
                                      int cb, size_t s, int blk, const double *mu, const double *k,
                                      const double *mdy, const double *proj)
{
    for (int b = 0; b < n; b++) {
        size_t off = block_off(b, nb, cb, s, blk);
        const float *xb = x + off, *db = dy + off;
        float *ob = dx + off;
        for (size_t i = 0; i < s; i++)
            for (int l = 0; l < blk; l++)
                ob[i * blk + l] = (float)(k[l] * (db[i * blk + l] - mdy[l] -
                                                  (xb[i * blk + l] - mu[l]) * proj[l]));
    }
}

void mae_ref_bn_forward(const memae_kernels *be, int n, int c, size_t s, int blk, const float *x,
                        const float *gamma, const float *beta, float *y, float *mean, float *invstd,
                        float *running_mean, float *running_var, float momentum, float eps,
                        int train, int threads)
{
    (void)be;
    double cnt = (double)n * (double)s;
    int nb = c / blk;
#pragma omp parallel for schedule(static) num_threads(mae_par((size_t)n *c *s, threads))
    for (int cb = 0; cb < nb; cb++) {
        double mu[MEMAE_CBLK], inv[MEMAE_CBLK], ss[MEMAE_CBLK];
        float a[MEMAE_CBLK], sh[MEMAE_CBLK];
        if (train) {
            block_sums(x, n, nb, cb, s, blk, NULL, mu);
            for (int l = 0; l < blk; l++)
                mu[l] /= cnt;
            block_sums(x, n, nb, cb, s, blk, mu, ss);
        }
        for (int l = 0; l < blk; l++) {
            int ch = cb * blk + l;
            if (train) {
                double var = ss[l] / cnt;
                inv[l] = 1.0 / sqrt(var + eps);
                double unbiased = cnt > 1 ? ss[l] / (cnt - 1) : var;
                running_mean[ch] = (float)((1.0 - momentum) * running_mean[ch] + momentum * mu[l]);
                running_var[ch] = (float)((1.0 - momentum) * running_var[ch] + momentum * unbiased);
            } else {
                mu[l] = running_mean[ch];
                inv[l] = 1.0 / sqrt((double)running_var[ch] + eps);
            }
            mean[ch] = (float)mu[l];
            invstd[ch] = (float)inv[l];
            a[l] = (float)(gamma[ch] * inv[l]);
            sh[l] = (float)(beta[ch] - mu[l] * gamma[ch] * inv[l]);
        }
        block_affine(x, y, n, nb, cb, s, blk, a, sh);
    }
}

void mae_ref_bn_backward(const memae_kernels *be, int n, int c, size_t s, int blk, const float *x,
                         const float *dy, const float *gamma, const float *mean,
                         const float *invstd, float *dx, float *dgamma, float *dbeta, int train,
                         int threads)
{
    (void)be;
    double cnt = (double)n * (double)s;
    int nb = c / blk;
#pragma omp parallel for schedule(static) num_threads(mae_par((size_t)n *c *s, threads))
    for (int cb = 0; cb < nb; cb++) {
        double mu[MEMAE_CBLK], sdy[MEMAE_CBLK] = {0}, sdyx[MEMAE_CBLK] = {0};
        for (int l = 0; l < blk; l++)
            mu[l] = mean[cb * blk + l];
        block_dsums(x, dy, n, nb, cb, s, blk, mu, sdy, sdyx);
        /* dx = gamma * inv * (dy - mean(dy) - xhat * mean(dy * xhat)); with
         * running statistics only the first term remains. */
        double k[MEMAE_CBLK], mdy[MEMAE_CBLK], proj[MEMAE_CBLK];
        for (int l = 0; l < blk; l++) {
            int ch = cb * blk + l;
            double inv = invstd[ch];
            dbeta[ch] = (float)sdy[l];
            dgamma[ch] = (float)(sdyx[l] * inv);
            k[l] = gamma[ch] * inv;
            mdy[l] = train ? sdy[l] / cnt : 0.0;
            proj[l] = train ? sdyx[l] * inv * inv / cnt : 0.0;
        }
        if (!dx)
            continue;
        block_dx(x, dy, dx, n, nb, cb, s, blk, mu, k, mdy, proj);
    }
}

void mae_ref_channel_sum(const memae_kernels *be, const float *t, int n, int c, size_t s, int blk,
                         float *out, int threads)
{
    (void)be;
    int nb = c / blk;
#pragma omp parallel for schedule(static) num_threads(mae_par((size_t)n *c *s, threads))
    for (int cb = 0; cb < nb; cb++) {
        double sum[MEMAE_CBLK];
        block_sums(t, n, nb, cb, s, blk, NULL, sum);
        for (int l = 0; l < blk; l++)
            out[cb * blk + l] = (float)sum[l];
    }
}
