/*
 * Samples and labels for a model from files: the format is chosen by what
 * the path is (a folder of images, a .npy, else an IDX file), the shape is
 * checked against the model, and uint8 data is mapped into the model's
 * input space by the rule stored with the model.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/formats/array.h"
#include "io/media/images.h"
#include "data/arrays.h"
#include "data/tables.h"
#include "nn/model.h"

int mae_array_load(const char *path, int channels, int h, int w, memae_array *a, memae_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return mae_seterr(err, MEMAE_E_IO, "%s: no such file or folder", path);
    if (S_ISDIR(st.st_mode)) {
        if (channels <= 0)
            return mae_seterr(err, MEMAE_E_SHAPE, "%s: a folder of images needs an image model",
                              path);
        return mae_images_read_dir(path, channels, h, w, a, err);
    }
    if (mae_path_ends_with(path, ".npy") || mae_path_ends_with(path, ".npy.gz"))
        return mae_npy_read(path, a, err);
    return mae_idx_read(path, a, err);
}

/* uint8 -> float by the model's "memae_normalization": {"kind":"identity"} or
 * {"kind":"affine","uint8_scale":s,"uint8_offset":o} (finite numbers); no entry
 * is the identity, anything else is an error. */
int mae_model_uint8_rule(const memae_model *m, float *scale, float *offset, memae_err *err)
{
    *scale = 1.0f;
    *offset = 0.0f;
    const char *rule = memae_model_get_meta(m, "memae_normalization");
    if (!rule)
        return MEMAE_OK;
    cJSON *j = cJSON_Parse(rule);
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "kind"),
                *s = cJSON_GetObjectItemCaseSensitive(j, "uint8_scale"),
                *o = cJSON_GetObjectItemCaseSensitive(j, "uint8_offset");
    int nkeys = cJSON_GetArraySize(j), ok = 0;
    if (cJSON_IsObject(j) && cJSON_IsString(kind) && !strcmp(kind->valuestring, "identity"))
        ok = nkeys == 1;
    else if (cJSON_IsObject(j) && cJSON_IsString(kind) && !strcmp(kind->valuestring, "affine"))
        ok = nkeys == 3 && cJSON_IsNumber(s) && cJSON_IsNumber(o) &&
             isfinite((float)s->valuedouble) && isfinite((float)o->valuedouble);
    if (ok && s) {
        *scale = (float)s->valuedouble;
        *offset = (float)o->valuedouble;
    }
    cJSON_Delete(j);
    return ok ? MEMAE_OK
              : mae_seterr(err, MEMAE_E_FORMAT,
                           "the model's memae_normalization '%.60s' is not "
                           "{\"kind\":\"identity\"} or an affine rule with finite "
                           "uint8_scale and uint8_offset",
                           rule);
}

/* (N, sample...) or, for one channel, (N, sample without the channel). */
static int check_shape(const memae_model *m, const char *path, const memae_array *a, memae_err *err)
{
    const memae_config *c = &m->cfg;
    int nd = c->in_ndim;
    int with_c = a->ndim == nd + 1, without_c = c->input[0] == 1 && nd > 1 && a->ndim == nd;
    int ok = with_c || without_c;
    for (int i = 0; ok && i < (with_c ? nd : nd - 1); i++)
        ok = a->shape[1 + i] == c->input[with_c ? i : i + 1];
    if (ok)
        return MEMAE_OK;
    char got[96], want[96];
    mae_shape_str(a, got, sizeof got);
    size_t o = (size_t)snprintf(want, sizeof want, "(N");
    for (int i = 0; i < nd && o < sizeof want; i++)
        o += (size_t)snprintf(want + o, sizeof want - o, ", %lld", (long long)c->input[i]);
    snprintf(want + o, sizeof want - o, ")");
    return mae_seterr(err, MEMAE_E_SHAPE, "%s: array of shape %s does not fit the model's %s", path,
                      got, want);
}

int memae_data_load(memae_model *m, const char *path, float **x, int64_t *n)
{
    memae_array a = {0};
    *x = NULL;
    *n = 0;
    if (m->cfg.kind == MEMAE_KIND_MLP && mae_is_table_path(path)) {
        uint8_t *labels = NULL;
        int st = mae_table_load(m, path, NULL, x, n, &labels);
        free(labels);
        return st;
    }
    int img = m->cfg.kind == MEMAE_KIND_CONV && m->cfg.in_ndim == 3;
    int st = mae_array_load(path, img ? (int)m->cfg.input[0] : 0, img ? (int)m->cfg.input[1] : 0,
                            img ? (int)m->cfg.input[2] : 0, &a, &m->err);
    if (st)
        return st;
    st = mae_data_from_array(m, path, &a, x, n);
    mae_array_free(&a);
    return st;
}

int mae_data_from_array(memae_model *m, const char *path, const memae_array *src, float **x,
                        int64_t *n)
{
    const memae_array a = *src;
    int st = MEMAE_OK;
    *x = NULL;
    *n = 0;
    float scale = 1.0f, offset = 0.0f;
    if (a.ndim < 1 || a.shape[0] < 1)
        st = mae_seterr(&m->err, MEMAE_E_SHAPE, "%s: no samples", path);
    else if (a.dtype != MEMAE_U8 && a.dtype != MEMAE_F32 && a.dtype != MEMAE_F64)
        st = mae_seterr(&m->err, MEMAE_E_DTYPE,
                        "%s: samples must be uint8 or float32/float64, not %s", path,
                        mae_dtype_name(a.dtype));
    if (!st)
        st = check_shape(m, path, &a, &m->err);
    if (!st && a.dtype == MEMAE_U8)
        st = mae_model_uint8_rule(m, &scale, &offset, &m->err);
    if (!st)
        st = mae_array_to_f32(&a, scale, offset, x, &m->err);
    int64_t count = a.ndim ? a.shape[0] : 0;
    if (st)
        return st;
    size_t ss = mae_shape_size(&m->layers[0].in), total = ss * (size_t)count;
    for (size_t i = 0; i < total; i++)
        if (!isfinite((*x)[i])) {
            free(*x);
            *x = NULL;
            return mae_seterr(&m->err, MEMAE_E_NUMERIC,
                              "%s: sample %zu has a non-finite value (NaN or inf) at element %zu",
                              path, i / ss, i % ss);
        }
    *n = count;
    /* Tabular records are scaled as the model's training data was. */
    st = mae_table_scale(m, *x, count);
    if (st) {
        free(*x);
        *x = NULL;
        *n = 0;
    }
    return st;
}

int memae_labels_load(memae_model *m, const char *path, int64_t **labels, int64_t *n)
{
    memae_array a = {0};
    *labels = NULL;
    *n = 0;
    int st = mae_array_load(path, 0, 0, 0, &a, &m->err);
    if (st)
        return st;
    if (a.ndim != 1)
        st = mae_seterr(&m->err, MEMAE_E_SHAPE,
                        "%s: labels must be one-dimensional, got %d "
                        "dimensions",
                        path, a.ndim);
    else if (a.dtype == MEMAE_F32 || a.dtype == MEMAE_F64)
        st = mae_seterr(&m->err, MEMAE_E_DTYPE, "%s: labels must be integers, not %s", path,
                        mae_dtype_name(a.dtype));
    else if (!(*labels = malloc((size_t)(a.shape[0] ? a.shape[0] : 1) * sizeof **labels)))
        st = mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
    for (int64_t i = 0; !st && i < a.shape[0]; i++) {
        const uint8_t *p = (const uint8_t *)a.data + (size_t)i * mae_dtype_size(a.dtype);
        int64_t v = 0;
        switch (a.dtype) {
        case MEMAE_U8:
            v = *p;
            break;
        case MEMAE_I8:
            v = *(const int8_t *)p;
            break;
        case MEMAE_I16: {
            int16_t t;
            memcpy(&t, p, 2);
            v = t;
            break;
        }
        case MEMAE_I32: {
            int32_t t;
            memcpy(&t, p, 4);
            v = t;
            break;
        }
        default:
            memcpy(&v, p, 8);
            break;
        }
        (*labels)[i] = v;
    }
    if (!st)
        *n = a.shape[0];
    mae_array_free(&a);
    return st;
}
