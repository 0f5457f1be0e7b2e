/*
 * Tables to model inputs: which columns are features, which one holds the
 * labels, and how each feature becomes floats.  A numeric column is one
 * float; a categorical column (any non-number in it at training) becomes a
 * one-hot group with one float per category, categories in the order they
 * first appear in the training file.  The encoding is learnt once, on the
 * training file, stored in the model (JSON, metadata "memae_table") and
 * applied unchanged to every later file, so that a column means the same
 * input of the network everywhere.
 *
 * Labels (1 = anomaly): a numeric label column gives 0 for 0 and 1 for any
 * other value (ODDS / ADBench convention); a text label column gives 0 for
 * the normal label (given, or the most frequent value of the training file)
 * and 1 for any other value.
 */
#ifndef MEMAE_IO_TABLE_H
#define MEMAE_IO_TABLE_H

#include <stdint.h>

#include "core/error.h"
#include "io/tables/csv.h"
#include "io/tables/scaler.h"

typedef struct memae_table_column {
    char *name;
    int ncat; /* 0: numeric; else a one-hot group of ncat categories */
    char **cats;
} memae_table_column;

typedef struct memae_encoding {
    int ncols; /* feature columns */
    memae_table_column *cols;
    char *label;        /* label column name (NULL: none) */
    int label_index;    /* its 0-based position in the training file (-1: none) */
    char *normal_label; /* text labels: the normal value (NULL: numeric labels) */
    int header;         /* the training CSV had a header */
    char delimiter;
    int64_t width;       /* floats per encoded record */
    memae_scaler scaler; /* fitted after encoding, width values */
} memae_encoding;

/* What a user can say about a CSV: NULL / MEMAE_CSV_AUTO / 0 mean "decide". */
typedef struct memae_table_opts {
    const char *label_column; /* a name or a 0-based index */
    const char *normal_label; /* the normal value of a text label column */
    int header;               /* MEMAE_CSV_AUTO, _NO_HEADER, _HEADER */
    char delimiter;           /* 0: ',' */
} memae_table_opts;

/* Learns the columns, categories and label column of a CSV (scaler: identity). */
int mae_encoding_fit(const memae_csv *c, const char *path, const memae_table_opts *o,
                     memae_encoding *e, memae_err *err);

/* A numeric-only encoding of d columns named x0, x1, ... (npy, npz, mat files). */
int mae_encoding_numeric(int64_t d, memae_encoding *e, memae_err *err);

/*
 * Encodes the rows of a CSV read with the encoding's header and delimiter:
 * *x is rows x width (malloc'd); *labels (malloc'd, or NULL when the file has
 * no label column) 0/1.  Columns are found by name when both files have a
 * header, else by position.  Errors name the file, line and column: a missing
 * column, an unseen category, an empty or non-numeric cell in a numeric column.
 */
int mae_encoding_apply(const memae_encoding *e, const memae_csv *c, const char *path, float **x,
                       uint8_t **labels, memae_err *err);

void mae_encoding_free(memae_encoding *e);

/* JSON (the "memae_table" metadata) and back. */
char *mae_encoding_to_json(const memae_encoding *e);
int mae_encoding_from_json(const char *json, memae_encoding *e, memae_err *err);

/* The name of encoded feature j ("proto=tcp" inside a one-hot group) and its
 * column; name may be NULL. */
int mae_encoding_feature(const memae_encoding *e, int64_t j, char *name, size_t cap);

#endif
