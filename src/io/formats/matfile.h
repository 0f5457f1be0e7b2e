/*
 * MATLAB .mat files (v4, v5 and the HDF5-based v7.3) through libmatio:
 * numeric variables and cell arrays of them, as C-ordered arrays.
 *
 * MATLAB stores arrays column-major; these readers return them in C order
 * with the same shape, so element (i, j) of an n x d matrix is
 * data[i * d + j], as a C or numpy reader expects.  Every numeric class
 * (double, single, int8..uint64, logical) becomes MEMAE_F64; complex and
 * sparse variables are refused.
 * Statuses: MEMAE_E_IO (cannot open), MEMAE_E_FORMAT (not a .mat file),
 * MEMAE_E_NAME (no such variable), MEMAE_E_DTYPE (a class that is not numeric
 * or cell), MEMAE_E_UNSUPPORTED (complex, sparse), MEMAE_E_NOMEM.
 */
#ifndef MEMAE_IO_MATFILE_H
#define MEMAE_IO_MATFILE_H

#include <stdint.h>

#include "io/formats/array.h"

/* The numeric variable var (NULL: the first variable in the file). */
int mae_mat_read(const char *path, const char *var, memae_array *out, memae_err *err);

/* A cell array var (NULL: the first variable): *n arrays in column-major cell
 * order (for a 1 x n or n x 1 cell, simply its elements in order). Free with
 * mae_mat_cells_free. */
int mae_mat_read_cells(const char *path, const char *var, memae_array **cells, int64_t *n,
                       memae_err *err);
void mae_mat_cells_free(memae_array *cells, int64_t n);

/* Whether path exists and starts like a .mat file (v5/v7.3 text header). */
int mae_mat_sniff(const char *path);

#endif
