/*
 * The training loop: shuffled mini-batches, progress, a checkpoint after
 * every epoch, exact resumption, and the decision threshold at the end.
 * Epoch e shuffles with a generator seeded by (seed, e) alone, so a run
 * resumed at an epoch boundary repeats exactly what the uninterrupted run did.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rng.h"
#include "eval/metrics.h"
#include "nn/loss.h"
#include "nn/model.h"
#include "source.h"

memae_train_config memae_train_config_default(void)
{
    memae_train_config c = {.epochs = 5, .batch = 64, .adam = memae_train_opts_default(),
                            .seed = 1, .contamination = 0.1, .score_kind = MEMAE_SCORE_MSE};
    return c;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static char *train_state(const memae_model *m, const memae_train_config *c, int epochs_done,
                         int64_t n)
{
    char buf[320];
    snprintf(buf, sizeof buf,
             "{\"epochs_done\":%d,\"seed\":%llu,\"batch\":%d,\"samples\":%lld,\"lr\":%.9g%s%s%s}",
             epochs_done, (unsigned long long)c->seed, c->batch, (long long)n, c->adam.lr,
             m->recipe.kind ? ",\"recipe\":\"" : "",
             m->recipe.kind ? mae_recipe_name(&m->recipe) : "", m->recipe.kind ? "\"" : "");
    return strdup(buf);
}

/* Resume: the checkpoint must come from the same data and settings. */
static int resume(memae_model *m, const memae_train_config *c, int64_t n, int *epochs_done)
{
    char *json = NULL;
    const char *want = mae_recipe_name(&m->recipe);
    int st = memae_model_load_checkpoint(m, c->checkpoint, &json);
    if (st)
        return st;
    cJSON *j = cJSON_Parse(json);
    free(json);
    const cJSON *e = cJSON_GetObjectItem(j, "epochs_done"), *s = cJSON_GetObjectItem(j, "samples"),
                *b = cJSON_GetObjectItem(j, "batch"), *sd = cJSON_GetObjectItem(j, "seed"),
                *rc = cJSON_GetObjectItem(j, "recipe");
    if (!cJSON_IsNumber(e) || !cJSON_IsNumber(s) || !cJSON_IsNumber(b) || !cJSON_IsNumber(sd))
        st = mae_seterr(&m->err, MEMAE_E_FORMAT, "%s: malformed training state", c->checkpoint);
    else if ((int64_t)s->valuedouble != n || b->valueint != c->batch ||
             (uint64_t)sd->valuedouble != c->seed)
        st = mae_seterr(&m->err, MEMAE_E_ARG,
                          "%s: the checkpoint was made with %lld samples, batch %d, seed %llu; "
                          "resume with the same data and settings", c->checkpoint,
                          (long long)s->valuedouble, b->valueint,
                          (unsigned long long)sd->valuedouble);
    else if (strcmp(cJSON_IsString(rc) ? rc->valuestring : "paper", want))
        st = mae_seterr(&m->err, MEMAE_E_ARG,
                          "%s: the checkpoint was made with the recipe '%s'; resume with it",
                          c->checkpoint, cJSON_IsString(rc) ? rc->valuestring : "paper");
    else
        *epochs_done = e->valueint;
    cJSON_Delete(j);
    return st;
}

/* "memae_threshold" and "memae_train" from the scores of the training data. */
static int store_threshold(memae_model *m, const memae_source *src, const memae_train_config *c)
{
    int64_t n = src->n;
    float *scores = malloc((size_t)n * sizeof *scores);
    if (!scores)
        return mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory scoring the training data");
    int st = memae_model_score_source(m, src, c->score_kind, c->batch, scores);
    double q = 0, mean = 0, var = 0;
    memae_err err = {0};
    if (!st && (st = mae_quantile(scores, (size_t)n, 1.0 - c->contamination, &q, &err)))
        mae_seterr(&m->err, st, "threshold: %s", err.msg);
    for (int64_t i = 0; !st && i < n; i++)
        mean += scores[i];
    mean /= (double)n;
    for (int64_t i = 0; !st && i < n; i++)
        var += (scores[i] - mean) * (scores[i] - mean);
    free(scores);
    if (st)
        return st;
    char buf[256];
    snprintf(buf, sizeof buf, "{\"value\":%.9g,\"contamination\":%.9g,\"score\":\"%s\"}", q,
             c->contamination, c->score_kind == MEMAE_SCORE_MAE ? "mae" : "mse");
    if ((st = memae_model_set_meta(m, "memae_threshold", buf)))
        return st;
    snprintf(buf, sizeof buf,
             "{\"samples\":%lld,\"epochs\":%d,\"steps\":%lld,\"score_mean\":%.9g,"
             "\"score_std\":%.9g}", (long long)n, c->epochs, (long long)m->step, mean,
             sqrt(var / (double)n));
    return memae_model_set_meta(m, "memae_train", buf);
}

/* What the recipe's score needs from the training data, for the score kind
 * of the threshold: each element's mean error mu per turn gives its weight
 * 1 / (mu + eps), eps a share of the mean of mu over the elements, so that
 * elements that normal samples always get right count most; and each turn's
 * mean weighted training score, which scores are divided by, so that every
 * turn counts alike. */
#define MEMAE_CALIBRATE_FLOATS ((size_t)1 << 22)

static int calibrate(memae_model *m, const memae_source *src, const memae_train_config *c)
{
    memae_recipe r = m->recipe;
    size_t ss = memae_model_sample_size(m), tss = (size_t)r.turns * ss;
    /* Batches of 256 small samples (images, records); clips as in training,
     * whose batch is known to fit in memory. */
    int batch = c->batch < 256 && ss * 256 <= MEMAE_CALIBRATE_FLOATS ? 256 : c->batch;
    int kind = c->score_kind;
    float *x = malloc((size_t)batch * ss * sizeof *x), *t = malloc((size_t)batch * ss * sizeof *t);
    double *mu = calloc(tss, sizeof *mu);
    int st = x && t && mu ? MEMAE_OK : mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
    free(m->pixel_weight); /* the errors are measured unweighted */
    m->pixel_weight = NULL;
    for (int64_t i = 0; !st && i < src->n; i += batch) {
        int b = src->n - i < batch ? (int)(src->n - i) : batch;
        st = mae_source_fill(m, src, NULL, i, b, x);
        for (int k = 0; !st && k < r.turns; k++) {
            const float *rec;
            if ((st = mae_model_restore(m, x, b, k, t, &rec)))
                break;
            for (int j = 0; j < b; j++)
                mae_add_errors(rec + (size_t)j * ss, x + (size_t)j * ss, ss, kind,
                                 mu + (size_t)k * ss);
        }
    }
    free(x);
    free(t);
    if (!st && !(m->pixel_weight = malloc(tss * sizeof *m->pixel_weight)))
        st = mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
    for (int k = 0; !st && k < r.turns; k++) {
        double mean = 0, scale = 0;
        for (size_t p = 0; p < ss; p++)
            mean += (mu[k * ss + p] /= (double)src->n);
        double eps = MEMAE_PIXEL_EPS * mean / (double)ss + 1e-12;
        /* the mean weighted training score follows from mu: mean of mu / (mu + eps) */
        for (size_t p = 0; p < ss; p++) {
            m->pixel_weight[k * ss + p] = (float)(1.0 / (mu[k * ss + p] + eps));
            scale += mu[k * ss + p] / (mu[k * ss + p] + eps) / (double)ss;
        }
        r.turn_scale[k] = scale > 1e-30 ? scale : 1e-30;
    }
    free(mu);
    if (st)
        return st;
    r.calibrated = 1;
    r.score_kind = kind;
    return mae_model_store_recipe(m, &r);
}

static int check_config(memae_model *m, const memae_train_config *c, int64_t n)
{
    int min_batch = mae_model_min_batch(m);
    if (c->epochs < 1 || c->batch < min_batch)
        return mae_seterr(&m->err, MEMAE_E_ARG, "training needs epochs >= 1 and batch >= %d",
                            min_batch);
    if (n < min_batch)
        return mae_seterr(&m->err, MEMAE_E_ARG, "training needs at least %d samples, got %lld",
                            min_batch, (long long)n);
    if (!(c->contamination > 0 && c->contamination < 1))
        return mae_seterr(&m->err, MEMAE_E_ARG, "contamination must be in (0, 1)");
    if (c->resume && !c->checkpoint)
        return mae_seterr(&m->err, MEMAE_E_ARG, "resume needs a checkpoint path");
    return MEMAE_OK;
}

/* The recipe's inputs for a batch of samples as they are in tgt (the
 * target): each transformed (turned, or played backwards) by a transform
 * drawn from r. */
static void turn_batch(const memae_model *m, memae_rng *r, const float *tgt, float *x, int bs)
{
    size_t ss = memae_model_sample_size(m);
    for (int i = 0; i < bs; i++)
        mae_model_turn(m, tgt + (size_t)i * ss, x + (size_t)i * ss, 1,
                         (int)mae_rng_below(r, (uint64_t)m->recipe.turns));
}

static int run_epoch(memae_model *m, const memae_source *src, const memae_train_config *c,
                     int epoch, int64_t *order, float *buf, float *tgt,
                     memae_progress_fn progress, void *user)
{
    int64_t n = src->n;
    int min_batch = mae_model_min_batch(m);
    memae_rng r;
    mae_rng_seed(&r, c->seed * 0x9e3779b97f4a7c15ULL + (uint64_t)epoch);
    for (int64_t i = 0; i < n; i++)
        order[i] = i;
    mae_rng_shuffle(&r, order, n);
    int64_t full = n / c->batch, rest = n % c->batch;
    int64_t batches = full + (rest >= min_batch);
    memae_progress p = {.epoch = epoch + 1, .epochs = c->epochs, .batches = batches};
    double t0 = now(), sl = 0, sm = 0, se = 0;
    for (int64_t b = 0; b < batches; b++) {
        int bs = b < full ? c->batch : (int)rest;
        memae_stats st;
        int s;
        if (tgt) {
            if (!(s = mae_source_fill(m, src, order, b * c->batch, bs, tgt))) {
                turn_batch(m, &r, tgt, buf, bs);
                s = mae_model_train_step_to(m, buf, tgt, bs, &c->adam, &st);
            }
        } else if (!(s = mae_source_fill(m, src, order, b * c->batch, bs, buf))) {
            s = memae_model_train_step(m, buf, bs, &c->adam, &st);
        }
        if (s)
            return s;
        sl += st.loss;
        sm += st.mse;
        se += st.entropy;
        if (progress) {
            p.batch = b + 1;
            p.step = m->step;
            p.loss = sl / (double)(b + 1);
            p.mse = sm / (double)(b + 1);
            p.entropy = se / (double)(b + 1);
            p.seconds = now() - t0;
            p.samples_per_s = (double)(b * c->batch + bs) / (p.seconds > 0 ? p.seconds : 1e-9);
            p.epoch_done = b + 1 == batches;
            progress(&p, user);
        }
    }
    return MEMAE_OK;
}

int memae_train_source(memae_model *m, const memae_source *src, const memae_train_config *cfg,
                       memae_progress_fn progress, void *user)
{
    int64_t n = src->n;
    memae_train_config c = cfg ? *cfg : memae_train_config_default();
    int st = c.recipe ? memae_model_set_recipe(m, c.recipe) : MEMAE_OK, done = 0;
    if (!st && c.epochs == 0)
        c.epochs = mae_recipe_auto_epochs(&m->recipe, n, m->cfg.in_ndim);
    if (!st)
        st = check_config(m, &c, n);
    if (!st && c.resume)
        st = resume(m, &c, n, &done);
    if (st)
        return st;
    size_t ss = memae_model_sample_size(m);
    int64_t *order = malloc((size_t)n * sizeof *order);
    float *buf = malloc((size_t)c.batch * ss * sizeof *buf);
    float *tgt = m->recipe.turns > 1 ? malloc((size_t)c.batch * ss * sizeof *tgt) : NULL;
    if (!order || !buf || (m->recipe.turns > 1 && !tgt))
        st = mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory for a batch of %d", c.batch);
    for (int e = done; !st && e < c.epochs; e++) {
        st = run_epoch(m, src, &c, e, order, buf, tgt, progress, user);
        if (!st && c.checkpoint) {
            char *state = train_state(m, &c, e + 1, n);
            st = state ? memae_model_save_checkpoint(m, c.checkpoint, state)
                       : mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
            free(state);
        }
    }
    free(order);
    free(buf);
    free(tgt);
    if (!st && m->recipe.pixel) /* every recipe but the paper's */
        st = calibrate(m, src, &c);
    return st ? st : store_threshold(m, src, &c);
}

int memae_train_auto_epochs(memae_model *m, const char *recipe, int64_t n)
{
    memae_recipe r = m->recipe;
    int st = recipe ? mae_recipe_named(mae_model_resolve_recipe(m, recipe), m->cfg.in_ndim == 4, &r,
                                                &m->err)
                    : MEMAE_OK;
    return st ? -st : mae_recipe_auto_epochs(&r, n, m->cfg.in_ndim);
}

int memae_train(memae_model *m, const float *x, int64_t n, const memae_train_config *cfg,
                memae_progress_fn progress, void *user)
{
    memae_array_source a;
    memae_source src = mae_array_source_make(&a, x, n, memae_model_sample_size(m));
    return memae_train_source(m, &src, cfg, progress, user);
}
