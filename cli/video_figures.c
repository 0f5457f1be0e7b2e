/* memae score --heatmaps DIR: where the model sees the anomaly, and the score over time. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apply.h"
#include "eval/figures.h"
#include "io/gt.h"
#include "io/png.h"
#include "video.h"

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

static int write_png(const char *dir, const char *name, const char *suffix, const uint8_t *rgb,
                     int w, int h)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s%s.png", dir, name, suffix);
    memae_err err = {0};
    return memae_png_write_rgb(path, rgb, w, h, &err) ? cli_fail("%s", err.msg) : 0;
}

static int plots(const char *dir, const memae_video_set *s, const cli_video_scores *sc,
                 uint8_t **labels)
{
    uint8_t *rgb = malloc((size_t)PLOT_W * PLOT_H * 3);
    int rc = rgb ? 0 : cli_fail("out of memory");
    for (int64_t v = 0; !rc && v < s->nv; v++) {
        if (memae_plot_rgb(sc->score[v], labels ? labels[v] : NULL, s->frames[v], PLOT_W, PLOT_H,
                           rgb))
            rc = cli_fail("%s: cannot plot its scores", s->paths[v]);
        else
            rc = write_png(dir, s->names[v], "_scores", rgb, PLOT_W, PLOT_H);
    }
    free(rgb);
    return rc;
}

/* The squared error of frame f of video v, from the clip that scores it
 * (or, for an edge frame, the nearest clip that holds it). */
static int frame_error(memae_model *m, const memae_clips *c, int64_t v, int64_t f, float *x,
                       float *r, float *err)
{
    int64_t nclips = c->first[v + 1] - c->first[v], k = f - c->t / 2;
    k = k < 0 ? 0 : k >= nclips ? nclips - 1 : k;
    memae_clips_get(c, c->first[v] + k, x);
    int st = memae_model_reconstruct(m, x, 1, r, NULL);
    if (st)
        return cli_model_fail(m, st);
    size_t fs = (size_t)c->set->h * c->set->w, at = (size_t)(f - k) * fs;
    for (size_t i = 0; i < fs; i++)
        err[i] = (x[at + i] - r[at + i]) * (x[at + i] - r[at + i]);
    return 0;
}

static int heatmaps(cli_apply *a, cli_video_data *d, const cli_video_scores *sc)
{
    const memae_video_set *s = &d->set;
    int64_t n = 0;
    for (int64_t v = 0; v < s->nv; v++)
        n += s->frames[v];
    frame_ref *fr = malloc((size_t)(n ? n : 1) * sizeof *fr);
    if (!fr)
        return cli_fail("out of memory");
    int64_t k = 0;
    for (int64_t v = 0; v < s->nv; v++)
        for (int64_t f = 0; f < s->frames[v]; f++)
            if (!isnan(sc->score[v][f]))
                fr[k++] = (frame_ref){v, f, sc->score[v][f]};
    qsort(fr, (size_t)k, sizeof *fr, by_score);
    k = k < a->video.heatmap_count ? k : a->video.heatmap_count;
    size_t fs = (size_t)s->h * s->w, ss = memae_model_sample_size(a->m);
    float *x = malloc(ss * sizeof *x), *r = malloc(ss * sizeof *r);
    float *err = malloc((size_t)(k ? k : 1) * fs * sizeof *err);
    uint8_t *rgb = malloc(fs * 3);
    int rc = x && r && err && rgb ? 0 : cli_fail("out of memory for the heatmaps");
    float top = 0; /* one colour scale for every picture, so they compare */
    for (int64_t i = 0; !rc && i < k; i++) {
        rc = frame_error(a->m, &d->clips, fr[i].v, fr[i].f, x, r, err + (size_t)i * fs);
        for (size_t j = 0; !rc && j < fs; j++)
            top = err[(size_t)i * fs + j] > top ? err[(size_t)i * fs + j] : top;
    }
    for (int64_t i = 0; !rc && i < k; i++) {
        const uint8_t *grey = s->cache[fr[i].v].frames + (size_t)fr[i].f * fs;
        memae_heatmap_rgb(grey, err + (size_t)i * fs, s->w, s->h, top, rgb);
        char suffix[32];
        snprintf(suffix, sizeof suffix, "_%05lld", (long long)fr[i].f);
        rc = write_png(a->video.heatmaps, s->names[fr[i].v], suffix, rgb, s->w, s->h);
    }
    free(fr);
    free(x);
    free(r);
    free(err);
    free(rgb);
    return rc;
}

int cli_video_figures(cli_apply *a, cli_video_data *d, const cli_video_scores *sc)
{
    const char *dir = a->video.heatmaps;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return cli_fail("%s: cannot create the folder: %s", dir, strerror(errno));
    uint8_t **labels = NULL;
    int rc = a->labels ? cli_video_labels(a->labels, &d->set, &labels) : 0;
    if (!rc)
        rc = plots(dir, &d->set, sc, labels);
    if (!rc)
        rc = heatmaps(a, d, sc);
    if (labels) {
        memae_gt_free(d->set.nv, labels);
        free(labels);
    }
    return rc;
}
