/* Data in and out of the commands: samples, labels, score files, progress. */
#ifndef MEMAE_CLI_DATA_H
#define MEMAE_CLI_DATA_H

#include <stdint.h>

#include "io/atomic.h"
#include "memae.h"

/* Samples for m from path (error printed; 0 on success). */
int cli_load_samples(memae_model *m, const char *path, float **x, int64_t *n);

/* Labels as 0/1 (1 = anomaly): with normal_class >= 0, label != normal_class;
 * else the file must hold 0/1.  n must match the samples. */
int cli_load_binary_labels(memae_model *m, const char *path, int64_t n, long normal_class,
                           uint8_t **out);

/* A vector (or an (n, cols) matrix with cols > 1) to .npy (float32 or, with
 * as_u8, uint8) or .csv (index, then one column per value, header given). */
int cli_write_table(const char *path, const float *v, int64_t n, int64_t cols, int as_u8,
                    const char *header);

/* Text to path atomically (a temporary file, then rename); NULL path: stdout. */
int cli_write_text(const char *path, const char *text, size_t len);
/* path written atomically by fill (see io/atomic.h); the error reported. */
int cli_write_with(const char *path, memae_fill_fn fill, void *ctx);

/* An N-d float32 array to .npy. */
int cli_write_npy(const char *path, const float *v, const int64_t *shape, int ndim);

/* Progress of training: a bar on a terminal, a line per epoch otherwise. */
void cli_progress(const memae_progress *p, void *user);

/* "0-9", "0,3,5", "2-4,7" -> flags[10]; returns the count or -1 (reported). */
int cli_parse_classes(const char *text, int flags[], int max);

#endif
