/*
 * Activations on oneDNN's eltwise primitive over the tensor as one flat
 * vector: LeakyReLU(0.2) is relu with alpha 0.2, tanh is tanh, both in
 * their "use_dst_for_bwd" form, whose backward reads the output y, so that
 * forward and backward run in place (y == x, dx == dy) as the layer does.
 * Entries are keyed by (direction, kind, length, team size).
 */
#include "backend/dnnl.h"

#include <stdlib.h>
#include <string.h>

#include "backend/ref.h"

typedef struct dn_act {
    dn_prim prim;
    dnnl_memory_t a, b, c; /* forward: src, dst; backward: dst, diff_dst, diff_src */
} dn_act;

static void act_free(void *impl)
{
    dn_act *t = impl;
    dn_prim_free(&t->prim);
    dnnl_memory_t m[3] = {t->a, t->b, t->c};
    for (int i = 0; i < 3; i++)
        if (m[i])
            dnnl_memory_destroy(m[i]);
    free(t);
}

static dnnl_status_t act_new(dn_ctx *c, const int64_t *key, void **impl)
{
    int bwd = key[0] == DN_ACT_BWD;
    dnnl_alg_kind_t alg = key[1] == MEMAE_ACT_TANH ? dnnl_eltwise_tanh_use_dst_for_bwd
                                                   : dnnl_eltwise_relu_use_dst_for_bwd;
    float alpha = key[1] == MEMAE_ACT_TANH ? 0.0f : MEMAE_LEAKY_SLOPE;
    dn_act *t = calloc(1, sizeof *t);
    if (!(*impl = t))
        return dnnl_out_of_memory;
    dnnl_dims_t d = {key[2]};
    dnnl_memory_desc_t md;
    dnnl_memory_desc_init_by_tag(&md, 1, d, dnnl_f32, dnnl_a);
    dnnl_eltwise_desc_t fd, bd;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t fpd = NULL, bpd = NULL;
    size_t bytes[DN_NREGIONS] = {0};
    dnnl_status_t st = dn_attr(&attr);
    if (st == dnnl_success)
        st = dnnl_eltwise_forward_desc_init(&fd, dnnl_forward_training, alg, &md, alpha, 0.0f);
    if (st == dnnl_success)
        st = dnnl_primitive_desc_create(&fpd, &fd, attr, c->engine, NULL);
    if (st == dnnl_success && bwd)
        st = dnnl_eltwise_backward_desc_init(&bd, alg, &md, &md, alpha, 0.0f);
    if (st == dnnl_success && bwd)
        st = dnnl_primitive_desc_create(&bpd, &bd, attr, c->engine, fpd);
    if (st == dnnl_success)
        st = dn_prim_make(c, bwd ? bpd : fpd, &t->prim, bytes);
    if (st == dnnl_success)
        st = dn_memory(c, &md, &t->a);
    if (st == dnnl_success)
        st = dn_memory(c, &md, &t->b);
    if (st == dnnl_success && bwd)
        st = dn_memory(c, &md, &t->c);
    if (st == dnnl_success && dn_reserve(c, bytes))
        st = dnnl_out_of_memory;
    dnnl_primitive_desc_destroy(fpd);
    dnnl_primitive_desc_destroy(bpd);
    dnnl_primitive_attr_destroy(attr);
    return st;
}

static dn_act *act_get(dn_ctx *c, int dir, int kind, size_t n, int nthr)
{
    int64_t key[DN_KEYLEN] = {dir, kind, (int64_t)n, nthr};
    dn_entry *e = dn_get(c, key, nthr, act_new, act_free);
    return e && e->ok ? e->impl : NULL;
}

void dn_act_prepare(dn_ctx *c, int kind, size_t n, int threads)
{
    int nthr = dn_threads(n, threads);
    act_get(c, DN_ACT_FWD, kind, n, nthr);
    act_get(c, DN_ACT_BWD, kind, n, nthr);
}

void dn_act_forward(const memae_kernels *be, int kind, size_t n, const float *x, float *y,
                    int threads)
{
    int nthr = dn_threads(n, threads);
    dn_act *t = n ? act_get(be->ctx, DN_ACT_FWD, kind, n, nthr) : NULL;
    dnnl_status_t st = dnnl_runtime_error;
    if (t) {
        dn_bind(t->a, x);
        dn_bind(t->b, y);
        dnnl_exec_arg_t a[3] = {{DNNL_ARG_SRC, t->a}, {DNNL_ARG_DST, t->b}};
        int old = dn_threads_enter(nthr);
        st = dn_prim_run(be->ctx, &t->prim, a, 2);
        dn_threads_leave(old);
    }
    if (st != dnnl_success)
        mae_ref_act_forward(be, kind, n, x, y, threads);
}

void dn_act_backward(const memae_kernels *be, int kind, size_t n, const float *y, const float *dy,
                     float *dx, int threads)
{
    int nthr = dn_threads(n, threads);
    dn_act *t = n ? act_get(be->ctx, DN_ACT_BWD, kind, n, nthr) : NULL;
    dnnl_status_t st = dnnl_runtime_error;
    if (t) {
        dn_bind(t->a, y);
        dn_bind(t->b, dy);
        dn_bind(t->c, dx);
        dnnl_exec_arg_t a[4] = {
            {DNNL_ARG_DST, t->a}, {DNNL_ARG_DIFF_DST, t->b}, {DNNL_ARG_DIFF_SRC, t->c}};
        int old = dn_threads_enter(nthr);
        st = dn_prim_run(be->ctx, &t->prim, a, 3);
        dn_threads_leave(old);
    }
    if (st != dnnl_success)
        mae_ref_act_backward(be, kind, n, y, dy, dx, threads);
}
