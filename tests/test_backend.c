/*
 * The oneDNN backend against the reference backend (the oracle), kernel by
 * kernel on random data, then whole training runs from the same seed.
 * Tolerances, |dnnl - ref| <= rtol * max|ref| + atol over a tensor:
 *  - convs (all three kernels), gemm: 1e-5 and 1e-6.  Both sum the same
 *    float32 products in different orders (blocked JIT kernels against
 *    im2col + GEMM); over K terms the rounding is ~sqrt(K) * 6e-8 of the
 *    terms' magnitude, K <= ~10^3 here, so 1e-5 of the largest output leaves
 *    a margin of ~5 without hiding a wrong tap (which would be O(1)).
 *  - batch norm: exact.  The oneDNN backend runs the reference kernels for
 *    it (src/backend/dnnl.c says why); another implementation must state
 *    its tolerance here (oneDNN's float32 statistics against the reference's
 *    double ones met 1e-5 forward and 1e-4 backward, where dx cancels).
 *  - leaky relu: exact (one multiply both ways); tanh: 2e-6 absolute
 *    (oneDNN's polynomial against glibc's tanhf, a few ulps of values <= 1).
 *  - training runs, 5 Adam steps (lr 1e-3) from the same seed and data:
 *    each step's loss within 1e-5 relative (measured <= 2e-7), every
 *    parameter and running statistic within 1e-4 absolute (measured <= 2e-5;
 *    Adam moves a parameter by up to ~5e-3), then the scoring-mode
 *    reconstruction within 1e-4 of its largest value.  Adam's eps is 1e-3,
 *    not 1e-8: with 1e-8 a gradient that is pure float32 noise (~1e-8: the
 *    biases before batch norm, eps-dominated batch norms) becomes a +-lr step,
 *    so any two float32 implementations, PyTorch included, drift apart
 *    chaotically (1.6e-4 relative in the loss by step 4 on image2d); with
 *    1e-3 the update is a smooth function of the gradient and the runs
 *    compare the kernels, not the amplified noise.
 */
#ifdef MEMAE_NO_DNNL
#include <stdio.h>

int main(void)
{
    printf("test_backend: skipped: this build has no oneDNN (make DNNL=0), so there is no "
           "dnnl backend to compare with ref\n");
    return 0;
}
#else
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend/dnnl.h"
#include "backend/ref.h"
#include "core/alloc.h"
#include "io/formats/safetensors.h"
#include "nn/model.h"
#include "util/testutil.h"

static const memae_kernels *dn;
static memae_rng rng;

static float *randv(size_t n, float lo, float hi)
{
    float *p = mae_falloc(n + 1);
    tu_fill(&rng, p, n, lo, hi);
    return p;
}

/* Garbage where a kernel must overwrite, not accumulate. */
static float *nanv(size_t n)
{
    float *p = mae_falloc(n + 1);
    for (size_t i = 0; i < n; i++)
        p[i] = NAN;
    return p;
}

static void expect_near(const char *what, const float *got, const float *want, size_t n,
                        double rtol, double atol)
{
    double mx = 0.0;
    for (size_t i = 0; i < n; i++)
        mx = fmax(mx, fabs(want[i]));
    double tol = rtol * mx + atol;
    for (size_t i = 0; i < n; i++)
        if (!(fabs((double)got[i] - want[i]) <= tol))
            fail_msg("%s: element %zu of %zu is %.9g, ref %.9g (tolerance %.3g)", what, i, n,
                     got[i], want[i], tol);
}

typedef struct conv_case {
    int n, ci, co, in[3], k[3], s[3], p[3];
} conv_case;

static memae_conv_geom geom_of(const conv_case *c)
{
    memae_conv_geom g = {.n = c->n, .ci = c->ci, .co = c->co};
    for (int i = 0; i < 3; i++) {
        g.in[i] = c->in[i], g.k[i] = c->k[i], g.s[i] = c->s[i], g.p[i] = c->p[i];
        g.out[i] = (c->in[i] + 2 * c->p[i] - c->k[i]) / c->s[i] + 1;
    }
    return g;
}

static void conv_check(const conv_case *cc, int threads)
{
    memae_conv_geom g = geom_of(cc);
    const memae_kernels *ref = mae_backend_ref();
    size_t nx = (size_t)g.n * g.ci * g.in[0] * g.in[1] * g.in[2];
    size_t ny = (size_t)g.n * g.co * g.out[0] * g.out[1] * g.out[2];
    size_t nw = (size_t)g.co * g.ci * g.k[0] * g.k[1] * g.k[2];
    float *x = randv(nx, -1, 1), *w = randv(nw, -1, 1), *b = randv(g.co, -1, 1);
    float *dy = randv(ny, -1, 1);
    float *rs = mae_falloc(ref->conv_scratch(ref, &g) + 1);
    float *ds = mae_falloc(dn->conv_scratch(dn, &g) + 1); /* plans the primitives */
    float *y0 = nanv(ny), *y1 = nanv(ny), *dx0 = nanv(nx), *dx1 = nanv(nx);
    float *dw0 = nanv(nw), *dw1 = nanv(nw), *db0 = nanv(g.co), *db1 = nanv(g.co);
    char what[160];
    int len = snprintf(what, sizeof what, "conv n%d %d->%d in %dx%dx%d k%d%d%d s%d%d%d p%d%d%d t%d",
                       g.n, g.ci, g.co, g.in[0], g.in[1], g.in[2], g.k[0], g.k[1], g.k[2], g.s[0],
                       g.s[1], g.s[2], g.p[0], g.p[1], g.p[2], threads);
    for (int bias = 0; bias < 2; bias++) {
        ref->conv_forward(ref, &g, x, w, bias ? b : NULL, y0, rs, threads);
        dn->conv_forward(dn, &g, x, w, bias ? b : NULL, y1, ds, threads);
        snprintf(what + len, sizeof what - len, " forward%s", bias ? " +bias" : "");
        expect_near(what, y1, y0, ny, 1e-5, 1e-6);
    }
    ref->conv_backward_data(ref, &g, dy, w, dx0, rs, threads);
    dn->conv_backward_data(dn, &g, dy, w, dx1, ds, threads);
    snprintf(what + len, sizeof what - len, " backward data");
    expect_near(what, dx1, dx0, nx, 1e-5, 1e-6);
    for (int bias = 0; bias < 2; bias++) {
        ref->conv_backward_weights(ref, &g, x, dy, dw0, bias ? db0 : NULL, rs, threads);
        dn->conv_backward_weights(dn, &g, x, dy, dw1, bias ? db1 : NULL, ds, threads);
        snprintf(what + len, sizeof what - len, " backward weights%s", bias ? " +bias" : "");
        expect_near(what, dw1, dw0, nw, 1e-5, 1e-6);
        if (bias)
            expect_near(what, db1, db0, g.co, 1e-5, 1e-6);
    }
    float *all[] = {x, w, b, dy, rs, ds, y0, y1, dx0, dx1, dw0, dw1, db0, db1};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        mae_aligned_free(all[i]);
}

static void test_conv2d(void **state)
{
    (void)state;
    /* D = 1, kernel 1 along D: the 2D path.  Odd sizes, both strides and paddings. */
    static const conv_case cases[] = {
        {1, 3, 5, {1, 9, 7}, {1, 3, 3}, {1, 1, 1}, {0, 1, 1}},
        {3, 3, 5, {1, 9, 7}, {1, 3, 3}, {1, 2, 2}, {0, 0, 0}},
        {3, 1, 16, {1, 28, 28}, {1, 1, 1}, {1, 2, 2}, {0, 0, 0}}, /* image2d's first layer */
        {3, 16, 32, {1, 13, 11}, {1, 3, 3}, {1, 2, 2}, {0, 1, 1}},
        {1, 17, 19, {1, 5, 9}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}},
        {3, 32, 1, {1, 14, 14}, {1, 3, 3}, {1, 2, 2}, {0, 1, 1}}, /* image2d's last convT */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        conv_check(&cases[i], 2);
    conv_check(&cases[1], 1); /* another team size: its own primitives */
}

static void test_conv3d(void **state)
{
    (void)state;
    static const conv_case cases[] = {
        {1, 2, 3, {5, 7, 6}, {3, 3, 3}, {1, 1, 1}, {1, 1, 1}},
        {3, 2, 3, {5, 7, 6}, {3, 3, 3}, {1, 2, 2}, {1, 1, 1}},
        {3, 4, 6, {7, 9, 5}, {3, 3, 3}, {2, 2, 2}, {0, 0, 0}},
        {1, 1, 4, {8, 16, 16}, {3, 3, 3}, {1, 2, 2}, {1, 1, 1}}, /* video3d's first layer */
        {3, 5, 3, {3, 5, 7}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}},
        {1, 18, 17, {3, 7, 5}, {3, 1, 3}, {2, 1, 2}, {1, 0, 1}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        conv_check(&cases[i], 2);
}

static void test_gemm(void **state)
{
    (void)state;
    const memae_kernels *ref = mae_backend_ref();
    /* Small, and larger than the reference's MC and KC blocks (several A
     * blocks and k panels); planned (matmul made by gemm_scratch) or not. */
    static const int sizes[][3] = {{37, 29, 53}, {300, 40, 300}};
    float *rs = mae_falloc(mae_ref_gemm_scratch(ref, NULL));
    for (int sz = 0; sz < 2; sz++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int beta = 0; beta < 2; beta++) {
                    int m = sizes[sz][0], n = sizes[sz][1], k = sizes[sz][2], pad = 3;
                    int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
                    float *a = randv((size_t)(ta ? k : m) * lda, -1, 1);
                    float *b = randv((size_t)(tb ? n : k) * ldb, -1, 1);
                    float *c0 = beta ? randv((size_t)m * ldc, -1, 1) : nanv((size_t)m * ldc);
                    float *c1 = mae_falloc((size_t)m * ldc);
                    memcpy(c1, c0, (size_t)m * ldc * sizeof *c1);
                    memae_gemm_geom g = {ta, tb, m, n, k, lda, ldb, ldc, 0.7f, (float)beta};
                    ref->gemm(ref, &g, a, b, c0, rs, 2);
                    if (beta) /* planned at the default team size; the other is made on first use */
                        assert_int_equal(dn->gemm_scratch(dn, &g), 0);
                    dn->gemm(dn, &g, a, b, c1, NULL, 2);
                    char what[64];
                    snprintf(what, sizeof what, "gemm %dx%dx%d ta %d tb %d beta %d", m, n, k, ta,
                             tb, beta);
                    for (int i = 0; i < m; i++) /* rows only: the padding is not C's */
                        expect_near(what, c1 + (size_t)i * ldc, c0 + (size_t)i * ldc, n, 1e-5,
                                    1e-6);
                    mae_aligned_free(a);
                    mae_aligned_free(b);
                    mae_aligned_free(c0);
                    mae_aligned_free(c1);
                }
    mae_aligned_free(rs);
}

static void bn_check(int n, int c, size_t s)
{
    const memae_kernels *ref = mae_backend_ref();
    size_t nx = (size_t)n * c * s;
    /* An offset and a spread per channel, as real activations have. */
    float *x = randv(nx, -1, 1), *dy = randv(nx, -1, 1);
    for (size_t i = 0; i < nx; i++)
        x[i] = x[i] * (1.0f + (float)((i / s) % c)) + 0.5f * (float)((i / s) % c);
    float *gamma = randv(c, 0.5f, 1.5f), *beta = randv(c, -0.5f, 0.5f);
    float *rm0 = randv(c, -0.5f, 0.5f), *rv0 = randv(c, 0.5f, 2.0f);
    float *rm1 = mae_falloc(c), *rv1 = mae_falloc(c);
    memcpy(rm1, rm0, c * sizeof *rm1);
    memcpy(rv1, rv0, c * sizeof *rv1);
    float *y0 = nanv(nx), *y1 = nanv(nx), *dx0 = nanv(nx), *dx1 = nanv(nx);
    float *st0 = nanv(4 * (size_t)c), *st1 = nanv(4 * (size_t)c); /* mean, invstd, dgamma, dbeta */
    for (int train = 1; train >= 0; train--) {
        char what[96];
        int len =
            snprintf(what, sizeof what, "bn n%d c%d s%zu %s", n, c, s, train ? "train" : "eval");
        ref->bn_forward(ref, n, c, s, 1, x, gamma, beta, y0, st0, st0 + c, rm0, rv0, 0.1f, 1e-5f,
                        train, 2);
        dn->bn_forward(dn, n, c, s, 1, x, gamma, beta, y1, st1, st1 + c, rm1, rv1, 0.1f, 1e-5f,
                       train, 2);
        snprintf(what + len, sizeof what - len, " y");
        expect_near(what, y1, y0, nx, 0.0, 0.0);
        snprintf(what + len, sizeof what - len, " mean");
        expect_near(what, st1, st0, c, 0.0, 0.0);
        snprintf(what + len, sizeof what - len, " invstd");
        expect_near(what, st1 + c, st0 + c, c, 0.0, 0.0);
        snprintf(what + len, sizeof what - len, " running stats");
        expect_near(what, rm1, rm0, c, 0.0, 0.0);
        expect_near(what, rv1, rv0, c, 0.0, 0.0);
        ref->bn_backward(ref, n, c, s, 1, x, dy, gamma, st0, st0 + c, dx0, st0 + 2 * c, st0 + 3 * c,
                         train, 2);
        dn->bn_backward(dn, n, c, s, 1, x, dy, gamma, st1, st1 + c, dx1, st1 + 2 * c, st1 + 3 * c,
                        train, 2);
        snprintf(what + len, sizeof what - len, " dx");
        expect_near(what, dx1, dx0, nx, 0.0, 0.0);
        snprintf(what + len, sizeof what - len, " dgamma");
        expect_near(what, st1 + 2 * c, st0 + 2 * c, c, 0.0, 0.0);
        snprintf(what + len, sizeof what - len, " dbeta");
        expect_near(what, st1 + 3 * c, st0 + 3 * c, c, 0.0, 0.0);
    }
    float *all[] = {x, dy, gamma, beta, rm0, rv0, rm1, rv1, y0, y1, dx0, dx1, st0, st1};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        mae_aligned_free(all[i]);
}

static void test_batchnorm(void **state)
{
    (void)state;
    bn_check(3, 5, 37);
    bn_check(7, 6, 1);        /* BatchNorm1d */
    bn_check(4, 16, 14 * 14); /* image2d's first */
    bn_check(2, 3, 3 * 7 * 5);
}

static void act_check(int kind, size_t n)
{
    const memae_kernels *ref = mae_backend_ref();
    float *x = randv(n, -3, 3), *dy = randv(n, -1, 1);
    float *y0 = nanv(n), *y1 = nanv(n), *dx0 = nanv(n), *dx1 = nanv(n);
    double atol = kind == MEMAE_ACT_TANH ? 2e-6 : 0.0;
    const char *name = kind == MEMAE_ACT_TANH ? "tanh" : "leaky relu";
    ref->act_forward(ref, kind, n, x, y0, 2);
    dn->act_forward(dn, kind, n, x, y1, 2);
    expect_near(name, y1, y0, n, 0.0, atol);
    ref->act_backward(ref, kind, n, y0, dy, dx0, 2);
    dn->act_backward(dn, kind, n, y0, dy, dx1, 2);
    expect_near(name, dx1, dx0, n, 0.0, atol);
    /* In place, as the layer runs them. */
    dn->act_forward(dn, kind, n, x, x, 2);
    expect_near(name, x, y0, n, 0.0, atol);
    dn->act_backward(dn, kind, n, y0, dy, dy, 2);
    expect_near(name, dy, dx0, n, 0.0, atol);
    float *all[] = {x, dy, y0, y1, dx0, dx1};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        mae_aligned_free(all[i]);
}

static void test_activations(void **state)
{
    (void)state;
    act_check(MEMAE_ACT_LEAKY_RELU, 1001);
    act_check(MEMAE_ACT_LEAKY_RELU, 3 * 16 * 14 * 14 + 5);
    act_check(MEMAE_ACT_TANH, 997);
    act_check(MEMAE_ACT_TANH, 70001);
}

/* NC(D)HW <-> nC(D)HW16c (to_blocked 1 / 0). */
static void relayout(const float *from, float *to, int n, int c, size_t s, int to_blocked)
{
    for (int b = 0; b < n; b++)
        for (int ch = 0; ch < c; ch++)
            for (size_t i = 0; i < s; i++) {
                size_t plain = ((size_t)b * c + ch) * s + i;
                size_t blk =
                    (((size_t)b * (c / MEMAE_CBLK) + ch / MEMAE_CBLK) * s + i) * MEMAE_CBLK +
                    ch % MEMAE_CBLK;
                to[to_blocked ? blk : plain] = from[to_blocked ? plain : blk];
            }
}

/* Batch norm and channel sums on channel-blocked tensors give the plain
 * layout's bits: each channel's sums run in the same order. */
static void test_blocked_layout(void **state)
{
    (void)state;
    const memae_kernels *ref = mae_backend_ref();
    int n = 3, c = 32;
    size_t s = 37, nx = (size_t)n * c * s;
    float *x = randv(nx, -2, 3), *dy = randv(nx, -1, 1), *gamma = randv(c, 0.5f, 1.5f);
    float *beta = randv(c, -1, 1), *xb = nanv(nx), *dyb = nanv(nx);
    relayout(x, xb, n, c, s, 1);
    relayout(dy, dyb, n, c, s, 1);
    for (int train = 0; train < 2; train++) {
        float *y[2], *dx[2], *st[2],
            *rs[2] = {randv(2 * (size_t)c, 0.5f, 1.0f), nanv(2 * (size_t)c)};
        memcpy(rs[1], rs[0], 2 * (size_t)c * sizeof *rs[1]); /* running statistics */
        for (int k = 0; k < 2; k++) {
            int blk = k ? MEMAE_CBLK : 1;
            y[k] = nanv(nx), dx[k] = nanv(nx), st[k] = nanv(5 * (size_t)c);
            ref->bn_forward(ref, n, c, s, blk, k ? xb : x, gamma, beta, y[k], st[k], st[k] + c,
                            rs[k], rs[k] + c, 0.1f, 1e-5f, train, 2);
            ref->bn_backward(ref, n, c, s, blk, k ? xb : x, k ? dyb : dy, gamma, st[k], st[k] + c,
                             dx[k], st[k] + 2 * c, st[k] + 3 * c, train, 2);
            ref->channel_sum(ref, k ? dyb : dy, n, c, s, blk, st[k] + 4 * c, 2);
        }
        float *t = nanv(nx);
        relayout(y[1], t, n, c, s, 0);
        assert_memory_equal(t, y[0], nx * sizeof *t);
        relayout(dx[1], t, n, c, s, 0);
        assert_memory_equal(t, dx[0], nx * sizeof *t);
        assert_memory_equal(st[1], st[0], 5 * (size_t)c * sizeof *t);
        assert_memory_equal(rs[1], rs[0], 2 * (size_t)c * sizeof *t);
        mae_aligned_free(t);
        for (int k = 0; k < 2; k++) {
            mae_aligned_free(y[k]);
            mae_aligned_free(dx[k]);
            mae_aligned_free(st[k]);
            mae_aligned_free(rs[k]);
        }
    }
    float *v[] = {x, dy, gamma, beta, xb, dyb};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        mae_aligned_free(v[i]);
}

/* The fused inference kernel (oneDNN: conv + binary mul/add + eltwise
 * post-ops) against the reference conv and affine_act, on plain tensors and
 * on channel-blocked ones (converted for the reference), both activations. */
static void test_conv_affine_act(void **state)
{
    (void)state;
    const memae_kernels *ref = mae_backend_ref();
    for (int blocked = 0; blocked < 2; blocked++)
        for (int act = 0; act < 2; act++) {
            memae_conv_geom g = {.n = 2,
                                 .ci = blocked ? 16 : 3,
                                 .co = 32,
                                 .in = {1, 9, 9},
                                 .out = {1, 5, 5},
                                 .k = {1, 3, 3},
                                 .s = {1, 2, 2},
                                 .p = {0, 1, 1},
                                 .fused_act = act + 1};
            memae_conv_geom gp = g; /* the plain twin the reference runs */
            g.src_blocked = g.dst_blocked = blocked;
            size_t nx = (size_t)g.n * g.ci * 81, ny = (size_t)g.n * g.co * 25;
            float *x = randv(nx, -1, 1), *w = randv((size_t)g.co * g.ci * 9, -1, 1);
            float *b = randv(g.co, -1, 1), *sc = randv(g.co, 0.5f, 2), *sh = randv(g.co, -1, 1);
            float *xb = nanv(nx), *y0 = nanv(ny), *y1 = nanv(ny), *t = nanv(ny);
            float *rs = mae_falloc(ref->conv_scratch(ref, &gp) + 1);
            float *ds = mae_falloc(dn->conv_scratch(dn, &g) + 1);
            if (blocked)
                relayout(x, xb, g.n, g.ci, 81, 1);
            ref->conv_forward_affine_act(ref, &gp, x, w, b, sc, sh, act, y0, rs, 2);
            dn->conv_forward_affine_act(dn, &g, blocked ? xb : x, w, b, sc, sh, act, y1, ds, 2);
            if (blocked) {
                relayout(y1, t, g.n, g.co, 25, 0);
                memcpy(y1, t, ny * sizeof *t);
            }
            char what[64];
            snprintf(what, sizeof what, "conv+affine+act blocked %d act %d", blocked, act);
            expect_near(what, y1, y0, ny, 1e-5, 1e-6);
            float *v[] = {x, w, b, sc, sh, xb, y0, y1, t, rs, ds};
            for (size_t i = 0; i < sizeof v / sizeof *v; i++)
                mae_aligned_free(v[i]);
        }
}

static void test_channel_sum(void **state)
{
    (void)state;
    float *t = randv(3 * 5 * 41, -1, 1), out0[5], out1[5];
    mae_backend_ref()->channel_sum(mae_backend_ref(), t, 3, 5, 41, 1, out0, 2);
    dn->channel_sum(dn, t, 3, 5, 41, 1, out1, 2);
    expect_near("channel_sum", out1, out0, 5, 1e-6, 1e-7);
    mae_aligned_free(t);
}

static void train_check(const char *config, int batch, int steps)
{
    memae_model *m[2];
    for (int b = 0; b < 2; b++) {
        if (memae_model_create(config, 11, &m[b]))
            fail_msg("create %s: %s", config, memae_errmsg(m[b]));
        memae_model_set_threads(m[b], 2);
        assert_int_equal(memae_model_set_backend(m[b], b ? MEMAE_BACKEND_DNNL : MEMAE_BACKEND_REF),
                         MEMAE_OK);
    }
    size_t n = memae_model_sample_size(m[0]) * batch;
    float *x = mae_falloc(n), *rec[2] = {mae_falloc(n), mae_falloc(n)};
    memae_train_opts o = memae_train_opts_default();
    o.eps = 1e-3f; /* see the top of the file */
    memae_rng r;
    mae_rng_seed(&r, 5);
    for (int step = 0; step < steps; step++) {
        tu_fill(&r, x, n, 0.0f, 1.0f);
        memae_stats st[2];
        for (int b = 0; b < 2; b++)
            assert_int_equal(memae_model_train_step(m[b], x, batch, &o, &st[b]), MEMAE_OK);
        if (!(fabs(st[1].loss - st[0].loss) <= 1e-5 * fabs(st[0].loss)))
            fail_msg("%s step %d: loss %.9g on dnnl, %.9g on ref", config, step + 1, st[1].loss,
                     st[0].loss);
    }
    for (int i = 0; i < m[0]->ntensors; i++) {
        const memae_tensor_desc *d = &m[0]->tensors[i];
        if (d->kind == MEMAE_T_COUNTER)
            continue;
        const float *a = (d->kind == MEMAE_T_PARAM ? m[1]->params : m[1]->buffers) + d->off;
        const float *want = (d->kind == MEMAE_T_PARAM ? m[0]->params : m[0]->buffers) + d->off;
        char what[160];
        snprintf(what, sizeof what, "after %d steps: %s", steps, d->name);
        expect_near(what, a, want, d->n, 0.0, 1e-4);
    }
    /* A last partial batch (its primitives are made at its first call). */
    for (int b = 0; b < 2; b++)
        assert_int_equal(memae_model_train_step(m[b], x, batch - 1, &o, NULL), MEMAE_OK);
    /* Scoring mode: batch norm on the running statistics. */
    for (int b = 0; b < 2; b++)
        assert_int_equal(memae_model_reconstruct(m[b], x, batch, rec[b], NULL), MEMAE_OK);
    expect_near("reconstruction after training", rec[1], rec[0], n, 1e-4, 1e-6);
    mae_aligned_free(x);
    mae_aligned_free(rec[0]);
    mae_aligned_free(rec[1]);
    memae_model_free(m[0]);
    memae_model_free(m[1]);
}

static void test_train_image2d(void **state)
{
    (void)state;
    train_check("{\"preset\":\"image2d\"}", 16, 5);
}

static void test_train_video3d(void **state)
{
    (void)state;
    memae_st_file f;
    memae_err err = {0};
    if (mae_st_read(tu_fixture("model_video3d.safetensors"), &f, &err))
        fail_msg("%s", err.msg);
    train_check(mae_st_meta_get(&f, "memae_config"), 4, 5);
    mae_st_free(&f);
}

static int entries(const memae_model *m)
{
    int k = 0;
    for (const dn_entry *e = ((const dn_ctx *)m->be->ctx)->entries; e; e = e->next)
        k++;
    return k;
}

/* Every primitive a step of a conv model needs is made by mae_model_plan:
 * training and scoring steps at the planned batch size add no cache entry
 * (at the default team size, which is the one the plan knows). */
static void plan_check(const char *config, int batch)
{
    memae_model *m;
    if (memae_model_create(config, 3, &m))
        fail_msg("create %s: %s", config, memae_errmsg(m));
    assert_int_equal(memae_model_set_backend(m, MEMAE_BACKEND_DNNL), MEMAE_OK);
    assert_int_equal(mae_model_plan(m, batch), MEMAE_OK);
    int planned = entries(m);
    assert_true(planned > 0);
    size_t n = memae_model_sample_size(m) * batch;
    float *x = randv(n, 0, 1), *rec = mae_falloc(n);
    for (int step = 0; step < 2; step++)
        assert_int_equal(memae_model_train_step(m, x, batch, NULL, NULL), MEMAE_OK);
    assert_int_equal(memae_model_reconstruct(m, x, batch, rec, NULL), MEMAE_OK);
    if (entries(m) != planned)
        fail_msg("%s: %d cache entries after planning, %d after steps", config, planned,
                 entries(m));
    mae_aligned_free(x);
    mae_aligned_free(rec);
    memae_model_free(m);
}

static void test_plan(void **state)
{
    (void)state;
    plan_check("{\"preset\":\"image2d\"}", 8);
    plan_check("{\"preset\":\"video3d\",\"input_shape\":[1,8,32,32]}", 2);
}

static int setup(void **state)
{
    (void)state;
    mae_rng_seed(&rng, 2024);
    dn = tu_backend(1);
    return dn ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv2d),         cmocka_unit_test(test_conv3d),
        cmocka_unit_test(test_gemm),           cmocka_unit_test(test_batchnorm),
        cmocka_unit_test(test_activations),    cmocka_unit_test(test_channel_sum),
        cmocka_unit_test(test_blocked_layout), cmocka_unit_test(test_conv_affine_act),
        cmocka_unit_test(test_train_image2d),  cmocka_unit_test(test_train_video3d),
        cmocka_unit_test(test_plan),
    };
    return cmocka_run_group_tests_name("dnnl backend against ref", tests, setup, NULL);
}
#endif
