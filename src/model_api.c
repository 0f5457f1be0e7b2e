/* The public model handle: creation, queries, training steps and scoring. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "nn/loss.h"
#include "nn/model.h"
#include "recipe.h"

const char *memae_version(void)
{
    return MEMAE_VERSION_STRING;
}

void memae_free(void *p)
{
    free(p);
}

const char *memae_errmsg(const memae_model *m)
{
    return m ? m->err.msg : "out of memory (no model handle)";
}

static void default_meta(memae_model *m)
{
    /* How uint8 data maps to the model's input space (docs/presets.md: images in [0, 1],
     * video in [-1, 1]); tabular data is scaled by statistics fitted later. */
    const char *norm = "{\"kind\":\"identity\"}";
    if (!strcmp(m->cfg.preset, "image2d"))
        norm = "{\"kind\":\"affine\",\"uint8_scale\":0.00392156862745098,\"uint8_offset\":0}";
    else if (!strcmp(m->cfg.preset, "video3d"))
        norm = "{\"kind\":\"affine\",\"uint8_scale\":0.00784313725490196,\"uint8_offset\":-1}";
    memae_model_set_meta(m, "memae_normalization", norm);
}

int memae_model_create(const char *config_json, uint64_t seed, memae_model **out)
{
    memae_config cfg;
    memae_err err = {0};
    *out = NULL;
    int st = mae_config_parse(config_json, &cfg, &err);
    if (st) {
        *out = mae_model_failed(&err);
        return st;
    }
    if ((st = mae_model_build(&cfg, out)))
        return st;
    mae_model_init_params(*out, seed);
    default_meta(*out);
    mae_model_default_backend(*out);
    return MEMAE_OK;
}

void memae_model_free(memae_model *m)
{
    if (!m)
        return;
    mae_aligned_free(m->params);
    mae_aligned_free(m->grads);
    mae_aligned_free(m->adam_m);
    mae_aligned_free(m->adam_v);
    mae_aligned_free(m->buffers);
    mae_aligned_free(m->arena);
    free(m->pixel_weight);
    mae_model_release_backend(m);
    for (int i = 0; i < m->nmeta; i++) {
        free(m->meta[i].key);
        free(m->meta[i].value);
    }
    free(m);
}

/* A recipe that turns images needs square ones; clips it plays backwards. */
static int check_recipe(memae_model *m, const memae_recipe *r)
{
    const memae_config *c = &m->cfg;
    if (r->turns > 1 && c->in_ndim != 4 &&
        (c->in_ndim < 3 || c->input[c->in_ndim - 1] != c->input[c->in_ndim - 2]))
        return mae_seterr(&m->err, MEMAE_E_CONFIG,
                            "the recipe '%s' turns images by 90 degrees and needs square "
                            "images (H == W)", mae_recipe_name(r));
    return MEMAE_OK;
}

int memae_model_set_meta(memae_model *m, const char *key, const char *value)
{
    if (!key || !value || !strcmp(key, "memae_config") || !strcmp(key, "__metadata__"))
        return mae_seterr(&m->err, MEMAE_E_ARG, "metadata key '%s' is reserved or empty",
                            key ? key : "(null)");
    memae_recipe rc = m->recipe;
    if (!strcmp(key, "memae_recipe")) {
        int st = mae_recipe_parse(value, m->cfg.in_ndim == 4, &rc, &m->err);
        if (!st)
            st = check_recipe(m, &rc);
        if (st)
            return st;
        if (rc.kind != m->recipe.kind || rc.turns != m->recipe.turns) {
            free(m->pixel_weight); /* another recipe's weights: never read past them */
            m->pixel_weight = NULL;
        }
    }
    char *v = strdup(value);
    if (!v)
        return mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
    for (int i = 0; i < m->nmeta; i++)
        if (!strcmp(m->meta[i].key, key)) {
            free(m->meta[i].value);
            m->meta[i].value = v;
            m->recipe = rc;
            return MEMAE_OK;
        }
    char *k = strdup(key);
    if (!k || m->nmeta == MEMAE_MAX_META) {
        free(k);
        free(v);
        return mae_seterr(&m->err, MEMAE_E_NOMEM, "too many metadata entries");
    }
    m->meta[m->nmeta].key = k;
    m->meta[m->nmeta++].value = v;
    m->recipe = rc;
    return MEMAE_OK;
}

const char *mae_model_resolve_recipe(const memae_model *m, const char *name)
{
    const memae_config *c = &m->cfg;
    if (!name || strcmp(name, "default"))
        return name;
    return mae_recipe_default(c->in_ndim, c->in_ndim >= 2 ? c->input[c->in_ndim - 2] : 0,
                                c->input[c->in_ndim - 1]);
}

int memae_model_set_recipe(memae_model *m, const char *name)
{
    name = mae_model_resolve_recipe(m, name);
    memae_recipe r;
    int st = mae_recipe_named(name, m->cfg.in_ndim == 4, &r, &m->err);
    if (st)
        return st;
    /* A paper model carries no recipe entry, so its file is what it always was. */
    if (r.kind == MEMAE_RECIPE_PAPER && !memae_model_get_meta(m, "memae_recipe"))
        return check_recipe(m, &r);
    return mae_model_store_recipe(m, &r);
}

int mae_model_store_recipe(memae_model *m, const memae_recipe *r)
{
    char *json = mae_recipe_to_json(r);
    int st = json ? memae_model_set_meta(m, "memae_recipe", json)
                  : mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
    free(json);
    return st;
}

void mae_model_turn(const memae_model *m, const float *x, float *dst, int count, int k)
{
    const int64_t *in = m->cfg.input;
    if (m->cfg.in_ndim == 4) { /* C x D x H x W clips: k = 1 plays them backwards */
        if (k)
            mae_reverse_time(x, dst, (size_t)count * in[0], (int)in[1], (size_t)in[2] * in[3]);
        else
            memcpy(dst, x, memae_model_sample_size(m) * (size_t)count * sizeof *dst);
        return;
    }
    int n = (int)in[m->cfg.in_ndim - 1];
    mae_turn(x, dst, memae_model_sample_size(m) * (size_t)count / ((size_t)n * n), n, k);
}

const char *memae_model_recipe(const memae_model *m)
{
    return mae_recipe_name(&m->recipe);
}

const char *memae_model_get_meta(const memae_model *m, const char *key)
{
    for (int i = 0; i < m->nmeta; i++)
        if (!strcmp(m->meta[i].key, key))
            return m->meta[i].value;
    return NULL;
}

int memae_model_config(memae_model *m, char **json_out)
{
    *json_out = mae_config_to_json(&m->cfg);
    return *json_out ? MEMAE_OK : mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
}

size_t memae_model_num_params(const memae_model *m)
{
    return m->nparams;
}

int memae_model_input_shape(const memae_model *m, int64_t shape[4], int *ndim)
{
    *ndim = m->cfg.in_ndim;
    for (int i = 0; i < 4; i++)
        shape[i] = i < m->cfg.in_ndim ? m->cfg.input[i] : 0;
    return MEMAE_OK;
}

int memae_model_num_layers(const memae_model *m)
{
    return m->nlayers;
}

static int shape_of(const memae_shape *s, int64_t out[4])
{
    int n = 0;
    out[n++] = s->c;
    for (int i = 3 - s->sdim; i < 3; i++)
        out[n++] = s->sp[i];
    return n;
}

int memae_model_layer(const memae_model *m, int i, memae_layer_info *out)
{
    if (i < 0 || i >= m->nlayers)
        return MEMAE_E_ARG;
    const memae_layer *l = &m->layers[i];
    memset(out, 0, sizeof *out);
    out->name = l->prefix;
    out->op = mae_layer_ops_of(l->op)->name;
    out->ndim = shape_of(&l->in, out->in_shape);
    shape_of(&l->out, out->out_shape);
    out->params = l->nparams;
    return MEMAE_OK;
}

size_t memae_model_sample_size(const memae_model *m)
{
    return mae_shape_size(&m->layers[0].in);
}

int memae_model_set_threads(memae_model *m, int threads)
{
    if (threads < 0)
        return mae_seterr(&m->err, MEMAE_E_ARG, "threads must be >= 0 (0: all)");
    if (threads != m->threads)
        m->plan_batch = 0; /* the backend's primitives are made per team size: plan again */
    m->threads = threads;
    return MEMAE_OK;
}

int memae_model_backend(const memae_model *m)
{
    return m->backend;
}

void mae_model_default_backend(memae_model *m)
{
    if (memae_model_set_backend(m, MEMAE_BACKEND_DNNL) != MEMAE_OK)
        mae_clearerr(&m->err); /* stays on ref, as the CLI does */
}

int memae_model_set_backend(memae_model *m, int backend)
{
    if (backend == m->backend)
        return MEMAE_OK;
    memae_kernels *fresh = NULL;
    if (backend == MEMAE_BACKEND_DNNL) {
        int st = mae_backend_dnnl_create(&fresh, &m->err);
        if (st)
            return st;
    } else if (backend != MEMAE_BACKEND_REF) {
        return mae_seterr(&m->err, MEMAE_E_ARG, "unknown backend %d (ref 0, dnnl 1)", backend);
    }
    mae_model_release_backend(m);
    m->be = fresh ? fresh : mae_backend_ref();
    m->backend = backend;
    m->plan_batch = 0; /* scratch and primitives belong to the backend: plan again */
    return MEMAE_OK;
}

memae_train_opts memae_train_opts_default(void)
{
    memae_train_opts o = {.lr = 1e-3f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f};
    return o;
}

int64_t memae_model_steps(const memae_model *m)
{
    return m->step;
}

/* Inputs are checked once here so that a NaN in a file is named, not trained on. */
static int check_batch(memae_model *m, const float *x, int batch)
{
    if (!x || batch < 1)
        return mae_seterr(&m->err, MEMAE_E_ARG, "a batch needs at least one sample");
    size_t ss = memae_model_sample_size(m);
    for (size_t i = 0; i < ss * (size_t)batch; i++)
        if (!isfinite(x[i]))
            return mae_seterr(&m->err, MEMAE_E_NUMERIC,
                                "input sample %zu of the batch has a non-finite value at "
                                "element %zu", i / ss, i % ss);
    return mae_model_plan(m, batch);
}

static int threads_of(const memae_model *m)
{
    return m->threads > 0 ? m->threads : omp_get_max_threads();
}

static void fill_stats(const memae_model *m, double mse, memae_stats *stats)
{
    if (!stats)
        return;
    memset(stats, 0, sizeof *stats);
    stats->mse = mse;
    if (m->mem_layer >= 0) {
        const memae_layer *l = &m->layers[m->mem_layer];
        stats->entropy = l->mem.entropy;
        stats->zero_queries = l->mem.zero_queries;
        stats->queries = l->mem.queries;
    }
    stats->loss = mse + m->cfg.entropy_weight * stats->entropy;
}

int memae_model_train_step(memae_model *m, const float *x, int batch,
                           const memae_train_opts *opts, memae_stats *stats)
{
    return mae_model_train_step_to(m, x, x, batch, opts, stats);
}

int mae_model_train_step_to(memae_model *m, const float *x, const float *target, int batch,
                              const memae_train_opts *opts, memae_stats *stats)
{
    memae_train_opts o = opts ? *opts : memae_train_opts_default();
    int st = check_batch(m, x, batch);
    if (st)
        return st;
    if (batch < mae_model_min_batch(m))
        return mae_seterr(&m->err, MEMAE_E_ARG,
                            "batch norm needs at least 2 samples in a training batch here (a "
                            "layer sees one value per channel and sample)");
    int nt = threads_of(m);
    size_t n = memae_model_sample_size(m) * (size_t)batch;
    const float *recon = mae_model_forward(m, x, batch, 1);
    double mse = mae_mse(recon, target, n, m->grad_buf[0], nt);
    memae_stats s;
    fill_stats(m, mse, &s);
    if (stats)
        *stats = s;
    if (!isfinite(s.loss))
        return mae_seterr(&m->err, MEMAE_E_NUMERIC,
                            "the loss is not finite at step %lld (lower the learning rate?)",
                            (long long)m->step + 1);
    mae_model_backward(m, batch);
    m->step++;
    mae_adam_step(m->params, m->grads, m->adam_m, m->adam_v, m->nparams, m->step, &o, nt);
    return MEMAE_OK;
}

int memae_model_reconstruct(memae_model *m, const float *x, int batch, float *recon,
                            memae_stats *stats)
{
    int st = check_batch(m, x, batch);
    if (st)
        return st;
    size_t n = memae_model_sample_size(m) * (size_t)batch;
    const float *r = mae_model_forward(m, x, batch, 0);
    if (recon)
        memcpy(recon, r, n * sizeof *r);
    if (stats)
        fill_stats(m, mae_mse(r, x, n, NULL, threads_of(m)), stats);
    return MEMAE_OK;
}

int mae_model_restore(memae_model *m, const float *x, int batch, int turn, float *turned,
                        const float **recon)
{
    int st = check_batch(m, x, batch);
    if (st)
        return st;
    const float *in = x;
    if (turn) {
        mae_model_turn(m, x, turned, batch, turn);
        in = turned;
    }
    *recon = mae_model_forward(m, in, batch, 0);
    return MEMAE_OK;
}

int mae_model_turn_errors(memae_model *m, const float *x, int batch, int kind, int turn,
                            float *turned, float *errors)
{
    const float *r;
    int st = mae_model_restore(m, x, batch, turn, turned, &r);
    if (st)
        return st;
    size_t ss = memae_model_sample_size(m);
    if (m->recipe.pixel && m->pixel_weight)
        mae_sample_errors_weighted(r, x, batch, ss, kind, m->pixel_weight + (size_t)turn * ss,
                                     errors, threads_of(m));
    else
        mae_sample_errors(r, x, batch, ss, kind, errors, threads_of(m));
    return MEMAE_OK;
}

/* The recipe's score: restoring each turn, each error over its training mean. */
static int turned_score(memae_model *m, const float *x, int batch, int kind, float *scores)
{
    const memae_recipe *rc = &m->recipe;
    if (rc->pixel && rc->calibrated && !m->pixel_weight)
        return mae_seterr(&m->err, MEMAE_E_ARG,
                            "the model's recipe '%s' has no per-element weights (train it)",
                            mae_recipe_name(rc));
    if (rc->calibrated && rc->score_kind != kind)
        return mae_seterr(&m->err, MEMAE_E_ARG,
                            "the model's recipe '%s' was calibrated on %s scores at training; "
                            "score with %s", mae_recipe_name(rc),
                            rc->score_kind == MEMAE_SCORE_MAE ? "mae" : "mse",
                            rc->score_kind == MEMAE_SCORE_MAE ? "mae" : "mse");
    float *turned = rc->turns > 1
                        ? malloc(memae_model_sample_size(m) * (size_t)batch * sizeof *turned)
                        : NULL;
    float *e = malloc((size_t)batch * sizeof *e);
    int st = (turned || rc->turns == 1) && e
                 ? MEMAE_OK
                 : mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
    for (int b = 0; b < batch; b++)
        scores[b] = 0;
    for (int k = 0; !st && k < rc->turns; k++) {
        st = mae_model_turn_errors(m, x, batch, kind, k, turned, e);
        double scale = rc->turn_scale[k] > 0 ? rc->turn_scale[k] : 1.0;
        for (int b = 0; !st && b < batch; b++)
            scores[b] += (float)(e[b] / scale / rc->turns);
    }
    free(turned);
    free(e);
    return st;
}

int mae_model_score_from(memae_model *m, const float *x, int batch, int kind, float *scores,
                           int64_t first)
{
    if (kind != MEMAE_SCORE_MSE && kind != MEMAE_SCORE_MAE)
        return mae_seterr(&m->err, MEMAE_E_ARG, "unknown score kind %d", kind);
    int st = m->recipe.turns > 1 || m->recipe.pixel
                 ? turned_score(m, x, batch, kind, scores)
                 : mae_model_turn_errors(m, x, batch, kind, 0, NULL, scores);
    /* Finite inputs and weights can still overflow: no NaN reaches a threshold. */
    for (int i = 0; !st && i < batch; i++)
        if (!isfinite(scores[i]))
            st = mae_seterr(&m->err, MEMAE_E_NUMERIC,
                              "sample %lld scores %s (the model's output overflowed)",
                              (long long)(first + i), isnan(scores[i]) ? "NaN" : "infinity");
    return st;
}

int memae_model_score(memae_model *m, const float *x, int batch, int kind, float *scores)
{
    return mae_model_score_from(m, x, batch, kind, scores, 0);
}

int memae_model_score_all(memae_model *m, const float *x, int64_t n, int kind, int batch,
                          float *scores)
{
    if (batch <= 0)
        batch = 256;
    size_t ss = memae_model_sample_size(m);
    for (int64_t i = 0; i < n; i += batch) {
        int b = n - i < batch ? (int)(n - i) : batch;
        int st = mae_model_score_from(m, x + (size_t)i * ss, b, kind, scores + i, i);
        if (st)
            return st;
    }
    return MEMAE_OK;
}
