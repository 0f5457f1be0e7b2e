/*
 * Data sets for a model (memae.h): the kind of a path, reading arrays and
 * tables into memory, labels, and the samples as a source.  Videos are in
 * data/video_data.c.
 */
#include "data/dataset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/arrays.h"
#include "data/tables.h"
#include "io/media/video.h"
#include "nn/model.h"

memae_data_opts memae_data_opts_default(void)
{
    return (memae_data_opts){.header = MEMAE_CSV_AUTO, .scale = MEMAE_SCALE_ZSCORE,
                             .clip_stride = 1};
}

static int is_video_path(const char *path)
{
    struct stat s;
    if (!path || !*path)
        return 0;
    /* A folder of videos or frames, a video file, or a list of them; arrays
     * (.npy, IDX) go to the array loaders. */
    if (stat(path, &s) == 0 && S_ISDIR(s.st_mode))
        return 1;
    return mae_is_video_name(path) || mae_path_ends_with(path, ".txt") ||
           mae_path_ends_with(path, ".lst");
}

int memae_data_kind(const char *path, int clips)
{
    if (clips && is_video_path(path))
        return MEMAE_DATA_VIDEO;
    return path && mae_is_table_path(path) ? MEMAE_DATA_TABLE : MEMAE_DATA_ARRAY;
}

/* The model's error as the data set's (its warning sink kept). */
static void model_error(memae_dataset *d, const memae_err *e)
{
    d->err.status = e->status;
    memcpy(d->err.msg, e->msg, sizeof d->err.msg);
}

static memae_dataset *new_set(const char *path, const memae_data_opts *o)
{
    memae_dataset *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->o = o ? *o : memae_data_opts_default();
    d->err.warn = d->o.warn;
    d->err.warn_user = d->o.user;
    d->path = strdup(path ? path : "");
    if (!d->path) {
        free(d);
        return NULL;
    }
    return d;
}

static memae_table_opts table_opts(const memae_data_opts *o)
{
    return (memae_table_opts){.label_column = o->label_column,
                              .normal_label = o->normal_label,
                              .header = o->header,
                              .delimiter = o->delimiter};
}

/* The status of a failed open: d keeps the message when there is one. */
static int opened(memae_dataset *d, int st, memae_dataset **out)
{
    *out = d;
    return d ? st : MEMAE_E_NOMEM;
}

int memae_dataset_open(memae_model *m, const char *path, const memae_data_opts *o,
                       memae_dataset **out)
{
    memae_dataset *d = new_set(path, o);
    if (!d)
        return opened(NULL, MEMAE_E_NOMEM, out);
    int64_t shape[4];
    int nd = 0, st;
    memae_model_input_shape(m, shape, &nd);
    d->m = m;
    d->kind = memae_data_kind(path, nd == 4);
    if (d->kind == MEMAE_DATA_VIDEO)
        return opened(d, mae_dataset_open_videos(d, m), out);
    if (d->kind == MEMAE_DATA_TABLE) {
        memae_table_opts t = table_opts(&d->o);
        st = mae_table_load(m, path, &t, &d->x, &d->n, &d->labels);
    } else { /* read through the model's error, which takes the warnings meanwhile */
        m->err.warn = d->err.warn;
        m->err.warn_user = d->err.warn_user;
        st = memae_data_load(m, path, &d->x, &d->n);
        m->err.warn = NULL;
    }
    if (st)
        model_error(d, &m->err);
    return opened(d, st, out);
}

/* Keeps the rows whose flag is 0; returns the new count. */
static int64_t keep_rows(float *x, int64_t n, size_t width, const uint8_t *y)
{
    int64_t j = 0;
    for (int64_t i = 0; i < n; i++)
        if (!y[i])
            memmove(x + (size_t)j++ * width, x + (size_t)i * width, width * sizeof *x);
    return j;
}

/* A table for training: encoding fitted, anomalies dropped, scaling fitted and applied. */
static int read_table(memae_dataset *d)
{
    memae_table_opts t = table_opts(&d->o);
    memae_encoding *e = &d->enc;
    int st = mae_table_read(d->path, &t, NULL, e, &d->x, &d->n, &d->labels, &d->err);
    if (st)
        return st;
    d->has_enc = 1;
    d->n_read = d->n;
    if (d->labels && !d->o.keep_anomalies) {
        int64_t k = keep_rows(d->x, d->n, (size_t)e->width, d->labels);
        if (k == 0)
            return mae_seterr(&d->err, MEMAE_E_ARG,
                                "%s: every record is labelled anomalous (nothing to train on)",
                                d->path);
        memset(d->labels, 0, (size_t)k);
        d->n = k;
    }
    if ((st = mae_scaler_fit(&e->scaler, d->o.scale, d->x, d->n, e->width, NULL, &d->err))) {
        char msg[MEMAE_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", d->err.msg);
        return mae_seterr(&d->err, st, "%s: %s", d->path, msg);
    }
    mae_scaler_apply(&e->scaler, d->x, d->n);
    return MEMAE_OK;
}

int memae_dataset_read(const char *path, const memae_data_opts *o, memae_dataset **out)
{
    memae_dataset *d = new_set(path, o);
    if (!d)
        return opened(NULL, MEMAE_E_NOMEM, out);
    d->kind = d->o.as_table ? MEMAE_DATA_TABLE : memae_data_kind(path, 0);
    if (d->kind == MEMAE_DATA_TABLE)
        return opened(d, read_table(d), out);
    int st = mae_array_load(path, d->o.channels, d->o.height, d->o.width, &d->raw, &d->err);
    return opened(d, st, out);
}

int memae_dataset_input_shape(const memae_dataset *d, const char *preset, int64_t shape[4],
                              int *ndim)
{
    int n = 0;
    if (d->has_enc) {
        shape[n++] = d->enc.width;
    } else {
        const memae_array *a = &d->raw;
        int want = !strcmp(preset, "video3d") ? 4 : !strcmp(preset, "tabular") ? 1 : 3;
        if (a->ndim == want)
            shape[n++] = 1;
        for (int i = 1; i < a->ndim && n < 4; i++)
            shape[n++] = a->shape[i];
    }
    *ndim = n;
    return MEMAE_OK;
}

int memae_dataset_bind(memae_dataset *d, memae_model *m)
{
    d->m = m;
    if (d->has_enc) {
        char *enc = mae_encoding_to_json(&d->enc);
        int st = enc ? memae_model_set_meta(m, "memae_table", enc)
                     : mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
        free(enc);
        if (st)
            model_error(d, &m->err);
        return st;
    }
    int st = mae_data_from_array(m, d->path, &d->raw, &d->x, &d->n);
    mae_array_free(&d->raw);
    if (st)
        model_error(d, &m->err);
    return st;
}

void memae_dataset_free(memae_dataset *d)
{
    if (!d)
        return;
    mae_clips_free(&d->clips);
    mae_video_set_close(&d->set);
    mae_array_free(&d->raw);
    if (d->has_enc)
        mae_encoding_free(&d->enc);
    free(d->x);
    free(d->labels);
    free(d->path);
    free(d);
}

const char *memae_dataset_errmsg(const memae_dataset *d)
{
    return d ? d->err.msg : "no data set (out of memory)";
}

int memae_dataset_info_get(const memae_dataset *d, memae_dataset_info *out)
{
    memset(out, 0, sizeof *out);
    out->kind = d->kind;
    out->n = d->kind == MEMAE_DATA_VIDEO ? d->clips.n : d->n;
    out->n_read = d->has_enc ? d->n_read : out->n;
    out->has_labels = d->labels != NULL;
    out->width = d->has_enc ? d->enc.width : 0;
    if (d->kind == MEMAE_DATA_VIDEO) {
        out->videos = d->set.nv;
        for (int64_t v = 0; v < d->set.nv; v++)
            out->frames += d->set.frames[v];
        out->clip_length = d->clips.t;
    }
    return MEMAE_OK;
}

const char *memae_dataset_video_name(const memae_dataset *d, int64_t v)
{
    return v >= 0 && v < d->set.nv ? d->set.names[v] : NULL;
}

const char *memae_dataset_video_path(const memae_dataset *d, int64_t v)
{
    return v >= 0 && v < d->set.nv ? d->set.paths[v] : NULL;
}

int64_t memae_dataset_video_frames(const memae_dataset *d, int64_t v)
{
    return v >= 0 && v < d->set.nv ? d->set.frames[v] : 0;
}

memae_source memae_dataset_source(memae_dataset *d)
{
    if (d->kind == MEMAE_DATA_VIDEO)
        return mae_clips_source(&d->clips);
    return mae_array_source_make(&d->as, d->x, d->n, d->m ? memae_model_sample_size(d->m) : 0);
}

const float *memae_dataset_samples(const memae_dataset *d)
{
    return d->kind == MEMAE_DATA_VIDEO ? NULL : d->x;
}

const uint8_t *memae_dataset_labels(const memae_dataset *d)
{
    return d->labels;
}

int64_t memae_dataset_keep_normal(memae_dataset *d, const uint8_t *anomalous)
{
    if (d->kind == MEMAE_DATA_VIDEO || !d->m)
        return d->n;
    d->n = keep_rows(d->x, d->n, memae_model_sample_size(d->m), anomalous);
    return d->n;
}

/* Class labels of the samples as 0/1 flags (1 = anomaly). */
static int sample_labels(memae_dataset *d, const char *path, long normal_class, uint8_t **out)
{
    int64_t *y = NULL, ny = 0, n = d->n;
    int st = memae_labels_load(d->m, path, &y, &ny);
    if (st) {
        model_error(d, &d->m->err);
        return st;
    }
    if (ny != n)
        st = mae_seterr(&d->err, MEMAE_E_SHAPE, "%s: %lld labels for %lld samples", path,
                          (long long)ny, (long long)n);
    else if (!(*out = malloc((size_t)(n ? n : 1))))
        st = mae_seterr(&d->err, MEMAE_E_NOMEM, "out of memory");
    for (int64_t i = 0; !st && i < n; i++) {
        if (normal_class >= 0)
            (*out)[i] = y[i] != normal_class;
        else if (y[i] == 0 || y[i] == 1)
            (*out)[i] = (uint8_t)y[i];
        else
            st = mae_seterr(&d->err, MEMAE_E_FORMAT,
                              "%s: label %lld of sample %lld is not 0 or 1 (give --normal-class "
                              "K for class labels)",
                              path, (long long)y[i], (long long)i);
    }
    free(y);
    if (st) {
        free(*out);
        *out = NULL;
    }
    return st;
}

int memae_dataset_load_labels(memae_dataset *d, const char *path, long normal_class,
                              uint8_t **labels)
{
    *labels = NULL;
    if (d->kind == MEMAE_DATA_VIDEO)
        return mae_dataset_video_labels(d, path, labels);
    if (!d->m)
        return mae_seterr(&d->err, MEMAE_E_ARG, "%s: labels need the data set's model", path);
    return sample_labels(d, path, normal_class, labels);
}
