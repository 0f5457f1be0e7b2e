/*
 * Frame-level evaluation of a set of videos: the numbers the video papers
 * report (docs/protocols.md, "Videos").
 *
 * micro: one ROC-AUC over every video's frames concatenated (the paper's
 *        number); micro_eer is the EER of that same concatenation.
 * macro: the mean of the per-video ROC-AUCs, over the videos whose scored
 *        frames hold both classes (a one-class video has no AUC: NaN).
 *
 * A frame whose score is NaN is left out everywhere: under the official
 * alignment the first 8 and last 7 frames of a video get no score.  Any other
 * non-finite score (an infinity) is an error, as in eval/metrics.h.
 */
#ifndef MEMAE_EVAL_VIDEO_METRICS_H
#define MEMAE_EVAL_VIDEO_METRICS_H

#include <stdint.h>

#include "core/error.h"
#include "memae.h"

/* The public memae_frame_eval (memae.h): micro, macro, per-video AUCs. */
typedef memae_frame_eval memae_video_eval;

/*
 * Video v has frames[v] frames, scores[v][t] (higher = more abnormal, NaN =
 * not scored) and labels[v][t] (0 normal, 1 anomalous; any other value is an
 * error).  A video with frames[v] == 0 may have NULL arrays.
 * Statuses: MEMAE_E_ARG (nv < 1, a negative frame count, a NULL array, a
 * label other than 0/1, no scored frame left, or only one class among the
 * scored frames: the message says which and where), MEMAE_E_NUMERIC (an
 * infinite score), MEMAE_E_NOMEM.  On failure *out is zeroed.
 */
int mae_video_evaluate(int64_t nv, const int64_t *frames, const float *const *scores,
                       const uint8_t *const *labels, memae_video_eval *out, memae_err *err);

/* Frees video_auc and zeroes *r; NULL-safe (memae_frame_eval_free). */
#define memae_video_eval_free memae_frame_eval_free

#endif
