#include "eval/video_metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/metrics.h"

/* Checks the arguments and every label, and counts the scored frames and
 * their positives (the only frames any metric sees). */
static int count_scored(int64_t nv, const int64_t *frames, const float *const *scores,
                        const uint8_t *const *labels, int64_t *kept, int64_t *pos, memae_err *err)
{
    if (nv < 1 || !frames || !scores || !labels)
        return mae_seterr(err, MEMAE_E_ARG, "video evaluation: %lld videos (need at least 1)",
                          (long long)nv);
    *kept = *pos = 0;
    for (int64_t v = 0; v < nv; v++) {
        if (frames[v] < 0)
            return mae_seterr(err, MEMAE_E_ARG, "video %lld: negative frame count %lld",
                              (long long)v, (long long)frames[v]);
        if (frames[v] > 0 && (!scores[v] || !labels[v]))
            return mae_seterr(err, MEMAE_E_ARG, "video %lld: no %s", (long long)v,
                              scores[v] ? "labels" : "scores");
        for (int64_t t = 0; t < frames[v]; t++) {
            if (labels[v][t] > 1)
                return mae_seterr(err, MEMAE_E_ARG, "video %lld frame %lld: label %d is not 0 or 1",
                                  (long long)v, (long long)t + 1, labels[v][t]);
            if (isinf(scores[v][t]))
                return mae_seterr(err, MEMAE_E_NUMERIC, "video %lld frame %lld: score is %s",
                                  (long long)v, (long long)t + 1,
                                  scores[v][t] > 0 ? "inf" : "-inf");
            if (!isnan(scores[v][t])) {
                (*kept)++;
                *pos += labels[v][t];
            }
        }
    }
    if (*kept == 0)
        return mae_seterr(err, MEMAE_E_ARG, "video evaluation: no frame has a score");
    if (*pos == 0 || *pos == *kept)
        return mae_seterr(err, MEMAE_E_ARG,
                          "video evaluation: all %lld scored frames are %s; the AUC needs both "
                          "normal and anomalous frames",
                          (long long)*kept, *pos ? "anomalous" : "normal");
    return MEMAE_OK;
}

/* Per-video AUCs on the video's run [lo, hi) of the concatenation, and their
 * mean.  A one-class run has no AUC. */
static int per_video(int64_t nv, const int64_t *start, const float *s, const uint8_t *y,
                     memae_video_eval *out, memae_err *err)
{
    double sum = 0;
    for (int64_t v = 0; v < nv; v++) {
        int64_t lo = start[v], n = start[v + 1] - lo, pos = 0;
        for (int64_t i = lo; i < lo + n; i++)
            pos += y[i];
        out->video_auc[v] = NAN;
        if (pos == 0 || pos == n)
            continue;
        int st = mae_roc_auc(s + lo, y + lo, (size_t)n, &out->video_auc[v], err);
        if (st)
            return st;
        sum += out->video_auc[v];
        out->videos_used++;
    }
    out->macro_auc = out->videos_used ? sum / (double)out->videos_used : NAN;
    return MEMAE_OK;
}

int mae_video_evaluate(int64_t nv, const int64_t *frames, const float *const *scores,
                       const uint8_t *const *labels, memae_video_eval *out, memae_err *err)
{
    memset(out, 0, sizeof *out);
    int64_t kept = 0, pos = 0;
    int st = count_scored(nv, frames, scores, labels, &kept, &pos, err);
    if (st)
        return st;
    float *s = malloc((size_t)kept * sizeof *s);
    uint8_t *y = malloc((size_t)kept);
    int64_t *start = malloc((size_t)(nv + 1) * sizeof *start);
    out->video_auc = malloc((size_t)nv * sizeof *out->video_auc);
    if (!s || !y || !start || !out->video_auc) {
        st = mae_seterr(err, MEMAE_E_NOMEM, "video evaluation: out of memory (%lld frames)",
                        (long long)kept);
        goto done;
    }
    int64_t k = 0;
    for (int64_t v = 0; v < nv; v++) {
        start[v] = k;
        for (int64_t t = 0; t < frames[v]; t++)
            if (!isnan(scores[v][t])) {
                s[k] = scores[v][t];
                y[k++] = labels[v][t];
            }
    }
    start[nv] = k;
    memae_metrics m;
    st = mae_metrics_compute(s, y, (size_t)kept, &m, err);
    if (st)
        goto done;
    out->micro_auc = m.roc_auc;
    out->micro_eer = m.eer;
    out->frames_used = kept;
    st = per_video(nv, start, s, y, out, err);
done:
    free(s);
    free(y);
    free(start);
    if (st)
        memae_video_eval_free(out);
    return st;
}

void memae_frame_eval_free(memae_frame_eval *r)
{
    if (!r)
        return;
    free(r->video_auc);
    memset(r, 0, sizeof *r);
}
