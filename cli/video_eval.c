/* memae eval on videos: frame-level micro and macro ROC-AUC, EER, AUC per video. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "apply.h"
#include "eval/video_metrics.h"
#include "io/gt.h"
#include "video.h"

static void print(const cli_apply *a, const memae_video_set *s, const memae_video_eval *r)
{
    if (a->common.json) {
        cJSON *j = cJSON_CreateObject(), *per = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "model", a->model);
        cJSON_AddStringToObject(j, "data", a->data);
        cJSON_AddNumberToObject(j, "videos", (double)s->nv);
        cJSON_AddNumberToObject(j, "frames_scored", (double)r->frames_used);
        cJSON_AddNumberToObject(j, "micro_auc", r->micro_auc);
        cJSON_AddNumberToObject(j, "macro_auc", r->macro_auc);
        cJSON_AddNumberToObject(j, "macro_videos", (double)r->videos_used);
        cJSON_AddNumberToObject(j, "micro_eer", r->micro_eer);
        for (int64_t v = 0; v < s->nv; v++)
            cJSON_AddItemToObject(per, s->names[v],
                                  isnan(r->video_auc[v]) ? cJSON_CreateNull()
                                                         : cJSON_CreateNumber(r->video_auc[v]));
        cJSON_AddItemToObject(j, "video_auc", per);
        char *text = cJSON_Print(j);
        puts(text);
        free(text);
        cJSON_Delete(j);
        return;
    }
    printf("videos       %lld, %lld frames scored\n", (long long)s->nv, (long long)r->frames_used);
    printf("micro AUC    %.4f (frames of all videos together)\n", r->micro_auc);
    printf("macro AUC    %.4f (mean over %lld videos with both classes)\n", r->macro_auc,
           (long long)r->videos_used);
    printf("micro EER    %.4f\n", r->micro_eer);
    for (int64_t v = 0; v < s->nv; v++)
        if (isnan(r->video_auc[v]))
            printf("  %-24s -      (one class)\n", s->names[v]);
        else
            printf("  %-24s %.4f\n", s->names[v], r->video_auc[v]);
}

int cli_video_labels(const char *path, const memae_video_set *s, uint8_t ***labels)
{
    *labels = calloc((size_t)s->nv, sizeof **labels);
    if (!*labels)
        return cli_fail("out of memory");
    memae_err err = {0};
    if (memae_gt_load(path, s->nv, (const char *const *)s->names, s->frames, *labels, &err)) {
        free(*labels);
        *labels = NULL;
        return cli_fail("%s", err.msg);
    }
    return 0;
}

int cli_video_eval(cli_apply *a)
{
    cli_video_data d;
    if (cli_video_open(a->m, a->data, &a->video, 1, &d))
        return 1;
    uint8_t **labels = NULL;
    cli_video_scores sc = {0};
    int rc = cli_video_labels(a->labels, &d.set, &labels);
    if (!rc)
        rc = cli_video_score_all(a->m, &d, a->kind, a->batch_given ? a->batch : 2, &a->video, &sc);
    memae_video_eval r = {0};
    memae_err err = {0};
    if (!rc && memae_video_evaluate(d.set.nv, d.set.frames, (const float *const *)sc.score,
                                    (const uint8_t *const *)labels, &r, &err))
        rc = cli_fail("%s: %s", a->labels, err.msg);
    if (!rc)
        print(a, &d.set, &r);
    memae_video_eval_free(&r);
    if (labels) {
        memae_gt_free(d.set.nv, labels);
        free(labels);
    }
    cli_video_scores_free(&sc);
    cli_video_close(&d);
    return rc;
}
