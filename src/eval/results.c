/*
 * Scores of a data set (memae.h): per sample, or per frame of every video
 * with the official alignment and a normalisation; the frame-level metrics.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "eval/metrics.h"
#include "eval/video_metrics.h"
#include "eval/video_score.h"
#include "nn/model.h"

memae_score_opts memae_score_opts_default(void)
{
    return (memae_score_opts){.kind = MEMAE_SCORE_MSE, .normalize = MEMAE_NORM_VIDEO};
}

int memae_norm_kind(const char *name)
{
    return mae_video_norm_parse(name);
}

int memae_score_quantile(const float *x, int64_t n, double q, double *out)
{
    return n < 0 ? MEMAE_E_ARG : mae_quantile(x, (size_t)n, q, out, NULL);
}

void memae_results_free(memae_results *r)
{
    if (!r)
        return;
    free(r->score);
    free(r->error);
    free(r->first);
    memset(r, 0, sizeof *r);
}

/* Mean and std of the training clips' errors, for MEMAE_NORM_TRAIN. */
static int train_stats(memae_model *m, int kind, double *mean, double *std)
{
    const char *tr = memae_model_get_meta(m, "memae_train");
    const char *th = memae_model_get_meta(m, "memae_threshold");
    cJSON *a = tr ? cJSON_Parse(tr) : NULL, *b = th ? cJSON_Parse(th) : NULL;
    const cJSON *mu = cJSON_GetObjectItem(a, "score_mean"),
                *sd = cJSON_GetObjectItem(a, "score_std");
    const cJSON *k = cJSON_GetObjectItem(b, "score");
    int st = MEMAE_OK;
    if (!cJSON_IsNumber(mu) || !cJSON_IsNumber(sd) || !cJSON_IsString(k))
        st = mae_seterr(&m->err, MEMAE_E_ARG,
                          "--normalize train: the model has no statistics of its training "
                          "errors (train it with memae train)");
    else if (strcmp(k->valuestring, kind == MEMAE_SCORE_MAE ? "mae" : "mse"))
        st = mae_seterr(&m->err, MEMAE_E_ARG,
                          "--normalize train: the model's statistics are of the %s score; "
                          "score with --score %s",
                          k->valuestring, k->valuestring);
    else {
        *mean = mu->valuedouble;
        *std = sd->valuedouble;
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    return st;
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
    mae_clips_get(v->c, v->first + i, dst);
    return MEMAE_OK;
}

static int score_videos(memae_model *m, memae_dataset *d, const memae_score_opts *o,
                        memae_results *r)
{
    const memae_video_set *s = &d->set;
    const memae_clips *c = &d->clips;
    double mean = 0, std = 1;
    int batch = o->batch > 0 ? o->batch : 2;
    if (o->normalize == MEMAE_NORM_TRAIN && train_stats(m, o->kind, &mean, &std))
        return m->err.status;
    r->videos = s->nv;
    if (!(r->first = malloc((size_t)(s->nv + 1) * sizeof *r->first)))
        return mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
    r->first[0] = 0;
    for (int64_t v = 0; v < s->nv; v++)
        r->first[v + 1] = r->first[v] + s->frames[v];
    r->n = r->first[s->nv];
    r->error = malloc((size_t)(r->n ? r->n : 1) * sizeof *r->error);
    r->score = malloc((size_t)(r->n ? r->n : 1) * sizeof *r->score);
    if (!r->error || !r->score)
        return mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
    int st = MEMAE_OK;
    for (int64_t v = 0; !st && v < s->nv; v++) {
        video_clips vc = {c, c->first[v]};
        memae_source src = {.n = c->first[v + 1] - c->first[v], .get = get_clip, .ctx = &vc};
        float *cs = malloc((size_t)(src.n ? src.n : 1) * sizeof *cs);
        float *err = r->error + r->first[v], *score = r->score + r->first[v];
        memae_err e = {0};
        if (!cs)
            st = mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory for the scores of %s",
                              s->names[v]);
        else if (!(st = memae_model_score_source(m, &src, o->kind, batch, cs)) &&
                 (mae_video_align(cs, src.n, c->t, s->frames[v], o->fill_edges, err, &e) ||
                  mae_video_normalize(err, s->frames[v], o->normalize, mean, std, score, &e)))
            st = mae_seterr(&m->err, e.status, "%s: %s", s->paths[v], e.msg);
        free(cs);
        if (d->o.progress)
            d->o.progress(1, v, s->nv, s->names[v], s->frames[v], 0, d->o.user);
    }
    return st;
}

static int score_samples(memae_model *m, memae_dataset *d, const memae_score_opts *o,
                         memae_results *r)
{
    r->n = d->n;
    r->score = malloc((size_t)(d->n ? d->n : 1) * sizeof *r->score);
    r->error = malloc((size_t)(d->n ? d->n : 1) * sizeof *r->error);
    if (!r->score || !r->error)
        return mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory for %lld scores",
                            (long long)d->n);
    int st = memae_model_score_all(m, d->x, d->n, o->kind, o->batch > 0 ? o->batch : 256,
                                   r->score);
    if (!st)
        memcpy(r->error, r->score, (size_t)d->n * sizeof *r->error);
    return st;
}

int memae_dataset_score(memae_model *m, memae_dataset *d, const memae_score_opts *o,
                        memae_results *out)
{
    memae_score_opts def = memae_score_opts_default();
    memset(out, 0, sizeof *out);
    if (!o)
        o = &def;
    int st = d->kind == MEMAE_DATA_VIDEO ? score_videos(m, d, o, out)
                                         : score_samples(m, d, o, out);
    if (st)
        memae_results_free(out);
    return st;
}

int memae_model_evaluate_frames(memae_model *m, const memae_results *r, const uint8_t *labels,
                                memae_frame_eval *out)
{
    memset(out, 0, sizeof *out);
    int64_t nv = r->videos;
    size_t n = (size_t)(nv ? nv : 1);
    /* One block: frame counts, then score and label pointers. */
    int64_t *frames = malloc(n * (sizeof(int64_t) + sizeof(float *) + sizeof(uint8_t *)));
    if (!frames)
        return mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
    const float **sc = (const float **)(frames + n);
    const uint8_t **lb = (const uint8_t **)(sc + n);
    for (int64_t v = 0; v < nv; v++) {
        frames[v] = r->first[v + 1] - r->first[v];
        sc[v] = r->score + r->first[v];
        lb[v] = labels + r->first[v];
    }
    int st = mae_video_evaluate(nv, frames, sc, lb, out, &m->err);
    free(frames);
    return st;
}


int memae_dataset_reconstruct(memae_model *m, memae_dataset *d, int batch, float *out)
{
    memae_source src = memae_dataset_source(d);
    if (batch <= 0)
        batch = d->kind == MEMAE_DATA_VIDEO ? 2 : 256;
    size_t ss = memae_model_sample_size(m);
    float *x = malloc((size_t)batch * ss * sizeof *x);
    if (!x)
        return mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory for a batch of %d", batch);
    int st = MEMAE_OK;
    for (int64_t i = 0; !st && i < src.n; i += batch) {
        int b = src.n - i < batch ? (int)(src.n - i) : batch;
        st = mae_source_fill(m, &src, NULL, i, b, x);
        if (!st)
            st = memae_model_reconstruct(m, x, b, out + (size_t)i * ss, NULL);
    }
    free(x);
    return st;
}
