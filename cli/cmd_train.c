/* memae train: fit a model to normal data, checkpoint every epoch, store a threshold. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"
#include "data.h"
#include "io/dataset.h"
#include "table.h"
#include "video.h"

static const char usage[] =
    "usage: memae train --data X -o MODEL [--preset P] [options]\n"
    "\n"
    "Trains a model on normal samples.  After every epoch the model and Adam's state\n"
    "are written atomically to MODEL.ckpt; --resume continues from it to the same\n"
    "result as an uninterrupted run.  At the end the decision threshold (the (1 - C)\n"
    "quantile of the training scores) is stored in MODEL.\n"
    "\n"
    "  --data X          samples: .npy (uint8 or float32), IDX (.gz or not), or a folder of\n"
    "                    images (png, jpg, bmp, tif); with --preset video3d also videos\n"
    "                    (see below) (required)\n"
    "  --labels L        labels of X (IDX or .npy), with --normal-class K: train on class K only\n"
    "  --normal-class K  the class to train on (needs --labels)\n"
    "  -o, --output F    the model to write (required)\n"
    "  --preset P        video3d, image2d or tabular (default image2d; tabular for a table)\n"
    "  --config JSON     configuration overriding the preset (inline JSON or a file)\n"
    "  --input-shape S   one sample's shape (default: from the data, else the preset's)\n"
    "  --epochs E        epochs (default: the recipe's; 5 for paper, else enough to see\n"
    "                    about 90,000 images or 6,000 records, at least 10, at most 1000)\n"
    "  --batch B         batch size (default 64)\n"
    "  --lr LR           Adam's learning rate (default 0.001)\n"
    "  --contamination C share of training samples above the threshold (default 0.1)\n"
    "  --score mse|mae   the score the threshold is for (default mse)\n"
    "  --resume          continue from MODEL.ckpt\n"
    "  --recipe R        default, paper, weighted or restore (default: default, which is\n"
    "                    restore for square images, weighted for other images and tables,\n"
    "                    paper for videos); see README \"Detection quality\"\n"
    "Tables (.csv .tsv .txt, .npz with X and y, ODDS .mat with X and y; .npy with --preset\n"
    "tabular; the preset defaults to tabular for them):\n"
    "  --scale S         zscore, minmax or none, fitted on the training records (default zscore)\n"
    "  --keep-anomalies  also train on records labelled anomalous (default: they are "
    "dropped)\n" CLI_TABLE_HELP CLI_COMMON_HELP CLI_VIDEO_TRAIN_HELP;

typedef struct train_args {
    const char *data, *labels, *out, *preset, *config, *shape;
    long normal_class;
    memae_train_config tc;
    cli_table table;
    cli_video_opts video;
    int batch_given, lr_given; /* video data has other defaults */
} train_args;

static int parse(int argc, char **argv, train_args *a, cli_common *c)
{
    static const struct option opts[] = {{"data", required_argument, 0, 'd'},
                                         {"labels", required_argument, 0, 'l'},
                                         {"normal-class", required_argument, 0, 'k'},
                                         {"output", required_argument, 0, 'o'},
                                         {"preset", required_argument, 0, 'p'},
                                         {"config", required_argument, 0, 'c'},
                                         {"input-shape", required_argument, 0, 's'},
                                         {"epochs", required_argument, 0, 'e'},
                                         {"batch", required_argument, 0, 'b'},
                                         {"lr", required_argument, 0, 'r'},
                                         {"contamination", required_argument, 0, 'C'},
                                         {"score", required_argument, 0, 'S'},
                                         {"resume", no_argument, 0, 'R'},
                                         {"recipe", required_argument, 0, 'Q'},
                                         {"threads", required_argument, 0, 0},
                                         {"seed", required_argument, 0, 0},
                                         {"backend", required_argument, 0, 0},
                                         {"scale", required_argument, 0, 0},
                                         {"keep-anomalies", no_argument, 0, 0},
                                         CLI_TABLE_OPTIONS,
                                         CLI_VIDEO_LONGOPTS,
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int o, idx = -1;
    long v;
    double d;
    while ((idx = -1, o = getopt_long(argc, argv, "o:h", opts, &idx)) != -1) {
        /* Table and video flags share the table below: take what --help lists. */
        if (o != '?' && idx >= 0 && o != 'o' && o != 'h' &&
            cli_check_documented("train", usage, opts[idx].name))
            return 1;
        switch (o) {
        case 'd':
            a->data = optarg;
            break;
        case 'l':
            a->labels = optarg;
            break;
        case 'o':
            a->out = optarg;
            break;
        case 'p':
            a->preset = optarg;
            break;
        case 'c':
            a->config = optarg;
            break;
        case 's':
            a->shape = optarg;
            break;
        case 'R':
            a->tc.resume = 1;
            break;
        case 'Q':
            a->tc.recipe = optarg;
            break;
        case 'k':
            if (cli_parse_int("--normal-class", optarg, 0, 1000000000L, &a->normal_class))
                return 1;
            break;
        case 'e':
            if (cli_parse_int("--epochs", optarg, 1, 1000000, &v))
                return 1;
            a->tc.epochs = (int)v;
            break;
        case 'b':
            if (cli_parse_int("--batch", optarg, 1, 1000000, &v))
                return 1;
            a->tc.batch = (int)v;
            a->batch_given = 1;
            break;
        case 'r':
            if (cli_parse_float("--lr", optarg, 1e-12, 10, &d))
                return 1;
            a->tc.adam.lr = (float)d;
            a->lr_given = 1;
            break;
        case 'C':
            if (cli_parse_float("--contamination", optarg, 1e-9, 1 - 1e-9, &d))
                return 1;
            a->tc.contamination = d;
            break;
        case 'S':
            if (strcmp(optarg, "mse") && strcmp(optarg, "mae"))
                return cli_fail("--score: '%s' is not mse or mae", optarg);
            a->tc.score_kind = !strcmp(optarg, "mae") ? MEMAE_SCORE_MAE : MEMAE_SCORE_MSE;
            break;
        case 'h':
            fputs(usage, stdout);
            exit(0);
        case 0: {
            int h = cli_table_flag(&a->table, opts[idx].name, optarg);
            if (h == 0)
                h = cli_video_flag(&a->video, opts[idx].name, optarg);
            if (h == 0)
                h = cli_common_flag(c, opts[idx].name, optarg);
            if (h < 0)
                return 1;
            break;
        }
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind < argc)
        return cli_fail("train: unexpected argument '%s'", argv[optind]);
    if (!a->data || !a->out)
        return cli_fail("train: --data and -o are required (see memae train --help)");
    if ((a->labels != NULL) != (a->normal_class >= 0))
        return cli_fail("train: --labels and --normal-class go together");
    return 0;
}

/* The sample shape of an array: everything after N, with a channel of 1 added
 * to (N, H, W) images and (N, T, H, W) clips. */
static void shape_text(const memae_array *arr, const char *preset, char *buf, size_t len)
{
    int64_t s[4];
    int n = 0;
    int want = !strcmp(preset, "video3d") ? 4 : !strcmp(preset, "tabular") ? 1 : 3;
    if (arr->ndim == want)
        s[n++] = 1;
    for (int i = 1; i < arr->ndim && n < 4; i++)
        s[n++] = arr->shape[i];
    cli_format_shape(s, n, buf, len);
}

/* Keep the samples of one class: (x, n) shrink in place. */
static int keep_class(memae_model *m, const char *labels, long k, float *x, int64_t *n)
{
    uint8_t *y;
    if (cli_load_binary_labels(m, labels, *n, k, &y))
        return 1;
    size_t ss = memae_model_sample_size(m);
    int64_t j = 0;
    for (int64_t i = 0; i < *n; i++)
        if (!y[i])
            memmove(x + (size_t)j++ * ss, x + (size_t)i * ss, ss * sizeof *x);
    free(y);
    if (j == 0)
        return cli_fail("%s: no sample of class %ld", labels, k);
    *n = j;
    return 0;
}

static int train_videos(train_args *a, const cli_common *c, const char *preset)
{
    if (a->labels)
        return cli_fail("train: --labels and --normal-class are for arrays, not videos");
    if (!a->batch_given)
        a->tc.batch = 10;
    if (!a->lr_given)
        a->tc.adam.lr = 1e-4f;
    char ckpt[4096];
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", a->out);
    a->tc.checkpoint = ckpt;
    cli_video_train_args v = {.data = a->data,
                              .out = a->out,
                              .preset = preset,
                              .config = a->config,
                              .shape = a->shape,
                              .tc = &a->tc,
                              .common = c,
                              .video = &a->video};
    return cli_video_train(&v);
}

int cmd_train(int argc, char **argv)
{
    train_args a = {.normal_class = -1, .tc = memae_train_config_default()};
    a.tc.epochs = 0; /* the recipe's */
    a.tc.recipe = "default";
    cli_common c = {.seed = 1};
    cli_table_init(&a.table);
    cli_video_opts_default(&a.video);
    int rc = parse(argc, argv, &a, &c);
    if (rc)
        return rc;
    a.tc.seed = c.seed;
    int table = memae_is_table_path(a.data);
    const char *preset = a.preset ? a.preset : table ? "tabular" : "image2d";
    if (!strcmp(preset, "video3d") && cli_is_video_path(a.data))
        return train_videos(&a, &c, preset);
    if (table && a.labels)
        return cli_fail("%s: a table's labels come from --label-column (or its y), not "
                        "--labels/--normal-class",
                        a.data);
    if (!strcmp(preset, "tabular") && !a.labels)
        return cli_train_table(a.data, a.out, a.config, &a.table, &a.tc, &c);
    if (table)
        return cli_fail("%s: a table needs --preset tabular", a.data);
    memae_array arr = {0};
    memae_err err = {0};
    int img = !strcmp(preset, "image2d");
    int64_t want[4];
    int wn = a.shape ? cli_parse_shape(a.shape, want) : 0;
    if (wn < 0)
        return 1;
    /* A folder is decoded at the model's size: the shape given, or the preset's. */
    if (memae_array_load(a.data, img ? (wn == 3 ? (int)want[0] : 1) : 0,
                         img ? (wn == 3 ? (int)want[1] : 28) : 0,
                         img ? (wn == 3 ? (int)want[2] : 28) : 0, &arr, &err))
        return cli_fail("%s", err.msg);
    char shape[64];
    shape_text(&arr, preset, shape, sizeof shape);
    char *json = cli_config_json(preset, a.config, a.shape ? a.shape : shape, a.tc.recipe);
    memae_model *m = NULL;
    float *x = NULL;
    int64_t n = 0;
    int st = json ? memae_model_create(json, c.seed, &m) : MEMAE_E_CONFIG;
    free(json);
    if (!m)
        rc = json ? cli_fail("out of memory") : 1;
    else if (st)
        rc = cli_model_fail(m, st);
    else if (!(rc = cli_apply_common(&c, m)) &&
             (st = memae_data_from_array(m, a.data, &arr, &x, &n)))
        rc = cli_model_fail(m, st);
    memae_array_free(&arr);
    if (!rc && a.labels)
        rc = keep_class(m, a.labels, a.normal_class, x, &n);
    char ckpt[4096];
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", a.out);
    a.tc.checkpoint = ckpt;
    if (!rc && !a.tc.epochs && (a.tc.epochs = memae_train_auto_epochs(m, a.tc.recipe, n)) < 0)
        rc = cli_model_fail(m, -a.tc.epochs);
    if (!rc && (st = memae_train(m, x, n, &a.tc, cli_progress, NULL)))
        rc = cli_model_fail(m, st);
    if (!rc && (st = memae_model_save(m, a.out)))
        rc = cli_model_fail(m, st);
    double thr;
    if (!rc && memae_model_threshold(m, &thr) == MEMAE_OK)
        printf("wrote %s: %lld samples, %d epochs, threshold %.6g (contamination %g)\n", a.out,
               (long long)n, a.tc.epochs, thr, a.tc.contamination);
    memae_free(x);
    memae_model_free(m);
    return rc;
}
