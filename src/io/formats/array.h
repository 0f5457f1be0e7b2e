/*
 * In-memory n-d arrays and the loaders that fill them (IDX, npy).
 *
 * Arrays are C-ordered (outermost dimension first) and held in host byte
 * order: loaders byte-swap big-endian files (IDX is always big-endian; npy
 * '>f4' and friends) so callers never see file endianness.
 *
 * Loaders read gzipped and plain files alike (through zlib), read the payload
 * straight into the final buffer, and refuse files with bytes after the data.
 * Statuses:
 *   MEMAE_E_IO          cannot open / read / write (errno text in the message)
 *   MEMAE_E_TRUNCATED   the header or the data ends early (expected vs got)
 *   MEMAE_E_FORMAT      bad magic, malformed header, trailing bytes, corrupt
 *                       gzip
 *   MEMAE_E_SHAPE       a zero IDX dimension, more than MEMAE_ARRAY_MAXDIM
 *                       dimensions, or a size that overflows
 *   MEMAE_E_DTYPE       an element type this code does not handle (named)
 *   MEMAE_E_UNSUPPORTED an npy format version other than 1.0, 2.0, 3.0
 *   MEMAE_E_NOMEM       the data buffer cannot be allocated
 * On failure *out is left zeroed, so mae_array_free(out) is always safe.
 */
#ifndef MEMAE_IO_ARRAY_H
#define MEMAE_IO_ARRAY_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define MEMAE_ARRAY_MAXDIM 8

/* The first four keep their values: other modules may store them. */
typedef enum {
    MEMAE_U8,
    MEMAE_F32,
    MEMAE_I64,
    MEMAE_F64,
    MEMAE_I8,
    MEMAE_I16,
    MEMAE_I32,
    MEMAE_DTYPE_COUNT
} memae_dtype;

typedef struct memae_array {
    memae_dtype dtype;
    int ndim;                          /* 0 (a scalar) .. MEMAE_ARRAY_MAXDIM */
    int64_t shape[MEMAE_ARRAY_MAXDIM];
    void *data;                        /* malloc'd, never NULL after a load */
    size_t nbytes;
} memae_array;

/* Bytes per element (0 for an invalid dtype) and a name such as "uint8". */
size_t mae_dtype_size(memae_dtype t);
const char *mae_dtype_name(memae_dtype t);

/* Product of the shape (1 for a scalar); -1 if a dimension is negative or it overflows. */
int64_t mae_array_numel(const memae_array *a);

/* Frees data and zeroes *a; NULL-safe. */
void mae_array_free(memae_array *a);

/*
 * Converts to a new float buffer of numel floats (free it with free()).
 * Integer types: x * scale + offset, computed in double and rounded once
 * (e.g. scale 1/255.f for pixels).  Float types are taken as they are, scale
 * and offset ignored (float64 is rounded to float32): they are assumed to be
 * in model units already.
 */
int mae_array_to_f32(const memae_array *a, float scale, float offset, float **out,
                       memae_err *err);

/* IDX (MNIST / Fashion-MNIST): ubyte, int8, int16, int32, float32, float64. */
int mae_idx_read(const char *path, memae_array *out, memae_err *err);

/*
 * NPY 1.0 / 2.0 / 3.0: '|u1' '|b1'(as uint8) '|i1' '<i2' '<i4' '<i8' '<f4' '<f8',
 * either byte order.  Fortran-order arrays are reordered to C order.
 */
int mae_npy_read(const char *path, memae_array *out, memae_err *err);
/* The same from an npy held in memory (an npz member); name is for messages. */
int mae_npy_read_mem(const char *name, const void *buf, size_t len, memae_array *out,
                       memae_err *err);

/*
 * NumPy .npz (a zip of .npy members, stored or deflated, as np.savez and
 * np.savez_compressed write them): the member key + ".npy".  MEMAE_E_NAME
 * when there is no such member; errors inside a member name "path:key".
 */
int mae_npz_read(const char *path, const char *key, memae_array *out, memae_err *err);
/* Whether an npz has the member key. */
int mae_npz_has(const char *path, const char *key);

/*
 * Writes a version 1.0 npy (header padded to 64 bytes, host byte order)
 * atomically: path.tmp.<pid>, fsync, rename; the temporary is removed on
 * failure.  Any dtype above.
 */
int mae_npy_write(const char *path, const memae_array *a, memae_err *err);

/* ---- shared by the loaders in src/io; not for other callers ---- */

typedef struct memae_infile {
    const char *path;
    void *gz;          /* gzFile, kept opaque so users need not include zlib.h */
    int64_t left;      /* bytes after the current position, -1 if unknown (gzip, pipe) */
} memae_infile;

int mae_infile_open(memae_infile *f, const char *path, memae_err *err);
/* Reads up to n bytes; a short *got means end of file, not an error. */
int mae_infile_read(memae_infile *f, void *buf, size_t n, size_t *got, memae_err *err);
/*
 * Allocates a->data, reads a->nbytes into it and checks the file ends there;
 * byte-swaps when swap is set.  fmt names the format in messages.
 */
int mae_infile_read_data(memae_infile *f, memae_array *a, int swap, const char *fmt,
                           memae_err *err);
void mae_infile_close(memae_infile *f);

/* Byte-swaps every element in place. */
void mae_array_bswap(memae_array *a);
/* Reorders a column-major (Fortran) array of the same shape to C order. */
int mae_array_from_fortran(memae_array *a, const char *path, memae_err *err);

/* A walk over an array's elements in C order that tracks where each one is
 * in column-major (Fortran) order. */
typedef struct memae_fortran_walk {
    int ndim;
    const int64_t *shape;
    int64_t idx[MEMAE_ARRAY_MAXDIM], stride[MEMAE_ARRAY_MAXDIM], off;
} memae_fortran_walk;
void mae_fortran_walk_start(memae_fortran_walk *w, int ndim, const int64_t *shape);
/* The column-major offset of the walk's element; then on to the next one. */
int64_t mae_fortran_walk_next(memae_fortran_walk *w);
/* Sets a->nbytes from dtype and shape; MEMAE_E_SHAPE (naming path) on overflow. */
int mae_array_size(memae_array *a, const char *path, memae_err *err);
/* "60000x28x28", or "scalar" for ndim 0. */
void mae_shape_str(const memae_array *a, char *buf, size_t cap);
int mae_host_is_le(void);
/* path ends with suffix (".npy", "_gt"), ignoring case. */
int mae_path_ends_with(const char *path, const char *suffix);

#endif
