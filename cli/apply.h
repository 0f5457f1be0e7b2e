/* What score, predict, reconstruct, eval and explain share: the model and its data. */
#ifndef MEMAE_CLI_APPLY_H
#define MEMAE_CLI_APPLY_H

#include <stdint.h>

#include "common.h"

/* The cli_command fields the five commands share: -m, -o, -h, one getopt table, and
 * the model and the data required. */
#define CLI_APPLY_COMMAND                                                                          \
    .shorts = "m:o:h", .family = cli_apply_family, .needs = {K_MODEL, K_DATA},                     \
    .needs_msg = "-m MODEL and --data X are required (see --help)"

typedef struct cli_apply {
    cli_args a;
    memae_model *m;
    memae_dataset *d; /* NULL for videos until cli_apply_open */
    int videos;       /* --data is a video data set for a clip model */
} cli_apply;

/* Parses c's options, loads the model and, unless they are videos (opened by
 * cli_apply_open once the command has checked its options), the data;
 * returns an exit status (0: go on, -1: --help printed). */
int cli_apply_begin(const cli_command *c, int argc, char **argv, cli_apply *p);
int cli_apply_open(cli_apply *p);
void cli_apply_end(cli_apply *p);

/* Scores of the data (error printed). */
int cli_apply_score(cli_apply *p, const memae_score_opts *o, memae_results *r);
/* The decision threshold for scores s: --threshold, else the (1 - C) quantile of s for
 * --contamination C, else the model's stored one; NaN when there is none. */
double cli_apply_threshold(cli_apply *p, const float *s, int64_t n);

/* 0 when path (NULL: stdout) can take per-frame rows (.csv), else reported. */
int cli_frames_check_output(const char *path);
/* video,frame,error,<column> rows (frame 0-based, NaN as empty fields), atomically;
 * value: the column's values (NULL: the results' scores). */
int cli_frames_write(const char *path, const memae_dataset *d, const memae_results *r,
                     const float *value, const char *column);

/* The results' scores (as uint8 with as_u8): per-frame CSV rows for videos,
 * else -o as .npy or .csv (index,<column>), else CSV on stdout. */
int cli_apply_write(cli_apply *p, const memae_results *r, const char *column, int as_u8);

#endif
