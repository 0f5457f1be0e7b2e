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
        return mae_seterr(err, MEMAE_E_UNSUPPORTED, "%s: variable '%s' is %s", path, name,
                            v->isComplex ? "complex" : "sparse");
    if (!is_numeric(v) && v->class_type != MAT_C_EMPTY)
        return mae_seterr(err, MEMAE_E_DTYPE, "%s: variable '%s' is not numeric (matio class %d)",
                            path, name, (int)v->class_type);
    if (v->rank < 1 || v->rank > MEMAE_ARRAY_MAXDIM)
        return mae_seterr(err, MEMAE_E_SHAPE, "%s: variable '%s' has %d dimensions", path, name,
                            v->rank);
    memset(out, 0, sizeof *out);
    out->dtype = MEMAE_F64;
    out->ndim = v->rank;
    for (int d = 0; d < v->rank; d++)
        out->shape[d] = (int64_t)v->dims[d];
    int st = mae_array_size(out, path, err);
    if (st)
        return st;
    int64_t n = mae_array_numel(out);
    if (n > 0 && !v->data)
        return mae_seterr(err, MEMAE_E_FORMAT, "%s: variable '%s' has no data", path, name);
    out->data = malloc(out->nbytes ? out->nbytes : 1);
    if (!out->data)
        return mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory for '%s'", path, name);
    double *dst = out->data;
    /* MATLAB stores column-major. */
    memae_fortran_walk w;
    mae_fortran_walk_start(&w, v->rank, out->shape);
    for (int64_t i = 0; i < n; i++)
        dst[i] = element(v, (size_t)mae_fortran_walk_next(&w));
    return MEMAE_OK;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A data element's tag at p (avail bytes there): type, byte count and where
 * its data starts (small elements keep up to 4 bytes in the tag); the bytes
 * it takes with padding to 8; 0 when it does not fit. */
static size_t tag_at(const unsigned char *p, uint64_t avail, uint32_t *type, uint32_t *n,
                     const unsigned char **data)
{
    if (avail < 8)
        return 0;
    uint32_t t = le32(p);
    if (t >> 16) {
        *type = t & 0xffff, *n = t >> 16, *data = p + 4;
        return *n <= 4 ? 8 : 0;
    }
    *type = t, *n = le32(p + 4), *data = p + 8;
    uint64_t took = 8 + (uint64_t)*n + (8 - *n % 8) % 8;
    return took <= avail || 8 + (uint64_t)*n <= avail ? (size_t)(took <= avail ? took : avail)
                                                       : 0;
}

/* Whether the miMATRIX of n content bytes at p has dimensions those bytes can
 * hold (a byte per number, a tag per cell) and a name (and a struct's field
 * names) within them, cells checked in turn, so that libmatio never
 * allocates for sizes that the file cannot hold. */
static int matrix_fits(const unsigned char *p, uint64_t n, int depth)
{
    uint32_t type, len;
    const unsigned char *d;
    size_t o = tag_at(p, n, &type, &len, &d), k;
    if (n == 0)
        return 1;
    if (!o || type != 6 || len != 8 || depth > 32)
        return 0;
    int cls = d[0];
    if (!(k = tag_at(p + o, n - o, &type, &len, &d)) || type != 5 || len % 4)
        return 0;
    double numel = 1;
    for (uint32_t i = 0; i < len / 4; i++) {
        int32_t dim = (int32_t)le32(d + 4 * i);
        if (dim < 0)
            return 0;
        numel *= dim;
    }
    o += k;
    if (!(k = tag_at(p + o, n - o, &type, &len, &d))) /* the name, whatever the class */
        return 0;
    o += k;
    if (cls == 2) { /* a struct: its field names' length, then the names */
        size_t names;
        if (!(k = tag_at(p + o, n - o, &type, &len, &d)) ||
            !(names = tag_at(p + o + k, n - o - k, &type, &len, &d)))
            return 0;
        o += k + names;
    }
    /* a sparse array is sized by its non-zeros, which convert() refuses anyway */
    if (cls != 5 && numel * (cls >= 1 && cls <= 3 ? 8 : 1) > (double)n)
        return 0;
    for (double c = 0; cls == 1 && c < numel; c++) { /* a cell per element */
        if (!(k = tag_at(p + o, n - o, &type, &len, &d)) || type != 14 ||
            !matrix_fits(d, len < n - o - 8 ? len : n - o - 8, depth + 1))
            return 0;
        o += k;
    }
    /* The rest (numbers; a sparse array's indices and values; a struct's
     * fields): every element within the bytes, matrices checked in turn. */
    while (o < n) {
        if (!(k = tag_at(p + o, n - o, &type, &len, &d)) ||
            (type == 14 && !matrix_fits(d, len < n - o - 8 ? len : n - o - 8, depth + 1)))
            return 0;
        o += k;
    }
    return 1;
}

/* The same for a compressed element: inflated (no further than deflate's
 * 1032:1 and the 8 + n bytes its tag declares) and checked. */
static int compressed_fits(FILE *f, long long n)
{
    unsigned char *in = malloc((size_t)n + 1), *out = NULL;
    uint64_t cap = (uint64_t)n * 1032 + 64;
    int ok = 0;
    if (in && fread(in, 1, (size_t)n, f) == (size_t)n) {
        z_stream z = {.next_in = in, .avail_in = (uInt)n};
        unsigned char tag[8];
        z.next_out = tag, z.avail_out = 8;
        if (inflateInit(&z) == Z_OK) {
            int r = inflate(&z, Z_SYNC_FLUSH);
            uint64_t inner = z.avail_out == 0 ? le32(tag + 4) : 0;
            if (z.avail_out == 0 && le32(tag) != 14)
                ok = 1; /* not a matrix: matio reads or refuses it */
            else if (z.avail_out == 0 && inner + 8 <= cap && (r == Z_OK || r == Z_STREAM_END) &&
                     (out = malloc(inner + 1))) {
                z.next_out = out, z.avail_out = (uInt)inner;
                r = inflate(&z, Z_SYNC_FLUSH);
                ok = (r == Z_OK || r == Z_STREAM_END) &&
                     matrix_fits(out, inner - z.avail_out, 0);
            }
            inflateEnd(&z);
        }
    }
    free(in);
    free(out);
    return ok;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A version 4 file (no header) is variables of a 20-byte header (type, rows,
 * columns, imaginary flag, name length, in the byte order that makes the type
 * valid), the name and rows x columns numbers, ending at the end of the file.
 * libmatio allocates the name's length before reading it. */
static int check_v4_layout(const char *path, FILE *f, long long size, memae_err *err)
{
    static const int elem[6] = {8, 4, 4, 2, 2, 1}; /* by the type's P digit */
    unsigned char h[20];
    for (long long at = 0; at < size;) {
        if (fseek(f, (long)at, SEEK_SET) != 0 || fread(h, 1, sizeof h, f) != sizeof h)
            return mae_seterr(err, MEMAE_E_FORMAT,
                                "%s: not a MATLAB .mat file (as version 4: a variable's header "
                                "is cut at byte %lld)", path, at);
        uint32_t (*rd)(const unsigned char *) = le32(h) <= 4052 ? le32 : be32;
        uint32_t type = rd(h), rows = rd(h + 4), cols = rd(h + 8), imag = rd(h + 12),
                 namelen = rd(h + 16);
        double need = (double)namelen + (double)rows * cols *
                                            (type <= 4052 && type / 10 % 10 < 6
                                                 ? elem[type / 10 % 10] : 1) * (imag ? 2 : 1);
        if (type > 4052 || type / 100 % 10 || type / 10 % 10 > 5 || type % 10 > 2 || imag > 1 ||
            (int32_t)rows < 0 || (int32_t)cols < 0 || namelen < 1 ||
            (type % 10 == 2 && cols != 3 && cols != 4) || /* sparse: (non-zeros + 1) x 3 or 4 */
            need > (double)(size - at - 20))
            return mae_seterr(err, MEMAE_E_FORMAT,
                                "%s: not a MATLAB .mat file (as version 4, the variable at byte "
                                "%lld has a header or sizes its %lld bytes cannot hold)",
                                path, at, size - at);
        at += 20 + (long long)need;
    }
    return MEMAE_OK;
}

/* A version 5 file is a 128-byte header and top-level elements (an 8-byte
 * tag: type, byte count) that must end exactly at the end of the file:
 * libmatio reads a cut element as absent, or with stale values.  A file
 * without that header is read by libmatio as version 4 (checked above). */
static int check_v5_layout(const char *path, FILE *f, memae_err *err)
{
    unsigned char head[128], tag[8];
    size_t got = fread(head, 1, sizeof head, f);
    int le = got == sizeof head && !memcmp(head + 126, "IM", 2),
        be = got == sizeof head && !memcmp(head + 126, "MI", 2);
    int version = le ? head[125] << 8 | head[124] : be ? head[124] << 8 | head[125] : 0;
    /* libmatio reads any other header as version 4 */
    if (version != 0x0100 && version != 0x0200) {
        if (fseek(f, 0, SEEK_END) != 0)
            return mae_seterr(err, MEMAE_E_IO, "%s: cannot seek", path);
        return check_v4_layout(path, f, ftell(f), err);
    }
    if (version == 0x0200)
        return MEMAE_OK; /* 7.3: HDF5, which checks its own sizes */
    if (be) /* the sizes below are read little-endian */
        return mae_seterr(err, MEMAE_E_UNSUPPORTED,
                            "%s: a big-endian .mat file (save it again on a little-endian "
                            "machine)", path);
    if (fseek(f, 0, SEEK_END) != 0)
        return mae_seterr(err, MEMAE_E_IO, "%s: cannot seek", path);
    long long size = ftell(f), at = 128;
    while (at < size) {
        if (fseek(f, (long)at, SEEK_SET) != 0 || fread(tag, 1, sizeof tag, f) != sizeof tag)
            return mae_seterr(err, MEMAE_E_TRUNCATED,
                                "%s: truncated: a variable's tag is cut at byte %lld", path, at);
        uint32_t type = le32(tag);
        long long n = le32(tag + 4);
        long long end = at + 8 + n + (type == 14 ? (8 - n % 8) % 8 : 0); /* miMATRIX is padded */
        if (end > size)
            return mae_seterr(err, MEMAE_E_TRUNCATED,
                                "%s: truncated: the variable at byte %lld needs %lld bytes, the "
                                "file ends %lld bytes after it",
                                path, at, end - at, size - at);
        unsigned char *body = type == 14 ? malloc((size_t)n + 1) : NULL;
        int fits = type == 14 ? body && fread(body, 1, (size_t)n, f) == (size_t)n &&
                                    matrix_fits(body, (uint64_t)n, 0)
                   : type == 15 ? compressed_fits(f, n)
                                : 1;
        free(body);
        if (!fits)
            return mae_seterr(err, MEMAE_E_FORMAT,
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
        return mae_seterr(err, MEMAE_E_IO, "%s: cannot open", path);
    int st = check_v5_layout(path, f, err);
    fclose(f);
    if (st)
        return st;
    *mat = Mat_Open(path, MAT_ACC_RDONLY);
    if (!*mat)
        return mae_seterr(err, MEMAE_E_FORMAT, "%s: not a MATLAB .mat file", path);
    *v = var ? Mat_VarRead(*mat, var) : Mat_VarReadNext(*mat);
    if (!*v) {
        /* Absent, or present but unreadable: not the same thing. */
        matvar_t *info = var ? Mat_VarReadInfo(*mat, var) : NULL;
        Mat_VarFree(info);
        Mat_Close(*mat);
        if (info)
            return mae_seterr(err, MEMAE_E_FORMAT, "%s: variable '%s' cannot be read (damaged)",
                                path, var);
        return mae_seterr(err, MEMAE_E_NAME, "%s: no variable %s%s%s", path, var ? "'" : "",
                            var ? var : "at all", var ? "'" : "");
    }
    return MEMAE_OK;
}

int mae_mat_read(const char *path, const char *var, memae_array *out, memae_err *err)
{
    mat_t *mat;
    matvar_t *v;
    memset(out, 0, sizeof *out);
    int st = open_var(path, var, &mat, &v, err);
    if (st)
        return st;
    if (v->class_type == MAT_C_CELL)
        st = mae_seterr(err, MEMAE_E_DTYPE, "%s: variable '%s' is a cell array, not a matrix",
                          path, v->name ? v->name : "?");
    else
        st = convert(path, v, out, err);
    if (st)
        mae_array_free(out);
    Mat_VarFree(v);
    Mat_Close(mat);
    return st;
}

void mae_mat_cells_free(memae_array *cells, int64_t n)
{
    for (int64_t i = 0; cells && i < n; i++)
        mae_array_free(&cells[i]);
    free(cells);
}

/* The product of v's sizes (0 when one is 0, whatever the others); -1 past 2^40. */
static int64_t cell_count(const matvar_t *v)
{
    for (int d = 0; d < v->rank; d++)
        if (v->dims[d] == 0)
            return 0;
    double count = 1;
    for (int d = 0; d < v->rank; d++)
        count *= (double)v->dims[d];
    return count <= (double)(INT64_C(1) << 40) ? (int64_t)count : -1;
}

int mae_mat_read_cells(const char *path, const char *var, memae_array **cells, int64_t *n,
                         memae_err *err)
{
    mat_t *mat;
    matvar_t *v;
    *cells = NULL;
    *n = 0;
    int st = open_var(path, var, &mat, &v, err);
    if (st)
        return st;
    int64_t count = cell_count(v);
    memae_array *c = NULL;
    if (count < 0)
        st = mae_seterr(err, MEMAE_E_FORMAT, "%s: variable '%s' has sizes too large",
                          path, v->name ? v->name : "?");
    else if (v->class_type != MAT_C_CELL)
        st = mae_seterr(err, MEMAE_E_DTYPE, "%s: variable '%s' is not a cell array", path,
                          v->name ? v->name : "?");
    else if (!(c = calloc((size_t)(count ? count : 1), sizeof *c)))
        st = mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
    for (int64_t i = 0; !st && i < count; i++) {
        matvar_t *e = Mat_VarGetCell(v, (int)i);
        st = e ? convert(path, e, &c[i], err)
               : mae_seterr(err, MEMAE_E_FORMAT, "%s: cell %lld of '%s' is missing", path,
                              (long long)i, v->name ? v->name : "?");
    }
    Mat_VarFree(v);
    Mat_Close(mat);
    if (st) {
        mae_mat_cells_free(c, count);
        return st;
    }
    *cells = c;
    *n = count;
    return MEMAE_OK;
}

int mae_mat_sniff(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char head[16] = {0};
    size_t got = fread(head, 1, sizeof head, f);
    fclose(f);
    return got >= 6 && !memcmp(head, "MATLAB", 6);
}
