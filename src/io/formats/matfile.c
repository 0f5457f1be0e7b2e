#include "io/formats/matfile.h"

#include <matio.h>
#include <stdint.h>
#include <zlib.h>
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
    /* Walk the C-order index, tracking the column-major offset of the same element. */
    int64_t idx[MEMAE_ARRAY_MAXDIM] = {0}, stride[MEMAE_ARRAY_MAXDIM];
    int64_t s = 1;
    for (int d = 0; d < v->rank; d++) {
        stride[d] = s;
        s *= out->shape[d];
    }
    int64_t off = 0;
    for (int64_t i = 0; i < n; i++) {
        dst[i] = element(v, (size_t)off);
        for (int d = v->rank - 1; d >= 0; d--) {
            off += stride[d];
            if (++idx[d] < out->shape[d])
                break;
            off -= stride[d] * out->shape[d];
            idx[d] = 0;
        }
    }
    return MEMAE_OK;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Whether the dimensions of a miMATRIX whose n content bytes start with
 * head[0 .. len) fit in those bytes: one byte per number, a tag per cell,
 * so that libmatio never allocates for sizes the file cannot hold. */
static int matrix_fits(const unsigned char *head, size_t len, uint64_t n)
{
    if (len < 24 || le32(head) != 6 || le32(head + 4) != 8)
        return len < 24 && n < 24 ? 1 : 0; /* array flags first */
    int cls = head[8];
    uint32_t t = le32(head + 16), dbytes;
    const unsigned char *d;
    if (t >> 16) { /* small data element: the bytes in the tag */
        dbytes = t >> 16;
        t &= 0xffff;
        d = head + 20;
        if (dbytes > 4)
            return 0;
    } else {
        dbytes = le32(head + 20);
        d = head + 24;
        if (dbytes > len - 24)
            return dbytes % 4 == 0 && dbytes / 4 <= 32 ? 1 : 0; /* beyond what was read */
    }
    if (t != 5 || dbytes % 4)
        return 0;
    double numel = 1;
    for (uint32_t i = 0; i < dbytes / 4; i++) {
        int32_t dim = (int32_t)le32(d + 4 * i);
        if (dim < 0)
            return 0;
        numel *= dim;
    }
    if (cls == 5) /* sparse: sized by its non-zeros, which convert() refuses anyway */
        return 1;
    return numel * (cls >= 1 && cls <= 3 ? 8 : 1) <= (double)n;
}

/* The first bytes of a compressed element, inflated: the tag and the head of its matrix. */
static int compressed_fits(FILE *f, long long n)
{
    unsigned char in[512], out[128];
    size_t got = fread(in, 1, n < (long long)sizeof in ? (size_t)n : sizeof in, f);
    z_stream z = {.next_in = in, .avail_in = (uInt)got, .next_out = out,
                  .avail_out = sizeof out};
    if (inflateInit(&z) != Z_OK)
        return 0;
    int r = inflate(&z, Z_SYNC_FLUSH);
    size_t have = sizeof out - z.avail_out;
    inflateEnd(&z);
    if ((r != Z_OK && r != Z_STREAM_END) || have < 8)
        return have < 8 && r != Z_DATA_ERROR ? 1 : 0;
    /* deflate expands at most 1032:1 */
    uint64_t inner = le32(out + 4), cap = (uint64_t)n * 1032;
    return le32(out) != 14 || matrix_fits(out + 8, have - 8, inner < cap ? inner : cap);
}

/* A version 5 file is a 128-byte header and top-level elements (an 8-byte
 * tag: type, byte count) that must end exactly at the end of the file:
 * libmatio reads a cut element as absent, or with stale values. */
static int check_v5_layout(const char *path, FILE *f, memae_err *err)
{
    unsigned char head[128], tag[8];
    if (fread(head, 1, sizeof head, f) != sizeof head || memcmp(head + 126, "IM", 2))
        return MEMAE_OK; /* version 4, 7.3 (HDF5) or big-endian: matio checks those */
    if (head[124] != 0 || head[125] != 1)
        return MEMAE_OK;
    if (fseek(f, 0, SEEK_END) != 0)
        return memae_seterr(err, MEMAE_E_IO, "%s: cannot seek", path);
    long long size = ftell(f), at = 128;
    while (at < size) {
        if (fseek(f, (long)at, SEEK_SET) != 0 || fread(tag, 1, sizeof tag, f) != sizeof tag)
            return memae_seterr(err, MEMAE_E_TRUNCATED,
                                "%s: truncated: a variable's tag is cut at byte %lld", path, at);
        uint32_t type = le32(tag);
        long long n = le32(tag + 4);
        long long end = at + 8 + n + (type == 14 ? (8 - n % 8) % 8 : 0); /* miMATRIX is padded */
        if (end > size)
            return memae_seterr(err, MEMAE_E_TRUNCATED,
                                "%s: truncated: the variable at byte %lld needs %lld bytes, the "
                                "file ends %lld bytes after it",
                                path, at, end - at, size - at);
        unsigned char head[64];
        size_t got = type == 14 ? fread(head, 1, n < 64 ? (size_t)n : 64, f) : 0;
        if ((type == 14 && !matrix_fits(head, got, (uint64_t)n)) ||
            (type == 15 && !compressed_fits(f, n)))
            return memae_seterr(err, MEMAE_E_FORMAT,
                                "%s: the variable at byte %lld has sizes its %lld bytes cannot "
                                "hold",
                                path, at, n);
        at = end;
    }
    return MEMAE_OK;
}

static int open_var(const char *path, const char *var, mat_t **mat, matvar_t **v, memae_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return memae_seterr(err, MEMAE_E_IO, "%s: cannot open", path);
    int st = check_v5_layout(path, f, err);
    fclose(f);
    if (st)
        return st;
    *mat = Mat_Open(path, MAT_ACC_RDONLY);
    if (!*mat)
        return memae_seterr(err, MEMAE_E_FORMAT, "%s: not a MATLAB .mat file", path);
    *v = var ? Mat_VarRead(*mat, var) : Mat_VarReadNext(*mat);
    if (!*v) {
        /* Absent, or present but unreadable: not the same thing. */
        matvar_t *info = var ? Mat_VarReadInfo(*mat, var) : NULL;
        Mat_VarFree(info);
        Mat_Close(*mat);
        if (info)
            return memae_seterr(err, MEMAE_E_FORMAT, "%s: variable '%s' cannot be read (damaged)",
                                path, var);
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
