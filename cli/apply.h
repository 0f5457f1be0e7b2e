/* What score, predict and reconstruct share: flags, the model and its data. */
#ifndef MEMAE_CLI_APPLY_H
#define MEMAE_CLI_APPLY_H

#include <stdint.h>

#include "common.h"
#include "table.h"
#include "video.h"

typedef struct cli_apply {
    const char *model, *data, *out, *labels;
    long normal_class; /* --normal-class (-1: labels are 0/1) */
    int kind;          /* --score mse|mae */
    int batch;         /* --batch */
    double threshold;  /* --threshold (NaN: the stored one) */
    double contamination; /* --contamination (NaN: not given) */
    int top;           /* --top K (explain; default 5) */
    int anomalies_only; /* --anomalies (explain) */
    cli_common common;
    cli_table table;
    memae_model *m;
    float *x;
    int64_t n;
    uint8_t *y;        /* labels of a table file (1 = anomaly), NULL when it has none */
    int batch_given;        /* --batch was given (videos have another default) */
    int videos;             /* --data is a video data set for a clip model: x is not loaded */
    cli_video_opts video;   /* --cache, --fill-edges, --normalize, --heatmaps */
} cli_apply;

#define CLI_APPLY_HELP                                                                      \
    "  -m, --model F     the model (required)\n"                                             \
    "  --data X          samples: .npy, IDX, a folder of images, or a table (.csv .tsv\n"    \
    "                    .txt, .npz, .mat: encoded and scaled as at training); for a video\n" \
    "                    model also videos (see below) (required)\n"                        \
    "  --batch B         samples per forward pass (default 256; 2 clips for videos)\n" CLI_TABLE_HELP

/* Parses the flags (extra: also --score, --threshold), loads the model and
 * the data; returns an exit status (0: go on). */
int cli_apply_begin(int argc, char **argv, const char *usage, cli_apply *a);
void cli_apply_end(cli_apply *a);
/* The decision threshold for scores s: --threshold, else the (1 - C) quantile of s for
 * --contamination C, else the model's stored one; NaN when there is none. */
double cli_apply_threshold(cli_apply *a, const float *s);
/* Scores of all samples (malloc'd), or NULL (reported). */
float *cli_apply_scores(cli_apply *a);

#endif
