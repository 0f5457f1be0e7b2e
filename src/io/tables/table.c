/* Learning and applying a table encoding (see io/tables/table.h). */
#include "io/tables/table.h"

#include "core/quote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Numbers and missing values only: a numeric column with gaps, which encoding then reports,
 * rather than a categorical column whose categories would be numbers and "NaN". */
static int column_is_numeric(const memae_csv *c, int64_t j)
{
    double v;
    for (int64_t i = 0; i < c->rows; i++) {
        const char *cell = c->cells[i * c->cols + j];
        if (!mae_csv_number(cell, &v) && !mae_csv_missing(cell))
            return 0;
    }
    return 1;
}

static int find_cat(const memae_table_column *col, const char *v)
{
    for (int k = 0; k < col->ncat; k++)
        if (!strcmp(col->cats[k], v))
            return k;
    return -1;
}

static int learn_categories(const memae_csv *c, int64_t j, memae_table_column *col)
{
    for (int64_t i = 0; i < c->rows; i++) {
        const char *v = c->cells[i * c->cols + j];
        if (find_cat(col, v) >= 0)
            continue;
        char **nc = realloc(col->cats, (size_t)(col->ncat + 1) * sizeof *nc);
        if (!nc)
            return -1;
        col->cats = nc;
        if (!(col->cats[col->ncat] = strdup(v)))
            return -1;
        col->ncat++;
    }
    return 0;
}

/* The most frequent value of column j (the first seen wins a tie); NULL: out of memory. */
static const char *most_frequent(const memae_csv *c, int64_t j)
{
    memae_table_column tmp = {0};
    int64_t *count = NULL;
    const char *best = NULL;
    if (!learn_categories(c, j, &tmp) && (count = calloc((size_t)tmp.ncat, sizeof *count))) {
        for (int64_t i = 0; i < c->rows; i++)
            count[find_cat(&tmp, c->cells[i * c->cols + j])]++;
        int bk = 0;
        for (int k = 1; k < tmp.ncat; k++)
            bk = count[k] > count[bk] ? k : bk;
        for (int64_t i = 0; !best && i < c->rows; i++)
            if (!strcmp(c->cells[i * c->cols + j], tmp.cats[bk]))
                best = c->cells[i * c->cols + j];
    }
    for (int k = 0; k < tmp.ncat; k++)
        free(tmp.cats[k]);
    free(tmp.cats);
    free(count);
    return best;
}

int mae_encoding_fit(const memae_csv *c, const char *path, const memae_table_opts *o,
                       memae_encoding *e, memae_err *err)
{
    memset(e, 0, sizeof *e);
    char q[MEMAE_QUOTE_MAX];
    e->label_index = -1;
    e->header = c->names != NULL;
    e->delimiter = o->delimiter ? o->delimiter : ',';
    if (o->label_column && (e->label_index = (int)mae_csv_column(c, o->label_column)) < 0)
        return mae_seterr(err, MEMAE_E_ARG, "%s: no column '%s' for the labels (%lld columns%s)",
                            path, mae_quote(o->label_column, q), (long long)c->cols,
                            c->names ? "" : ", no header");
    e->ncols = (int)c->cols - (e->label_index >= 0);
    if (e->ncols < 1)
        return mae_seterr(err, MEMAE_E_SHAPE, "%s: no feature column", path);
    e->cols = calloc((size_t)e->ncols, sizeof *e->cols);
    if (!e->cols)
        return mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
    char nm[32];
    for (int64_t j = 0, k = 0; j < c->cols; j++) {
        if (j == e->label_index)
            continue;
        memae_table_column *col = &e->cols[k++];
        snprintf(nm, sizeof nm, "c%lld", (long long)j);
        col->name = strdup(c->names ? c->names[j] : nm);
        if (!col->name || (!column_is_numeric(c, j) && learn_categories(c, j, col))) {
            mae_encoding_free(e);
            return mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
        }
        e->width += col->ncat ? col->ncat : 1;
    }
    if (e->label_index >= 0) {
        snprintf(nm, sizeof nm, "c%d", e->label_index);
        e->label = strdup(c->names ? c->names[e->label_index] : nm);
        if (!column_is_numeric(c, e->label_index) || o->normal_label)
            e->normal_label =
                dup(o->normal_label ? o->normal_label : most_frequent(c, e->label_index));
    }
    e->scaler.width = e->width;
    return MEMAE_OK;
}

int mae_encoding_numeric(int64_t d, memae_encoding *e, memae_err *err)
{
    memset(e, 0, sizeof *e);
    e->label_index = -1;
    e->delimiter = ',';
    e->ncols = (int)d;
    e->width = d;
    e->scaler.width = d;
    e->cols = calloc((size_t)d, sizeof *e->cols);
    for (int64_t j = 0; e->cols && j < d; j++) {
        char nm[32];
        snprintf(nm, sizeof nm, "x%lld", (long long)j);
        if (!(e->cols[j].name = strdup(nm)))
            break;
    }
    if (!e->cols || (d > 0 && !e->cols[d - 1].name)) {
        mae_encoding_free(e);
        return mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
    }
    return MEMAE_OK;
}

/* File column of each feature (and of the label, -1 when absent). */
static int map_columns(const memae_encoding *e, const memae_csv *c, const char *path, int64_t *map,
                       int64_t *label, memae_err *err)
{
    *label = -1;
    if (e->header && c->names) {
        for (int k = 0; k < e->ncols; k++) {
            map[k] = -1;
            for (int64_t j = 0; j < c->cols && map[k] < 0; j++)
                map[k] = strcmp(c->names[j], e->cols[k].name) ? -1 : j;
            char q[MEMAE_QUOTE_MAX];
            if (map[k] < 0)
                return mae_seterr(err, MEMAE_E_SHAPE,
                                    "%s: no column '%s' (the model was "
                                    "trained with it)",
                                    path, mae_quote(e->cols[k].name, q));
        }
        for (int64_t j = 0; e->label && j < c->cols; j++)
            if (!strcmp(c->names[j], e->label))
                *label = j;
        return MEMAE_OK;
    }
    int with_label = e->label_index >= 0 && c->cols == e->ncols + 1;
    if (c->cols != e->ncols && !with_label)
        return mae_seterr(err, MEMAE_E_SHAPE,
                            "%s: line %lld has %lld columns, the model "
                            "expects %d%s",
                            path, (long long)c->lines[0], (long long)c->cols, e->ncols,
                            e->label_index >= 0 ? " (one more with the labels)" : "");
    for (int64_t j = 0, k = 0; j < c->cols; j++) {
        if (with_label && j == e->label_index)
            *label = j;
        else
            map[k++] = j;
    }
    return MEMAE_OK;
}

static int encode_cell(const memae_table_column *col, const char *cell, float *out)
{
    if (!col->ncat) {
        double v;
        if (!mae_csv_number(cell, &v))
            return -1;
        *out = (float)v;
        return 0;
    }
    int k = find_cat(col, cell);
    if (k < 0)
        return -2;
    memset(out, 0, (size_t)col->ncat * sizeof *out);
    out[k] = 1.0f;
    return 0;
}

static int encode_label(const memae_encoding *e, const char *cell, uint8_t *y)
{
    double v;
    if (e->normal_label) {
        *y = strcmp(cell, e->normal_label) != 0;
        return 0;
    }
    if (!mae_csv_number(cell, &v))
        return -1;
    *y = v != 0;
    return 0;
}

int mae_encoding_apply(const memae_encoding *e, const memae_csv *c, const char *path, float **x,
                         uint8_t **labels, memae_err *err)
{
    *x = NULL;
    *labels = NULL;
    int64_t *map = malloc((size_t)e->ncols * sizeof *map), label = -1;
    if (!map)
        return mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
    int st = map_columns(e, c, path, map, &label, err);
    float *v = st ? NULL : malloc((size_t)(c->rows * e->width + 1) * sizeof *v);
    uint8_t *y = st || label < 0 ? NULL : malloc((size_t)c->rows + 1);
    if (!st && (!v || (label >= 0 && !y)))
        st = mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory for %lld records", path,
                          (long long)c->rows);
    for (int64_t i = 0; !st && i < c->rows; i++) {
        float *row = v + i * e->width;
        for (int k = 0; !st && k < e->ncols; k++) {
            const memae_table_column *col = &e->cols[k];
            const char *cell = c->cells[i * c->cols + map[k]];
            int r = encode_cell(col, cell, row);
            char qn[MEMAE_QUOTE_MAX], qc[MEMAE_QUOTE_MAX];
            if (r)
                mae_quote(col->name, qn), mae_quote(cell, qc);
            if (r == -1)
                st = mae_seterr(err, MEMAE_E_FORMAT, "%s: line %lld, column '%s': '%s' is %s",
                                  path, (long long)c->lines[i], qn, qc,
                                  !*cell                    ? "empty (a missing value)"
                                  : mae_csv_missing(cell) ? "a missing or non-finite value"
                                                            : "not a number");
            else if (r == -2)
                st = mae_seterr(err, MEMAE_E_FORMAT,
                                  "%s: line %lld, column '%s': category "
                                  "'%s' was not seen at training (%d known)",
                                  path, (long long)c->lines[i], qn, qc, col->ncat);
            row += col->ncat ? col->ncat : 1;
        }
        if (!st && y && encode_label(e, c->cells[i * c->cols + label], &y[i])) {
            char qn[MEMAE_QUOTE_MAX], qc[MEMAE_QUOTE_MAX];
            st = mae_seterr(err, MEMAE_E_FORMAT,
                              "%s: line %lld, label column '%s': '%s' is "
                              "not a number",
                              path, (long long)c->lines[i], mae_quote(e->label ? e->label : "?", qn),
                              mae_quote(c->cells[i * c->cols + label], qc));
        }
    }
    free(map);
    if (st) {
        free(v);
        free(y);
        return st;
    }
    *x = v;
    *labels = y;
    return MEMAE_OK;
}

void mae_encoding_free(memae_encoding *e)
{
    if (!e)
        return;
    for (int k = 0; e->cols && k < e->ncols; k++) {
        free(e->cols[k].name);
        for (int j = 0; j < e->cols[k].ncat; j++)
            free(e->cols[k].cats[j]);
        free(e->cols[k].cats);
    }
    free(e->cols);
    free(e->label);
    free(e->normal_label);
    mae_scaler_free(&e->scaler);
    memset(e, 0, sizeof *e);
    e->label_index = -1;
}

int mae_encoding_feature(const memae_encoding *e, int64_t j, char *name, size_t cap)
{
    for (int k = 0; k < e->ncols; k++) {
        int w = e->cols[k].ncat ? e->cols[k].ncat : 1;
        if (j < w) {
            if (name && e->cols[k].ncat)
                snprintf(name, cap, "%s=%s", e->cols[k].name, e->cols[k].cats[j]);
            else if (name)
                snprintf(name, cap, "%s", e->cols[k].name);
            return k;
        }
        j -= w;
    }
    return -1;
}
