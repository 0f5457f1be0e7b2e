/* memae eval --protocol kdd: the paper's KDDCUP99 protocol on one labelled table. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"
#include "eval/protocol.h"
#include "table.h"

static const char usage[] =
    "usage: memae eval --protocol kdd --data TABLE [--runs R] [options]\n"
    "\n"
    "The paper's KDDCUP99 protocol (after DAGMM): the minority class of TABLE's labels is\n"
    "the anomaly; each run trains a fresh model on a random half of the normal records\n"
    "(scaling fitted on that half), tests on the other half plus every anomaly, flags the\n"
    "share C of the test records with the highest scores (threshold at their (1 - C)\n"
    "quantile) and reports precision, recall, F1 (and ROC-AUC); then their mean and\n"
    "standard deviation over the runs.  Run r uses seed S + r.\n"
    "\n"
    "  --protocol kdd    the protocol (required; kdd is the only one)\n"
    "  --data TABLE      labelled records: .csv with --label-column, .npz or .mat with y\n"
    "  --runs R          runs (default 5)\n"
    "  --contamination C share of test records flagged (default 0.2, the paper's)\n"
    "  --preset P        the model (default tabular)\n"
    "  --config JSON     configuration overriding the preset (inline JSON or a file)\n"
    "  --recipe R        default (weighted for tables), paper or weighted (see train --help)\n"
    "  --epochs E        epochs per run (default: the recipe's; see train --help)\n"
    "  --batch B         batch size (default 64)\n"
    "  --lr LR           Adam's learning rate (default 0.001)\n"
    "  --scale S         zscore, minmax or none (default zscore)\n"
    "  --json            one JSON object instead of text\n" CLI_TABLE_HELP CLI_COMMON_HELP;

typedef struct proto_args {
    const char *data, *preset, *config;
    memae_kdd_opts k;
    cli_table table;
    cli_common c;
} proto_args;

static int parse(int argc, char **argv, proto_args *a)
{
    static const struct option opts[] = {
        {"protocol", required_argument, 0, 'P'}, {"data", required_argument, 0, 'd'},
        {"runs", required_argument, 0, 'n'}, {"contamination", required_argument, 0, 'C'},
        {"preset", required_argument, 0, 'p'}, {"config", required_argument, 0, 'c'},
        {"epochs", required_argument, 0, 'e'}, {"batch", required_argument, 0, 'b'},
        {"lr", required_argument, 0, 'r'}, {"scale", required_argument, 0, 0},
        {"recipe", required_argument, 0, 'Q'},
        {"threads", required_argument, 0, 0}, {"seed", required_argument, 0, 0},
        {"backend", required_argument, 0, 0}, {"json", no_argument, 0, 0}, CLI_TABLE_OPTIONS,
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int o, idx, help = 0;
    long v;
    double d;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", opts, &idx)) != -1) {
        switch (o) {
        case 'P':
            if (strcmp(optarg, "kdd"))
                return cli_fail("--protocol: '%s' is not kdd", optarg);
            break;
        case 'd': a->data = optarg; break;
        case 'p': a->preset = optarg; break;
        case 'c': a->config = optarg; break;
        case 'n':
            if (cli_parse_int("--runs", optarg, 1, 1000, &v))
                return 1;
            a->k.runs = (int)v;
            break;
        case 'C':
            if (cli_parse_float("--contamination", optarg, 1e-9, 1 - 1e-9, &a->k.flag_share))
                return 1;
            break;
        case 'e':
            if (cli_parse_int("--epochs", optarg, 1, 1000000, &v))
                return 1;
            a->k.train.epochs = (int)v;
            break;
        case 'Q':
            a->k.train.recipe = optarg;
            break;
        case 'b':
            if (cli_parse_int("--batch", optarg, 1, 1000000, &v))
                return 1;
            a->k.train.batch = (int)v;
            break;
        case 'r':
            if (cli_parse_float("--lr", optarg, 1e-12, 10, &d))
                return 1;
            a->k.train.adam.lr = (float)d;
            break;
        case 'h': help = 1; break;
        case 0: {
            int r = cli_table_flag(&a->table, opts[idx].name, optarg);
            if (r < 0 || (r == 0 && cli_common_flag(&a->c, opts[idx].name, optarg) < 0))
                return 1;
            break;
        }
        default: fputs(usage, stderr); return 2;
        }
    }
    if (help) {
        fputs(usage, stdout);
        return -1;
    }
    if (optind < argc)
        return cli_fail("eval: unexpected argument '%s'", argv[optind]);
    if (!a->data)
        return cli_fail("eval --protocol kdd: --data is required");
    return 0;
}

static void print(const proto_args *a, const memae_kdd_run *runs, const memae_kdd_result *r)
{
    static const char *const names[4] = {"precision", "recall", "f1", "roc_auc"};
    if (a->c.json) {
        cJSON *j = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(j, "runs");
        cJSON_AddStringToObject(j, "protocol", "kdd");
        cJSON_AddStringToObject(j, "data", a->data);
        cJSON_AddNumberToObject(j, "anomaly_label", r->anomaly_label);
        cJSON_AddNumberToObject(j, "flagged_share", a->k.flag_share);
        for (int k = 0; k < 4; k++) {
            char key[32];
            snprintf(key, sizeof key, "%s_std", names[k]);
            cJSON_AddNumberToObject(j, names[k], r->mean[k]);
            cJSON_AddNumberToObject(j, key, r->std[k]);
        }
        for (int i = 0; i < a->k.runs; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "seed", (double)(a->k.seed + (uint64_t)i));
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
        char *s = cJSON_Print(j);
        puts(s);
        free(s);
        cJSON_Delete(j);
        return;
    }
    printf("kdd protocol on %s: label %d is the anomaly (the minority), top %.0f%% flagged\n",
           a->data, r->anomaly_label, 100 * a->k.flag_share);
    for (int i = 0; i < a->k.runs; i++)
        printf("run %d (seed %llu): train %lld, test %lld (%lld anomalies): precision %.4f "
               "recall %.4f F1 %.4f ROC-AUC %.4f\n", i + 1,
               (unsigned long long)(a->k.seed + (uint64_t)i), (long long)runs[i].train_n,
               (long long)runs[i].test_n, (long long)runs[i].test_anomalies, runs[i].precision,
               runs[i].recall, runs[i].f1, runs[i].roc_auc);
    printf("mean over %d runs: precision %.4f +- %.4f, recall %.4f +- %.4f, F1 %.4f +- %.4f, "
           "ROC-AUC %.4f +- %.4f\n", a->k.runs, r->mean[0], r->std[0], r->mean[1], r->std[1],
           r->mean[2], r->std[2], r->mean[3], r->std[3]);
}

int cli_eval_protocol(int argc, char **argv)
{
    proto_args a = {.c = {.seed = 1}};
    a.k.train = memae_train_config_default();
    a.k.train.epochs = 0; /* the recipe's */
    a.k.train.recipe = "default";
    a.k.runs = 5;
    a.k.flag_share = 0.2;
    cli_table_init(&a.table);
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    a.k.scale = a.table.scale;
    a.k.seed = a.c.seed;
    a.k.threads = a.c.threads;
    a.k.backend = !a.c.backend                  ? -1 /* the library's default */
                  : !strcmp(a.c.backend, "ref") ? MEMAE_BACKEND_REF
                                                : MEMAE_BACKEND_DNNL;
    memae_encoding e;
    float *x = NULL;
    uint8_t *y = NULL;
    int64_t n = 0;
    memae_err err = {0};
    if (memae_table_read(a.data, &a.table.opts, NULL, &e, &x, &n, &y, &err))
        return cli_fail("%s", err.msg);
    char shape[32];
    snprintf(shape, sizeof shape, "%lld", (long long)e.width);
    char *json = NULL;
    memae_kdd_run *runs = calloc((size_t)a.k.runs, sizeof *runs);
    memae_kdd_result r;
    if (!y)
        rc = cli_fail("%s: no labels (give --label-column for a CSV)", a.data);
    else if (!runs)
        rc = cli_fail("out of memory");
    else if (!(json = cli_config_json(a.preset ? a.preset : "tabular", a.config, shape, a.k.train.recipe)))
        rc = 1;
    a.k.config_json = json;
    if (!rc && memae_protocol_kdd(x, n, e.width, y, &a.k, runs, &r, &err))
        rc = cli_fail("%s: %s", a.data, err.msg);
    if (!rc)
        print(&a, runs, &r);
    free(json);
    free(runs);
    free(x);
    free(y);
    memae_encoding_free(&e);
    return rc;
}
