/*
 * Reference convolution kernels (3D; 2D is D = 1).  Each output element is
 * written by one thread in a fixed order, so results do not depend on the
 * thread count: a seeded run is bitwise reproducible.
 */
#include "backend/ref.h"

#include <string.h>

static size_t vol(const int *d)
{
    return (size_t)d[0] * d[1] * d[2];
}

/* Output positions o with 0 <= o*s - p + k < in: [*lo, *hi). */
static void valid_range(int in, int out, int s, int p, int k, int *lo, int *hi)
{
    int a = p - k; /* o*s >= p - k */
    int l = a <= 0 ? 0 : (a + s - 1) / s;
    int b = in - 1 + p - k; /* o*s <= in - 1 + p - k */
    int h = b < 0 ? 0 : b / s + 1;
    *lo = l;
    *hi = h < out ? h : out;
    if (*hi < *lo)
        *hi = *lo;
}

/* Calls body(o_row_offset, i_row_offset, w_index, ow_lo, ow_hi, iw0) for
 * every (kd, kh, kw, od, oh) that touches the input. */
#define FOR_TAPS(g, BODY)                                                                  \
    for (int kd = 0; kd < (g)->k[0]; kd++) {                                               \
        int odl, odh;                                                                      \
        valid_range((g)->in[0], (g)->out[0], (g)->s[0], (g)->p[0], kd, &odl, &odh);        \
        for (int kh = 0; kh < (g)->k[1]; kh++) {                                           \
            int ohl, ohh;                                                                  \
            valid_range((g)->in[1], (g)->out[1], (g)->s[1], (g)->p[1], kh, &ohl, &ohh);    \
            for (int kw = 0; kw < (g)->k[2]; kw++) {                                       \
                int owl, owh;                                                              \
                valid_range((g)->in[2], (g)->out[2], (g)->s[2], (g)->p[2], kw, &owl, &owh);\
                size_t widx = ((size_t)kd * (g)->k[1] + kh) * (g)->k[2] + kw;              \
                int sw = (g)->s[2], iw0 = kw - (g)->p[2];                                  \
                for (int od = odl; od < odh; od++) {                                       \
                    int id = od * (g)->s[0] - (g)->p[0] + kd;                              \
                    for (int oh = ohl; oh < ohh; oh++) {                                   \
                        int ih = oh * (g)->s[1] - (g)->p[1] + kh;                          \
                        size_t orow = ((size_t)od * (g)->out[1] + oh) * (g)->out[2];       \
                        size_t irow = ((size_t)id * (g)->in[1] + ih) * (g)->in[2];         \
                        BODY                                                               \
                    }                                                                      \
                }                                                                          \
            }                                                                              \
        }                                                                                  \
    }

void memae_ref_conv_forward(const memae_conv_geom *g, const float *x, const float *w,
                            const float *b, float *y, int threads)
{
    size_t isz = vol(g->in), osz = vol(g->out), ksz = vol(g->k);
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads)
    for (int n = 0; n < g->n; n++)
        for (int co = 0; co < g->co; co++) {
            float *yo = y + ((size_t)n * g->co + co) * osz;
            float bias = b ? b[co] : 0.0f;
            for (size_t i = 0; i < osz; i++)
                yo[i] = bias;
            for (int ci = 0; ci < g->ci; ci++) {
                const float *xi = x + ((size_t)n * g->ci + ci) * isz;
                const float *wk = w + ((size_t)co * g->ci + ci) * ksz;
                FOR_TAPS(g, {
                    float wv = wk[widx];
                    float *yr = yo + orow;
                    const float *xr = xi + irow + iw0;
                    for (int ow = owl; ow < owh; ow++)
                        yr[ow] += wv * xr[ow * sw];
                })
            }
        }
}

void memae_ref_conv_backward_data(const memae_conv_geom *g, const float *dy, const float *w,
                                  float *dx, int threads)
{
    size_t isz = vol(g->in), osz = vol(g->out), ksz = vol(g->k);
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads)
    for (int n = 0; n < g->n; n++)
        for (int ci = 0; ci < g->ci; ci++) {
            float *dxi = dx + ((size_t)n * g->ci + ci) * isz;
            memset(dxi, 0, isz * sizeof *dxi);
            for (int co = 0; co < g->co; co++) {
                const float *dyo = dy + ((size_t)n * g->co + co) * osz;
                const float *wk = w + ((size_t)co * g->ci + ci) * ksz;
                FOR_TAPS(g, {
                    float wv = wk[widx];
                    const float *dyr = dyo + orow;
                    float *dxr = dxi + irow + iw0;
                    for (int ow = owl; ow < owh; ow++)
                        dxr[ow * sw] += wv * dyr[ow];
                })
            }
        }
}

void memae_ref_conv_backward_weights(const memae_conv_geom *g, const float *x, const float *dy,
                                     float *dw, float *db, int threads)
{
    size_t isz = vol(g->in), osz = vol(g->out), ksz = vol(g->k);
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads)
    for (int co = 0; co < g->co; co++)
        for (int ci = 0; ci < g->ci; ci++) {
            float *dwk = dw + ((size_t)co * g->ci + ci) * ksz;
            /* Each tap sums over the whole batch: rows in float, the total in
             * double, so that long sums (video) stay accurate. */
            double acc[ksz];
            for (size_t i = 0; i < ksz; i++)
                acc[i] = 0.0;
            for (int n = 0; n < g->n; n++) {
                const float *xi = x + ((size_t)n * g->ci + ci) * isz;
                const float *dyo = dy + ((size_t)n * g->co + co) * osz;
                FOR_TAPS(g, {
                    const float *dyr = dyo + orow;
                    const float *xr = xi + irow + iw0;
                    float s = 0.0f;
                    for (int ow = owl; ow < owh; ow++)
                        s += dyr[ow] * xr[ow * sw];
                    acc[widx] += s;
                })
            }
            for (size_t i = 0; i < ksz; i++)
                dwk[i] = (float)acc[i];
        }
    if (!db)
        return;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int co = 0; co < g->co; co++) {
        double s = 0.0;
        for (int n = 0; n < g->n; n++) {
            const float *dyo = dy + ((size_t)n * g->co + co) * osz;
            for (size_t i = 0; i < osz; i++)
                s += dyo[i];
        }
        db[co] = (float)s;
    }
}
