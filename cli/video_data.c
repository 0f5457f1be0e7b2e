/* Video data sets for a model: the cache folder, decoding progress, clips, scores. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval/video_score.h"
#include "io/dataset.h"
#include "video.h"

/* "<what> video v/nv name<extra>" on a terminal only: a log keeps one line per
 * error, as every command does. */
static void tty_progress(const char *what, int64_t v, int64_t nv, const char *name,
                         const char *extra)
{
    if (!isatty(fileno(stderr)))
        return;
    fprintf(stderr, "\r\033[K%svideo %lld/%lld %s%s", what, (long long)v + 1, (long long)nv, name,
            extra);
    if (v + 1 == nv)
        fputc('\n', stderr);
    fflush(stderr);
}

static void decode_progress(int64_t v, int64_t nv, const char *name, int64_t frames, int decoded,
                            void *user)
{
    (void)user;
    char extra[64];
    snprintf(extra, sizeof extra, ": %lld frames (%s)", (long long)frames,
             decoded ? "decoded" : "cached");
    tty_progress("", v, nv, name, extra);
}

static char *cache_dir(const cli_video_opts *o)
{
    if (o->cache)
        return strdup(o->cache);
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

int cli_video_open(memae_model *m, const char *path, const cli_video_opts *o, int stride,
                   cli_video_data *d)
{
    memset(d, 0, sizeof *d);
    int64_t shape[4];
    int nd = 0;
    memae_model_input_shape(m, shape, &nd);
    if (nd != 4 || shape[0] != 1)
        return cli_fail("%s: videos need a model of 1 x T x H x W grey clips", path);
    char *dir = cache_dir(o);
    if (!dir)
        return cli_fail("no cache folder: give --cache DIR (HOME and XDG_CACHE_HOME are unset)");
    memae_err err = {0};
    float scale, offset;
    int st = memae_model_uint8_rule(m, &scale, &offset, &err);
    if (!st)
        st = memae_video_set_open(path, dir, (int)shape[2], (int)shape[3], decode_progress, NULL,
                                  &d->set, &err);
    free(dir);
    if (!st)
        st = memae_clips_init(&d->clips, &d->set, (int)shape[1], stride, scale, offset, &err);
    if (st) {
        cli_video_close(d);
        return cli_fail("%s", err.msg);
    }
    return 0;
}

void cli_video_close(cli_video_data *d)
{
    memae_clips_free(&d->clips);
    memae_video_set_close(&d->set);
}

/* The clips of one video as a source of their own. */
typedef struct video_clips {
    const memae_clips *c;
    int64_t first;
} video_clips;

static int get_clip(void *ctx, int64_t i, float *dst, char *msg, size_t len)
{
    (void)msg;
    (void)len;
    const video_clips *v = ctx;
    memae_clips_get(v->c, v->first + i, dst);
    return MEMAE_OK;
}

/* Mean and std of the training clips' errors, for --normalize train. */
static int train_stats(const memae_model *m, int kind, double *mean, double *std)
{
    const char *tr = memae_model_get_meta(m, "memae_train");
    const char *th = memae_model_get_meta(m, "memae_threshold");
    cJSON *a = tr ? cJSON_Parse(tr) : NULL, *b = th ? cJSON_Parse(th) : NULL;
    const cJSON *mu = cJSON_GetObjectItem(a, "score_mean"),
                *sd = cJSON_GetObjectItem(a, "score_std");
    const cJSON *k = cJSON_GetObjectItem(b, "score");
    int rc = 0;
    if (!cJSON_IsNumber(mu) || !cJSON_IsNumber(sd) || !cJSON_IsString(k))
        rc = cli_fail("--normalize train: the model has no statistics of its training errors "
                      "(train it with memae train)");
    else if (strcmp(k->valuestring, kind == MEMAE_SCORE_MAE ? "mae" : "mse"))
        rc = cli_fail("--normalize train: the model's statistics are of the %s score; score "
                      "with --score %s",
                      k->valuestring, k->valuestring);
    else {
        *mean = mu->valuedouble;
        *std = sd->valuedouble;
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    return rc;
}

int cli_video_score_all(memae_model *m, cli_video_data *d, int kind, int batch,
                        const cli_video_opts *o, cli_video_scores *out)
{
    const memae_video_set *s = &d->set;
    const memae_clips *c = &d->clips;
    memset(out, 0, sizeof *out);
    double mean = 0, std = 1;
    if (o->normalize == MEMAE_VNORM_TRAIN && train_stats(m, kind, &mean, &std))
        return 1;
    out->nv = s->nv;
    out->err = calloc((size_t)s->nv, sizeof *out->err);
    out->score = calloc((size_t)s->nv, sizeof *out->score);
    int rc = !out->err || !out->score ? cli_fail("out of memory") : 0;
    for (int64_t v = 0; !rc && v < s->nv; v++) {
        video_clips vc = {c, c->first[v]};
        memae_source src = {.n = c->first[v + 1] - c->first[v], .get = get_clip, .ctx = &vc};
        float *cs = malloc((size_t)(src.n ? src.n : 1) * sizeof *cs);
        out->err[v] = malloc((size_t)s->frames[v] * sizeof(float));
        out->score[v] = malloc((size_t)s->frames[v] * sizeof(float));
        memae_err e = {0};
        int st;
        if (!cs || !out->err[v] || !out->score[v])
            rc = cli_fail("out of memory for the scores of %s", s->names[v]);
        else if ((st = memae_model_score_source(m, &src, kind, batch, cs)))
            rc = cli_model_fail(m, st);
        else if (memae_video_align(cs, src.n, c->t, s->frames[v], o->fill_edges, out->err[v], &e) ||
                 memae_video_normalize(out->err[v], s->frames[v], o->normalize, mean, std,
                                       out->score[v], &e))
            rc = cli_fail("%s: %s", s->paths[v], e.msg);
        free(cs);
        tty_progress("scoring ", v, s->nv, s->names[v], "");
    }
    if (rc)
        cli_video_scores_free(out);
    return rc;
}

void cli_video_scores_free(cli_video_scores *s)
{
    for (int64_t v = 0; v < s->nv; v++) {
        if (s->err)
            free(s->err[v]);
        if (s->score)
            free(s->score[v]);
    }
    free(s->err);
    free(s->score);
    memset(s, 0, sizeof *s);
}
