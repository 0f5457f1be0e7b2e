/*
 * Video data sets in the commands: the flags they add, opening a data set
 * at a model's clip size, and the video variants of train, score, eval and
 * reconstruct.  The image and array paths never include this.
 */
#ifndef MEMAE_CLI_VIDEO_H
#define MEMAE_CLI_VIDEO_H

#include <getopt.h>
#include <stdint.h>

#include "common.h"
#include "commands.h"
#include "io/video_set.h"

typedef struct cli_video_opts {
    const char *cache;    /* --cache DIR (NULL: $XDG_CACHE_HOME/memae or ~/.cache/memae) */
    int clip_stride;      /* --clip-stride S (training clips) */
    int fill_edges;       /* --fill-edges */
    int normalize;        /* --normalize: MEMAE_VNORM_* */
    const char *heatmaps; /* --heatmaps DIR */
    int heatmap_count;    /* --heatmap-count K */
} cli_video_opts;

/* getopt_long entries (val 0: handled by cli_video_flag). */
#define CLI_VIDEO_LONGOPTS                                                                         \
    {"cache", required_argument, 0, 0}, {"clip-stride", required_argument, 0, 0},                  \
        {"fill-edges", no_argument, 0, 0}, {"normalize", required_argument, 0, 0},                 \
        {"heatmaps", required_argument, 0, 0},                                                     \
    {                                                                                              \
        "heatmap-count", required_argument, 0, 0                                                   \
    }

#define CLI_VIDEO_CACHE_HELP                                                                       \
    "  --cache DIR       where decoded frames are kept between runs (default\n"                    \
    "                    $XDG_CACHE_HOME/memae, else ~/.cache/memae)\n"

#define CLI_VIDEO_TRAIN_HELP                                                                       \
    "\nVideos (--preset video3d with a folder of videos or frame folders, a video file,\n"         \
    "or a .txt list): clips of T consecutive grey frames at the model's size, shuffled\n"          \
    "across videos; defaults batch 10, lr 0.0001 (the official script).\n"                         \
    "  --clip-stride S   first frames of training clips S apart (default "                         \
    "1)\n" CLI_VIDEO_CACHE_HELP

#define CLI_VIDEO_SCORE_HELP                                                                       \
    "\nVideos (a model of C x T x H x W clips, --data a folder of videos or frame folders,\n"      \
    "a video file, or a .txt list; a .npy of clips is scored clip by clip): every clip of\n"       \
    "T frames (stride 1) is scored; the clip of frames s..s+T-1 scores frame s+T/2\n"              \
    "(s+8 for T = 16, as the official code).  Default batch 2.\n"                                  \
    "  --fill-edges      give the first T/2 and last T/2-1 frames the nearest scored\n"            \
    "                    frame's error (default: left empty)\n"                                    \
    "  --normalize N     video: (e - min) / (max - min) per video, the paper (default);\n"         \
    "                    train: (e - mean) / std of the training clips' errors (causal);\n"        \
    "                    none: the raw error\n" CLI_VIDEO_CACHE_HELP

/* Handles a video flag: 1 handled, 0 not a video flag, -1 bad value (reported). */
int cli_video_flag(cli_video_opts *v, const char *name, const char *arg);
void cli_video_opts_default(cli_video_opts *v);
/* Whether path is to be read as videos rather than as an array (.npy). */
int cli_is_video_path(const char *path);

/* A data set opened for a model: its videos and their clips. */
typedef struct cli_video_data {
    memae_video_set set;
    memae_clips clips;
} cli_video_data;

/* Opens path for m (one channel, C x T x H x W) with clips every stride frames.
 * Prints the error; 0 on success. */
int cli_video_open(memae_model *m, const char *path, const cli_video_opts *o, int stride,
                   cli_video_data *d);
void cli_video_close(cli_video_data *d);

/* Per-video frame errors and scores of a data set (score and eval). */
typedef struct cli_video_scores {
    int64_t nv;
    float **err, **score; /* nv arrays of set.frames[v] values; NaN: no score */
} cli_video_scores;

int cli_video_score_all(memae_model *m, cli_video_data *d, int kind, int batch,
                        const cli_video_opts *o, cli_video_scores *out);
void cli_video_scores_free(cli_video_scores *s);

/* memae train on a video data set (cmd_train.c routes here). */
typedef struct cli_video_train_args {
    const char *data, *out, *preset, *config, *shape;
    const memae_train_config *tc; /* with the checkpoint path set */
    const cli_common *common;
    const cli_video_opts *video;
} cli_video_train_args;

int cli_video_train(const cli_video_train_args *a);

/* The video variants of score, eval and reconstruct, for cli_apply with videos set
 * (cli_apply is declared in apply.h). */
struct cli_apply;
int cli_video_score(struct cli_apply *a);
int cli_video_eval(struct cli_apply *a);
int cli_video_reconstruct(struct cli_apply *a);
int cli_video_predict(struct cli_apply *a, double threshold);
/* 0 when path (NULL: stdout) can take video rows (.csv), else reported. */
int cli_video_check_output(const char *path);
/* video,frame,error,<column> rows (frame 0-based, NaN as empty fields), atomically. */
int cli_video_write_csv(const char *path, const memae_video_set *s, const cli_video_scores *sc,
                        const char *column);
/* Ground truth of the set's videos (io/gt.h forms); error printed. */
int cli_video_labels(const char *path, const memae_video_set *s, uint8_t ***labels);
/* --heatmaps: pictures of the most abnormal frames and a plot per video. */
int cli_video_figures(struct cli_apply *a, cli_video_data *d, const cli_video_scores *sc);

#endif
