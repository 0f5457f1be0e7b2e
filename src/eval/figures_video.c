/*
 * Figures of a video data set's results (memae_dataset_figures): where the
 * model sees the anomaly (heatmaps of the most abnormal frames) and the
 * score over time of each video.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/dataset.h"
#include "eval/figures.h"
#include "io/formats/atomic.h"
#include "io/media/png.h"
#include "nn/model.h"

#define PLOT_W 800
#define PLOT_H 200

typedef struct frame_ref {
    int64_t v, f;
    float score;
} frame_ref;

static int by_score(const void *a, const void *b)
{
    const frame_ref *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->v != y->v ? (x->v < y->v ? -1 : 1) : (x->f < y->f ? -1 : x->f > y->f);
}

static int write_png(memae_model *m, const char *dir, const char *name, const char *suffix,
                     const uint8_t *rgb, int w, int h)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s%s.png", dir, name, suffix);
    return mae_png_write_rgb(path, rgb, w, h, &m->err);
}

static int plots(memae_model *m, const char *dir, const memae_video_set *s,
                 const memae_results *r, const uint8_t *labels)
{
    uint8_t *rgb = malloc((size_t)PLOT_W * PLOT_H * 3);
    int st = rgb ? MEMAE_OK : mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
    for (int64_t v = 0; !st && v < s->nv; v++) {
        if (mae_plot_rgb(r->score + r->first[v], labels ? labels + r->first[v] : NULL,
                           s->frames[v], PLOT_W, PLOT_H, rgb))
            st = mae_seterr(&m->err, MEMAE_E_ARG, "%s: cannot plot its scores", s->paths[v]);
        else
            st = write_png(m, dir, s->names[v], "_scores", rgb, PLOT_W, PLOT_H);
    }
    free(rgb);
    return st;
}

/* The squared error of frame f of video v, from the clip that scores it
 * (or, for an edge frame, the nearest clip that holds it). */
static int frame_error(memae_model *m, const memae_clips *c, int64_t v, int64_t f, float *x,
                       float *r, float *err)
{
    int64_t nclips = c->first[v + 1] - c->first[v], k = f - c->t / 2;
    k = k < 0 ? 0 : k >= nclips ? nclips - 1 : k;
    mae_clips_get(c, c->first[v] + k, x);
    int st = memae_model_reconstruct(m, x, 1, r, NULL);
    if (st)
        return st;
    size_t fs = (size_t)c->set->h * c->set->w, at = (size_t)(f - k) * fs;
    for (size_t i = 0; i < fs; i++)
        err[i] = (x[at + i] - r[at + i]) * (x[at + i] - r[at + i]);
    return MEMAE_OK;
}

static int heatmaps(memae_model *m, memae_dataset *d, const memae_results *res,
                    const char *dir, int count)
{
    const memae_video_set *s = &d->set;
    frame_ref *fr = malloc((size_t)(res->n ? res->n : 1) * sizeof *fr);
    if (!fr)
        return mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
    int64_t k = 0;
    for (int64_t v = 0; v < s->nv; v++)
        for (int64_t f = 0; f < s->frames[v]; f++)
            if (!isnan(res->score[res->first[v] + f]))
                fr[k++] = (frame_ref){v, f, res->score[res->first[v] + f]};
    qsort(fr, (size_t)k, sizeof *fr, by_score);
    k = k < count ? k : count;
    size_t fs = (size_t)s->h * s->w, ss = memae_model_sample_size(m);
    float *x = malloc(ss * sizeof *x), *r = malloc(ss * sizeof *r);
    float *err = malloc((size_t)(k ? k : 1) * fs * sizeof *err);
    uint8_t *rgb = malloc(fs * 3);
    int st = x && r && err && rgb
                 ? MEMAE_OK
                 : mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory for the heatmaps");
    float top = 0; /* one colour scale for every picture, so they compare */
    for (int64_t i = 0; !st && i < k; i++) {
        st = frame_error(m, &d->clips, fr[i].v, fr[i].f, x, r, err + (size_t)i * fs);
        for (size_t j = 0; !st && j < fs; j++)
            top = err[(size_t)i * fs + j] > top ? err[(size_t)i * fs + j] : top;
    }
    for (int64_t i = 0; !st && i < k; i++) {
        const uint8_t *grey = s->cache[fr[i].v].frames + (size_t)fr[i].f * fs;
        mae_heatmap_rgb(grey, err + (size_t)i * fs, s->w, s->h, top, rgb);
        char suffix[32];
        snprintf(suffix, sizeof suffix, "_%05lld", (long long)fr[i].f);
        st = write_png(m, dir, s->names[fr[i].v], suffix, rgb, s->w, s->h);
    }
    free(fr);
    free(x);
    free(r);
    free(err);
    free(rgb);
    return st;
}

int memae_dataset_figures(memae_model *m, memae_dataset *d, const memae_results *r,
                          const uint8_t *labels, const char *dir, int count)
{
    if (d->kind != MEMAE_DATA_VIDEO || r->videos != d->set.nv)
        return mae_seterr(&m->err, MEMAE_E_ARG, "%s: figures are drawn for videos", d->path);
    /* The set is made under a temporary name: a failure leaves no part of it. */
    char *staged;
    int st = mae_stage_dir(dir, &staged, &m->err);
    if (st)
        return st;
    st = plots(m, staged, &d->set, r, labels);
    if (!st)
        st = heatmaps(m, d, r, staged, count);
    if (st) {
        mae_stage_discard(staged);
        return st;
    }
    return mae_stage_commit(dir, staged, &m->err);
}
