/*
 * Configuration parsing: user JSON merged over the preset it names, checked
 * key by key (an unknown key is an error, so typos do not pass silently).
 */
#include "nn/config.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "core/json.h"
#include "nn/layer.h"
#include "nn/memory.h"

static int is_one_of(const char *key, const char *const *keys)
{
    for (; *keys; keys++)
        if (!strcmp(key, *keys))
            return 1;
    return 0;
}

static int check_keys(const cJSON *obj, const char *const *keys, const char *where,
                      memae_err *err)
{
    for (const cJSON *it = obj->child; it; it = it->next)
        if (!is_one_of(it->string, keys))
            return mae_seterr(err, MEMAE_E_CONFIG, "config: unknown key '%s' in %s",
                                it->string, where);
    return MEMAE_OK;
}

static int get_int(const cJSON *v, const char *what, int lo, int hi, int *out, memae_err *err)
{
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo ||
        v->valuedouble > hi)
        return mae_seterr(err, MEMAE_E_CONFIG, "config: %s must be an integer from %d to %d",
                            what, lo, hi);
    *out = (int)v->valuedouble;
    return MEMAE_OK;
}

static int get_bool(const cJSON *obj, const char *key, int *out, memae_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return MEMAE_OK;
    if (!cJSON_IsBool(v))
        return mae_seterr(err, MEMAE_E_CONFIG, "config: %s must be true or false", key);
    *out = cJSON_IsTrue(v);
    return MEMAE_OK;
}

/* An int or an array of sdim ints, stored in the last sdim of D, H, W;
 * "auto" gives MEMAE_AUTO where allowed. */
static int get_triple(const cJSON *v, const char *what, int sdim, int lo, int allow_auto,
                      int dflt, int out[3], memae_err *err)
{
    for (int i = 0; i < 3; i++)
        out[i] = i < 3 - sdim ? (lo > 0 ? 1 : 0) : dflt;
    if (!v)
        return MEMAE_OK;
    if (allow_auto && cJSON_IsString(v) && !strcmp(v->valuestring, "auto")) {
        for (int i = 3 - sdim; i < 3; i++)
            out[i] = MEMAE_AUTO;
        return MEMAE_OK;
    }
    if (cJSON_IsNumber(v)) {
        int x = 0;
        int st = get_int(v, what, lo, MEMAE_MAX_KERNEL, &x, err);
        for (int i = 3 - sdim; i < 3; i++)
            out[i] = x;
        return st;
    }
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != sdim)
        return mae_seterr(err, MEMAE_E_CONFIG,
                            "config: %s must be an integer or %d integers%s (the input has %d "
                            "spatial dimensions)", what, sdim, allow_auto ? " or \"auto\"" : "",
                            sdim);
    for (int i = 0; i < sdim; i++) {
        int st = get_int(cJSON_GetArrayItem(v, i), what, lo, MEMAE_MAX_KERNEL,
                         &out[3 - sdim + i], err);
        if (st)
            return st;
    }
    return MEMAE_OK;
}

static int parse_layers(const cJSON *arr, const char *name, const memae_config *cfg, int is_dec,
                        memae_layer_cfg *out, int *count, memae_err *err)
{
    static const char *const conv_keys[] = {"out", "kernel", "stride", "padding",
                                            "output_padding", NULL};
    static const char *const mlp_keys[] = {"out", NULL};
    int sdim = cfg->kind == MEMAE_KIND_CONV ? cfg->in_ndim - 1 : 0;
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
        cJSON_GetArraySize(arr) > MEMAE_MAX_LAYERS)
        return mae_seterr(err, MEMAE_E_CONFIG, "config: %s must be an array of 1 to %d layers",
                            name, MEMAE_MAX_LAYERS);
    *count = cJSON_GetArraySize(arr);
    for (int i = 0; i < *count; i++) {
        const cJSON *o = cJSON_GetArrayItem(arr, i);
        char what[64];
        snprintf(what, sizeof what, "%s[%d]", name, i);
        if (!cJSON_IsObject(o))
            return mae_seterr(err, MEMAE_E_CONFIG, "config: %s must be an object", what);
        int st = check_keys(o, cfg->kind == MEMAE_KIND_CONV ? conv_keys : mlp_keys, what, err);
        if (st)
            return st;
        memae_layer_cfg *l = &out[i];
        const cJSON *o_out = cJSON_GetObjectItemCaseSensitive(o, "out");
        if (o_out) {
            snprintf(what, sizeof what, "%s[%d].out", name, i);
            if ((st = get_int(o_out, what, 1, MEMAE_MAX_OUT, &l->out, err)))
                return st;
        } else if (is_dec && i == *count - 1) {
            l->out = (int)cfg->input[0]; /* the reconstruction has the input's channels */
        } else {
            return mae_seterr(err, MEMAE_E_CONFIG, "config: %s needs \"out\"", what);
        }
        snprintf(what, sizeof what, "%s[%d].kernel", name, i);
        if ((st = get_triple(cJSON_GetObjectItemCaseSensitive(o, "kernel"), what, sdim, 1, 0, 3,
                             l->k, err)))
            return st;
        snprintf(what, sizeof what, "%s[%d].stride", name, i);
        if ((st = get_triple(cJSON_GetObjectItemCaseSensitive(o, "stride"), what, sdim, 1, 0, 1,
                             l->s, err)))
            return st;
        snprintf(what, sizeof what, "%s[%d].padding", name, i);
        if ((st = get_triple(cJSON_GetObjectItemCaseSensitive(o, "padding"), what, sdim, 0, is_dec,
                             is_dec ? MEMAE_AUTO : 0, l->p, err)))
            return st;
        snprintf(what, sizeof what, "%s[%d].output_padding", name, i);
        const cJSON *opv = cJSON_GetObjectItemCaseSensitive(o, "output_padding");
        if (!is_dec && opv)
            return mae_seterr(err, MEMAE_E_CONFIG, "config: %s: only decoder layers have it",
                                what);
        if ((st = get_triple(opv, what, sdim, 0, 1, is_dec ? MEMAE_AUTO : 0, l->op, err)))
            return st;
        if (cfg->kind == MEMAE_KIND_MLP)
            for (int a = 0; a < 3; a++)
                l->k[a] = l->s[a] = 1, l->p[a] = l->op[a] = 0;
    }
    return MEMAE_OK;
}

static int parse_memory(const cJSON *m, memae_config *cfg, memae_err *err)
{
    static const char *const keys[] = {"enabled", "slots", "shrink_thres", "addressing", "query",
                                       NULL};
    if (!cJSON_IsObject(m))
        return mae_seterr(err, MEMAE_E_CONFIG, "config: memory must be an object");
    int st = check_keys(m, keys, "memory", err);
    if (st || (st = get_bool(m, "enabled", &cfg->mem_enabled, err)))
        return st;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "slots");
    if (v && (st = get_int(v, "memory.slots", 1, MEMAE_MAX_SLOTS, &cfg->slots, err)))
        return st;
    v = cJSON_GetObjectItemCaseSensitive(m, "shrink_thres");
    if (v) {
        if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble < 1))
            return mae_seterr(err, MEMAE_E_CONFIG,
                                "config: memory.shrink_thres must be a number in [0, 1)");
        cfg->shrink = (float)v->valuedouble;
    } else {
        cfg->shrink = 1.0f / (float)cfg->slots; /* the paper's 1/N */
    }
    v = cJSON_GetObjectItemCaseSensitive(m, "addressing");
    if (v) {
        if (cJSON_IsString(v) && !strcmp(v->valuestring, "dot"))
            cfg->addressing = MEMAE_ADDR_DOT;
        else if (cJSON_IsString(v) && !strcmp(v->valuestring, "cosine"))
            cfg->addressing = MEMAE_ADDR_COSINE;
        else
            return mae_seterr(err, MEMAE_E_CONFIG,
                                "config: memory.addressing must be \"dot\" or \"cosine\"");
    }
    v = cJSON_GetObjectItemCaseSensitive(m, "query");
    if (v) {
        if (cJSON_IsString(v) && !strcmp(v->valuestring, "position"))
            cfg->query = MEMAE_QUERY_POSITION;
        else if (cJSON_IsString(v) && !strcmp(v->valuestring, "flat"))
            cfg->query = MEMAE_QUERY_FLAT;
        else
            return mae_seterr(err, MEMAE_E_CONFIG,
                                "config: memory.query must be \"position\" or \"flat\"");
    }
    return MEMAE_OK;
}

static int parse_input_shape(const cJSON *v, memae_config *cfg, memae_err *err)
{
    int n = cJSON_IsArray(v) ? cJSON_GetArraySize(v) : 0;
    int want_conv = cfg->kind == MEMAE_KIND_CONV;
    if ((want_conv && n != 3 && n != 4) || (!want_conv && n != 1))
        return mae_seterr(err, MEMAE_E_CONFIG,
                            "config: input_shape must be %s", want_conv
                                ? "[C,H,W] or [C,T,H,W] for a conv model"
                                : "[D] for an mlp model");
    cfg->in_ndim = n;
    for (int i = 0; i < n; i++) {
        int x = 0;
        int st = get_int(cJSON_GetArrayItem(v, i), "input_shape entries", 1, MEMAE_MAX_INPUT,
                         &x, err);
        if (st)
            return st;
        cfg->input[i] = x;
    }
    return MEMAE_OK;
}

static int parse_merged(const cJSON *root, memae_config *cfg, memae_err *err)
{
    static const char *const keys[] = {"preset", "kind", "input_shape", "encoder", "decoder",
                                       "batch_norm", "activation", "code_activation", "memory",
                                       "entropy_weight", NULL};
    int st = check_keys(root, keys, "the configuration", err);
    if (st)
        return st;
    memset(cfg, 0, sizeof *cfg);
    const cJSON *preset = cJSON_GetObjectItemCaseSensitive(root, "preset");
    if (!cJSON_IsString(preset))
        return mae_seterr(err, MEMAE_E_CONFIG, "config: preset must be a string");
    snprintf(cfg->preset, sizeof cfg->preset, "%s", preset->valuestring);
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, "kind");
    if (cJSON_IsString(kind) && !strcmp(kind->valuestring, "conv"))
        cfg->kind = MEMAE_KIND_CONV;
    else if (cJSON_IsString(kind) && !strcmp(kind->valuestring, "mlp"))
        cfg->kind = MEMAE_KIND_MLP;
    else
        return mae_seterr(err, MEMAE_E_CONFIG, "config: kind must be \"conv\" or \"mlp\"");
    if ((st = parse_input_shape(cJSON_GetObjectItemCaseSensitive(root, "input_shape"), cfg, err)))
        return st;
    if ((st = parse_layers(cJSON_GetObjectItemCaseSensitive(root, "encoder"), "encoder", cfg, 0,
                           cfg->enc, &cfg->n_enc, err)) ||
        (st = parse_layers(cJSON_GetObjectItemCaseSensitive(root, "decoder"), "decoder", cfg, 1,
                           cfg->dec, &cfg->n_dec, err)))
        return st;
    if ((st = get_bool(root, "batch_norm", &cfg->batch_norm, err)) ||
        (st = get_bool(root, "code_activation", &cfg->code_activation, err)))
        return st;
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(root, "activation");
    if (cJSON_IsString(act) && !strcmp(act->valuestring, "leaky_relu"))
        cfg->act = MEMAE_ACT_LEAKY_RELU;
    else if (cJSON_IsString(act) && !strcmp(act->valuestring, "tanh"))
        cfg->act = MEMAE_ACT_TANH;
    else
        return mae_seterr(err, MEMAE_E_CONFIG,
                            "config: activation must be \"leaky_relu\" or \"tanh\"");
    cfg->mem_enabled = 1;
    cfg->slots = 100;
    if ((st = parse_memory(cJSON_GetObjectItemCaseSensitive(root, "memory"), cfg, err)))
        return st;
    const cJSON *ew = cJSON_GetObjectItemCaseSensitive(root, "entropy_weight");
    if (!cJSON_IsNumber(ew) || !(ew->valuedouble >= 0) || !isfinite(ew->valuedouble))
        return mae_seterr(err, MEMAE_E_CONFIG, "config: entropy_weight must be a number >= 0");
    cfg->entropy_weight = (float)ew->valuedouble;
    return MEMAE_OK;
}

/* The user's object over the preset's: "memory" merges key by key, the rest replace. */
static void merge(cJSON *base, const cJSON *over)
{
    for (const cJSON *it = over->child; it; it = it->next) {
        cJSON *old = cJSON_GetObjectItemCaseSensitive(base, it->string);
        if (old && cJSON_IsObject(old) && cJSON_IsObject(it) && !strcmp(it->string, "memory")) {
            merge(old, it);
            continue;
        }
        cJSON *copy = cJSON_Duplicate(it, 1);
        if (old)
            cJSON_ReplaceItemInObjectCaseSensitive(base, it->string, copy);
        else
            cJSON_AddItemToObject(base, it->string, copy);
    }
}

int mae_config_parse(const char *json, memae_config *cfg, memae_err *err)
{
    cJSON *user = json ? cJSON_Parse(json) : cJSON_CreateObject();
    if (!user)
        return mae_seterr(err, MEMAE_E_CONFIG, "config: not valid JSON near '%.20s'",
                            cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "");
    int st = MEMAE_OK;
    cJSON *base = NULL;
    if (!cJSON_IsObject(user)) {
        st = mae_seterr(err, MEMAE_E_CONFIG, "config: must be a JSON object");
        goto out;
    }
    const char *dup = mae_json_duplicate_key(user);
    if (dup) {
        st = *dup ? mae_seterr(err, MEMAE_E_CONFIG, "config: the key '%.64s' appears twice", dup)
                  : mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
        goto out;
    }
    const cJSON *preset = cJSON_GetObjectItemCaseSensitive(user, "preset");
    if (preset && !cJSON_IsString(preset)) {
        st = mae_seterr(err, MEMAE_E_CONFIG, "config: preset must be a string");
        goto out;
    }
    /* The preset's layers depend on the input shape (tabular widths), so build
     * it for the user's shape, then lay the user's keys over it. */
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(user, "input_shape");
    int64_t dims[4];
    int nd = 0;
    if (cJSON_IsArray(shape) && cJSON_GetArraySize(shape) <= 4)
        for (const cJSON *it = shape->child; it; it = it->next)
            dims[nd++] = cJSON_IsNumber(it) && fabs(it->valuedouble) < 1e18
                             ? (int64_t)it->valuedouble : 0;
    base = mae_preset_json(preset ? preset->valuestring : "image2d", nd ? dims : NULL, nd, err);
    if (!base) {
        st = err ? err->status : MEMAE_E_CONFIG;
        goto out;
    }
    merge(base, user);
    st = parse_merged(base, cfg, err);
out:
    cJSON_Delete(user);
    cJSON_Delete(base);
    return st;
}

/* A float as the shortest decimal that reads back as the same float. */
static double clean(float f)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.9g", f);
    for (int prec = 6; prec < 9; prec++) {
        char t[32];
        snprintf(t, sizeof t, "%.*g", prec, f);
        if ((float)strtod(t, NULL) == f) {
            memcpy(buf, t, sizeof t);
            break;
        }
    }
    return strtod(buf, NULL);
}

static cJSON *triple(const int v[3], int sdim)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 3 - sdim; i < 3; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
    return a;
}

static cJSON *layers_json(const memae_config *cfg, const memae_layer_cfg *ls, int n, int is_dec)
{
    int sdim = cfg->in_ndim - 1;
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "out", ls[i].out);
        if (cfg->kind == MEMAE_KIND_CONV) {
            cJSON_AddItemToObject(o, "kernel", triple(ls[i].k, sdim));
            cJSON_AddItemToObject(o, "stride", triple(ls[i].s, sdim));
            cJSON_AddItemToObject(o, "padding", triple(ls[i].p, sdim));
            if (is_dec)
                cJSON_AddItemToObject(o, "output_padding", triple(ls[i].op, sdim));
        }
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

char *mae_config_to_json(const memae_config *cfg)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "preset", cfg->preset);
    cJSON_AddStringToObject(r, "kind", cfg->kind == MEMAE_KIND_CONV ? "conv" : "mlp");
    cJSON *shape = cJSON_AddArrayToObject(r, "input_shape");
    for (int i = 0; i < cfg->in_ndim; i++)
        cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)cfg->input[i]));
    cJSON_AddItemToObject(r, "encoder", layers_json(cfg, cfg->enc, cfg->n_enc, 0));
    cJSON_AddItemToObject(r, "decoder", layers_json(cfg, cfg->dec, cfg->n_dec, 1));
    cJSON_AddBoolToObject(r, "batch_norm", cfg->batch_norm);
    cJSON_AddStringToObject(r, "activation", cfg->act == MEMAE_ACT_TANH ? "tanh" : "leaky_relu");
    cJSON_AddBoolToObject(r, "code_activation", cfg->code_activation);
    cJSON *m = cJSON_AddObjectToObject(r, "memory");
    cJSON_AddBoolToObject(m, "enabled", cfg->mem_enabled);
    cJSON_AddNumberToObject(m, "slots", cfg->slots);
    cJSON_AddNumberToObject(m, "shrink_thres", clean(cfg->shrink));
    cJSON_AddStringToObject(m, "addressing", cfg->addressing == MEMAE_ADDR_COSINE ? "cosine"
                                                                                  : "dot");
    cJSON_AddStringToObject(m, "query", cfg->query == MEMAE_QUERY_FLAT ? "flat" : "position");
    cJSON_AddNumberToObject(r, "entropy_weight", clean(cfg->entropy_weight));
    char *s = cJSON_PrintUnformatted(r);
    cJSON_Delete(r);
    return s;
}
