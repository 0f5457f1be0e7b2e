/*
 * Options of the subcommands: each command describes its flags in one table
 * (name, argument, range, and the lines --help prints for it), and both
 * getopt_long and --help are made from that table, so a flag cannot be
 * accepted without being documented.  Every value lands in one cli_args.
 */
#ifndef MEMAE_CLI_OPTS_H
#define MEMAE_CLI_OPTS_H

#include <stdint.h>

#include <math.h>
#include <stdio.h>

#include "memae.h"

/* What an option sets in cli_args. */
enum cli_key {
    K_TEXT = 0, /* a line of --help text, no option */
    K_MODEL, K_DATA, K_OUTPUT, K_LABELS, K_NORMAL_CLASS, K_SCORE, K_BATCH, K_THRESHOLD,
    K_CONTAMINATION, K_TOP, K_ANOMALIES, K_PRESET, K_CONFIG, K_SHAPE, K_EPOCHS, K_LR,
    K_RESUME, K_SCALE, K_KEEP_ANOMALIES, K_LABEL_COLUMN, K_NORMAL_LABEL, K_HEADER,
    K_DELIMITER, K_CACHE, K_CLIP_STRIDE, K_FILL_EDGES, K_NORMALIZE, K_HEATMAPS,
    K_HEATMAP_COUNT, K_PROTOCOL, K_RUNS, K_DATA_DIR, K_CLASSES, K_BASELINE, K_STEPS,
    K_RECIPE, K_THREADS, K_SEED, K_BACKEND, K_JSON, K_ALLOW_TRUNCATED, K_MAX_MEMORY,
    K_HELP
};

typedef struct cli_opt {
    const char *name; /* long name (NULL: help text only) */
    int key;          /* enum cli_key */
    double lo, hi;    /* range of a numeric value */
    const char *help; /* its lines of --help */
} cli_opt;

typedef struct cli_command {
    const char *name;          /* "score" */
    const char *head;          /* usage and description, printed before the options */
    const cli_opt *opts;       /* in --help order, ended by {0} */
    const char *tail;          /* printed after the options (NULL: nothing) */
    const char *shorts;        /* short options: "m:o:h" */
    /* Names getopt also knows (in getopt's order, with this command's own):
     * those not in opts are refused with a pointer to --help.  NULL: opts.
     * (The data commands share one list, so each refuses the others' flags
     * by name, and abbreviations resolve as they always did.) */
    const char *const *family;
    const char *who;           /* prefix of "unexpected argument" (NULL: none) */
    int needs[3];              /* K_MODEL, K_DATA, K_OUTPUT that must be given (0: end) */
    const char *needs_msg;     /* the error when one is missing */
} cli_command;

/* Every flag of every command; each command reads the ones it takes. */
typedef struct cli_args {
    const char *model, *data, *out, *labels, *preset, *config, *shape, *heatmaps, *data_dir;
    long normal_class;     /* -1: labels are 0/1 */
    int kind;              /* --score: MEMAE_SCORE_* */
    int batch, batch_given;
    double threshold, contamination; /* NaN: not given */
    int top, anomalies;
    int epochs;          /* 0: the recipe's */
    const char *recipe;  /* --recipe (default "default") */
    double lr;
    int lr_given, resume, heatmap_count, runs, baseline, steps, protocol;
    int classes[10];
    memae_data_opts data_opts;  /* tables, videos */
    memae_score_opts score_opts; /* --fill-edges, --normalize */
    /* common to every command */
    int threads;
    uint64_t seed;
    const char *backend; /* NULL: dnnl when this build has it, else ref */
    int json;
    const char *max_memory; /* --max-memory, set as MEMAE_MAX_MEMORY by cli_parse */
} cli_args;

/* Defaults every command starts from (batch 0: the command's default). */
void cli_args_init(cli_args *a);

/* Parses argv by c's table into a (cli_args_init first): 0 to go on, -1
 * when --help was printed (exit 0), else the exit status (the error printed). */
int cli_parse(const cli_command *c, int argc, char **argv, cli_args *a);
void cli_usage(const cli_command *c, FILE *out);

/* Shared entries (the help lines are the same in every command). */
#define CLI_OPT_THREADS                                                                            \
    {"threads", K_THREADS, 0, 1024,                                                                \
     "  --threads N       threads for the kernels (default: all cores)\n"}
#define CLI_OPT_SEED {"seed", K_SEED, 0, 0, "  --seed S          random seed (default 1)\n"}
#define CLI_OPT_BACKEND                                                                            \
    {"backend", K_BACKEND, 0, 0,                                                                   \
     "  --backend B       dnnl (oneDNN) or ref (portable C, reproducible across --threads);\n"   \
     "                    default dnnl, or ref when oneDNN is unavailable\n"}
#define CLI_OPT_MAX_MEMORY                                                                         \
    {"max-memory", K_MAX_MEMORY, 0, 0,                                                             \
     "  --max-memory SIZE the most memory a model may plan to use, e.g. 512M or 2G: a\n"          \
     "                    larger model or batch is refused (default: physical RAM, or\n"          \
     "                    MEMAE_MAX_MEMORY)\n"}
#define CLI_OPT_HELP {"help", K_HELP, 0, 0, "  -h, --help        this help\n"}
#define CLI_OPTS_COMMON CLI_OPT_THREADS, CLI_OPT_SEED, CLI_OPT_BACKEND, CLI_OPT_HELP

#define CLI_OPTS_TABLE                                                                             \
    {"label-column", K_LABEL_COLUMN, 0, 0,                                                         \
     "  --label-column C  CSV: the column (name or 0-based index) holding the labels; it is\n"    \
     "                    not a feature (default: none; a trained model remembers it)\n"},        \
        {"normal-label", K_NORMAL_LABEL, 0, 0,                                                     \
         "  --normal-label V  CSV text labels: the normal value, others are anomalies "           \
         "(default:\n"                                                                             \
         "                    the most frequent value of the training file); numeric labels:\n"   \
         "                    0 is normal, anything else an anomaly\n"},                           \
        {"header", K_HEADER, 0, 0, "  --header H        CSV header: yes, no or auto (default auto)\n"}, \
        {"delimiter", K_DELIMITER, 0, 0,                                                           \
         "  --delimiter D     CSV field delimiter: one character or 'tab' (default ',' or the\n"  \
         "                    training file's)\n"}

/* How the commands reading videos read them. */
#define CLI_OPTS_VIDEO_INPUT                                                                       \
    {"cache", K_CACHE, 0, 0,                                                                       \
     "  --cache DIR       where decoded frames are kept between runs (default\n"                  \
     "                    $XDG_CACHE_HOME/memae, else ~/.cache/memae)\n"},                        \
        {"allow-truncated", K_ALLOW_TRUNCATED, 0, 0,                                               \
         "  --allow-truncated use a video that ends before its container says (or at damaged\n"  \
         "                    data) with a warning, not an error\n"}

/* The model and the data of score, predict, reconstruct, eval and explain. */
#define CLI_OPTS_APPLY                                                                             \
    {"model", K_MODEL, 0, 0, "  -m, --model F     the model (required)\n"},                       \
        {"data", K_DATA, 0, 0,                                                                     \
         "  --data X          samples: .npy, IDX, a folder of images, or a table (.csv .tsv\n"    \
         "                    .txt, .npz, .mat: encoded and scaled as at training); for a video\n" \
         "                    model also videos (see below) (required)\n"},                       \
        {"batch", K_BATCH, 1, 1000000,                                                             \
         "  --batch B         samples per forward pass (default 256; 2 clips for videos)\n"},     \
        CLI_OPTS_TABLE

/* The video section of score and eval. */
#define CLI_OPTS_VIDEO_SCORE                                                                       \
    {NULL, K_TEXT, 0, 0,                                                                           \
     "\nVideos (a model of C x T x H x W clips, --data a folder of videos or frame folders,\n"    \
     "a video file, or a .txt list; a .npy of clips is scored clip by clip): every clip of\n"     \
     "T frames (stride 1) is scored; the clip of frames s..s+T-1 scores frame s+T/2\n"            \
     "(s+8 for T = 16, as the official code).  Default batch 2.\n"},                              \
        {"fill-edges", K_FILL_EDGES, 0, 0,                                                         \
         "  --fill-edges      give the first T/2 and last T/2-1 frames the nearest scored\n"      \
         "                    frame's error (default: left empty)\n"},                            \
        {"normalize", K_NORMALIZE, 0, 0,                                                           \
         "  --normalize N     video: (e - min) / (max - min) per video, the paper (default);\n"   \
         "                    train: (e - mean) / std of the training clips' errors (causal);\n"  \
         "                    none: the raw error\n"},                                             \
        CLI_OPTS_VIDEO_INPUT

/* getopt's order of the options score, predict, reconstruct, eval and explain
 * share (each refuses those it does not document). */
extern const char *const cli_apply_family[];

#endif
