#include "io/tables/scaler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = {"none", "zscore", "minmax"};

int memae_scale_kind(const char *name)
{
    for (int k = 0; k < 3; k++)
        if (!strcmp(name, names[k]))
            return k;
    return -1;
}

const char *mae_scale_name(int kind)
{
    return kind >= 0 && kind < 3 ? names[kind] : "invalid";
}

int mae_scaler_fit(memae_scaler *s, int kind, const float *x, int64_t n, int64_t width,
                   const uint8_t *keep, memae_err *err)
{
    memset(s, 0, sizeof *s);
    s->width = width;
    if (kind == MEMAE_SCALE_NONE)
        return MEMAE_OK;
    if (kind != MEMAE_SCALE_ZSCORE && kind != MEMAE_SCALE_MINMAX)
        return mae_seterr(err, MEMAE_E_ARG, "unknown scaling %d", kind);
    s->kind = kind;
    s->shift = calloc((size_t)width + 1, sizeof *s->shift);
    s->scale = calloc((size_t)width + 1, sizeof *s->scale);
    if (!s->shift || !s->scale) {
        mae_scaler_free(s);
        return mae_seterr(err, MEMAE_E_NOMEM, "out of memory for the scaling");
    }
    for (int64_t j = 0; j < width; j++) {
        double a = 0, b = 0, lo = INFINITY, hi = -INFINITY;
        int64_t m = 0;
        /* Two passes for the variance: one-pass sums lose digits on large offsets. */
        for (int64_t i = 0; i < n; i++)
            if (!keep || keep[i]) {
                double v = x[i * width + j];
                a += v, m++;
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
        if (m == 0) {
            mae_scaler_free(s);
            return mae_seterr(err, MEMAE_E_ARG, "scaling: no rows to fit on");
        }
        double mean = a / (double)m;
        for (int64_t i = 0; i < n; i++)
            if (!keep || keep[i])
                b += (x[i * width + j] - mean) * (x[i * width + j] - mean);
        double sc = kind == MEMAE_SCALE_ZSCORE ? sqrt(b / (double)m) : hi - lo;
        s->shift[j] = kind == MEMAE_SCALE_ZSCORE ? mean : lo;
        s->scale[j] = sc > 0 ? sc : 1.0;
    }
    return MEMAE_OK;
}

void mae_scaler_apply(const memae_scaler *s, float *x, int64_t n)
{
    if (s->kind == MEMAE_SCALE_NONE || !s->shift)
        return;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < s->width; j++)
            x[i * s->width + j] = (float)((x[i * s->width + j] - s->shift[j]) / s->scale[j]);
}

void mae_scaler_free(memae_scaler *s)
{
    if (!s)
        return;
    free(s->shift);
    free(s->scale);
    s->shift = s->scale = NULL;
    s->kind = MEMAE_SCALE_NONE;
}
