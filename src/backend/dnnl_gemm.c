/*
 * Matrix products on oneDNN's matmul primitive, made at plan time (by
 * gemm_scratch) for each product a layer will run, so that a step neither
 * creates primitives nor allocates: dnnl_sgemm, stateless, allocates its
 * packing buffers on every call.  Transposes and leading dimensions become
 * strides of the memory descriptors, alpha an output scale and beta a sum
 * post-op.  A product oneDNN cannot make runs on the reference GEMM, with
 * scratch its entry allocates when the primitive fails (at plan time or at
 * the first call of an unplanned shape, never again).
 */
#include "backend/dnnl.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "backend/ref.h"
#include "core/alloc.h"

typedef struct dn_gemm {
    dn_prim prim;
    dnnl_memory_t a, b, c;
    float *ref_ws; /* the reference GEMM's scratch, when oneDNN failed */
} dn_matmul;

static int gemm_threads(const memae_gemm_geom *g, int threads)
{
    return dn_threads((size_t)g->m * g->n * g->k / 8, threads);
}

static void key_of(const memae_gemm_geom *g, int nthr, int64_t key[DN_KEYLEN])
{
    memset(key, 0, DN_KEYLEN * sizeof *key);
    int64_t v[] = {DN_GEMM, g->ta, g->tb, g->m, g->n, g->k, g->lda, g->ldb, g->ldc, nthr};
    memcpy(key, v, sizeof v);
    memcpy(&key[10], &g->alpha, sizeof g->alpha);
    memcpy(&key[11], &g->beta, sizeof g->beta);
}

static memae_gemm_geom geom_of(const int64_t *key)
{
    memae_gemm_geom g = {(int)key[1], (int)key[2], (int)key[3], (int)key[4], (int)key[5],
                         (int)key[6], (int)key[7], (int)key[8], 1.0f,        0.0f};
    memcpy(&g.alpha, &key[10], sizeof g.alpha);
    memcpy(&g.beta, &key[11], sizeof g.beta);
    return g;
}

/* A rows x cols matrix stored row-major with leading dimension ld, or its
 * transpose when t. */
static void matrix_md(dnnl_memory_desc_t *md, int rows, int cols, int ld, int t)
{
    dnnl_dims_t dims = {rows, cols};
    dnnl_dims_t strides = {t ? 1 : ld, t ? ld : 1};
    dnnl_memory_desc_init_by_strides(md, 2, dims, dnnl_f32, strides);
}

static void gemm_free(void *impl)
{
    dn_matmul *p = impl;
    if (!p)
        return;
    dn_prim_free(&p->prim);
    if (p->a)
        dnnl_memory_destroy(p->a);
    if (p->b)
        dnnl_memory_destroy(p->b);
    if (p->c)
        dnnl_memory_destroy(p->c);
    mae_aligned_free(p->ref_ws);
    free(p);
}

static dnnl_status_t gemm_new(dn_ctx *c, const int64_t *key, void **impl)
{
    memae_gemm_geom g = geom_of(key);
    dn_matmul *p = calloc(1, sizeof *p);
    if (!(*impl = p))
        return dnnl_out_of_memory;
    dnnl_memory_desc_t a, b, d;
    matrix_md(&a, g.m, g.k, g.lda, g.ta);
    matrix_md(&b, g.k, g.n, g.ldb, g.tb);
    matrix_md(&d, g.m, g.n, g.ldc, 0);
    dnnl_matmul_desc_t desc;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    dnnl_primitive_desc_t pd = NULL;
    size_t bytes[DN_NREGIONS] = {0};
    dnnl_status_t st = dnnl_matmul_desc_init(&desc, &a, &b, NULL, &d);
    if (st == dnnl_success)
        st = dn_attr(&attr);
    if (st == dnnl_success && g.alpha != 1.0f)
        st = dnnl_primitive_attr_set_output_scales(attr, 1, 0, &g.alpha);
    if (st == dnnl_success && g.beta != 0.0f) {
        st = dnnl_post_ops_create(&po);
        if (st == dnnl_success)
            st = dnnl_post_ops_append_sum(po, g.beta);
        if (st == dnnl_success)
            st = dnnl_primitive_attr_set_post_ops(attr, po);
    }
    if (st == dnnl_success)
        st = dnnl_primitive_desc_create(&pd, &desc, attr, c->engine, NULL);
    if (st == dnnl_success)
        st = dn_prim_make(c, pd, &p->prim, bytes);
    if (st == dnnl_success)
        st = dn_memory(c, &a, &p->a);
    if (st == dnnl_success)
        st = dn_memory(c, &b, &p->b);
    if (st == dnnl_success)
        st = dn_memory(c, &d, &p->c);
    if (st == dnnl_success && dn_reserve(c, bytes))
        st = dnnl_out_of_memory;
    dnnl_primitive_desc_destroy(pd);
    dnnl_post_ops_destroy(po);
    dnnl_primitive_attr_destroy(attr);
    if (st != dnnl_success)
        p->ref_ws = mae_falloc(MEMAE_REF_GEMM_SCRATCH);
    return st;
}

static dn_entry *gemm_entry(dn_ctx *c, const memae_gemm_geom *g, int threads)
{
    int nthr = gemm_threads(g, threads);
    int64_t key[DN_KEYLEN];
    key_of(g, nthr, key);
    return dn_get(c, key, nthr, gemm_new, gemm_free);
}

static int degenerate(const memae_gemm_geom *g)
{
    return g->m <= 0 || g->n <= 0 || g->k <= 0;
}

size_t dn_gemm_scratch(const memae_kernels *be, const memae_gemm_geom *g)
{
    /* mae_model_plan sets OpenMP's team size to the one its steps use. */
    if (!degenerate(g))
        gemm_entry(be->ctx, g, omp_get_max_threads());
    return 0; /* a failed entry holds the fallback's scratch itself */
}

void dn_gemm(const memae_kernels *be, const memae_gemm_geom *g, const float *a, const float *b,
             float *c, float *scratch, int threads)
{
    (void)scratch;
    if (degenerate(g)) { /* the reference's conventions, no scratch needed */
        mae_ref_gemm(be, g, a, b, c, NULL, threads);
        return;
    }
    dn_entry *e = gemm_entry(be->ctx, g, threads);
    dn_matmul *p = e ? e->impl : NULL;
    if (e && e->ok) {
        dn_bind(p->a, a);
        dn_bind(p->b, b);
        dn_bind(p->c, c);
        dnnl_exec_arg_t args[4] = {
            {DNNL_ARG_SRC, p->a}, {DNNL_ARG_WEIGHTS, p->b}, {DNNL_ARG_DST, p->c}};
        int old = dn_threads_enter(gemm_threads(g, threads));
        dnnl_status_t st = dn_prim_run(be->ctx, &p->prim, args, 3);
        dn_threads_leave(old);
        if (st == dnnl_success)
            return;
        e->ok = 0; /* arguments oneDNN did not expect: the oracle from now on */
        if (!p->ref_ws)
            p->ref_ws = mae_falloc(MEMAE_REF_GEMM_SCRATCH);
    }
    if (p && p->ref_ws) {
        mae_ref_gemm(be, g, a, b, c, p->ref_ws, threads);
        return;
    }
    /* No memory even for that: NaN, which the step's loss check reports. */
    for (int i = 0; i < g->m; i++)
        for (int j = 0; j < g->n; j++)
            c[(size_t)i * g->ldc + j] = NAN;
}
