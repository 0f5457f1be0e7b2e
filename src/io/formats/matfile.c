#include "io/formats/matfile.h"

#include <matio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Element i of a numeric matio buffer as a double. */
static double element(const matvar_t *v, size_t i)
{
    switch (v->class_type) {
    case MAT_C_DOUBLE: return ((const double *)v->data)[i];
    case MAT_C_SINGLE: return ((const float *)v->data)[i];
    case MAT_C_INT8: return ((const int8_t *)v->data)[i];
    case MAT_C_UINT8: return ((const uint8_t *)v->data)[i];
    case MAT_C_INT16: return ((const int16_t *)v->data)[i];
    case MAT_C_UINT16: return ((const uint16_t *)v->data)[i];
    case MAT_C_INT32: return ((const int32_t *)v->data)[i];
    case MAT_C_UINT32: return ((const uint32_t *)v->data)[i];
    case MAT_C_INT64: return (double)((const int64_t *)v->data)[i];
    case MAT_C_UINT64: return (double)((const uint64_t *)v->data)[i];
    default: return 0;
    }
}

static int is_numeric(const matvar_t *v)
{
    return v->class_type >= MAT_C_DOUBLE && v->class_type <= MAT_C_UINT64;
}

/* A numeric matio variable to a C-ordered float64 array of the same shape. */
static int convert(const char *path, const matvar_t *v, memae_array *out, memae_err *err)
{
    const char *name = v->name ? v->name : "(cell element)";
    if (v->class_type == MAT_C_SPARSE || v->isComplex)
        return memae_seterr(err, MEMAE_E_UNSUPPORTED, "%s: variable '%s' is %s", path, name,
                            v->isComplex ? "complex" : "sparse");
    if (!is_numeric(v) && v->class_type != MAT_C_EMPTY)
        return memae_seterr(err, MEMAE_E_DTYPE, "%s: variable '%s' is not numeric (matio class %d)",
                            path, name, (int)v->class_type);
    if (v->rank < 1 || v->rank > MEMAE_ARRAY_MAXDIM)
        return memae_seterr(err, MEMAE_E_SHAPE, "%s: variable '%s' has %d dimensions", path, name,
                            v->rank);
    memset(out, 0, sizeof *out);
    out->dtype = MEMAE_F64;
    out->ndim = v->rank;
    for (int d = 0; d < v->rank; d++)
        out->shape[d] = (int64_t)v->dims[d];
    int st = memae_array_size(out, path, err);
    if (st)
        return st;
    int64_t n = memae_array_numel(out);
    if (n > 0 && !v->data)
        return memae_seterr(err, MEMAE_E_FORMAT, "%s: variable '%s' has no data", path, name);
    out->data = malloc(out->nbytes ? out->nbytes : 1);
    if (!out->data)
        return memae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory for '%s'", path, name);
    double *dst = out->data;
    /* MATLAB stores column-major. */
    memae_fortran_walk w;
    memae_fortran_walk_start(&w, v->rank, out->shape);
    for (int64_t i = 0; i < n; i++)
        dst[i] = element(v, (size_t)memae_fortran_walk_next(&w));
    return MEMAE_OK;
}

static int open_var(const char *path, const char *var, mat_t **mat, matvar_t **v, memae_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return memae_seterr(err, MEMAE_E_IO, "%s: cannot open", path);
    fclose(f);
    *mat = Mat_Open(path, MAT_ACC_RDONLY);
    if (!*mat)
        return memae_seterr(err, MEMAE_E_FORMAT, "%s: not a MATLAB .mat file", path);
    *v = var ? Mat_VarRead(*mat, var) : Mat_VarReadNext(*mat);
    if (!*v) {
        Mat_Close(*mat);
        return memae_seterr(err, MEMAE_E_NAME, "%s: no variable %s%s%s", path, var ? "'" : "",
                            var ? var : "at all", var ? "'" : "");
    }
    return MEMAE_OK;
}

int memae_mat_read(const char *path, const char *var, memae_array *out, memae_err *err)
{
    mat_t *mat;
    matvar_t *v;
    memset(out, 0, sizeof *out);
    int st = open_var(path, var, &mat, &v, err);
    if (st)
        return st;
    if (v->class_type == MAT_C_CELL)
        st = memae_seterr(err, MEMAE_E_DTYPE, "%s: variable '%s' is a cell array, not a matrix",
                          path, v->name ? v->name : "?");
    else
        st = convert(path, v, out, err);
    if (st)
        memae_array_free(out);
    Mat_VarFree(v);
    Mat_Close(mat);
    return st;
}

void memae_mat_cells_free(memae_array *cells, int64_t n)
{
    for (int64_t i = 0; cells && i < n; i++)
        memae_array_free(&cells[i]);
    free(cells);
}

int memae_mat_read_cells(const char *path, const char *var, memae_array **cells, int64_t *n,
                         memae_err *err)
{
    mat_t *mat;
    matvar_t *v;
    *cells = NULL;
    *n = 0;
    int st = open_var(path, var, &mat, &v, err);
    if (st)
        return st;
    int64_t count = 1;
    for (int d = 0; d < v->rank; d++)
        count *= (int64_t)v->dims[d];
    memae_array *c = NULL;
    if (v->class_type != MAT_C_CELL)
        st = memae_seterr(err, MEMAE_E_DTYPE, "%s: variable '%s' is not a cell array", path,
                          v->name ? v->name : "?");
    else if (!(c = calloc((size_t)(count ? count : 1), sizeof *c)))
        st = memae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
    for (int64_t i = 0; !st && i < count; i++) {
        matvar_t *e = Mat_VarGetCell(v, (int)i);
        st = e ? convert(path, e, &c[i], err)
               : memae_seterr(err, MEMAE_E_FORMAT, "%s: cell %lld of '%s' is missing", path,
                              (long long)i, v->name ? v->name : "?");
    }
    Mat_VarFree(v);
    Mat_Close(mat);
    if (st) {
        memae_mat_cells_free(c, count);
        return st;
    }
    *cells = c;
    *n = count;
    return MEMAE_OK;
}

int memae_mat_sniff(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char head[16] = {0};
    size_t got = fread(head, 1, sizeof head, f);
    fclose(f);
    return got >= 6 && !memcmp(head, "MATLAB", 6);
}
