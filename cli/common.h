/* Shared by the subcommands: errors, number parsing, models, outputs, progress. */
#ifndef MEMAE_CLI_COMMON_H
#define MEMAE_CLI_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "memae.h"
#include "opts.h"

/* Prints "memae: <message>" on stderr; returns the exit status 1. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The model's message (or the status name) as one line; returns 1. */
int cli_model_fail(const memae_model *m, int status);
/* The data set's message as one line; returns 1. */
int cli_data_fail(const memae_dataset *d, int status);

int cli_parse_int(const char *flag, const char *arg, long lo, long hi, long *out);
int cli_parse_float(const char *flag, const char *arg, double lo, double hi, double *out);
/* "1x28x28" -> shape; returns ndim, or -1 (reported) on bad text. */
int cli_parse_shape(const char *text, int64_t shape[4]);
/* "0-9", "0,3,5", "2-4,7" -> flags[max]; returns the count or -1 (reported). */
int cli_parse_classes(const char *text, int flags[], int max);
/* --config: inline JSON when it starts with '{', else a file to read. malloc'd. */
char *cli_read_config(const char *arg);
/* The JSON the library gets: the recipe's preferred keys for the preset (recipe
 * NULL: none), --config over them, and --preset and --input-shape over both. */
char *cli_config_json(const char *preset, const char *config_arg, const char *shape_arg,
                      const char *recipe);
void cli_format_shape(const int64_t *shape, int n, char *buf, size_t len);
/* path ends with suffix, ignoring case. */
int cli_has_ext(const char *path, const char *suffix);

/* --threads and --backend on m; prints the error. */
int cli_apply_common(const cli_args *a, memae_model *m);
/* A new model from --preset/--config/--input-shape and a recipe's preferred
 * configuration (cli_config_json) with the common options applied; prints the error. */
int cli_create_model(const char *preset, const char *config, const char *shape,
                     const char *recipe, const cli_args *a, memae_model **out);
/* Loads -m MODEL with the common options applied; prints the error. */
int cli_load_model(const char *path, const cli_args *a, memae_model **out);

/* Text to path atomically (a temporary file, then rename); NULL path: stdout. */
int cli_write_text(const char *path, const char *text, size_t len);
/* Text made with stdio in memory (cli_text_open; NULL: out of memory, reported),
 * then written by cli_text_close as cli_write_text does. */
typedef struct cli_text {
    char *buf;
    size_t len;
    FILE *f;
} cli_text;
FILE *cli_text_open(cli_text *t);
int cli_text_close(cli_text *t, const char *path);
/* A JSON document on stdout, then freed. */
struct cJSON;
void cli_print_json(struct cJSON *j);
/* A vector (or an (n, cols) matrix with cols > 1) to .npy (float32 or, with
 * as_u8, uint8) or .csv (index, then one column per value, header given). */
int cli_write_table(const char *path, const float *v, int64_t n, int64_t cols, int as_u8,
                    const char *header);
/* An N-d float32 array to .npy. */
int cli_write_npy(const char *path, const float *v, const int64_t *shape, int ndim);

/* Progress of training: a bar on a terminal, a line per epoch otherwise. */
void cli_progress(const memae_progress *p, void *user);
/* Progress of video decoding and scoring, on a terminal only. */
/* memae_data_opts.warn: "memae: warning: MSG" on stderr. */
void cli_data_warn(const char *msg, void *user);
void cli_data_progress(int stage, int64_t v, int64_t nv, const char *name, int64_t frames,
                       int decoded, void *user);

#endif
