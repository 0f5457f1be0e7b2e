/* memae eval --protocol kdd: the paper's KDDCUP99 protocol on one labelled table. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"

static const cli_opt opts[] = {
    {"protocol", K_PROTOCOL, 0, 0,
     "  --protocol kdd    the protocol (required; kdd is the only one)\n"},
    {"data", K_DATA, 0, 0,
     "  --data TABLE      labelled records: .csv with --label-column, .npz or .mat with y\n"},
    {"runs", K_RUNS, 1, 1000, "  --runs R          runs (default 5)\n"},
    {"contamination", K_CONTAMINATION, 1e-9, 1 - 1e-9,
     "  --contamination C share of test records flagged (default 0.2, the paper's)\n"},
    {"preset", K_PRESET, 0, 0, "  --preset P        the model (default tabular)\n"},
    {"config", K_CONFIG, 0, 0,
     "  --config JSON     configuration overriding the preset (inline JSON or a file)\n"},
    {"recipe", K_RECIPE, 0, 0,
     "  --recipe R        default (weighted for tables), paper or weighted (see train --help)\n"},
    {"epochs", K_EPOCHS, 1, 1000000,
     "  --epochs E        epochs per run (default: the recipe's; see train --help)\n"},
    {"batch", K_BATCH, 1, 1000000, "  --batch B         batch size (default 64)\n"},
    {"lr", K_LR, 1e-12, 10, "  --lr LR           Adam's learning rate (default 0.001)\n"},
    {"scale", K_SCALE, 0, 0, "  --scale S         zscore, minmax or none (default zscore)\n"},
    {"json", K_JSON, 0, 0, "  --json            one JSON object instead of text\n"},
    CLI_OPTS_TABLE,
    CLI_OPT_MAX_MEMORY,
    CLI_OPTS_COMMON,
    {0}};

static const cli_command cmd = {
    .name = "eval",
    .head = "usage: memae eval --protocol kdd --data TABLE [--runs R] [options]\n"
            "\n"
            "The paper's KDDCUP99 protocol (after DAGMM): the minority class of TABLE's labels is\n"
            "the anomaly; each run trains a fresh model on a random half of the normal records\n"
            "(scaling fitted on that half), tests on the other half plus every anomaly, flags the\n"
            "share C of the test records with the highest scores (threshold at their (1 - C)\n"
            "quantile) and reports precision, recall, F1 (and ROC-AUC); then their mean and\n"
            "standard deviation over the runs.  Run r uses seed S + r.\n"
            "\n",
    .opts = opts,
    .shorts = "h",
    .who = "eval",
    .needs = {K_DATA},
    .needs_msg = "eval --protocol kdd: --data is required",
};

static void print(const cli_args *a, const memae_kdd_opts *k, const memae_kdd_run *runs,
                  const memae_kdd_result *r)
{
    static const char *const names[4] = {"precision", "recall", "f1", "roc_auc"};
    if (a->json) {
        cJSON *j = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(j, "runs");
        cJSON_AddStringToObject(j, "protocol", "kdd");
        cJSON_AddStringToObject(j, "data", a->data);
        cJSON_AddNumberToObject(j, "anomaly_label", r->anomaly_label);
        cJSON_AddNumberToObject(j, "flagged_share", k->flag_share);
        for (int k = 0; k < 4; k++) {
            char key[32];
            snprintf(key, sizeof key, "%s_std", names[k]);
            cJSON_AddNumberToObject(j, names[k], r->mean[k]);
            cJSON_AddNumberToObject(j, key, r->std[k]);
        }
        for (int i = 0; i < k->runs; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "seed", (double)(k->seed + (uint64_t)i));
            cJSON_AddNumberToObject(o, "train", (double)runs[i].train_n);
            cJSON_AddNumberToObject(o, "test", (double)runs[i].test_n);
            cJSON_AddNumberToObject(o, "test_anomalies", (double)runs[i].test_anomalies);
            cJSON_AddNumberToObject(o, "threshold", runs[i].threshold);
            cJSON_AddNumberToObject(o, "precision", runs[i].precision);
            cJSON_AddNumberToObject(o, "recall", runs[i].recall);
            cJSON_AddNumberToObject(o, "f1", runs[i].f1);
            cJSON_AddNumberToObject(o, "roc_auc", runs[i].roc_auc);
            cJSON_AddItemToArray(arr, o);
        }
        cli_print_json(j);
        return;
    }
    printf("kdd protocol on %s: label %d is the anomaly (the minority), top %.0f%% flagged\n",
           a->data, r->anomaly_label, 100 * k->flag_share);
    for (int i = 0; i < k->runs; i++)
        printf("run %d (seed %llu): train %lld, test %lld (%lld anomalies): precision %.4f "
               "recall %.4f F1 %.4f ROC-AUC %.4f\n", i + 1,
               (unsigned long long)(k->seed + (uint64_t)i), (long long)runs[i].train_n,
               (long long)runs[i].test_n, (long long)runs[i].test_anomalies, runs[i].precision,
               runs[i].recall, runs[i].f1, runs[i].roc_auc);
    printf("mean over %d runs: precision %.4f +- %.4f, recall %.4f +- %.4f, F1 %.4f +- %.4f, "
           "ROC-AUC %.4f +- %.4f\n", k->runs, r->mean[0], r->std[0], r->mean[1], r->std[1],
           r->mean[2], r->std[2], r->mean[3], r->std[3]);
}

int cmd_eval_kdd(int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(&cmd, argc, argv, &a);
    if (rc)
        return rc;
    memae_kdd_opts k = {.train = memae_train_config_default(), .runs = 5, .flag_share = 0.2};
    if (a.runs)
        k.runs = a.runs;
    if (!isnan(a.contamination))
        k.flag_share = a.contamination;
    k.train.epochs = a.epochs; /* 0: the recipe's */
    k.train.recipe = a.recipe;
    if (a.batch_given)
        k.train.batch = a.batch;
    if (a.lr_given)
        k.train.adam.lr = (float)a.lr;
    k.scale = a.data_opts.scale;
    k.seed = a.seed;
    k.threads = a.threads;
    k.backend = !a.backend                  ? -1 /* the library's default */
                : !strcmp(a.backend, "ref") ? MEMAE_BACKEND_REF
                                            : MEMAE_BACKEND_DNNL;
    /* The records as they are: each run fits its own scaling on its training half. */
    a.data_opts.keep_anomalies = 1;
    a.data_opts.as_table = 1;
    a.data_opts.scale = MEMAE_SCALE_NONE;
    memae_dataset *d = NULL;
    int st = memae_dataset_read(a.data, &a.data_opts, &d);
    memae_dataset_info info = {0};
    if (st)
        rc = cli_data_fail(d, st);
    else
        memae_dataset_info_get(d, &info);
    char shape[32], *json = NULL;
    snprintf(shape, sizeof shape, "%lld", (long long)info.width);
    memae_kdd_run *runs = rc ? NULL : calloc((size_t)k.runs, sizeof *runs);
    memae_kdd_result r;
    if (!rc && !info.has_labels)
        rc = cli_fail("%s: no labels (give --label-column for a CSV)", a.data);
    else if (!rc && !runs)
        rc = cli_fail("out of memory");
    else if (!rc && !(json = cli_config_json(a.preset ? a.preset : "tabular", a.config, shape, a.recipe)))
        rc = 1;
    k.config_json = json;
    if (!rc && (st = memae_dataset_kdd(d, &k, runs, &r)))
        rc = cli_data_fail(d, st);
    if (!rc)
        print(&a, &k, runs, &r);
    free(json);
    free(runs);
    memae_dataset_free(d);
    return rc;
}
