#include "eval/video_score.h"

#include <math.h>
#include <string.h>

int mae_video_norm_parse(const char *name)
{
    static const char *const names[] = {"video", "train", "none"};
    for (int i = 0; i < 3; i++)
        if (name && !strcmp(name, names[i]))
            return i;
    return -1;
}

int mae_video_align(const float *clip_scores, int64_t nclips, int t, int64_t frames, int fill_edges,
                    float *err, memae_err *e)
{
    int64_t want = frames >= t ? frames - t + 1 : 0;
    if (t < 1 || nclips != want)
        return mae_seterr(e, MEMAE_E_ARG,
                          "%lld clip scores for a video of %lld frames and clips of %d "
                          "(expected %lld)",
                          (long long)nclips, (long long)frames, t, (long long)want);
    int64_t lead = t / 2;
    for (int64_t f = 0; f < frames; f++) {
        int64_t c = f - lead;
        if (c >= 0 && c < nclips)
            err[f] = clip_scores[c];
        else if (fill_edges && nclips > 0)
            err[f] = clip_scores[c < 0 ? 0 : nclips - 1];
        else
            err[f] = NAN;
    }
    return MEMAE_OK;
}

int mae_video_normalize(const float *err, int64_t frames, int mode, double mean, double std,
                        float *score, memae_err *e)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int64_t f = 0; f < frames; f++)
        if (!isnan(err[f])) {
            lo = err[f] < lo ? err[f] : lo;
            hi = err[f] > hi ? err[f] : hi;
        }
    if (mode == MEMAE_VNORM_TRAIN && !(std > 0 && isfinite(std) && isfinite(mean)))
        return mae_seterr(e, MEMAE_E_ARG,
                          "normalize train: the training errors' std must be positive "
                          "(got mean %g, std %g)",
                          mean, std);
    if (mode < MEMAE_VNORM_VIDEO || mode > MEMAE_VNORM_NONE)
        return mae_seterr(e, MEMAE_E_ARG, "unknown normalisation %d", mode);
    for (int64_t f = 0; f < frames; f++) {
        double x = err[f];
        if (isnan(x))
            score[f] = NAN;
        else if (mode == MEMAE_VNORM_VIDEO)
            score[f] = hi > lo ? (float)((x - lo) / (hi - lo)) : 0.0f;
        else if (mode == MEMAE_VNORM_TRAIN)
            score[f] = (float)((x - mean) / std);
        else
            score[f] = (float)x;
    }
    return MEMAE_OK;
}
