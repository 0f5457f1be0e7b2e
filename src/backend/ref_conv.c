/*
 * Reference convolution kernels (3D; 2D is D = 1) as im2col + GEMM.  The
 * output is cut into units, one depth plane (od) of one sample, and units
 * are grouped into blocks whose column matrix stays within COL_BUDGET
 * floats, so a 256 x 256 video clip and a batch of 28 x 28 images both make
 * GEMMs of a useful size.  Each output element sees a fixed sequence of
 * operations: results do not depend on the thread count.
 */
#include <string.h>

#include "backend/ref.h"

#define COL_BUDGET (1u << 22)

typedef struct plan {
    size_t isz, osz, ksz, pu; /* input / output volume, kernel taps, columns of a unit */
    int k;                    /* rows of the column matrix: ci * taps */
    int units, per_block;
} plan;

static plan make_plan(const memae_conv_geom *g)
{
    plan p;
    p.isz = (size_t)g->in[0] * g->in[1] * g->in[2];
    p.osz = (size_t)g->out[0] * g->out[1] * g->out[2];
    p.ksz = (size_t)g->k[0] * g->k[1] * g->k[2];
    p.pu = (size_t)g->out[1] * g->out[2];
    p.k = (int)(g->ci * p.ksz);
    p.units = g->n * g->out[0];
    size_t per = COL_BUDGET / ((size_t)p.k * p.pu);
    p.per_block = per < 1 ? 1 : per > (size_t)p.units ? p.units : (int)per;
    return p;
}

/* Output positions o with 0 <= o*s - pad + k < in: [*lo, *hi). */
static void valid_range(int in, int out, int s, int pad, int k, int *lo, int *hi)
{
    int a = pad - k, b = in - 1 + pad - k;
    *lo = a <= 0 ? 0 : (a + s - 1) / s;
    *hi = b < 0 ? 0 : b / s + 1;
    if (*hi > out)
        *hi = out;
    if (*hi < *lo)
        *hi = *lo;
}

/* Visit every (row of the column matrix, oh) of one unit: body gets the
 * column row pointer offset, the input row (or NULL when out of bounds),
 * and the valid ow range. */
#define FOR_UNIT_ROWS(g, p, od, BODY)                                                              \
    for (int ci = 0; ci < (g)->ci; ci++)                                                           \
        for (int kd = 0; kd < (g)->k[0]; kd++)                                                     \
            for (int kh = 0; kh < (g)->k[1]; kh++)                                                 \
                for (int kw = 0; kw < (g)->k[2]; kw++) {                                           \
                    size_t row =                                                                   \
                        (size_t)ci * (p)->ksz + ((size_t)kd * (g)->k[1] + kh) * (g)->k[2] + kw;    \
                    int id = (od) * (g)->s[0] - (g)->p[0] + kd;                                    \
                    int owl, owh;                                                                  \
                    valid_range((g)->in[2], (g)->out[2], (g)->s[2], (g)->p[2], kw, &owl, &owh);    \
                    int iw0 = kw - (g)->p[2], sw = (g)->s[2];                                      \
                    for (int oh = 0; oh < (g)->out[1]; oh++) {                                     \
                        int ih = oh * (g)->s[1] - (g)->p[1] + kh;                                  \
                        int ok = id >= 0 && id < (g)->in[0] && ih >= 0 && ih < (g)->in[1];         \
                        size_t xoff =                                                              \
                            ((size_t)ci * (g)->in[0] + (ok ? id : 0)) * (g)->in[1] * (g)->in[2] +  \
                            (size_t)(ok ? ih : 0) * (g)->in[2];                                    \
                        size_t coff = (size_t)oh * (g)->out[2];                                    \
                        BODY                                                                       \
                    }                                                                              \
                }

static void im2col_unit(const memae_conv_geom *g, const plan *p, const float *xn, int od,
                        float *col, size_t ld)
{
    FOR_UNIT_ROWS(g, p, od, {
        float *c = col + row * ld + coff;
        if (!ok) {
            memset(c, 0, (size_t)g->out[2] * sizeof *c);
            continue;
        }
        const float *xr = xn + xoff + iw0;
        for (int ow = 0; ow < owl; ow++)
            c[ow] = 0.0f;
        for (int ow = owl; ow < owh; ow++)
            c[ow] = xr[ow * sw];
        for (int ow = owh; ow < g->out[2]; ow++)
            c[ow] = 0.0f;
    })
}

/* Accumulate a unit's column rows of channels [c0, c1) back into the image. */
static void col2im_unit(const memae_conv_geom *g, const plan *p, const float *col, size_t ld,
                        float *dxn, int od)
{
    FOR_UNIT_ROWS(g, p, od, {
        if (!ok)
            continue;
        const float *c = col + row * ld + coff;
        float *xr = dxn + xoff + iw0;
        for (int ow = owl; ow < owh; ow++)
            xr[ow * sw] += c[ow];
    })
}

/* Unit u is (sample u / D, depth plane u % D). */
static void unit_of(const memae_conv_geom *g, int u, int *n, int *od)
{
    *n = u / g->out[0];
    *od = u % g->out[0];
}

static void im2col_block(const memae_conv_geom *g, const plan *p, const float *x, int u0, int nu,
                         float *col, int threads)
{
    size_t ld = (size_t)nu * p->pu;
#pragma omp parallel for schedule(static) num_threads(mae_par((size_t)p->k *ld, threads))
    for (int u = 0; u < nu; u++) {
        int n, od;
        unit_of(g, u0 + u, &n, &od);
        im2col_unit(g, p, x + (size_t)n * g->ci * p->isz, od, col + (size_t)u * p->pu, ld);
    }
}

/* Between NC(D)HW tensors and the block's [channels][units * pu] matrix. */
static void gather(const memae_conv_geom *g, const plan *p, const float *t, int ch, int u0, int nu,
                   float *m, int to_matrix, int threads)
{
    size_t ld = (size_t)nu * p->pu;
#pragma omp parallel for collapse(2) schedule(static) num_threads(mae_par(ch *ld, threads))
    for (int c = 0; c < ch; c++)
        for (int u = 0; u < nu; u++) {
            int n, od;
            unit_of(g, u0 + u, &n, &od);
            float *mr = m + (size_t)c * ld + (size_t)u * p->pu;
            float *tr = (float *)t + ((size_t)n * ch + c) * p->osz + (size_t)od * p->pu;
            if (to_matrix)
                memcpy(mr, tr, p->pu * sizeof *mr);
            else
                memcpy(tr, mr, p->pu * sizeof *mr);
        }
}

size_t mae_ref_conv_scratch(const memae_kernels *be, const memae_conv_geom *g)
{
    (void)be;
    plan p = make_plan(g);
    return ((size_t)p.k + g->co) * p.per_block * p.pu + MEMAE_REF_GEMM_SCRATCH;
}

/* The scratch after the columns and the output block: the GEMM's panels. */
static float *gemm_ws(const memae_conv_geom *g, const plan *p, float *scratch)
{
    return scratch + ((size_t)p->k + g->co) * p->per_block * p->pu;
}

static void gemm(const memae_conv_geom *cg, const plan *p, float *scratch, int ta, int tb, int m,
                 int n, int k, const float *a, int lda, const float *b, int ldb, float beta,
                 float *c, int ldc, int threads)
{
    memae_gemm_geom g = {ta, tb, m, n, k, lda, ldb, ldc, 1.0f, beta};
    mae_ref_gemm(NULL, &g, a, b, c, gemm_ws(cg, p, scratch), threads);
}

void mae_ref_conv_forward(const memae_kernels *be, const memae_conv_geom *g, const float *x,
                          const float *w, const float *b, float *y, float *scratch, int threads)
{
    (void)be;
    plan p = make_plan(g);
    float *col = scratch, *tmp = scratch + (size_t)p.k * p.per_block * p.pu;
    for (int u0 = 0; u0 < p.units; u0 += p.per_block) {
        int nu = p.units - u0 < p.per_block ? p.units - u0 : p.per_block;
        size_t ld = (size_t)nu * p.pu;
        im2col_block(g, &p, x, u0, nu, col, threads);
        if (b)
            for (int c = 0; c < g->co; c++)
                for (size_t j = 0; j < ld; j++)
                    tmp[(size_t)c * ld + j] = b[c];
        gemm(g, &p, scratch, 0, 0, g->co, (int)ld, p.k, w, p.k, col, (int)ld, b ? 1.0f : 0.0f, tmp,
             (int)ld, threads);
        gather(g, &p, y, g->co, u0, nu, tmp, 0, threads);
    }
}

void mae_ref_conv_backward_data(const memae_kernels *be, const memae_conv_geom *g, const float *dy,
                                const float *w, float *dx, float *scratch, int threads)
{
    (void)be;
    plan p = make_plan(g);
    float *col = scratch, *tmp = scratch + (size_t)p.k * p.per_block * p.pu;
    memset(dx, 0, (size_t)g->n * g->ci * p.isz * sizeof *dx);
    for (int u0 = 0; u0 < p.units; u0 += p.per_block) {
        int nu = p.units - u0 < p.per_block ? p.units - u0 : p.per_block;
        size_t ld = (size_t)nu * p.pu;
        gather(g, &p, dy, g->co, u0, nu, tmp, 1, threads);
        gemm(g, &p, scratch, 1, 0, p.k, (int)ld, g->co, w, p.k, tmp, (int)ld, 0.0f, col, (int)ld,
             threads);
        /* Units of one sample overlap in dx (depth taps): samples in parallel,
         * each sample's units in order, so the sums keep one order. */
#pragma omp parallel for schedule(static) num_threads(mae_par((size_t)p.k *ld, threads))
        for (int n = u0 / g->out[0]; n <= (u0 + nu - 1) / g->out[0]; n++)
            for (int u = 0; u < nu; u++) {
                int un, od;
                unit_of(g, u0 + u, &un, &od);
                if (un == n)
                    col2im_unit(g, &p, col + (size_t)u * p.pu, ld, dx + (size_t)n * g->ci * p.isz,
                                od);
            }
    }
}

void mae_ref_conv_backward_weights(const memae_kernels *be, const memae_conv_geom *g,
                                   const float *x, const float *dy, float *dw, float *db,
                                   float *scratch, int threads)
{
    (void)be;
    plan p = make_plan(g);
    float *col = scratch, *tmp = scratch + (size_t)p.k * p.per_block * p.pu;
    for (int u0 = 0; u0 < p.units; u0 += p.per_block) {
        int nu = p.units - u0 < p.per_block ? p.units - u0 : p.per_block;
        size_t ld = (size_t)nu * p.pu;
        im2col_block(g, &p, x, u0, nu, col, threads);
        gather(g, &p, dy, g->co, u0, nu, tmp, 1, threads);
        gemm(g, &p, scratch, 0, 1, g->co, p.k, (int)ld, tmp, (int)ld, col, (int)ld,
             u0 == 0 ? 0.0f : 1.0f, dw, p.k, threads);
    }
    if (db)
        mae_ref_channel_sum(NULL, dy, g->n, g->co, p.osz, 1, db, threads);
}

void mae_ref_conv_forward_affine_act(const memae_kernels *be, const memae_conv_geom *g,
                                     const float *x, const float *w, const float *b,
                                     const float *scale, const float *shift, int act, float *y,
                                     float *scratch, int threads)
{
    mae_ref_conv_forward(be, g, x, w, b, y, scratch, threads);
    mae_ref_affine_act(be, g->n, g->co, (size_t)g->out[0] * g->out[1] * g->out[2],
                       g->dst_blocked ? MEMAE_CBLK : 1, scale, shift, act, y, y, threads);
}
