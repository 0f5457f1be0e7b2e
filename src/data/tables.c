/* Table files to encoded, scaled records (see data/tables.h). */
#include "data/tables.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/quote.h"
#include "io/formats/array.h"
#include "io/formats/matfile.h"
#include "nn/model.h"

static const char *ext(const char *path)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    return dot && (!slash || dot > slash) ? dot : "";
}

static int is_csv(const char *path)
{
    const char *e = ext(path);
    return !strcasecmp(e, ".csv") || !strcasecmp(e, ".tsv") || !strcasecmp(e, ".txt");
}

int mae_is_table_path(const char *path)
{
    const char *e = ext(path);
    return is_csv(path) || !strcasecmp(e, ".npz") || !strcasecmp(e, ".mat");
}

/* X (n x d, or n values as n x 1) and y (n values) of an npz, mat or npy file. */
static int read_arrays(const char *path, memae_array *x, memae_array *y, memae_err *err)
{
    const char *e = ext(path);
    int st;
    if (!strcasecmp(e, ".npz")) {
        st = mae_npz_read(path, "X", x, err);
        if (!st && mae_npz_has(path, "y"))
            st = mae_npz_read(path, "y", y, err);
    } else if (!strcasecmp(e, ".mat")) {
        memae_err ye = {0};
        st = mae_mat_read(path, "X", x, err);
        if (st)
            return st;
        /* ODDS files always have y; a file without it is just unlabelled. */
        if (!st && (st = mae_mat_read(path, "y", y, &ye)) == MEMAE_E_NAME)
            st = MEMAE_OK;
        else if (st && err)
            *err = ye;
    } else {
        st = mae_npy_read(path, x, err);
    }
    if (st)
        return st;
    if (x->ndim == 1)
        x->shape[x->ndim++] = 1;
    if (x->ndim != 2 || x->shape[0] < 1 || x->shape[1] < 1)
        return mae_seterr(err, MEMAE_E_SHAPE,
                            "%s: X must be a non-empty (records, features) "
                            "matrix, it has %d dimensions",
                            path, x->ndim);
    int64_t ny = y->data ? mae_array_numel(y) : 0;
    if (y->data && (ny != x->shape[0] || (y->ndim == 2 && y->shape[1] != 1 && y->shape[0] != 1)))
        return mae_seterr(err, MEMAE_E_SHAPE, "%s: y has %lld values for %lld records in X", path,
                            (long long)ny, (long long)x->shape[0]);
    return MEMAE_OK;
}

/* A NaN or infinity in a stored matrix, named by file, array, record and column. */
static int check_finite(const char *path, const char *name, const float *v, int64_t rows,
                        int64_t cols, memae_err *err)
{
    for (int64_t i = 0; i < rows * cols; i++)
        if (!isfinite(v[i]))
            return mae_seterr(err, MEMAE_E_NUMERIC,
                                "%s: %s holds %s at record %lld, column %lld", path, name,
                                isnan(v[i]) ? "NaN" : "an infinite value", (long long)(i / cols),
                                (long long)(i % cols));
    return MEMAE_OK;
}

static int read_matrix(const char *path, const memae_encoding *known, memae_encoding *fitted,
                       float **x, int64_t *n, uint8_t **labels, memae_err *err)
{
    memae_array X = {0}, Y = {0};
    float *yf = NULL;
    int st = read_arrays(path, &X, &Y, err);
    if (!st && known && known->width != X.shape[1])
        st = mae_seterr(err, MEMAE_E_SHAPE, "%s: X has %lld features, the model expects %lld",
                          path, (long long)X.shape[1], (long long)known->width);
    if (!st && !known)
        st = mae_encoding_numeric(X.shape[1], fitted, err);
    if (!st)
        st = mae_array_to_f32(&X, 1.0f, 0.0f, x, err);
    if (!st)
        st = check_finite(path, "X", *x, X.shape[0], X.shape[1], err);
    if (!st && Y.data && !(st = mae_array_to_f32(&Y, 1.0f, 0.0f, &yf, err)))
        st = check_finite(path, "y", yf, X.shape[0], 1, err);
    if (!st && Y.data && !(*labels = malloc((size_t)X.shape[0])))
        st = mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
    for (int64_t i = 0; !st && yf && i < X.shape[0]; i++)
        (*labels)[i] = yf[i] != 0;
    *n = X.shape[0];
    free(yf);
    mae_array_free(&X);
    mae_array_free(&Y);
    return st;
}

static int read_csv(const char *path, const memae_table_opts *o, const memae_encoding *known,
                    memae_encoding *fitted, float **x, int64_t *n, uint8_t **labels, memae_err *err)
{
    char delim = o->delimiter ? o->delimiter : known ? known->delimiter : ',';
    memae_csv c;
    int st = mae_csv_read(path, o->header, delim, &c, err);
    if (st)
        return st;
    memae_table_opts fo = *o;
    fo.delimiter = delim;
    memae_encoding with_label;
    if (known && o->label_column) {
        /* A label column named now (a model from memae init has none) wins over the stored one. */
        int64_t j = mae_csv_column(&c, o->label_column);
        char q[MEMAE_QUOTE_MAX];
        if (j < 0)
            st = mae_seterr(err, MEMAE_E_ARG, "%s: no column '%s' for the labels", path,
                              mae_quote(o->label_column, q));
        with_label = *known;
        with_label.label = c.names ? c.names[j < 0 ? 0 : j] : (char *)o->label_column;
        with_label.label_index = (int)j;
        if (o->normal_label)
            with_label.normal_label = (char *)o->normal_label;
        known = &with_label;
    }
    if (!st && !known && !(st = mae_encoding_fit(&c, path, &fo, fitted, err)))
        known = fitted;
    if (!st)
        st = mae_encoding_apply(known, &c, path, x, labels, err);
    *n = c.rows;
    mae_csv_free(&c);
    return st;
}

int mae_table_read(const char *path, const memae_table_opts *o, const memae_encoding *known,
                     memae_encoding *fitted, float **x, int64_t *n, uint8_t **labels,
                     memae_err *err)
{
    static const memae_table_opts none = {.header = MEMAE_CSV_AUTO};
    *x = NULL;
    *labels = NULL;
    *n = 0;
    if (fitted)
        memset(fitted, 0, sizeof *fitted);
    int st = is_csv(path) ? read_csv(path, o ? o : &none, known, fitted, x, n, labels, err)
                          : read_matrix(path, known, fitted, x, n, labels, err);
    if (!st && known)
        mae_scaler_apply(&known->scaler, *x, *n);
    if (st) {
        if (fitted)
            mae_encoding_free(fitted);
        free(*x);
        free(*labels);
        *x = NULL;
        *labels = NULL;
        *n = 0;
    }
    return st;
}

int mae_model_encoding(const memae_model *m, memae_encoding *e, memae_err *err)
{
    const char *json = memae_model_get_meta(m, "memae_table");
    if (json)
        return mae_encoding_from_json(json, e, err);
    return mae_encoding_numeric((int64_t)memae_model_sample_size(m), e, err);
}

int mae_table_load(memae_model *m, const char *path, const memae_table_opts *o, float **x,
                     int64_t *n, uint8_t **labels)
{
    *x = NULL;
    *labels = NULL;
    *n = 0;
    if (m->cfg.kind != MEMAE_KIND_MLP)
        return mae_seterr(&m->err, MEMAE_E_SHAPE, "%s: a table needs a tabular (MLP) model",
                            path);
    memae_encoding e;
    int st = mae_model_encoding(m, &e, &m->err);
    if (st)
        return st;
    if (e.width != (int64_t)memae_model_sample_size(m))
        st = mae_seterr(&m->err, MEMAE_E_FORMAT,
                          "the model's table encoding has %lld "
                          "features, its input %zu",
                          (long long)e.width, memae_model_sample_size(m));
    if (!st)
        st = mae_table_read(path, o, &e, NULL, x, n, labels, &m->err);
    mae_encoding_free(&e);
    return st;
}

int mae_table_scale(memae_model *m, float *x, int64_t n)
{
    if (m->cfg.kind != MEMAE_KIND_MLP || !memae_model_get_meta(m, "memae_table"))
        return MEMAE_OK;
    memae_encoding e;
    int st = mae_model_encoding(m, &e, &m->err);
    if (!st && e.width == (int64_t)memae_model_sample_size(m))
        mae_scaler_apply(&e.scaler, x, n);
    mae_encoding_free(&e);
    return st;
}
