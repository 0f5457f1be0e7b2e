/* memae eval: how well a model's scores separate labelled anomalies. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "commands.h"
#include "data.h"

static const char usage[] =
    "usage: memae eval -m MODEL --data X [--labels L] [--normal-class K] [--json]\n"
    "       memae eval --protocol kdd --data TABLE [--runs R] [train options]\n"
    "\n"
    "Scores X and reports ROC-AUC, PR-AUC (average precision), the equal error rate,\n"
    "the best F1, and precision / recall / F1 at the stored threshold (a score above it\n"
    "is an anomaly).  With --protocol kdd: the paper's KDDCUP99 protocol instead (see\n"
    "memae eval --protocol kdd --help).\n"
    "\n" CLI_APPLY_HELP
    "  --labels L        labels of X (IDX or .npy); default: a table file's own labels\n"
    "  --normal-class K  class K is normal (0), every other class anomalous (1);\n"
    "                    without it the labels must be 0 (normal) / 1 (anomaly)\n"
    "  --threshold T     use T instead of the stored threshold\n"
    "  --contamination C threshold at the (1 - C) quantile of the scores of X (PyOD's rule,\n"
    "                    applied to the evaluated data since the training data is not at\n"
    "                    hand); --threshold wins over it, both over the stored threshold\n"
    "  --score mse|mae   the score (default mse)\n"
    "  --json            one JSON object instead of text\n" CLI_COMMON_HELP CLI_VIDEO_SCORE_HELP
    "For videos, the frame-level ROC-AUC of all frames together (micro, the papers'\n"
    "number), the mean of the per-video AUCs (macro), the EER, and each video's AUC;\n"
    "unscored frames are left out.  --labels: one 0/1 per frame (.txt or .npy) per\n"
    "video in a folder, matched by name; a file of 1-based inclusive intervals, one\n"
    "line per video (\"Test001: 61-180\", UCSD's UCSDped2.m); the MemAE code's Test_gt/\n"
    "*.mat ('l'); Avenue's volLabel masks; ShanghaiTech's test_frame_mask/*.npy.\n";

static void print(const memae_eval_result *r, int json, const char *model)
{
    if (json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "model", model);
        cJSON_AddNumberToObject(j, "samples", (double)r->n);
        cJSON_AddNumberToObject(j, "anomalies", (double)r->anomalies);
        cJSON_AddNumberToObject(j, "roc_auc", r->roc_auc);
        cJSON_AddNumberToObject(j, "pr_auc", r->pr_auc);
        cJSON_AddNumberToObject(j, "eer", r->eer);
        cJSON_AddNumberToObject(j, "eer_threshold", r->eer_threshold);
        cJSON_AddNumberToObject(j, "best_f1", r->best_f1);
        cJSON_AddNumberToObject(j, "best_f1_threshold", r->best_f1_threshold);
        if (!isnan(r->threshold)) {
            cJSON_AddNumberToObject(j, "threshold", r->threshold);
            cJSON_AddNumberToObject(j, "precision", r->precision);
            cJSON_AddNumberToObject(j, "recall", r->recall);
            cJSON_AddNumberToObject(j, "f1", r->f1);
        }
        char *s = cJSON_Print(j);
        puts(s);
        free(s);
        cJSON_Delete(j);
        return;
    }
    printf("samples      %lld (%lld anomalous)\n", (long long)r->n, (long long)r->anomalies);
    printf("ROC-AUC      %.4f\n", r->roc_auc);
    printf("PR-AUC       %.4f\n", r->pr_auc);
    printf("EER          %.4f (threshold %.6g)\n", r->eer, r->eer_threshold);
    printf("best F1      %.4f (threshold %.6g)\n", r->best_f1, r->best_f1_threshold);
    if (!isnan(r->threshold))
        printf("threshold    %.6g: precision %.4f, recall %.4f, F1 %.4f\n", r->threshold,
               r->precision, r->recall, r->f1);
    else
        printf("threshold    none stored (train with memae train or give --threshold)\n");
}

int cmd_eval(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--protocol") || !strncmp(argv[i], "--protocol=", 11))
            return cli_eval_protocol(argc, argv);
    cli_apply a;
    int rc = cli_apply_begin(argc, argv, usage, &a);
    if (!rc && a.videos) {
        rc = !a.labels ? cli_fail("eval: --labels is required")
             : !isnan(a.threshold) || !isnan(a.contamination) || a.normal_class >= 0
                 ? cli_fail("eval: --threshold, --contamination and --normal-class are not "
                            "for videos (their report has no threshold; labels are 0/1)")
                 : cli_video_eval(&a);
        cli_apply_end(&a);
        return rc;
    }
    if (!rc && !a.labels && !a.y)
        rc = cli_fail("eval: --labels is required (or a table file with its labels)");
    uint8_t *y = NULL;
    if (!rc && a.labels)
        rc = cli_load_binary_labels(a.m, a.labels, a.n, a.normal_class, &y);
    else if (!rc)
        y = a.y, a.y = NULL;
    float *s = rc ? NULL : cli_apply_scores(&a);
    if (!rc && !s)
        rc = 1;
    double t = rc ? NAN : cli_apply_threshold(&a, s);
    memae_eval_result r;
    int st;
    if (!rc && (st = memae_model_evaluate(a.m, s, y, (size_t)a.n, t, &r)))
        rc = cli_model_fail(a.m, st);
    if (!rc)
        print(&r, a.common.json, a.model);
    free(s);
    free(y);
    cli_apply_end(&a);
    return rc < 0 ? 0 : rc;
}
