/* memae oneclass: the paper's one-class protocol (docs/protocols.md) on an MNIST-style data set. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "commands.h"
#include "common.h"

#define NCLASS 10

static const cli_opt opts[] = {
    {"data-dir", K_DATA_DIR, 0, 0,
     "  --data-dir DIR    default /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist)\n"},
    {"classes", K_CLASSES, 0, 0, "  --classes C       e.g. 0-9 (default), 0,3,5 or 2-4\n"},
    {"epochs", K_EPOCHS, 1, 100000,
     "  --epochs E        epochs per class (default: the recipe's: 15 for restore on 6000\n"
     "                    images, 5 for paper)\n"},
    {"batch", K_BATCH, 2, 100000, "  --batch B         batch size (default 64)\n"},
    {"lr", K_LR, 1e-12, 10, "  --lr LR           Adam's learning rate (default 0.001)\n"},
    {"config", K_CONFIG, 0, 0, "  --config JSON     configuration overriding the image2d preset\n"},
    {"recipe", K_RECIPE, 0, 0,
     "  --recipe R        default (restore), paper, weighted or restore (see memae train --help)\n"},
    {"baseline", K_BASELINE, 0, 0,
     "  --baseline ae     also train the same network with the memory off (plain autoencoder)\n"},
    {"json", K_JSON, 0, 0, "  --json            one JSON object instead of the table\n"},
    {"seed", K_SEED, 0, 0, "  --seed S          class k trains with seed S + k (default 1)\n"},
    CLI_OPT_MAX_MEMORY,
    {NULL, K_TEXT, 0, 0, "  --threads N, --backend B, -h/--help as every command\n"},
    {"threads", K_THREADS, 0, 1024, NULL},
    {"backend", K_BACKEND, 0, 0, NULL},
    {"help", K_HELP, 0, 0, NULL},
    {0}};

static const cli_command cmd = {
    .name = "oneclass",
    .head = "usage: memae oneclass [--data-dir DIR] [--classes 0-9] [--recipe R] [--epochs E]\n"
            "                      [--baseline ae] [--json]\n"
            "\n"
            "For each class k: train the image2d model on the training images of class k, score\n"
            "the whole test set (class k normal, every other class anomalous) and report the\n"
            "ROC-AUC; then the mean over the classes.  DIR holds the four MNIST-style IDX files\n"
            "(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,\n"
            "t10k-labels-idx1-ubyte, gzipped or not).\n"
            "\n",
    .opts = opts,
    .shorts = "h",
    .who = "oneclass",
};

typedef struct set {
    float *x;
    int64_t *y, n;
} set;

/* DIR/name or DIR/name.gz, whichever exists. */
static const char *find(const char *dir, const char *name, char *buf, size_t len)
{
    struct stat st;
    snprintf(buf, len, "%s/%s.gz", dir, name);
    if (stat(buf, &st) == 0)
        return buf;
    snprintf(buf, len, "%s/%s", dir, name);
    return buf;
}

static int load_set(memae_model *m, const char *dir, const char *prefix, set *s)
{
    char b1[4096], b2[4096], n1[64], n2[64];
    snprintf(n1, sizeof n1, "%s-images-idx3-ubyte", prefix);
    snprintf(n2, sizeof n2, "%s-labels-idx1-ubyte", prefix);
    const char *img = find(dir, n1, b1, sizeof b1), *lab = find(dir, n2, b2, sizeof b2);
    int st = memae_data_load(m, img, &s->x, &s->n);
    if (st)
        return cli_model_fail(m, st);
    int64_t ny;
    st = memae_labels_load(m, lab, &s->y, &ny);
    if (st)
        return cli_model_fail(m, st);
    if (ny != s->n)
        return cli_fail("%s: %lld labels for %lld images", lab, (long long)ny, (long long)s->n);
    for (int64_t i = 0; i < ny; i++)
        if (s->y[i] < 0 || s->y[i] >= NCLASS)
            return cli_fail("%s: label %lld of image %lld is not a class 0-9", lab,
                            (long long)s->y[i], (long long)i);
    return 0;
}

typedef struct run_opts {
    const char *config; /* --config: JSON or a file, read per class with the recipe's keys */
    memae_train_config tc;
    cli_args c;
} run_opts;

/* Train on class k, score the test set; the ROC-AUC, or a negative value (reported). */
static double run_class(const run_opts *o, int k, int memory, const set *train, const set *test,
                        double *seconds, int *epochs)
{
    char *base = cli_config_json("image2d", o->config, NULL, o->tc.recipe);
    cJSON *cfg = base ? cJSON_Parse(base) : NULL;
    free(base);
    if (!cfg)
        return -1;
    if (!memory) {
        cJSON *mem = cJSON_GetObjectItem(cfg, "memory");
        if (!mem)
            mem = cJSON_AddObjectToObject(cfg, "memory");
        cJSON_DeleteItemFromObject(mem, "enabled");
        cJSON_AddFalseToObject(mem, "enabled");
    }
    char *json = cJSON_PrintUnformatted(cfg);
    cJSON_Delete(cfg);
    memae_model *m = NULL;
    uint64_t seed = o->c.seed + (uint64_t)k;
    int st = memae_model_create(json, seed, &m);
    free(json);
    double auc = -1;
    size_t ss = st ? 0 : memae_model_sample_size(m);
    float *xk = NULL, *scores = NULL;
    uint8_t *y = NULL;
    if (st || cli_apply_common(&o->c, m)) {
        if (st)
            cli_model_fail(m, st);
        goto out;
    }
    int64_t nk = 0;
    for (int64_t i = 0; i < train->n; i++)
        nk += train->y[i] == k;
    xk = malloc((size_t)nk * ss * sizeof *xk);
    scores = malloc((size_t)test->n * sizeof *scores);
    y = malloc((size_t)test->n);
    if (!xk || !scores || !y) {
        cli_fail("out of memory");
        goto out;
    }
    for (int64_t i = 0, j = 0; i < train->n; i++)
        if (train->y[i] == k)
            memcpy(xk + (size_t)j++ * ss, train->x + (size_t)i * ss, ss * sizeof *xk);
    for (int64_t i = 0; i < test->n; i++)
        y[i] = test->y[i] != k;
    memae_train_config tc = o->tc;
    tc.seed = seed;
    if (!tc.epochs && (tc.epochs = memae_train_auto_epochs(m, tc.recipe, nk)) < 0) {
        cli_model_fail(m, -tc.epochs);
        goto out;
    }
    *epochs = tc.epochs;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memae_eval_result r;
    if ((st = memae_train(m, xk, nk, &tc, o->c.json ? NULL : cli_progress, NULL)) ||
        (st = memae_model_score_all(m, test->x, test->n, MEMAE_SCORE_MSE, 256, scores)) ||
        (st = memae_model_evaluate(m, scores, y, (size_t)test->n, 0.0 / 0.0, &r))) {
        cli_model_fail(m, st);
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    *seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    auc = r.roc_auc;
out:
    free(xk);
    free(scores);
    free(y);
    memae_model_free(m);
    return auc;
}

static void report(const run_opts *o, const int *classes, double auc[2][NCLASS],
                   double secs[2][NCLASS], int ae)
{
    double mean[2] = {0, 0}, total = 0;
    int n = 0;
    for (int k = 0; k < NCLASS; k++)
        if (classes[k]) {
            n++;
            for (int b = 0; b <= ae; b++)
                mean[b] += auc[b][k], total += secs[b][k];
        }
    if (o->c.json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "epochs", o->tc.epochs);
        cJSON_AddStringToObject(j, "recipe", o->tc.recipe);
        cJSON_AddNumberToObject(j, "seed", (double)o->c.seed);
        for (int b = 0; b <= ae; b++) {
            cJSON *r = cJSON_AddObjectToObject(j, b ? "ae" : "memae");
            cJSON *a = cJSON_AddObjectToObject(r, "auc");
            for (int k = 0; k < NCLASS; k++)
                if (classes[k]) {
                    char key[4];
                    snprintf(key, sizeof key, "%d", k);
                    cJSON_AddNumberToObject(a, key, auc[b][k]);
                }
            cJSON_AddNumberToObject(r, "mean_auc", mean[b] / n);
        }
        cJSON_AddNumberToObject(j, "seconds", total);
        cli_print_json(j);
        return;
    }
    printf("\nrecipe %s, %d epochs per class\n", o->tc.recipe, o->tc.epochs);
    printf("class  MemAE AUC%s  train+score s\n", ae ? "  AE AUC" : "");
    for (int k = 0; k < NCLASS; k++)
        if (classes[k]) {
            printf("%5d  %9.4f", k, auc[0][k]);
            if (ae)
                printf("  %6.4f", auc[1][k]);
            printf("  %13.1f\n", secs[0][k] + (ae ? secs[1][k] : 0));
        }
    printf(" mean  %9.4f", mean[0] / n);
    if (ae)
        printf("  %6.4f", mean[1] / n);
    printf("  %13.1f\n", total);
}

int cmd_oneclass(int argc, char **argv)
{
    run_opts o = {.tc = memae_train_config_default()};
    int rc = cli_parse(&cmd, argc, argv, &o.c);
    if (rc)
        return rc;
    const char *dir = o.c.data_dir ? o.c.data_dir : "/usr/share/datasets/fashion-mnist";
    const int *classes = o.c.classes;
    int ae = o.c.baseline;
    o.tc.epochs = o.c.epochs; /* 0: the recipe's */
    o.tc.recipe = o.c.recipe;
    if (o.c.batch_given)
        o.tc.batch = o.c.batch;
    if (o.c.lr_given)
        o.tc.adam.lr = (float)o.c.lr;
    o.config = o.c.config;
    /* A model only to read the data with the image2d rule (28 x 28, / 255). */
    memae_model *m = NULL;
    int st = memae_model_create("{\"preset\":\"image2d\"}", 1, &m);
    set train = {0}, test = {0};
    if (st)
        rc = cli_model_fail(m, st);
    else
        rc = load_set(m, dir, "train", &train) || load_set(m, dir, "t10k", &test);
    memae_model_free(m);
    double auc[2][NCLASS] = {{0}}, secs[2][NCLASS] = {{0}};
    int epochs = o.tc.epochs;
    for (int k = 0; !rc && k < NCLASS; k++)
        for (int b = 0; !rc && classes[k] && b <= ae; b++) {
            if (!o.c.json)
                fprintf(stderr, "class %d, %s\n", k, b ? "AE baseline" : "MemAE");
            auc[b][k] = run_class(&o, k, !b, &train, &test, &secs[b][k], &epochs);
            rc = auc[b][k] < 0;
        }
    o.tc.epochs = epochs;
    if (!rc)
        report(&o, classes, auc, secs, ae);
    memae_free(train.x);
    memae_free(train.y);
    memae_free(test.x);
    memae_free(test.y);
    return rc;
}
