/* memae train: fit a model to normal data, checkpoint every epoch, store a threshold. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"

static const cli_opt opts[] = {
    {"data", K_DATA, 0, 0,
     "  --data X          samples: .npy (uint8 or float32), IDX (.gz or not), or a folder of\n"
     "                    images (png, jpg, bmp, tif); with --preset video3d also videos\n"
     "                    (see below) (required)\n"},
    {"labels", K_LABELS, 0, 0,
     "  --labels L        labels of X (IDX or .npy), with --normal-class K: train on class K only\n"},
    {"normal-class", K_NORMAL_CLASS, 0, 1000000000,
     "  --normal-class K  the class to train on (needs --labels)\n"},
    {"output", K_OUTPUT, 0, 0, "  -o, --output F    the model to write (required)\n"},
    {"preset", K_PRESET, 0, 0,
     "  --preset P        video3d, image2d or tabular (default image2d; tabular for a table)\n"},
    {"config", K_CONFIG, 0, 0,
     "  --config JSON     configuration overriding the preset (inline JSON or a file)\n"},
    {"input-shape", K_SHAPE, 0, 0,
     "  --input-shape S   one sample's shape (default: from the data, else the preset's)\n"},
    {"epochs", K_EPOCHS, 1, 1000000,
     "  --epochs E        epochs (default: the recipe's; 5 for paper, else enough to see\n"
     "                    about 90,000 images, 6,000 records or 600 clips, at least 10\n"
     "                    (clips: 3), at most 1000)\n"},
    {"batch", K_BATCH, 1, 1000000, "  --batch B         batch size (default 64)\n"},
    {"lr", K_LR, 1e-12, 10, "  --lr LR           Adam's learning rate (default 0.001)\n"},
    {"contamination", K_CONTAMINATION, 1e-9, 1 - 1e-9,
     "  --contamination C share of training samples above the threshold (default 0.1)\n"},
    {"score", K_SCORE, 0, 0, "  --score mse|mae   the score the threshold is for (default mse)\n"},
    {"resume", K_RESUME, 0, 0, "  --resume          continue from MODEL.ckpt\n"},
    CLI_OPT_MAX_MEMORY,
    {"recipe", K_RECIPE, 0, 0,
     "  --recipe R        default, paper, weighted or restore (default: default, which is\n"
     "                    restore for square images, weighted for other images and tables,\n"
     "                    paper for videos); see README \"Detection quality\"\n"},
    {NULL, K_TEXT, 0, 0,
     "Tables (.csv .tsv .txt, .npz with X and y, ODDS .mat with X and y; .npy with --preset\n"
     "tabular; the preset defaults to tabular for them):\n"},
    {"scale", K_SCALE, 0, 0,
     "  --scale S         zscore, minmax or none, fitted on the training records (default zscore)\n"},
    {"keep-anomalies", K_KEEP_ANOMALIES, 0, 0,
     "  --keep-anomalies  also train on records labelled anomalous (default: they are dropped)\n"},
    CLI_OPTS_TABLE,
    CLI_OPTS_COMMON,
    {NULL, K_TEXT, 0, 0,
     "\nVideos (--preset video3d with a folder of videos or frame folders, a video file,\n"
     "or a .txt list): clips of T consecutive grey frames at the model's size, shuffled\n"
     "across videos; defaults batch 10, lr 0.0001 (the official script).\n"},
    {"clip-stride", K_CLIP_STRIDE, 1, 1000000,
     "  --clip-stride S   first frames of training clips S apart (default 1)\n"},
    CLI_OPTS_VIDEO_INPUT,
    {0}};

static const char *const family[] = {
    "data", "labels", "normal-class", "output", "preset", "config", "input-shape", "epochs",
    "batch", "lr", "contamination", "score", "resume", "recipe", "threads", "seed", "backend", "scale",
    "keep-anomalies", "label-column", "header", "delimiter", "normal-label", "cache",
    "clip-stride", "fill-edges", "normalize", "heatmaps", "heatmap-count", "allow-truncated",
    "max-memory", "help", NULL};

static const cli_command cmd = {
    .name = "train",
    .head = "usage: memae train --data X -o MODEL [--preset P] [options]\n"
            "\n"
            "Trains a model on normal samples.  After every epoch the model and Adam's state\n"
            "are written atomically to MODEL.ckpt; --resume continues from it to the same\n"
            "result as an uninterrupted run.  At the end the decision threshold (the (1 - C)\n"
            "quantile of the training scores) is stored in MODEL.  One run at a time writes\n"
            "MODEL: it holds MODEL.lock (flock), and a second run is refused.\n"
            "\n",
    .opts = opts,
    .shorts = "o:h",
    .family = family,
    .who = "train",
    .needs = {K_DATA, K_OUTPUT},
    .needs_msg = "train: --data and -o are required (see memae train --help)",
};

/* Videos: the model first (its clip size decides how the videos are read). */
static int open_videos(const cli_args *a, const char *preset, memae_model **m,
                       memae_dataset **d)
{
    if (a->labels)
        return cli_fail("train: --labels and --normal-class are for arrays, not videos");
    if (cli_create_model(preset, a->config, a->shape, a->recipe, a, m))
        return 1;
    int st = memae_dataset_open(*m, a->data, &a->data_opts, d);
    if (st)
        return cli_data_fail(*d, st);
    memae_dataset_info info;
    memae_dataset_info_get(*d, &info);
    if (info.n == 0)
        return cli_fail("%s: no video has %d frames, the length of a clip", a->data,
                        info.clip_length);
    return 0;
}

/* Arrays and tables: the data first (its shape decides the model's). */
static int read_data(const cli_args *a, const char *preset, memae_model **m, memae_dataset **d)
{
    memae_data_opts o = a->data_opts;
    int64_t want[4];
    int wn = a->shape && !o.as_table ? cli_parse_shape(a->shape, want) : 0;
    if (wn < 0)
        return 1;
    /* A folder is decoded at the model's size: the shape given, or the preset's. */
    if (!strcmp(preset, "image2d")) {
        o.channels = wn == 3 ? (int)want[0] : 1;
        o.height = wn == 3 ? (int)want[1] : 28;
        o.width = wn == 3 ? (int)want[2] : 28;
    }
    int st = memae_dataset_read(a->data, &o, d);
    if (st)
        return cli_data_fail(*d, st);
    memae_dataset_info info;
    memae_dataset_info_get(*d, &info);
    if (info.kind == MEMAE_DATA_TABLE && info.has_labels && !o.keep_anomalies)
        fprintf(stderr, "training on the %lld of %lld records labelled normal\n",
                (long long)info.n, (long long)info.n_read);
    int64_t shape[4];
    int nd;
    char text[64];
    memae_dataset_input_shape(*d, preset, shape, &nd);
    cli_format_shape(shape, nd, text, sizeof text);
    const char *given = info.kind == MEMAE_DATA_TABLE ? NULL : a->shape;
    if (cli_create_model(preset, a->config, given ? given : text, a->recipe, a, m))
        return 1;
    if ((st = memae_dataset_bind(*d, *m)))
        return cli_data_fail(*d, st);
    return 0;
}

/* --labels L --normal-class K: only the samples of class K. */
static int keep_class(const cli_args *a, memae_dataset *d)
{
    uint8_t *y;
    int st = memae_dataset_load_labels(d, a->labels, a->normal_class, &y);
    if (st)
        return cli_data_fail(d, st);
    int64_t n = memae_dataset_keep_normal(d, y);
    memae_free(y);
    return n ? 0 : cli_fail("%s: no sample of class %ld", a->labels, a->normal_class);
}

/* Tables go by their extension, and any file with --preset tabular and no --labels. */
static int check_table(const cli_args *a, int table, const char *preset)
{
    if (table && a->labels)
        return cli_fail("%s: a table's labels come from --label-column (or its y), not "
                        "--labels/--normal-class",
                        a->data);
    if (table && strcmp(preset, "tabular"))
        return cli_fail("%s: a table needs --preset tabular", a->data);
    return 0;
}

static void report(const cli_args *a, memae_model *m, const memae_dataset *d,
                   const memae_train_config *tc)
{
    double thr;
    memae_dataset_info i;
    memae_dataset_info_get(d, &i);
    if (memae_model_threshold(m, &thr) != MEMAE_OK)
        return;
    if (i.kind == MEMAE_DATA_VIDEO)
        printf("wrote %s: %lld clips of %d frames from %lld videos, %d epochs, threshold "
               "%.6g (contamination %g)\n",
               a->out, (long long)i.n, i.clip_length, (long long)i.videos, tc->epochs, thr,
               tc->contamination);
    else if (i.kind == MEMAE_DATA_TABLE)
        printf("wrote %s: %lld records, %lld features, %d epochs, threshold %.6g "
               "(contamination %g)\n",
               a->out, (long long)i.n, (long long)i.width, tc->epochs, thr, tc->contamination);
    else
        printf("wrote %s: %lld samples, %d epochs, threshold %.6g (contamination %g)\n", a->out,
               (long long)i.n, tc->epochs, thr, tc->contamination);
}

int cmd_train(int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(&cmd, argc, argv, &a);
    if (rc)
        return rc;
    a.data_opts.progress = cli_data_progress;
    if ((a.labels != NULL) != (a.normal_class >= 0))
        return cli_fail("train: --labels and --normal-class go together");
    int table = memae_data_kind(a.data, 0) == MEMAE_DATA_TABLE;
    const char *preset = a.preset ? a.preset : table ? "tabular" : "image2d";
    int videos = !strcmp(preset, "video3d") && memae_data_kind(a.data, 1) == MEMAE_DATA_VIDEO;
    if (!videos && (rc = check_table(&a, table, preset)))
        return rc;
    a.data_opts.as_table = !strcmp(preset, "tabular") && !a.labels;
    memae_train_config tc = memae_train_config_default();
    tc.seed = a.seed;
    tc.resume = a.resume;
    tc.score_kind = a.kind;
    tc.epochs = a.epochs; /* 0: the recipe's, once the data is known */
    tc.recipe = a.recipe;
    tc.batch = a.batch_given ? a.batch : videos ? 10 : tc.batch;
    tc.adam.lr = a.lr_given ? (float)a.lr : videos ? 1e-4f : tc.adam.lr;
    tc.contamination = isnan(a.contamination) ? tc.contamination : a.contamination;
    char ckpt[4096], msg[512];
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", a.out);
    tc.checkpoint = ckpt;
    /* One run per output, and a folder that cannot be written fails now. */
    int lock;
    if (memae_lock_output(a.out, &lock, msg, sizeof msg))
        return cli_fail("%s", msg);
    memae_model *m = NULL;
    memae_dataset *d = NULL;
    rc = videos ? open_videos(&a, preset, &m, &d) : read_data(&a, preset, &m, &d);
    if (!rc && a.labels)
        rc = keep_class(&a, d);
    memae_source src = rc ? (memae_source){0} : memae_dataset_source(d);
    if (!rc && !tc.epochs && (tc.epochs = memae_train_auto_epochs(m, tc.recipe, src.n)) < 0)
        rc = cli_model_fail(m, -tc.epochs);
    int st;
    if (!rc && (st = memae_train_source(m, &src, &tc, cli_progress, NULL)))
        rc = cli_model_fail(m, st);
    if (!rc && (st = memae_model_save(m, a.out)))
        rc = cli_model_fail(m, st);
    if (!rc)
        report(&a, m, d, &tc);
    memae_dataset_free(d);
    memae_model_free(m);
    memae_unlock_output(a.out, lock);
    return rc;
}
