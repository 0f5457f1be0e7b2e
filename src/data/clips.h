/*
 * A video data set ready to stream: its videos (io/media/video_list.h), each one's
 * frames in the on-disk cache (data/frame_cache.h), and clips of T consecutive
 * frames over them.
 */
#ifndef MEMAE_IO_VIDEO_SET_H
#define MEMAE_IO_VIDEO_SET_H

#include <stdint.h>

#include "core/error.h"
#include "data/frame_cache.h"
#include "memae.h"

/* Called after each video is ready: decoded is 1 when it was decoded (not cached). */
typedef void (*memae_video_progress_fn)(int64_t v, int64_t nv, const char *name, int64_t frames,
                                        int decoded, void *user);

typedef struct memae_video_set {
    int64_t nv;
    char **paths, **names;    /* per video */
    int64_t *frames;          /* per video */
    memae_frame_cache *cache; /* per video */
    int h, w;
} memae_video_set;

/* Lists path and maps (decoding when needed) every video at h x w under
 * cache_dir.  A truncated video (io/media/video.h) is MEMAE_E_TRUNCATED, or
 * with allow_truncated a warning to err's sink. */
int mae_video_set_open(const char *path, const char *cache_dir, int h, int w,
                         int allow_truncated, memae_video_progress_fn progress, void *user,
                         memae_video_set *s, memae_err *err);
void mae_video_set_close(memae_video_set *s);

/*
 * Clips of t frames starting every stride frames in each video (a video
 * shorter than t has none), numbered video by video; uint8 frames map to
 * floats by x * scale + offset (the model's rule: [-1, 1] for video3d).
 */
typedef struct memae_clips {
    const memae_video_set *set;
    int t, stride;
    int64_t n;
    int64_t *first; /* nv + 1 entries: clips of video v are first[v] .. first[v+1]-1 */
    float map[256];
} memae_clips;

int mae_clips_init(memae_clips *c, const memae_video_set *s, int t, int stride, float scale,
                     float offset, memae_err *err);
void mae_clips_free(memae_clips *c);
/* Video and first frame of clip i. */
void mae_clips_locate(const memae_clips *c, int64_t i, int64_t *video, int64_t *start);
/* Clip i as t * h * w floats (one channel, frames outermost). */
void mae_clips_get(const memae_clips *c, int64_t i, float *dst);
/* The clips as a sample source for memae_train_source / memae_model_score_source. */
memae_source mae_clips_source(memae_clips *c);

#endif
