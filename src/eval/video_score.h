/*
 * From clip scores to frame scores, as the official test script does
 * (docs/protocols.md, "Videos"): the clip of frames s .. s+T-1 scores frame
 * s + T/2 (frame s+8 for 16-frame clips), so the first T/2 and the last
 * T/2-1 frames of a video get no score; then a per-video normalisation.
 */
#ifndef MEMAE_EVAL_VIDEO_SCORE_H
#define MEMAE_EVAL_VIDEO_SCORE_H

#include <stdint.h>

#include "core/error.h"

enum memae_video_norm {
    MEMAE_VNORM_VIDEO = 0, /* (e - min) / (max - min) over the video: 1 - regularity (paper) */
    MEMAE_VNORM_TRAIN = 1, /* (e - mean) / std of the training clips' errors: causal */
    MEMAE_VNORM_NONE = 2   /* the raw error */
};

/* "video", "train", "none" -> MEMAE_VNORM_*; -1 when unknown. */
int mae_video_norm_parse(const char *name);

/*
 * err[frames] from the scores of a video's clips taken with stride 1
 * (nclips = frames - t + 1, or 0 when the video is shorter than t).
 * Unscored frames are NaN, or with fill_edges the nearest scored frame's
 * value (a video without clips stays NaN).
 */
int mae_video_align(const float *clip_scores, int64_t nclips, int t, int64_t frames, int fill_edges,
                    float *err, memae_err *e);

/*
 * score[frames] from err[frames] (NaN stays NaN).  MEMAE_VNORM_VIDEO maps a
 * video whose scored frames all have one error to 0; MEMAE_VNORM_TRAIN needs
 * std > 0 (MEMAE_E_ARG otherwise).
 */
int mae_video_normalize(const float *err, int64_t frames, int mode, double mean, double std,
                        float *score, memae_err *e);

#endif
