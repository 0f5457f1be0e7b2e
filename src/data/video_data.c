/*
 * Video data sets for a model: the cache folder, the videos decoded (or found)
 * in it at the model's frame size, their clips, and their per-frame labels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "data/arrays.h"
#include "io/labels/gt.h"

static char *cache_dir(const memae_data_opts *o)
{
    if (o->cache_dir)
        return strdup(o->cache_dir);
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    const char *base = xdg && *xdg ? xdg : home && *home ? home : NULL;
    if (!base)
        return NULL;
    size_t cap = strlen(base) + 32;
    char *p = malloc(cap);
    if (p)
        snprintf(p, cap, "%s%s/memae", base, xdg && *xdg ? "" : "/.cache");
    return p;
}

static void decode_progress(int64_t v, int64_t nv, const char *name, int64_t frames, int decoded,
                            void *user)
{
    const memae_data_opts *o = user;
    if (o->progress)
        o->progress(0, v, nv, name, frames, decoded, o->user);
}

int mae_dataset_open_videos(memae_dataset *d, memae_model *m)
{
    int64_t shape[4];
    int nd = 0;
    memae_model_input_shape(m, shape, &nd);
    if (nd != 4 || shape[0] != 1)
        return mae_seterr(&d->err, MEMAE_E_SHAPE,
                            "%s: videos need a model of 1 x T x H x W grey clips", d->path);
    char *dir = cache_dir(&d->o);
    if (!dir)
        return mae_seterr(&d->err, MEMAE_E_ARG,
                            "no cache folder: give --cache DIR (HOME and XDG_CACHE_HOME are unset)");
    float scale, offset;
    int st = mae_model_uint8_rule(m, &scale, &offset, &d->err);
    if (!st)
        st = mae_video_set_open(d->path, dir, (int)shape[2], (int)shape[3],
                                  d->o.allow_truncated, decode_progress, &d->o, &d->set, &d->err);
    free(dir);
    if (!st)
        st = mae_clips_init(&d->clips, &d->set, (int)shape[1],
                              d->o.clip_stride > 0 ? d->o.clip_stride : 1, scale, offset, &d->err);
    return st;
}

int mae_dataset_video_labels(memae_dataset *d, const char *path, uint8_t **labels)
{
    const memae_video_set *s = &d->set;
    uint8_t **per = calloc((size_t)s->nv, sizeof *per);
    int64_t total = 0;
    for (int64_t v = 0; v < s->nv; v++)
        total += s->frames[v];
    if (!per)
        return mae_seterr(&d->err, MEMAE_E_NOMEM, "out of memory");
    int st = mae_gt_load(path, s->nv, (const char *const *)s->names, s->frames, per, &d->err);
    if (!st && !(*labels = malloc((size_t)(total ? total : 1))))
        st = mae_seterr(&d->err, MEMAE_E_NOMEM, "out of memory");
    for (int64_t v = 0, at = 0; !st && v < s->nv; at += s->frames[v++])
        memcpy(*labels + at, per[v], (size_t)s->frames[v]);
    mae_gt_free(s->nv, per);
    free(per);
    return st;
}
