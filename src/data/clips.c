#include "data/clips.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/media/video_list.h"

void mae_video_set_close(memae_video_set *s)
{
    if (!s)
        return;
    for (int64_t v = 0; s->cache && v < s->nv; v++)
        mae_frame_cache_close(&s->cache[v]);
    if (s->names)
        mae_strings_free(s->names, s->nv);
    if (s->paths)
        mae_strings_free(s->paths, s->nv);
    free(s->frames);
    free(s->cache);
    memset(s, 0, sizeof *s);
}

/* A video that ended early: an error naming it, or with allow a warning. */
static int check_truncated(const char *path, const memae_frame_cache *c, int allow,
                           memae_err *err)
{
    if (!c->truncated)
        return MEMAE_OK;
    char what[160];
    if (c->expected > 0)
        snprintf(what, sizeof what, "the container says %lld frames, %lld decoded%s",
                 (long long)c->expected, (long long)c->n,
                 c->damaged ? " (damaged data ended it)" : "");
    else
        snprintf(what, sizeof what, "damaged data after frame %lld ended it", (long long)c->n);
    if (allow) {
        mae_warn(err, "%s: truncated, its %lld frames are used: %s", path,
                   (long long)c->n, what);
        return MEMAE_OK;
    }
    return mae_seterr(err, MEMAE_E_TRUNCATED,
                        "%s: truncated: %s (--allow-truncated uses the frames decoded)", path,
                        what);
}

int mae_video_set_open(const char *path, const char *cache_dir, int h, int w,
                         int allow_truncated, memae_video_progress_fn progress, void *user,
                         memae_video_set *s, memae_err *err)
{
    memset(s, 0, sizeof *s);
    int st = mae_video_list(path, &s->paths, &s->nv, err);
    if (st != MEMAE_OK)
        return st;
    s->h = h;
    s->w = w;
    s->names = calloc((size_t)s->nv, sizeof *s->names);
    s->frames = calloc((size_t)s->nv, sizeof *s->frames);
    s->cache = calloc((size_t)s->nv, sizeof *s->cache);
    if (!s->names || !s->frames || !s->cache)
        st = mae_seterr(err, MEMAE_E_NOMEM, "out of memory for %lld videos", (long long)s->nv);
    for (int64_t v = 0; st == MEMAE_OK && v < s->nv; v++) {
        int decoded = 0;
        if (!(s->names[v] = mae_video_name(s->paths[v])))
            st = mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
        else
            st = mae_frame_cache_open(cache_dir, s->paths[v], h, w, &s->cache[v], &decoded, err);
        if (st == MEMAE_OK)
            st = check_truncated(s->paths[v], &s->cache[v], allow_truncated, err);
        if (st == MEMAE_OK) {
            s->frames[v] = s->cache[v].n;
            if (progress)
                progress(v, s->nv, s->names[v], s->frames[v], decoded, user);
        }
    }
    if (st != MEMAE_OK)
        mae_video_set_close(s);
    return st;
}

int mae_clips_init(memae_clips *c, const memae_video_set *s, int t, int stride, float scale,
                     float offset, memae_err *err)
{
    memset(c, 0, sizeof *c);
    if (t < 1 || stride < 1)
        return mae_seterr(err, MEMAE_E_ARG, "clips need a length and a stride >= 1 (got %d, %d)",
                            t, stride);
    if (!(c->first = malloc((size_t)(s->nv + 1) * sizeof *c->first)))
        return mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
    c->set = s;
    c->t = t;
    c->stride = stride;
    c->first[0] = 0;
    for (int64_t v = 0; v < s->nv; v++)
        c->first[v + 1] = c->first[v] + (s->frames[v] >= t ? (s->frames[v] - t) / stride + 1 : 0);
    c->n = c->first[s->nv];
    /* Rounded once from double, as mae_array_to_f32 maps uint8 arrays. */
    for (int i = 0; i < 256; i++)
        c->map[i] = (float)((double)i * (double)scale + (double)offset);
    return MEMAE_OK;
}

void mae_clips_free(memae_clips *c)
{
    if (c) {
        free(c->first);
        memset(c, 0, sizeof *c);
    }
}

void mae_clips_locate(const memae_clips *c, int64_t i, int64_t *video, int64_t *start)
{
    int64_t lo = 0, hi = c->set->nv - 1; /* the last v with first[v] <= i */
    while (lo < hi) {
        int64_t mid = (lo + hi + 1) / 2;
        if (c->first[mid] <= i)
            lo = mid;
        else
            hi = mid - 1;
    }
    *video = lo;
    *start = (i - c->first[lo]) * c->stride;
}

void mae_clips_get(const memae_clips *c, int64_t i, float *dst)
{
    int64_t v, start;
    mae_clips_locate(c, i, &v, &start);
    size_t fs = (size_t)c->set->h * (size_t)c->set->w, n = fs * (size_t)c->t;
    const uint8_t *src = c->set->cache[v].frames + (size_t)start * fs;
    for (size_t k = 0; k < n; k++)
        dst[k] = c->map[src[k]];
}

static int get_clip(void *ctx, int64_t i, float *dst, char *msg, size_t len)
{
    (void)msg;
    (void)len;
    mae_clips_get(ctx, i, dst);
    return MEMAE_OK;
}

memae_source mae_clips_source(memae_clips *c)
{
    return (memae_source){.n = c->n, .get = get_clip, .ctx = c};
}
