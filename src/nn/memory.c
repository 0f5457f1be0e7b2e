/*
 * The memory module (docs/model.md): queries address N memory slots by dot
 * product (or cosine), softmax, hard shrinkage with L1 re-normalisation, and
 * read w M.  Backward follows PyTorch's autograd through every one of these
 * steps, including its conventions at the kinks (relu'(0) = 0, sign(0) = 0,
 * no gradient through a clamped norm), so gradients match the official code.
 */
#include "nn/layer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define SHRINK_EPS 1e-12f /* hard_shrink_relu's epsilon and F.normalize's (p = 1) */
#define ENTROPY_EPS 1e-12f
#define COSINE_EPS 1e-8f /* F.normalize's default eps for cosine addressing */

typedef struct mem_ws {
    float *q;     /* Q x dim queries, channels last */
    float *rows;  /* Q x dim: the read rows; in backward the output grad, then dq */
    float *wsoft; /* Q x N softmax weights */
    float *wfin;  /* Q x N weights after shrinkage (== wsoft when lambda is 0) */
    float *dw;    /* Q x N scratch for backward */
    float *rsum;  /* Q: L1 norm after shrinkage */
    float *rent;  /* Q: entropy of each query's weights */
    float *qn, *qnorm, *mn, *mnorm, *gm; /* cosine addressing only */
    float *gemm;                         /* the products' scratch */
} mem_ws;

/* The module's products (q queries, n slots, d dims): addressing a = q M^T,
 * read out = w M, and in backward dM = w^T dout, dw = dout M^T, dq = dw M,
 * and dM (+)= dw^T q (the cosine case writes it to gm first). */
enum { P_ADDR, P_READ, P_DM_READ, P_DW, P_DQ, P_DM_ADDR, P_COUNT };

static memae_gemm_geom product(const memae_layer *l, size_t q, int which)
{
    int Q = (int)q, N = l->mem.slots, D = l->mem.dim;
    switch (which) {
    case P_ADDR:
        return (memae_gemm_geom){0, 1, Q, N, D, D, D, N, 1.0f, 0.0f};
    case P_READ:
        return (memae_gemm_geom){0, 0, Q, D, N, N, D, D, 1.0f, 0.0f};
    case P_DM_READ:
        return (memae_gemm_geom){1, 0, N, D, Q, N, D, D, 1.0f, 0.0f};
    case P_DW:
        return (memae_gemm_geom){0, 1, Q, N, D, D, D, N, 1.0f, 0.0f};
    case P_DQ:
        return (memae_gemm_geom){0, 0, Q, D, N, N, D, D, 1.0f, 0.0f};
    default:
        return (memae_gemm_geom){
            1, 0, N, D, Q, N, D, D, 1.0f, l->mem.addressing == MEMAE_ADDR_COSINE ? 0.0f : 1.0f};
    }
}

static size_t spatial(const memae_layer *l)
{
    return (size_t)l->in.sp[0] * l->in.sp[1] * l->in.sp[2];
}

static size_t nqueries(const memae_layer *l, int batch)
{
    return l->mem.query == MEMAE_QUERY_FLAT ? (size_t)batch : (size_t)batch * spatial(l);
}

static mem_ws carve(const memae_layer *l, int batch)
{
    size_t q = nqueries(l, batch), d = (size_t)l->mem.dim, n = (size_t)l->mem.slots;
    float *p = l->ws;
    mem_ws w;
    w.q = p, p += q * d;
    w.rows = p, p += q * d;
    w.wsoft = p, p += q * n;
    w.wfin = l->mem.shrink > 0.0f ? p : w.wsoft;
    if (l->mem.shrink > 0.0f)
        p += q * n;
    w.dw = p, p += q * n;
    w.rsum = p, p += q;
    w.rent = p, p += q;
    if (l->mem.addressing == MEMAE_ADDR_COSINE) {
        w.qn = p, p += q * d;
        w.qnorm = p, p += q;
        w.mn = p, p += n * d;
        w.mnorm = p, p += n;
        w.gm = p, p += n * d;
    } else {
        w.qn = w.qnorm = w.mn = w.mnorm = w.gm = NULL;
    }
    w.gemm = p;
    return w;
}

static size_t workspace(const memae_layer *l, const memae_kernels *be, int batch)
{
    size_t q = nqueries(l, batch), d = (size_t)l->mem.dim, n = (size_t)l->mem.slots;
    size_t total = 2 * q * d + (l->mem.shrink > 0.0f ? 3 : 2) * q * n + 2 * q, most = 0;
    if (l->mem.addressing == MEMAE_ADDR_COSINE)
        total += q * d + q + 2 * n * d + n;
    for (int p = 0; p < P_COUNT; p++) {
        memae_gemm_geom g = product(l, q, p);
        size_t s = be->gemm_scratch(be, &g);
        most = s > most ? s : most;
    }
    return total + most;
}

static void gemm(const memae_layer *l, const memae_run *run, const mem_ws *w, int which,
                 const float *a, const float *b, float *c)
{
    memae_gemm_geom g = product(l, nqueries(l, run->batch), which);
    run->be->gemm(run->be, &g, a, b, c, w->gemm, run->threads);
}

static int setup(memae_layer *l, char *msg, size_t msglen)
{
    l->out = l->in;
    l->mem.dim = l->mem.query == MEMAE_QUERY_FLAT ? (int)mae_shape_size(&l->in) : l->in.c;
    if (l->mem.slots < 1 || !(l->mem.shrink >= 0.0f && l->mem.shrink < 1.0f)) {
        snprintf(msg, msglen, "memory: slots must be >= 1 and shrink_thres in [0, 1)");
        return -1;
    }
    l->nparams = (size_t)l->mem.slots * l->mem.dim;
    return 0;
}

/* MemoryUnit's weight, slots x dim. */
static int tensors(const memae_layer *l, memae_tensor_desc *out)
{
    int64_t shape[2] = {l->mem.slots, l->mem.dim};
    return mae_layer_tensor(out, l, "weight", MEMAE_T_PARAM, l->param_off, l->nparams, 2, shape);
}

/* MemoryUnit.reset_parameters: U(-1/sqrt(C), 1/sqrt(C)). */
static void init(const memae_layer *l, float *params, float *buffers, memae_rng *r)
{
    (void)buffers;
    double bound = 1.0 / sqrt((double)l->mem.dim);
    float *m = params + l->param_off;
    for (size_t i = 0; i < l->nparams; i++)
        m[i] = (float)(bound * (2.0 * mae_rng_uniform(r) - 1.0));
}

/* (B, C, S) <-> (B*S, C): position queries read the feature map channels
 * last; to_rows: map to rows, else rows to map. */
static void reorder(const memae_layer *l, int batch, const float *src, float *dst, int to_rows)
{
    size_t s = spatial(l), c = (size_t)l->in.c;
    if (l->mem.query == MEMAE_QUERY_FLAT || s == 1) {
        memcpy(dst, src, (size_t)batch * c * s * sizeof *src);
        return;
    }
    for (int b = 0; b < batch; b++)
        for (size_t ch = 0; ch < c; ch++)
            for (size_t i = 0; i < s; i++) {
                size_t map = ((size_t)b * c + ch) * s + i, row = ((size_t)b * s + i) * c + ch;
                dst[to_rows ? row : map] = src[to_rows ? map : row];
            }
}

static void to_rows(const memae_layer *l, int batch, const float *x, float *rows)
{
    reorder(l, batch, x, rows, 1);
}

static void from_rows(const memae_layer *l, int batch, const float *rows, float *x)
{
    reorder(l, batch, rows, x, 0);
}

/* out = v / max(|v|, eps) row by row; norms saved for backward. */
static void normalize_rows(const float *v, size_t rows, size_t d, float *out, float *norms)
{
    for (size_t r = 0; r < rows; r++) {
        double ss = 0.0;
        for (size_t j = 0; j < d; j++)
            ss += (double)v[r * d + j] * v[r * d + j];
        float nrm = (float)sqrt(ss);
        norms[r] = nrm;
        float den = nrm > COSINE_EPS ? nrm : COSINE_EPS;
        for (size_t j = 0; j < d; j++)
            out[r * d + j] = v[r * d + j] / den;
    }
}

/* Gradient through out = v / max(|v|, eps), in place on g. */
static void normalize_rows_backward(const float *vn, const float *norms, size_t rows, size_t d,
                                    float *g)
{
    for (size_t r = 0; r < rows; r++) {
        float *gr = g + r * d;
        const float *vr = vn + r * d;
        if (norms[r] > COSINE_EPS) {
            double dot = 0.0;
            for (size_t j = 0; j < d; j++)
                dot += (double)vr[j] * gr[j];
            for (size_t j = 0; j < d; j++)
                gr[j] = (float)((gr[j] - vr[j] * dot) / norms[r]);
        } else {
            for (size_t j = 0; j < d; j++)
                gr[j] /= COSINE_EPS;
        }
    }
}

static void softmax_row(float *a, size_t n)
{
    float mx = a[0];
    for (size_t i = 1; i < n; i++)
        mx = a[i] > mx ? a[i] : mx;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        a[i] = expf(a[i] - mx);
        s += a[i];
    }
    float inv = (float)(1.0 / s);
    for (size_t i = 0; i < n; i++)
        a[i] *= inv;
}

/* hard_shrink_relu then F.normalize(p = 1); returns the L1 norm before it. */
static float shrink_row(const float *w, float *out, size_t n, float lambda)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        float u = w[i] - lambda;
        out[i] = (u > 0.0f ? u : 0.0f) * w[i] / (fabsf(u) + SHRINK_EPS);
        s += out[i];
    }
    float sum = (float)s;
    float den = sum > SHRINK_EPS ? sum : SHRINK_EPS;
    for (size_t i = 0; i < n; i++)
        out[i] /= den;
    return sum;
}

static void shrink_row_backward(const float *w, const float *wfin, float sum, float *g, size_t n,
                                float lambda)
{
    /* Through w1 / max(|w1|_1, eps): w1 = wfin * den, and w1 >= 0. */
    float den = sum > SHRINK_EPS ? sum : SHRINK_EPS;
    double proj = 0.0;
    if (sum > SHRINK_EPS)
        for (size_t i = 0; i < n; i++)
            proj += (double)g[i] * wfin[i];
    for (size_t i = 0; i < n; i++) {
        float gw1 = g[i] / den - (wfin[i] > 0.0f ? (float)(proj / den) : 0.0f);
        /* Through relu(u) * w / (|u| + eps), u = w - lambda; zero where u <= 0. */
        float u = w[i] - lambda;
        if (u > 0.0f) {
            float d = u + SHRINK_EPS;
            g[i] = gw1 * ((u + w[i]) / d - u * w[i] / (d * d));
        } else {
            g[i] = 0.0f;
        }
    }
}

static void forward(memae_layer *l, const memae_run *run, const float *x, float *y)
{
    size_t q = nqueries(l, run->batch), d = (size_t)l->mem.dim, n = (size_t)l->mem.slots;
    const float *m = run->params + l->param_off;
    mem_ws w = carve(l, run->batch);

    to_rows(l, run->batch, x, w.q);
    if (l->mem.addressing == MEMAE_ADDR_COSINE) {
        normalize_rows(w.q, q, d, w.qn, w.qnorm);
        normalize_rows(m, n, d, w.mn, w.mnorm);
        gemm(l, run, &w, P_ADDR, w.qn, w.mn, w.wsoft);
    } else {
        gemm(l, run, &w, P_ADDR, w.q, m, w.wsoft);
    }
    int64_t zero = 0;
#pragma omp parallel for schedule(static) reduction(+ : zero) \
    num_threads(mae_par(q * n, run->threads))
    for (size_t r = 0; r < q; r++) {
        float *ws = w.wsoft + r * n, *wf = w.wfin + r * n;
        softmax_row(ws, n);
        if (l->mem.shrink > 0.0f) {
            w.rsum[r] = shrink_row(ws, wf, n, l->mem.shrink);
            zero += w.rsum[r] == 0.0f;
        }
        double e = 0.0;
        for (size_t i = 0; i < n; i++)
            e -= (double)wf[i] * logf(wf[i] + ENTROPY_EPS);
        w.rent[r] = (float)e;
    }
    /* Summed in one order so that the result does not depend on threads. */
    double ent = 0.0;
    for (size_t r = 0; r < q; r++)
        ent += w.rent[r];
    l->mem.entropy = ent / (double)q;
    l->mem.zero_queries = zero;
    l->mem.queries = (int64_t)q;
    gemm(l, run, &w, P_READ, w.wfin, m, w.rows);
    from_rows(l, run->batch, w.rows, y);
}

static void backward(memae_layer *l, const memae_run *run, const float *x, const float *y,
                     const float *dy, float *dx)
{
    (void)x;
    (void)y;
    size_t q = nqueries(l, run->batch), d = (size_t)l->mem.dim, n = (size_t)l->mem.slots;
    const float *m = run->params + l->param_off;
    float *dm = run->grads + l->param_off;
    mem_ws w = carve(l, run->batch);
    float *dout = w.rows;

    to_rows(l, run->batch, dy, dout);
    /* Read: out = wfin M. */
    gemm(l, run, &w, P_DM_READ, w.wfin, dout, dm);
    gemm(l, run, &w, P_DW, dout, m, w.dw);
    float ew = run->entropy_weight / (float)q;
#pragma omp parallel for schedule(static) num_threads(mae_par(q *n, run->threads))
    for (size_t r = 0; r < q; r++) {
        float *g = w.dw + r * n;
        const float *wf = w.wfin + r * n, *ws = w.wsoft + r * n;
        /* d/dw of -w log(w + eps), as autograd computes it. */
        if (ew != 0.0f)
            for (size_t i = 0; i < n; i++)
                g[i] -= ew * (logf(wf[i] + ENTROPY_EPS) + wf[i] / (wf[i] + ENTROPY_EPS));
        if (l->mem.shrink > 0.0f)
            shrink_row_backward(ws, wf, w.rsum[r], g, n, l->mem.shrink);
        double dot = 0.0;
        for (size_t i = 0; i < n; i++)
            dot += (double)g[i] * ws[i];
        for (size_t i = 0; i < n; i++)
            g[i] = ws[i] * (g[i] - (float)dot);
    }
    /* Addressing: a = q M^T (or the normalised rows); dq goes into dout's place. */
    float *dq = dout;
    if (l->mem.addressing == MEMAE_ADDR_COSINE) {
        gemm(l, run, &w, P_DQ, w.dw, w.mn, dq);
        normalize_rows_backward(w.qn, w.qnorm, q, d, dq);
        gemm(l, run, &w, P_DM_ADDR, w.dw, w.qn, w.gm);
        normalize_rows_backward(w.mn, w.mnorm, n, d, w.gm);
        for (size_t i = 0; i < n * d; i++)
            dm[i] += w.gm[i];
    } else {
        gemm(l, run, &w, P_DQ, w.dw, m, dq);
        gemm(l, run, &w, P_DM_ADDR, w.dw, w.q, dm);
    }
    if (dx)
        from_rows(l, run->batch, dq, dx);
}

const float *mae_memory_weights(const memae_layer *l, int batch)
{
    return carve(l, batch).wfin;
}

const memae_layer_ops mae_memory_ops = {
    .name = "memory",
    .setup = setup,
    .nbuffers = mae_layer_none,
    .tensors = tensors,
    .workspace = workspace,
    .init = init,
    .forward = forward,
    .backward = backward,
    .inplace = 0,
};
