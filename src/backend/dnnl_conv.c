/*
 * Convolutions on oneDNN.  One cache entry per geometry (batch included) and
 * team size holds the three primitives (forward, backward data, backward
 * weights), made together at plan time by conv_scratch.  The interface
 * passes plain NC(D)HW tensors; each primitive is described with layout
 * "any" so that oneDNN picks its fastest (channel-blocked) one, and reorders
 * between the two run at the edges, into the shared arena.  A geometry with
 * D = 1, kernel 1, stride 1 and padding 0 along D is a 2D convolution, for
 * which oneDNN has more kernels.  If oneDNN cannot make a geometry's
 * primitives, the entry remembers the failure and the reference kernels run
 * it (with scratch of their own), so a kernel never has to report an error.
 */
#include "backend/dnnl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "backend/ref.h"
#include "core/alloc.h"

/* A tensor argument: the caller's plain buffer and, when the primitive
 * wants another layout, its copy in the arena and the reorder between them. */
typedef struct dn_tensor {
    dnnl_memory_t user, inner;
    dn_prim reorder;
    int region, output;
} dn_tensor;

/* One primitive: src side, weights, dst side, and a plain bias (forward) or
 * bias gradient (backward weights). */
typedef struct dn_op {
    dn_prim prim;
    dn_tensor t[3];
    int arg[3];
    dnnl_memory_t bias;
    int bias_arg;
} dn_op;

enum { OP_FWD, OP_BWD_DATA, OP_BWD_WEIGHTS, OP_COUNT };

static const dnnl_query_t op_query[OP_COUNT][3] = {
    {dnnl_query_src_md, dnnl_query_weights_md, dnnl_query_dst_md},
    {dnnl_query_diff_src_md, dnnl_query_weights_md, dnnl_query_diff_dst_md},
    {dnnl_query_src_md, dnnl_query_diff_weights_md, dnnl_query_diff_dst_md},
};
static const int op_arg[OP_COUNT][3] = {
    {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST},
    {DNNL_ARG_DIFF_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_DST},
    {DNNL_ARG_SRC, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_DST},
};
static const int op_output[OP_COUNT] = {2, 0, 1};
static const int op_bias[OP_COUNT] = {DNNL_ARG_BIAS, 0, DNNL_ARG_DIFF_BIAS};
static const int t_region[3] = {DN_R_SRC, DN_R_WEI, DN_R_DST};

typedef struct dn_conv {
    dn_op op[OP_COUNT];
    float *zeros;  /* co zeros: the bias of conv_forward(b = NULL) */
    float *sink;   /* co floats: a bias gradient nobody asked for */
    float *ref_ws; /* the reference kernels' scratch, when oneDNN failed */
} dn_conv;

/* Plain descriptors of the geometry (2D when D is trivial) and the conv's
 * spatial parameters.  oneDNN wants the right padding explicitly; it may be
 * negative (input rows the last window does not reach), which it allows. */
typedef struct conv_shape {
    int nd;
    dnnl_memory_desc_t src, wei, dst, bias;
    dnnl_dims_t str, pl, pr;
} conv_shape;

static conv_shape shape_of(const memae_conv_geom *g)
{
    int sp =
        g->in[0] == 1 && g->out[0] == 1 && g->k[0] == 1 && g->s[0] == 1 && g->p[0] == 0 ? 2 : 3;
    conv_shape s;
    memset(&s, 0, sizeof s);
    s.nd = sp + 2;
    dnnl_dims_t src = {g->n, g->ci}, wei = {g->co, g->ci}, dst = {g->n, g->co}, b = {g->co};
    for (int i = 0; i < sp; i++) {
        int a = 3 - sp + i;
        src[2 + i] = g->in[a];
        wei[2 + i] = g->k[a];
        dst[2 + i] = g->out[a];
        s.str[i] = g->s[a];
        s.pl[i] = g->p[a];
        s.pr[i] = (dnnl_dim_t)(g->out[a] - 1) * g->s[a] + g->k[a] - g->in[a] - g->p[a];
    }
    dnnl_format_tag_t tag = s.nd == 4 ? dnnl_abcd : dnnl_abcde;
    dnnl_format_tag_t blk = s.nd == 4 ? dnnl_aBcd16b : dnnl_aBcde16b;
    _Static_assert(MEMAE_CBLK == 16, "the blocked tags above");
    dnnl_memory_desc_init_by_tag(&s.src, s.nd, src, dnnl_f32, g->src_blocked ? blk : tag);
    dnnl_memory_desc_init_by_tag(&s.wei, s.nd, wei, dnnl_f32, tag);
    dnnl_memory_desc_init_by_tag(&s.dst, s.nd, dst, dnnl_f32, g->dst_blocked ? blk : tag);
    dnnl_memory_desc_init_by_tag(&s.bias, 1, b, dnnl_f32, dnnl_a);
    return s;
}

static dnnl_memory_desc_t any_of(const dnnl_memory_desc_t *md)
{
    dnnl_memory_desc_t a;
    dnnl_memory_desc_init_by_tag(&a, md->ndims, md->dims, dnnl_f32, dnnl_format_tag_any);
    return a;
}

static dnnl_status_t tensor_make(dn_ctx *c, dn_tensor *t, const dnnl_memory_desc_t *plain,
                                 const dnnl_memory_desc_t *want, int region, int output,
                                 size_t bytes[DN_NREGIONS])
{
    t->region = region;
    t->output = output;
    dnnl_status_t st = dn_memory(c, plain, &t->user);
    if (st != dnnl_success || dnnl_memory_desc_equal(plain, want))
        return st;
    size_t need = dnnl_memory_desc_get_size(want);
    bytes[region] = need > bytes[region] ? need : bytes[region];
    st = dn_memory(c, want, &t->inner);
    if (st == dnnl_success)
        st = output ? dn_reorder_make(c, want, plain, &t->reorder, bytes)
                    : dn_reorder_make(c, plain, want, &t->reorder, bytes);
    return st;
}

/* The primitive of one op desc, its tensors and reorders; *pd_out keeps the
 * forward descriptor as the backward ops' hint. */
static dnnl_status_t op_make(dn_ctx *c, dn_op *op, int kind, const void *desc,
                             const_dnnl_primitive_desc_t hint, const conv_shape *s,
                             const_dnnl_post_ops_t po, size_t bytes[DN_NREGIONS],
                             dnnl_primitive_desc_t *pd_out)
{
    const dnnl_memory_desc_t *plain[3] = {&s->src, &s->wei, &s->dst};
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t st = dn_attr(&attr);
    if (st == dnnl_success && po)
        st = dnnl_primitive_attr_set_post_ops(attr, po);
    if (st == dnnl_success)
        st = dnnl_primitive_desc_create(&pd, desc, attr, c->engine, hint);
    for (int i = 0; i < 3 && st == dnnl_success; i++) {
        op->arg[i] = op_arg[kind][i];
        st = tensor_make(c, &op->t[i], plain[i],
                         dnnl_primitive_desc_query_md(pd, op_query[kind][i], 0), t_region[i],
                         op_output[kind] == i, bytes);
    }
    if (st == dnnl_success && op_bias[kind]) {
        op->bias_arg = op_bias[kind];
        st = dn_memory(c, &s->bias, &op->bias);
    }
    if (st == dnnl_success)
        st = dn_prim_make(c, pd, &op->prim, bytes);
    if (pd_out && st == dnnl_success)
        *pd_out = pd;
    else
        dnnl_primitive_desc_destroy(pd);
    dnnl_primitive_attr_destroy(attr);
    return st;
}

static dnnl_status_t conv_make(dn_ctx *c, const memae_conv_geom *g, dn_conv *cv)
{
    conv_shape s = shape_of(g);
    /* A blocked tensor is the layout the primitives use, so that none is
     * reordered between layers; plain ones let oneDNN choose. */
    dnnl_memory_desc_t src = g->src_blocked ? s.src : any_of(&s.src), wei = any_of(&s.wei),
                       dst = g->dst_blocked ? s.dst : any_of(&s.dst);
    size_t bytes[DN_NREGIONS] = {0};
    dnnl_convolution_desc_t fd, bd, wd;
    dnnl_primitive_desc_t fwd = NULL;
    /* Direct, never Winograd: results must match the reference's to float rounding. */
    dnnl_status_t st =
        dnnl_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct,
                                           &src, &wei, &s.bias, &dst, s.str, s.pl, s.pr);
    if (st == dnnl_success)
        st = op_make(c, &cv->op[OP_FWD], OP_FWD, &fd, NULL, &s, NULL, bytes, &fwd);
    /* Few input channels (a decoder's last layer, whose forward pass is this
     * backward-data op): a blocked diff_src would pad them to 16 and do 16x
     * the work; plain layouts select a GEMM kernel without that padding (on
     * a blocked diff_dst, only oneDNN's slow reference one). */
    dnnl_memory_desc_t bsrc = g->ci < 8 ? s.src : src, bdst = g->ci < 8 ? any_of(&s.dst) : dst;
    if (st == dnnl_success)
        st = dnnl_convolution_backward_data_desc_init(&bd, dnnl_convolution_direct, &bsrc, &wei,
                                                      &bdst, s.str, s.pl, s.pr);
    if (st == dnnl_success)
        st = op_make(c, &cv->op[OP_BWD_DATA], OP_BWD_DATA, &bd, fwd, &s, NULL, bytes, NULL);
    if (st == dnnl_success)
        st = dnnl_convolution_backward_weights_desc_init(&wd, dnnl_convolution_direct, &src, &wei,
                                                         &s.bias, &dst, s.str, s.pl, s.pr);
    if (st == dnnl_success)
        st = op_make(c, &cv->op[OP_BWD_WEIGHTS], OP_BWD_WEIGHTS, &wd, fwd, &s, NULL, bytes, NULL);
    dnnl_primitive_desc_destroy(fwd);
    if (st == dnnl_success && dn_reserve(c, bytes))
        st = dnnl_out_of_memory;
    return st;
}

static void tensor_free(dn_tensor *t)
{
    if (t->user)
        dnnl_memory_destroy(t->user);
    if (t->inner)
        dnnl_memory_destroy(t->inner);
    dn_prim_free(&t->reorder);
}

static void conv_release(dn_conv *cv)
{
    for (int k = 0; k < OP_COUNT; k++) {
        dn_op *op = &cv->op[k];
        dn_prim_free(&op->prim);
        for (int i = 0; i < 3; i++)
            tensor_free(&op->t[i]);
        if (op->bias)
            dnnl_memory_destroy(op->bias);
    }
    memset(cv->op, 0, sizeof cv->op);
}

static void conv_free(void *impl)
{
    dn_conv *cv = impl;
    conv_release(cv);
    mae_aligned_free(cv->zeros);
    mae_aligned_free(cv->ref_ws);
    free(cv);
}

static int conv_threads(const memae_conv_geom *g, int threads)
{
    size_t macs = (size_t)g->n * g->co * g->out[0] * g->out[1] * g->out[2] * g->ci * g->k[0] *
                  g->k[1] * g->k[2];
    return dn_threads(macs, threads);
}

/* The key holds the whole geometry, from which a miss rebuilds it. */
static void key_of(const memae_conv_geom *g, int nthr, int64_t key[DN_KEYLEN])
{
    memset(key, 0, DN_KEYLEN * sizeof *key);
    key[0] = DN_CONV, key[1] = g->n, key[2] = g->ci, key[3] = g->co, key[4] = nthr;
    for (int i = 0; i < 3; i++) {
        int64_t *k = key + 5 + 5 * i;
        k[0] = g->in[i], k[1] = g->out[i], k[2] = g->k[i], k[3] = g->s[i], k[4] = g->p[i];
    }
    key[20] = g->src_blocked, key[21] = g->dst_blocked;
}

static memae_conv_geom geom_of(const int64_t *key)
{
    memae_conv_geom g = {.n = (int)key[1],
                         .ci = (int)key[2],
                         .co = (int)key[3],
                         .src_blocked = (int)key[20],
                         .dst_blocked = (int)key[21]};
    for (int i = 0; i < 3; i++) {
        const int64_t *k = key + 5 + 5 * i;
        g.in[i] = (int)k[0], g.out[i] = (int)k[1], g.k[i] = (int)k[2], g.s[i] = (int)k[3];
        g.p[i] = (int)k[4];
    }
    return g;
}

static dnnl_status_t conv_new(dn_ctx *c, const int64_t *key, void **impl)
{
    memae_conv_geom g = geom_of(key);
    dn_conv *cv = calloc(1, sizeof *cv);
    if (!(*impl = cv))
        return dnnl_out_of_memory;
    cv->zeros = mae_falloc(2 * (size_t)g.co);
    cv->sink = cv->zeros ? cv->zeros + g.co : NULL;
    dnnl_status_t st = cv->zeros ? conv_make(c, &g, cv) : dnnl_out_of_memory;
    if (st != dnnl_success) {
        conv_release(cv);
        cv->ref_ws = mae_falloc(mae_ref_conv_scratch(NULL, &g));
    }
    return st;
}

static dn_entry *conv_entry(dn_ctx *c, const memae_conv_geom *g, int nthr)
{
    int64_t key[DN_KEYLEN];
    key_of(g, nthr, key);
    return dn_get(c, key, nthr, conv_new, conv_free);
}

static dn_entry *fused_entry(dn_ctx *c, const memae_conv_geom *g, int act, int nthr);

/* Scratch for the reference kernels when the entry failed, else NULL. */
static float *fallback_ws(const dn_entry *e)
{
    return e && e->impl ? ((dn_conv *)e->impl)->ref_ws : NULL;
}

size_t dn_conv_scratch(const memae_kernels *be, const memae_conv_geom *g)
{
    dn_ctx *c = be->ctx;
    /* mae_model_plan sets OpenMP's team size to the one its steps use. */
    int threads = omp_get_max_threads();
    dn_entry *e = conv_entry(c, g, conv_threads(g, threads));
    if (g->fused_act) /* the layer's inference kernel, made now as well */
        fused_entry(c, g, g->fused_act - 1, conv_threads(g, threads));
    /* This is the interface's only plan-time hook, and in every conv model
     * the activation (LeakyReLU) acts on a conv's output (encoder) or on its
     * adjoint's input (decoder), so its primitives are made here too. */
    size_t osz = (size_t)g->out[0] * g->out[1] * g->out[2];
    size_t isz = (size_t)g->in[0] * g->in[1] * g->in[2];
    dn_act_prepare(c, MEMAE_ACT_LEAKY_RELU, (size_t)g->n * g->co * osz, threads);
    dn_act_prepare(c, MEMAE_ACT_LEAKY_RELU, (size_t)g->n * g->ci * isz, threads);
    if (e && (e->ok || fallback_ws(e)))
        return 0;
    return mae_ref_conv_scratch(be, g); /* the fallback's, planned by the caller */
}

/* extra: n more arguments (post-op inputs), already bound. */
static dnnl_status_t op_run(dn_ctx *c, dn_op *op, const void *ptr[3], const void *bias,
                            const dnnl_exec_arg_t *extra, int n)
{
    dnnl_exec_arg_t a[8];
    dnnl_status_t st = dnnl_success;
    for (int i = 0; i < 3 && st == dnnl_success; i++) {
        dn_tensor *t = &op->t[i];
        dn_bind(t->user, ptr[i]);
        a[i] = (dnnl_exec_arg_t){op->arg[i], t->user};
        if (!t->inner)
            continue;
        dn_bind(t->inner, dn_region(c, t->region));
        a[i].memory = t->inner;
        if (!t->output) {
            dnnl_exec_arg_t r[3] = {{DNNL_ARG_FROM, t->user}, {DNNL_ARG_TO, t->inner}};
            st = dn_prim_run(c, &t->reorder, r, 2);
        }
    }
    int na = 3;
    if (op->bias) {
        dn_bind(op->bias, bias);
        a[na++] = (dnnl_exec_arg_t){op->bias_arg, op->bias};
    }
    for (int i = 0; i < n; i++)
        a[na++] = extra[i];
    if (st == dnnl_success)
        st = dn_prim_run(c, &op->prim, a, na);
    for (int i = 0; i < 3 && st == dnnl_success; i++) {
        dn_tensor *t = &op->t[i];
        if (t->inner && t->output) {
            dnnl_exec_arg_t r[3] = {{DNNL_ARG_FROM, t->inner}, {DNNL_ARG_TO, t->user}};
            st = dn_prim_run(c, &t->reorder, r, 2);
        }
    }
    return st;
}

/* Run one of the geometry's primitives; on any failure the entry turns into
 * a fallback one (from then on the reference kernels run it) and *ws is the
 * scratch they use, NULL when there is none. */
static int run(const memae_kernels *be, const memae_conv_geom *g, int kind, const void *p[3],
               const void *bias, float *scratch, int threads, float **ws)
{
    int nthr = conv_threads(g, threads);
    dn_entry *e = conv_entry(be->ctx, g, nthr);
    if (e && e->ok) {
        dn_conv *cv = e->impl;
        if (!bias)
            bias = kind == OP_FWD ? cv->zeros : cv->sink;
        int old = dn_threads_enter(nthr);
        dnnl_status_t st = op_run(be->ctx, &cv->op[kind], p, bias, NULL, 0);
        dn_threads_leave(old);
        if (st == dnnl_success)
            return 1;
        conv_release(cv);
        e->ok = 0;
        cv->ref_ws = mae_falloc(mae_ref_conv_scratch(NULL, g));
    }
    /* The reference kernels know plain tensors only: a blocked geometry
     * oneDNN cannot run (out of memory) is poisoned instead. */
    *ws = g->src_blocked || g->dst_blocked ? NULL : fallback_ws(e) ? fallback_ws(e) : scratch;
    return 0;
}

/* No memory for the fallback either: NaN, which the step's loss check reports,
 * rather than a silently wrong result. */
static void poison(float *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = NAN;
}

void dn_conv_forward(const memae_kernels *be, const memae_conv_geom *g, const float *x,
                     const float *w, const float *b, float *y, float *scratch, int threads)
{
    float *ws;
    if (run(be, g, OP_FWD, (const void *[3]){x, w, y}, b, scratch, threads, &ws))
        return;
    if (ws)
        mae_ref_conv_forward(be, g, x, w, b, y, ws, threads);
    else
        poison(y, (size_t)g->n * g->co * g->out[0] * g->out[1] * g->out[2]);
}

void dn_conv_backward_data(const memae_kernels *be, const memae_conv_geom *g, const float *dy,
                           const float *w, float *dx, float *scratch, int threads)
{
    float *ws;
    if (run(be, g, OP_BWD_DATA, (const void *[3]){dx, w, dy}, NULL, scratch, threads, &ws))
        return;
    if (ws)
        mae_ref_conv_backward_data(be, g, dy, w, dx, ws, threads);
    else
        poison(dx, (size_t)g->n * g->ci * g->in[0] * g->in[1] * g->in[2]);
}

void dn_conv_backward_weights(const memae_kernels *be, const memae_conv_geom *g, const float *x,
                              const float *dy, float *dw, float *db, float *scratch, int threads)
{
    float *ws;
    if (run(be, g, OP_BWD_WEIGHTS, (const void *[3]){x, dw, dy}, db, scratch, threads, &ws))
        return;
    if (ws) {
        mae_ref_conv_backward_weights(be, g, x, dy, dw, db, ws, threads);
        return;
    }
    poison(dw, (size_t)g->co * g->ci * g->k[0] * g->k[1] * g->k[2]);
    if (db)
        poison(db, (size_t)g->co);
}

/* ---- inference: conv + per-channel affine (bias and batch norm folded) +
 * activation as one primitive, the affine as binary post-ops ---- */

typedef struct dn_fused {
    dn_op op;
    dnnl_memory_t scale, shift; /* (1, co, 1, 1[, 1]) post-op inputs */
} dn_fused;

static void fused_free(void *impl)
{
    dn_fused *f = impl;
    dn_prim_free(&f->op.prim);
    for (int i = 0; i < 3; i++)
        tensor_free(&f->op.t[i]);
    if (f->op.bias)
        dnnl_memory_destroy(f->op.bias);
    if (f->scale)
        dnnl_memory_destroy(f->scale);
    if (f->shift)
        dnnl_memory_destroy(f->shift);
    free(f);
}

static dnnl_status_t fused_new(dn_ctx *c, const int64_t *key, void **impl)
{
    memae_conv_geom g = geom_of(key);
    int act = (int)key[22];
    dn_fused *f = calloc(1, sizeof *f);
    if (!(*impl = f))
        return dnnl_out_of_memory;
    conv_shape s = shape_of(&g);
    dnnl_memory_desc_t src = g.src_blocked ? s.src : any_of(&s.src), wei = any_of(&s.wei),
                       dst = g.dst_blocked ? s.dst : any_of(&s.dst), chan;
    dnnl_dims_t cd = {1, g.co, 1, 1, 1};
    dnnl_memory_desc_init_by_tag(&chan, s.nd, cd, dnnl_f32, s.nd == 4 ? dnnl_abcd : dnnl_abcde);
    dnnl_post_ops_t po = NULL;
    dnnl_convolution_desc_t fd;
    size_t bytes[DN_NREGIONS] = {0};
    dnnl_status_t st = dnnl_post_ops_create(&po);
    if (st == dnnl_success)
        st = dnnl_post_ops_append_binary(po, dnnl_binary_mul, &chan);
    if (st == dnnl_success)
        st = dnnl_post_ops_append_binary(po, dnnl_binary_add, &chan);
    if (st == dnnl_success)
        st = act == MEMAE_ACT_TANH
                 ? dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_tanh, 0.0f, 0.0f)
                 : dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, MEMAE_LEAKY_SLOPE,
                                                0.0f);
    if (st == dnnl_success)
        st =
            dnnl_convolution_forward_desc_init(&fd, dnnl_forward_inference, dnnl_convolution_direct,
                                               &src, &wei, &s.bias, &dst, s.str, s.pl, s.pr);
    if (st == dnnl_success)
        st = op_make(c, &f->op, OP_FWD, &fd, NULL, &s, po, bytes, NULL);
    if (st == dnnl_success)
        st = dn_memory(c, &chan, &f->scale);
    if (st == dnnl_success)
        st = dn_memory(c, &chan, &f->shift);
    if (st == dnnl_success && dn_reserve(c, bytes))
        st = dnnl_out_of_memory;
    dnnl_post_ops_destroy(po);
    return st;
}

static dn_entry *fused_entry(dn_ctx *c, const memae_conv_geom *g, int act, int nthr)
{
    int64_t key[DN_KEYLEN];
    key_of(g, nthr, key);
    key[0] = DN_CONV_FUSED, key[22] = act;
    return dn_get(c, key, nthr, fused_new, fused_free);
}

void dn_conv_forward_affine_act(const memae_kernels *be, const memae_conv_geom *g, const float *x,
                                const float *w, const float *b, const float *scale,
                                const float *shift, int act, float *y, float *scratch, int threads)
{
    int nthr = conv_threads(g, threads);
    dn_entry *e = fused_entry(be->ctx, g, act, nthr);
    if (e && e->ok) {
        dn_fused *f = e->impl;
        dn_bind(f->scale, scale);
        dn_bind(f->shift, shift);
        dnnl_exec_arg_t extra[2] = {{DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, f->scale},
                                    {DNNL_ARG_ATTR_MULTIPLE_POST_OP(1) | DNNL_ARG_SRC_1, f->shift}};
        int old = dn_threads_enter(nthr);
        dnnl_status_t st = op_run(be->ctx, &f->op, (const void *[3]){x, w, y}, b, extra, 2);
        dn_threads_leave(old);
        if (st == dnnl_success)
            return;
        e->ok = 0; /* unexpected arguments: the unfused kernels from now on */
    }
    /* Not fused (oneDNN refused the post-ops): the conv, then one pass. */
    dn_conv_forward(be, g, x, w, b, y, scratch, threads);
    size_t s = (size_t)g->out[0] * g->out[1] * g->out[2];
    mae_ref_affine_act(be, g->n, g->co, s, g->dst_blocked ? MEMAE_CBLK : 1, scale, shift, act, y, y,
                       threads);
}
