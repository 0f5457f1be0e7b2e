/* memae eval: how well a model's scores separate labelled anomalies. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "commands.h"

static const cli_opt opts[] = {
    CLI_OPTS_APPLY,
    {"labels", K_LABELS, 0, 0,
     "  --labels L        labels of X (IDX or .npy); default: a table file's own labels\n"},
    {"normal-class", K_NORMAL_CLASS, 0, 1000000000,
     "  --normal-class K  class K is normal (0), every other class anomalous (1);\n"
     "                    without it the labels must be 0 (normal) / 1 (anomaly)\n"},
    {"threshold", K_THRESHOLD, -INFINITY, INFINITY,
     "  --threshold T     use T instead of the stored threshold\n"},
    {"contamination", K_CONTAMINATION, 1e-9, 1 - 1e-9,
     "  --contamination C threshold at the (1 - C) quantile of the scores of X (PyOD's rule,\n"
     "                    applied to the evaluated data since the training data is not at\n"
     "                    hand); --threshold wins over it, both over the stored threshold\n"},
    {"score", K_SCORE, 0, 0, "  --score mse|mae   the score (default mse)\n"},
    {"json", K_JSON, 0, 0, "  --json            one JSON object instead of text\n"},
    CLI_OPT_MAX_MEMORY,
    CLI_OPTS_COMMON,
    CLI_OPTS_VIDEO_SCORE,
    {0}};

static const cli_command cmd = {
    .name = "eval",
    .head = "usage: memae eval -m MODEL --data X [--labels L] [--normal-class K] [--json]\n"
            "       memae eval --protocol kdd --data TABLE [--runs R] [train options]\n"
            "\n"
            "Scores X and reports ROC-AUC, PR-AUC (average precision), the equal error rate,\n"
            "the best F1, and precision / recall / F1 at the stored threshold (a score above it\n"
            "is an anomaly).  With --protocol kdd: the paper's KDDCUP99 protocol instead (see\n"
            "memae eval --protocol kdd --help).\n"
            "\n",
    .opts = opts,
    .tail = "For videos, the frame-level ROC-AUC of all frames together (micro, the papers'\n"
            "number), the mean of the per-video AUCs (macro), the EER, and each video's AUC;\n"
            "unscored frames are left out.  --labels: one 0/1 per frame (.txt or .npy) per\n"
            "video in a folder, matched by name; a file of 1-based inclusive intervals, one\n"
            "line per video (\"Test001: 61-180\", UCSD's UCSDped2.m); the MemAE code's Test_gt/\n"
            "*.mat ('l'); Avenue's volLabel masks; ShanghaiTech's test_frame_mask/*.npy.\n",
    CLI_APPLY_COMMAND,
};

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
        cli_print_json(j);
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

static void print_videos(const cli_args *a, const memae_dataset *d, const memae_frame_eval *r)
{
    memae_dataset_info info;
    memae_dataset_info_get(d, &info);
    int64_t nv = info.videos;
    if (a->json) {
        cJSON *j = cJSON_CreateObject(), *per = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "model", a->model);
        cJSON_AddStringToObject(j, "data", a->data);
        cJSON_AddNumberToObject(j, "videos", (double)nv);
        cJSON_AddNumberToObject(j, "frames_scored", (double)r->frames_used);
        cJSON_AddNumberToObject(j, "micro_auc", r->micro_auc);
        cJSON_AddNumberToObject(j, "macro_auc", r->macro_auc);
        cJSON_AddNumberToObject(j, "macro_videos", (double)r->videos_used);
        cJSON_AddNumberToObject(j, "micro_eer", r->micro_eer);
        for (int64_t v = 0; v < nv; v++)
            cJSON_AddItemToObject(per, memae_dataset_video_name(d, v),
                                  isnan(r->video_auc[v]) ? cJSON_CreateNull()
                                                         : cJSON_CreateNumber(r->video_auc[v]));
        cJSON_AddItemToObject(j, "video_auc", per);
        cli_print_json(j);
        return;
    }
    printf("videos       %lld, %lld frames scored\n", (long long)nv, (long long)r->frames_used);
    printf("micro AUC    %.4f (frames of all videos together)\n", r->micro_auc);
    printf("macro AUC    %.4f (mean over %lld videos with both classes)\n", r->macro_auc,
           (long long)r->videos_used);
    printf("micro EER    %.4f\n", r->micro_eer);
    for (int64_t v = 0; v < nv; v++)
        if (isnan(r->video_auc[v]))
            printf("  %-24s -      (one class)\n", memae_dataset_video_name(d, v));
        else
            printf("  %-24s %.4f\n", memae_dataset_video_name(d, v), r->video_auc[v]);
}

/* Frame-level AUCs of videos against their per-frame labels. */
static int eval_videos(cli_apply *p)
{
    const cli_args *a = &p->a;
    if (!a->labels)
        return cli_fail("eval: --labels is required");
    if (!isnan(a->threshold) || !isnan(a->contamination) || a->normal_class >= 0)
        return cli_fail("eval: --threshold, --contamination and --normal-class are not for "
                        "videos (their report has no threshold; labels are 0/1)");
    if (cli_apply_open(p))
        return 1;
    uint8_t *labels = NULL;
    memae_results r = {0};
    memae_frame_eval e = {0};
    int st, rc = 0;
    if ((st = memae_dataset_load_labels(p->d, a->labels, -1, &labels)))
        rc = cli_data_fail(p->d, st);
    if (!rc)
        rc = cli_apply_score(p, &a->score_opts, &r);
    if (!rc && (st = memae_model_evaluate_frames(p->m, &r, labels, &e)))
        rc = cli_fail("%s: %s", a->labels, memae_errmsg(p->m));
    if (!rc)
        print_videos(a, p->d, &e);
    memae_frame_eval_free(&e);
    memae_results_free(&r);
    memae_free(labels);
    return rc;
}

/* ROC-AUC, PR-AUC, EER, F1 of samples against their labels. */
static int eval_samples(cli_apply *p)
{
    const cli_args *a = &p->a;
    const uint8_t *own = memae_dataset_labels(p->d);
    if (!a->labels && !own)
        return cli_fail("eval: --labels is required (or a table file with its labels)");
    uint8_t *y = NULL;
    int st, rc = 0;
    if (a->labels && (st = memae_dataset_load_labels(p->d, a->labels, a->normal_class, &y)))
        return cli_data_fail(p->d, st);
    memae_results r = {0};
    rc = cli_apply_score(p, &a->score_opts, &r);
    double t = rc ? NAN : cli_apply_threshold(p, r.score, r.n);
    memae_eval_result e;
    if (!rc && (st = memae_model_evaluate(p->m, r.score, y ? y : own, (size_t)r.n, t, &e)))
        rc = cli_model_fail(p->m, st);
    if (!rc)
        print(&e, a->json, a->model);
    memae_results_free(&r);
    memae_free(y);
    return rc;
}

int cmd_eval(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--protocol") || !strncmp(argv[i], "--protocol=", 11))
            return cmd_eval_kdd(argc, argv);
    cli_apply p;
    int rc = cli_apply_begin(&cmd, argc, argv, &p);
    if (!rc)
        rc = p.videos ? eval_videos(&p) : eval_samples(&p);
    cli_apply_end(&p);
    return rc;
}
