/*
 * Model files: the model's tensors under the official PyTorch names, so a
 * state_dict saved as safetensors loads as it is, and __metadata__ holding
 * the resolved configuration ("memae_config") and free-form entries such as
 * the input normalisation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/arrays.h"
#include "data/model_file.h"
#include "data/tables.h"
#include "io/formats/safetensors.h"

static int64_t *counter_of(memae_model *m, const memae_tensor_desc *d)
{
    return mae_layer_counter(&m->layers[d->layer], d);
}

#define PIXEL_WEIGHT "memae_recipe.pixel_weight"

/* The model's free-form metadata after meta[0..n), less the entry named skip
 * (which the caller writes itself); returns the new count. */
static int add_meta(const memae_model *m, memae_st_meta *meta, int n, const char *skip)
{
    for (int i = 0; i < m->nmeta; i++)
        if (strcmp(m->meta[i].key, skip))
            meta[n++] = (memae_st_meta){m->meta[i].key, m->meta[i].value};
    return n;
}

int memae_model_save(memae_model *m, const char *path)
{
    memae_st_tensor t[MEMAE_MAX_TENSORS + 1];
    int64_t pshape[2] = {m->recipe.turns, (int64_t)memae_model_sample_size(m)};
    memae_st_meta meta[MEMAE_MAX_META + 2];
    char *cfg = mae_config_to_json(&m->cfg);
    if (!cfg)
        return mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
    for (int i = 0; i < m->ntensors; i++) {
        const memae_tensor_desc *d = &m->tensors[i];
        t[i].name = d->name;
        t[i].ndim = d->ndim;
        t[i].shape = d->shape;
        if (d->kind == MEMAE_T_COUNTER) {
            t[i].dtype = "I64";
            t[i].data = counter_of(m, d);
        } else {
            t[i].dtype = "F32";
            t[i].data = (d->kind == MEMAE_T_PARAM ? m->params : m->buffers) + d->off;
        }
    }
    int nt = m->ntensors;
    if (m->recipe.pixel && m->pixel_weight)
        t[nt++] = (memae_st_tensor){PIXEL_WEIGHT, "F32", 2, pshape, m->pixel_weight};
    int nmeta = 0;
    meta[nmeta++] = (memae_st_meta){"memae_config", cfg};
    meta[nmeta++] = (memae_st_meta){"memae_version", MEMAE_VERSION_STRING};
    nmeta = add_meta(m, meta, nmeta, "memae_version");
    int st = mae_st_write(path, t, nt, meta, nmeta, &m->err);
    free(cfg);
    return st;
}

static void shape_str(const int64_t *s, int n, char *buf, size_t len)
{
    size_t o = (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < n && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%lld", i ? "," : "", (long long)s[i]);
    if (o < len)
        snprintf(buf + o, len - o, "]");
}

/* The file's tensor for d (NULL with m->err set when it is missing or of
 * another dtype or shape; NULL without error for an absent counter). */
static const memae_st_entry *match(memae_model *m, const memae_st_file *f,
                                   const memae_tensor_desc *d, const char *prefix, int *st)
{
    char name[128];
    snprintf(name, sizeof name, "%s%s", prefix ? prefix : "", d->name);
    const memae_st_entry *e = mae_st_find(f, name);
    *st = MEMAE_OK;
    if (!e) {
        if (d->kind != MEMAE_T_COUNTER) /* older PyTorch state_dicts have no num_batches_tracked */
            *st = mae_seterr(&m->err, MEMAE_E_NAME, "%s: missing tensor '%s'", f->path, name);
        return NULL;
    }
    const char *want = d->kind == MEMAE_T_COUNTER ? "I64" : "F32";
    if (strcmp(e->dtype, want)) {
        *st = mae_seterr(&m->err, MEMAE_E_DTYPE, "%s: tensor '%s' is %s, expected %s", f->path,
                           name, e->dtype, want);
        return NULL;
    }
    if (e->ndim != d->ndim || memcmp(e->shape, d->shape, sizeof(int64_t) * d->ndim)) {
        char got[96], exp[96];
        shape_str(e->shape, e->ndim, got, sizeof got);
        shape_str(d->shape, d->ndim, exp, sizeof exp);
        *st = mae_seterr(&m->err, MEMAE_E_SHAPE, "%s: tensor '%s' has shape %s, expected %s",
                           f->path, name, got, exp);
        return NULL;
    }
    if (d->kind != MEMAE_T_COUNTER) {
        const float *v = e->data;
        for (size_t i = 0; i < e->nbytes / sizeof(float); i++) {
            float x;
            memcpy(&x, v + i, sizeof x);
            if (!isfinite(x)) {
                *st = mae_seterr(&m->err, MEMAE_E_NUMERIC,
                                   "%s: tensor '%s' holds %s at element %zu", f->path, name,
                                   isnan(x) ? "NaN" : "an infinite value", i);
                return NULL;
            }
        }
    }
    return e;
}

int mae_model_check_tensors(memae_model *m, const memae_st_file *f, int allow_extra,
                              const char *prefix)
{
    int st = MEMAE_OK;
    for (int i = 0; i < m->ntensors && !st; i++)
        match(m, f, &m->tensors[i], prefix, &st);
    if (st || allow_extra)
        return st;
    size_t plen = prefix ? strlen(prefix) : 0;
    for (int i = 0; i < f->n; i++) {
        const char *name = f->entries[i].name;
        if ((plen && strncmp(name, prefix, plen)) || !strcmp(name, PIXEL_WEIGHT))
            continue; /* the recipe's tensor is read with the recipe */
        if (!mae_model_find_tensor(m, name + plen))
            return mae_seterr(&m->err, MEMAE_E_NAME,
                                "%s: unexpected tensor '%s' (not part of this model)", f->path,
                                name);
    }
    return MEMAE_OK;
}

int mae_model_read_tensors(memae_model *m, const memae_st_file *f, int allow_extra,
                             const char *prefix)
{
    int st = mae_model_check_tensors(m, f, allow_extra, prefix);
    for (int i = 0; i < m->ntensors && !st; i++) {
        const memae_tensor_desc *d = &m->tensors[i];
        const memae_st_entry *e = match(m, f, d, prefix, &st);
        if (!e)
            continue;
        if (d->kind == MEMAE_T_COUNTER)
            memcpy(counter_of(m, d), e->data, sizeof(int64_t));
        else
            memcpy((d->kind == MEMAE_T_PARAM ? m->params : m->buffers) + d->off, e->data, e->nbytes);
    }
    return st;
}

/* A calibrated recipe with pixel weights needs its tensor; no other recipe has one. */
static int read_pixel_weight(memae_model *m, const memae_st_file *f)
{
    const memae_st_entry *e = mae_st_find(f, PIXEL_WEIGHT);
    int want = m->recipe.pixel && m->recipe.calibrated;
    size_t n = (size_t)m->recipe.turns * memae_model_sample_size(m);
    if (!want && e)
        return mae_seterr(&m->err, MEMAE_E_NAME,
                            "%s: unexpected tensor '%s' (the recipe '%s' has none)", f->path,
                            PIXEL_WEIGHT, mae_recipe_name(&m->recipe));
    if (!want)
        return MEMAE_OK;
    if (!e)
        return mae_seterr(&m->err, MEMAE_E_NAME, "%s: missing tensor '%s'", f->path,
                            PIXEL_WEIGHT);
    if (strcmp(e->dtype, "F32") || e->ndim != 2 || e->shape[0] != m->recipe.turns ||
        e->nbytes != n * sizeof(float))
        return mae_seterr(&m->err, MEMAE_E_SHAPE,
                            "%s: tensor '%s' must be F32 of shape [%d,%zu]", f->path,
                            PIXEL_WEIGHT, m->recipe.turns, memae_model_sample_size(m));
    if (!(m->pixel_weight = malloc(n * sizeof *m->pixel_weight)))
        return mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
    memcpy(m->pixel_weight, e->data, e->nbytes);
    for (size_t i = 0; i < n; i++)
        if (!(isfinite(m->pixel_weight[i]) && m->pixel_weight[i] > 0))
            return mae_seterr(&m->err, MEMAE_E_NUMERIC,
                                "%s: tensor '%s' holds a weight that is not a positive number",
                                f->path, PIXEL_WEIGHT);
    return MEMAE_OK;
}

/* The stored rules are read when data comes; check them now so a bad file
 * fails on load, naming the file. */
static int check_meta(memae_model *m, const char *path)
{
    float scale, offset;
    memae_encoding e;
    memae_err err = {0};
    int st = mae_model_uint8_rule(m, &scale, &offset, &err);
    if (!st && memae_model_get_meta(m, "memae_table")) {
        if (m->cfg.kind != MEMAE_KIND_MLP)
            st = mae_seterr(&err, MEMAE_E_FORMAT, "a memae_table on a conv model");
        else if (!(st = mae_model_encoding(m, &e, &err))) {
            if (e.width != (int64_t)memae_model_sample_size(m))
                st = mae_seterr(&err, MEMAE_E_FORMAT,
                                  "the memae_table encoding has %lld features, the model's "
                                  "input %zu",
                                  (long long)e.width, memae_model_sample_size(m));
            mae_encoding_free(&e);
        }
    }
    return st ? mae_seterr(&m->err, st, "%s: %s", path, err.msg) : MEMAE_OK;
}

int memae_model_load_with_config(const char *path, const char *config_json, memae_model **out)
{
    memae_st_file f;
    memae_err err = {0};
    *out = NULL;
    int st = mae_st_read(path, &f, &err);
    if (st) {
        *out = mae_model_failed(&err);
        return st;
    }
    const char *cfg_json = mae_st_meta_get(&f, "memae_config");
    if (!cfg_json)
        cfg_json = config_json;
    memae_config cfg;
    if (!cfg_json) {
        st = mae_seterr(&err, MEMAE_E_FORMAT,
                          "%s: no memae_config in the metadata; give the configuration "
                          "(--preset/--config) to load a plain PyTorch state_dict", path);
    } else if ((st = mae_config_parse(cfg_json, &cfg, &err))) {
        char msg[MEMAE_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", err.msg);
        mae_seterr(&err, st, "%s: %s", path, msg);
    }
    if (st) {
        *out = mae_model_failed(&err);
        mae_st_free(&f);
        return st;
    }
    /* The file's tensors must fit the configuration before buffers are made for it. */
    if (!(st = mae_model_layout(&cfg, out)) && !(st = mae_model_check_tensors(*out, &f, 0, NULL)) &&
        !(st = mae_model_alloc(*out)))
        st = mae_model_read_tensors(*out, &f, 0, NULL);
    for (int i = 0; !st && i < f.nmeta; i++)
        if (strcmp(f.meta[i].key, "memae_config") && strcmp(f.meta[i].key, "format"))
            st = memae_model_set_meta(*out, f.meta[i].key, f.meta[i].value);
    if (!st)
        st = read_pixel_weight(*out, &f);
    if (!st)
        st = check_meta(*out, path);
    mae_st_free(&f);
    if (!st)
        mae_model_default_backend(*out);
    return st;
}

int memae_model_load(const char *path, memae_model **out)
{
    return memae_model_load_with_config(path, NULL, out);
}

/* A checkpoint is a model file plus Adam's moments ("optimizer.exp_avg.<name>",
 * "optimizer.exp_avg_sq.<name>") and the training state in "memae_checkpoint". */
int memae_model_save_checkpoint(memae_model *m, const char *path, const char *train_json)
{
    memae_st_tensor t[3 * MEMAE_MAX_TENSORS];
    char names[2 * MEMAE_MAX_TENSORS][96];
    memae_st_meta meta[MEMAE_MAX_META + 3];
    char *cfg = mae_config_to_json(&m->cfg);
    char step[32];
    if (!cfg)
        return mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
    int n = 0, k = 0;
    for (int i = 0; i < m->ntensors; i++) {
        const memae_tensor_desc *d = &m->tensors[i];
        t[n++] = (memae_st_tensor){d->name, d->kind == MEMAE_T_COUNTER ? "I64" : "F32", d->ndim,
                                   d->shape,
                                   d->kind == MEMAE_T_COUNTER ? (const void *)counter_of(m, d)
                                   : (d->kind == MEMAE_T_PARAM ? m->params : m->buffers) + d->off};
        if (d->kind != MEMAE_T_PARAM)
            continue;
        snprintf(names[k], sizeof names[k], "optimizer.exp_avg.%s", d->name);
        t[n++] = (memae_st_tensor){names[k++], "F32", d->ndim, d->shape, m->adam_m + d->off};
        snprintf(names[k], sizeof names[k], "optimizer.exp_avg_sq.%s", d->name);
        t[n++] = (memae_st_tensor){names[k++], "F32", d->ndim, d->shape, m->adam_v + d->off};
    }
    snprintf(step, sizeof step, "%lld", (long long)m->step);
    int nmeta = 0;
    meta[nmeta++] = (memae_st_meta){"memae_config", cfg};
    meta[nmeta++] = (memae_st_meta){"memae_adam_step", step};
    meta[nmeta++] = (memae_st_meta){"memae_checkpoint", (char *)(train_json ? train_json : "{}")};
    nmeta = add_meta(m, meta, nmeta, "memae_checkpoint");
    int st = mae_st_write(path, t, n, meta, nmeta, &m->err);
    free(cfg);
    return st;
}

int memae_model_load_checkpoint(memae_model *m, const char *path, char **train_json)
{
    memae_st_file f;
    int st = mae_st_read(path, &f, &m->err);
    if (st)
        return st;
    char *cfg = mae_config_to_json(&m->cfg);
    const char *ccfg = mae_st_meta_get(&f, "memae_config");
    const char *step = mae_st_meta_get(&f, "memae_adam_step");
    const char *train = mae_st_meta_get(&f, "memae_checkpoint");
    if (!cfg)
        st = mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
    else if (!ccfg || !step || !train)
        st = mae_seterr(&m->err, MEMAE_E_FORMAT, "%s: not a memae checkpoint (no Adam state)",
                          path);
    else if (strcmp(ccfg, cfg))
        st = mae_seterr(&m->err, MEMAE_E_CONFIG,
                          "%s: the checkpoint is of another model configuration", path);
    if (!st)
        st = mae_model_read_tensors(m, &f, 1, NULL);
    for (int i = 0; !st && i < m->ntensors; i++) {
        const memae_tensor_desc *d = &m->tensors[i];
        if (d->kind != MEMAE_T_PARAM)
            continue;
        for (int which = 0; which < 2 && !st; which++) {
            char name[96];
            snprintf(name, sizeof name, "optimizer.%s.%s", which ? "exp_avg_sq" : "exp_avg",
                     d->name);
            const memae_st_entry *e = mae_st_find(&f, name);
            if (!e || strcmp(e->dtype, "F32") || e->nbytes != d->n * sizeof(float))
                st = mae_seterr(&m->err, MEMAE_E_NAME, "%s: missing or malformed tensor '%s'",
                                  path, name);
            else
                memcpy((which ? m->adam_v : m->adam_m) + d->off, e->data, e->nbytes);
        }
    }
    for (int i = 0; !st && i < f.nmeta; i++)
        if (!strncmp(f.meta[i].key, "memae_", 6) && strcmp(f.meta[i].key, "memae_config") &&
            strcmp(f.meta[i].key, "memae_adam_step") && strcmp(f.meta[i].key, "memae_checkpoint"))
            st = memae_model_set_meta(m, f.meta[i].key, f.meta[i].value);
    if (!st) {
        m->step = strtoll(step, NULL, 10);
        *train_json = strdup(train);
        if (!*train_json)
            st = mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
    }
    free(cfg);
    mae_st_free(&f);
    return st;
}
