/*
 * CSV files (RFC 4180) as a grid of strings: quoted fields with "" escapes,
 * delimiters and line breaks inside quotes, LF or CRLF line ends, a last line
 * with or without a line end, blank lines skipped.  Every row must have as
 * many fields as the first.  Typing the cells (numbers, categories) is the
 * encoding's job (io/tables/table.h), not the parser's.
 *
 * Header detection (header = MEMAE_CSV_AUTO): the first row is a header when
 * some column holds a non-number there and numbers in the next rows, or when
 * every cell of the first row is a non-number that does not reappear in its
 * column below (a table of categories only).
 * Statuses: MEMAE_E_IO, MEMAE_E_FORMAT (an unterminated quote, text after a
 * closing quote, a ragged row: named by line and column), MEMAE_E_SHAPE (no
 * rows), MEMAE_E_NOMEM.
 */
#ifndef MEMAE_IO_CSV_H
#define MEMAE_IO_CSV_H

#include <stdint.h>

#include "core/error.h"

/* MEMAE_CSV_AUTO, _NO_HEADER, _HEADER: in memae.h */

typedef struct memae_csv {
    int64_t rows, cols; /* data rows (the header excluded) and fields per row */
    char **names;       /* cols header names; NULL without a header */
    char **cells;       /* rows x cols, row-major; each NUL-terminated */
    int64_t *lines;     /* 1-based line of the file where each data row starts */
    char *text;         /* the unescaped fields the pointers point into */
} memae_csv;

/* header: MEMAE_CSV_AUTO, _NO_HEADER or _HEADER; delimiter: ',' ';' '\t' ... */
int mae_csv_read(const char *path, int header, char delimiter, memae_csv *out, memae_err *err);
void mae_csv_free(memae_csv *c);

/* The column called name in the header, else name read as a 0-based index; -1: none. */
int64_t mae_csv_column(const memae_csv *c, const char *name);

/* Whether a cell marks a missing number: empty, ?, NA, N/A, NaN, null (any case, blanks
 * around), or a non-finite number such as inf. */
int mae_csv_missing(const char *cell);

/* Whether a cell is a finite number (leading and trailing blanks allowed); *v its value. */
int mae_csv_number(const char *cell, double *v);

#endif
