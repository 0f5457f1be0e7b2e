#include "nn/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "core/alloc.h"

static memae_layer *push(memae_model *m, memae_op op, const char *part, int idx,
                         const memae_shape *in)
{
    memae_layer *l = &m->layers[m->nlayers++];
    memset(l, 0, sizeof *l);
    l->op = op;
    if (idx >= 0)
        snprintf(l->prefix, sizeof l->prefix, "%s.%d", part, idx);
    else
        snprintf(l->prefix, sizeof l->prefix, "%s", part);
    l->in = *in;
    return l;
}

/* A weight layer's outputs and, for a convolution, its kernel geometry. */
static void set_geometry(memae_layer *l, const memae_layer_cfg *c)
{
    l->out.c = c->out;
    if (l->op != MEMAE_OP_CONV && l->op != MEMAE_OP_CONVT)
        return;
    for (int i = 0; i < 3; i++) {
        l->conv.k[i] = c->k[i];
        l->conv.s[i] = c->s[i];
        l->conv.p[i] = c->p[i];
        l->conv.op_pad[i] = c->op[i] < 0 ? 0 : c->op[i];
    }
}

/* Smallest padding whose output_padding (< stride) makes a transposed conv
 * map size `in` to `target` exactly. */
static int resolve_auto(int in, int target, int k, int s, int *p, int *op)
{
    for (int pad = 0; pad <= k + s; pad++) {
        int64_t o = (int64_t)target - (((int64_t)in - 1) * s - 2 * pad + k);
        if (o >= 0 && o < s) {
            *p = pad;
            *op = (int)o;
            return 0;
        }
    }
    return -1;
}

/* Setup (shapes, parameter count) and offsets of the layer just pushed. */
static int finish(memae_model *m, memae_layer *l)
{
    const memae_layer_ops *ops = mae_layer_ops_of(l->op);
    char msg[256];
    if (ops->setup(l, msg, sizeof msg))
        return mae_seterr(&m->err, MEMAE_E_CONFIG, "config: %s", msg);
    double size = (double)l->out.c * l->out.sp[0] * l->out.sp[1] * l->out.sp[2];
    if (size > MEMAE_MAX_SAMPLE)
        return mae_seterr(&m->err, MEMAE_E_CONFIG,
                            "config: %s: %.0f values per sample, more than the limit %d",
                            l->prefix, size, MEMAE_MAX_SAMPLE);
    l->param_off = m->nparams;
    m->nparams += l->nparams;
    l->buffer_off = m->nbuffers;
    m->nbuffers += ops->nbuffers(l);
    return MEMAE_OK;
}

/* BN and activation after a weight layer, as the official nn.Sequential. */
static int add_norm_act(memae_model *m, const char *part, int *idx)
{
    memae_shape s = m->layers[m->nlayers - 1].out;
    int st;
    if (m->cfg.batch_norm && (st = finish(m, push(m, MEMAE_OP_BATCHNORM, part, (*idx)++, &s))))
        return st;
    memae_layer *a = push(m, MEMAE_OP_ACT, part, (*idx)++, &s);
    a->act.fn = m->cfg.act;
    return finish(m, a);
}

static int build_layers(memae_model *m)
{
    memae_config *c = &m->cfg;
    int conv = c->kind == MEMAE_KIND_CONV, st, idx = 0;
    memae_shape s = {.c = (int)c->input[0], .sp = {1, 1, 1}, .sdim = conv ? c->in_ndim - 1 : 0};
    for (int i = 1; i < c->in_ndim; i++)
        s.sp[3 - (c->in_ndim - 1) + i - 1] = (int)c->input[i];
    memae_shape enc_in[MEMAE_MAX_LAYERS];
    for (int i = 0; i < c->n_enc; i++) {
        enc_in[i] = s;
        memae_layer *l = push(m, conv ? MEMAE_OP_CONV : MEMAE_OP_LINEAR, "encoder", idx++, &s);
        set_geometry(l, &c->enc[i]);
        if ((st = finish(m, l)))
            return st;
        if ((i < c->n_enc - 1 || c->code_activation) && (st = add_norm_act(m, "encoder", &idx)))
            return st;
        s = m->layers[m->nlayers - 1].out;
    }
    m->mem_layer = -1;
    if (c->mem_enabled) {
        memae_layer *l = push(m, MEMAE_OP_MEMORY, "mem_rep.memory", -1, &s);
        l->mem.slots = c->slots;
        l->mem.shrink = c->shrink;
        l->mem.addressing = c->addressing;
        l->mem.query = c->query;
        m->mem_layer = m->nlayers - 1;
        if ((st = finish(m, l)))
            return st;
    }
    if (conv && c->n_dec != c->n_enc)
        return mae_seterr(&m->err, MEMAE_E_CONFIG,
                            "config: the decoder has %d layers and the encoder %d; a conv "
                            "model mirrors them",
                            c->n_dec, c->n_enc);
    idx = 0;
    for (int j = 0; j < c->n_dec; j++) {
        memae_layer_cfg *d = &c->dec[j];
        if (conv) {
            const memae_shape *t = &enc_in[c->n_enc - 1 - j];
            for (int a = 0; a < 3; a++) {
                if (d->p[a] != MEMAE_AUTO && d->op[a] != MEMAE_AUTO)
                    continue;
                if (resolve_auto(s.sp[a], t->sp[a], d->k[a], d->s[a], &d->p[a], &d->op[a]))
                    return mae_seterr(&m->err, MEMAE_E_CONFIG,
                                        "config: decoder[%d] cannot map size %d to %d with "
                                        "kernel %d and stride %d",
                                        j, s.sp[a], t->sp[a], d->k[a], d->s[a]);
            }
        }
        memae_layer *l = push(m, conv ? MEMAE_OP_CONVT : MEMAE_OP_LINEAR, "decoder", idx++, &s);
        set_geometry(l, d);
        if ((st = finish(m, l)))
            return st;
        if (j < c->n_dec - 1 && (st = add_norm_act(m, "decoder", &idx)))
            return st;
        s = m->layers[m->nlayers - 1].out;
    }
    for (int i = 0; i + 2 < m->nlayers; i++)
        if (mae_layer_ops_of(m->layers[i].op)->forward_affine_act &&
            m->layers[i + 1].op == MEMAE_OP_BATCHNORM && m->layers[i + 2].op == MEMAE_OP_ACT)
            m->layers[i].fused_act = m->layers[i + 2].act.fn + 1;
    const memae_shape *in = &m->layers[0].in;
    if (s.c != in->c || memcmp(s.sp, in->sp, sizeof s.sp))
        return mae_seterr(&m->err, MEMAE_E_CONFIG,
                            "config: the decoder's output %dx%dx%dx%d differs from the input "
                            "%dx%dx%dx%d",
                            s.c, s.sp[0], s.sp[1], s.sp[2], in->c, in->sp[0], in->sp[1], in->sp[2]);
    return MEMAE_OK;
}

int mae_model_layout(const memae_config *cfg, memae_model **out)
{
    memae_model *m = calloc(1, sizeof *m);
    *out = m;
    if (!m)
        return MEMAE_E_NOMEM;
    m->cfg = *cfg;
    m->be = mae_backend_ref();
    m->backend = MEMAE_BACKEND_REF;
    m->recipe.turns = 1;
    int st = build_layers(m);
    if (st)
        return st;
    for (int i = 0; i < m->nlayers; i++)
        m->ntensors += mae_layer_tensors(&m->layers[i], i, m->tensors + m->ntensors);
    return MEMAE_OK;
}

int mae_model_alloc(memae_model *m)
{
    /* Parameters, gradients and two Adam moments, then the running statistics. */
    double bytes = (4.0 * (double)m->nparams + (double)m->nbuffers) * sizeof(float);
    double avail = mae_memory_limit();
    if (bytes > avail)
        return mae_seterr(&m->err, MEMAE_E_NOMEM,
                            "the model's %zu parameters need %.0f MiB, more than the %.0f MiB "
                            "of memory",
                            m->nparams, bytes / 1048576, avail / 1048576);
    m->params = mae_falloc(m->nparams);
    m->grads = mae_falloc(m->nparams);
    m->adam_m = mae_falloc(m->nparams);
    m->adam_v = mae_falloc(m->nparams);
    m->buffers = mae_falloc(m->nbuffers ? m->nbuffers : 1);
    if (!m->params || !m->grads || !m->adam_m || !m->adam_v || !m->buffers)
        return mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory for %zu parameters", m->nparams);
    return MEMAE_OK;
}

int mae_model_build(const memae_config *cfg, memae_model **out)
{
    int st = mae_model_layout(cfg, out);
    return st ? st : mae_model_alloc(*out);
}

int mae_model_min_batch(const memae_model *m)
{
    for (int i = 0; i < m->nlayers; i++)
        if (m->layers[i].op == MEMAE_OP_BATCHNORM &&
            mae_shape_size(&m->layers[i].in) == (size_t)m->layers[i].in.c)
            return 2;
    return 1;
}

void mae_model_release_backend(memae_model *m)
{
    if (m->be && m->be->destroy)
        m->be->destroy((memae_kernels *)m->be);
    m->be = mae_backend_ref();
}

memae_model *mae_model_failed(const memae_err *err)
{
    memae_model *m = calloc(1, sizeof *m);
    if (m)
        m->err = *err;
    return m;
}

void mae_model_init_params(memae_model *m, uint64_t seed)
{
    memae_rng r;
    mae_rng_seed(&r, seed);
    for (int i = 0; i < m->nlayers; i++)
        mae_layer_ops_of(m->layers[i].op)->init(&m->layers[i], m->params, m->buffers, &r);
}

static int is_conv(const memae_layer *l)
{
    return l->op == MEMAE_OP_CONV || l->op == MEMAE_OP_CONVT;
}

/* Channel-blocked feature maps (see backend.h) where the backend takes them:
 * a conv's output is blocked when its channels fill whole blocks and what
 * reads it, past batch norm and activation, is another conv.  So the input,
 * the output and the memory module's code stay plain, and oneDNN reorders
 * only there. */
static void assign_layouts(memae_model *m)
{
    int blocked = 0;
    for (int i = 0; i < m->nlayers; i++) {
        memae_layer *l = &m->layers[i];
        l->in.blocked = blocked;
        if (is_conv(l)) {
            int j = i + 1;
            while (j < m->nlayers &&
                   (m->layers[j].op == MEMAE_OP_BATCHNORM || m->layers[j].op == MEMAE_OP_ACT))
                j++;
            blocked = m->be->blocked && l->out.c % MEMAE_CBLK == 0 && j < m->nlayers &&
                      is_conv(&m->layers[j]);
        } else if (l->op != MEMAE_OP_BATCHNORM && l->op != MEMAE_OP_ACT) {
            blocked = 0;
        }
        l->out.blocked = blocked;
    }
}

int mae_model_plan(memae_model *m, int batch)
{
    /* A plan for B samples serves any smaller batch (a last partial batch). */
    if (batch <= m->plan_batch)
        return MEMAE_OK;
    mae_aligned_free(m->arena);
    m->arena = NULL;
    m->plan_batch = 0;
    assign_layouts(m);
    /* Sizes in floats, each rounded to a cache line so every tensor is aligned. */
    size_t total = 0, maxact = mae_shape_size(&m->layers[0].in);
    size_t acts[MEMAE_MAX_MODEL_LAYERS], ws[MEMAE_MAX_MODEL_LAYERS];
    /* Backends make their primitives for the team size a step will use
     * (JIT kernels bake it in), which they read from OpenMP. */
    int team = omp_get_max_threads();
    if (m->threads > 0)
        omp_set_num_threads(m->threads);
    for (int i = 0; i < m->nlayers; i++) {
        const memae_layer *l = &m->layers[i];
        const memae_layer_ops *ops = mae_layer_ops_of(l->op);
        size_t o = mae_shape_size(&l->out);
        maxact = o > maxact ? o : maxact;
        acts[i] = ops->inplace ? 0 : (o * batch + 15) / 16 * 16;
        ws[i] = (ops->workspace(l, m->be, batch) + 15) / 16 * 16;
        total += acts[i] + ws[i];
    }
    omp_set_num_threads(team);
    size_t gsz = (maxact * batch + 15) / 16 * 16;
    total += 2 * gsz;
    if ((double)total * sizeof(float) > mae_memory_limit())
        return mae_seterr(&m->err, MEMAE_E_NOMEM,
                            "a batch of %d needs %.0f MiB, more than the %.0f MiB of memory "
                            "(a smaller --batch?)",
                            batch, (double)total * sizeof(float) / 1048576,
                            mae_memory_limit() / 1048576);
    m->arena = mae_falloc(total);
    if (!m->arena)
        return mae_seterr(&m->err, MEMAE_E_NOMEM,
                            "out of memory planning a batch of %d (%zu MiB)", batch,
                            total * sizeof(float) >> 20);
    float *p = m->arena;
    for (int i = 0; i < m->nlayers; i++) {
        m->layers[i].ws = ws[i] ? p : NULL;
        p += ws[i];
        if (acts[i]) {
            m->act[i + 1] = p;
            p += acts[i];
        } else {
            m->act[i + 1] = NULL; /* in place: set to act[i] at run time */
        }
    }
    m->grad_buf[0] = p;
    m->grad_buf[1] = p + gsz;
    m->plan_batch = batch;
    return MEMAE_OK;
}

static memae_run run_of(const memae_model *m, int batch, int train)
{
    memae_run r = {
        .be = m->be,
        .threads = m->threads > 0 ? m->threads : 0,
        .batch = batch,
        .train = train,
        .params = m->params,
        .grads = m->grads,
        .buffers = m->buffers,
        .entropy_weight = m->cfg.entropy_weight,
    };
    if (r.threads == 0) {
        r.threads = omp_get_max_threads();
    }
    return r;
}

/* Inference runs a conv, its batch norm and its activation as one (see
 * conv.c), into the batch norm's output; the activation is in place. */
static int fuses(const memae_model *m, int i, int train)
{
    return !train && m->layers[i].fused_act;
}

const float *mae_model_forward(memae_model *m, const float *x, int batch, int train)
{
    memae_run run = run_of(m, batch, train);
    m->act[0] = (float *)x; /* the first layer is never in place, so x is only read */
    for (int i = 0; i < m->nlayers; i++) {
        memae_layer *l = &m->layers[i];
        const memae_layer_ops *ops = mae_layer_ops_of(l->op);
        if (fuses(m, i, train)) {
            float *scale = mae_bn_fold(&m->layers[i + 1], &run);
            float *y = m->act[i + 2];
            ops->forward_affine_act(l, &run, m->act[i], y, scale, scale + l->out.c,
                                    m->layers[i + 2].act.fn);
            m->act[i + 3] = y;
            i += 2;
            continue;
        }
        float *y = ops->inplace ? m->act[i] : m->act[i + 1];
        m->act[i + 1] = y;
        ops->forward(l, &run, m->act[i], y);
    }
    return m->act[m->nlayers];
}

void mae_model_backward(memae_model *m, int batch)
{
    memae_run run = run_of(m, batch, 1);
    int cur = 0;
    for (int i = m->nlayers - 1; i >= 0; i--) {
        memae_layer *l = &m->layers[i];
        const memae_layer_ops *ops = mae_layer_ops_of(l->op);
        float *dy = m->grad_buf[cur];
        float *dx = ops->inplace ? dy : m->grad_buf[1 - cur];
        ops->backward(l, &run, m->act[i], m->act[i + 1], dy, i == 0 ? NULL : dx);
        if (!ops->inplace)
            cur = 1 - cur;
    }
}

const memae_tensor_desc *mae_model_find_tensor(const memae_model *m, const char *name)
{
    for (int i = 0; i < m->ntensors; i++)
        if (!strcmp(m->tensors[i].name, name))
            return &m->tensors[i];
    return NULL;
}
