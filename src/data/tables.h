/*
 * Table files for the tabular model: CSV (.csv, .tsv, .txt), NumPy .npz
 * (arrays X and y, as ADBench ships them) and .npy (X only), MATLAB .mat
 * (variables X and y, as ODDS ships them).  Records come out encoded
 * (io/tables/table.h) and scaled (io/tables/scaler.h) by the rule learnt at training and
 * stored in the model's "memae_table" metadata; a model without it (memae
 * init) takes numeric columns as they are (the identity scaling).
 */
#ifndef MEMAE_IO_TABULAR_H
#define MEMAE_IO_TABULAR_H

#include <stdint.h>

#include "io/tables/table.h"
#include "memae.h"

/* Whether the path names a table file by its extension (.csv .tsv .txt .npz .mat). */
int mae_is_table_path(const char *path);

/*
 * Reads a table file.  known: the encoding to apply (its scaler too); NULL:
 * learn one from this file into *fitted (scaler: identity).  *x is n x width,
 * *labels n flags (1 = anomaly) or NULL when the file has none; both malloc'd.
 */
int mae_table_read(const char *path, const memae_table_opts *o, const memae_encoding *known,
                   memae_encoding *fitted, float **x, int64_t *n, uint8_t **labels, memae_err *err);

/* The model's encoding ("memae_table"), or a numeric identity one of its width. */
int mae_model_encoding(const memae_model *m, memae_encoding *e, memae_err *err);

/* A table file for model m: encoded and scaled as at training; errors on m. */
int mae_table_load(memae_model *m, const char *path, const memae_table_opts *o, float **x,
                   int64_t *n, uint8_t **labels);

/* Scales float records loaded some other way (.npy) by the model's scaler. */
int mae_table_scale(memae_model *m, float *x, int64_t n);

#endif
