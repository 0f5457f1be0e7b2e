/* The KDDCUP99 protocol (see eval/protocol.h). */
#include "eval/protocol.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "data/dataset.h"
#include "eval/metrics.h"
#include "io/tables/scaler.h"

typedef struct split {
    float *train, *test;
    uint8_t *test_y; /* 1 = anomaly (after the minority flip) */
    int64_t ntrain, ntest;
} split;

static void split_free(split *s)
{
    free(s->train);
    free(s->test);
    free(s->test_y);
    memset(s, 0, sizeof *s);
}

/* Half of the normal records (shuffled by rng) to train, the rest and every anomaly to test. */
static int make_split(const float *x, int64_t n, int64_t d, const uint8_t *is_anom, memae_rng *rng,
                      split *s, memae_err *err)
{
    memset(s, 0, sizeof *s);
    int64_t *normal = malloc((size_t)n * sizeof *normal), nn = 0;
    s->train = malloc((size_t)(n * d + 1) * sizeof *s->train);
    s->test = malloc((size_t)(n * d + 1) * sizeof *s->test);
    s->test_y = malloc((size_t)n + 1);
    if (!normal || !s->train || !s->test || !s->test_y) {
        free(normal);
        split_free(s);
        return mae_seterr(err, MEMAE_E_NOMEM, "kdd protocol: out of memory");
    }
    for (int64_t i = 0; i < n; i++)
        if (!is_anom[i])
            normal[nn++] = i;
    mae_rng_shuffle(rng, normal, nn);
    int64_t half = nn / 2;
    for (int64_t k = 0; k < half; k++)
        memcpy(s->train + k * d, x + normal[k] * d, (size_t)d * sizeof *x);
    s->ntrain = half;
    for (int64_t k = half; k < nn; k++) {
        memcpy(s->test + s->ntest * d, x + normal[k] * d, (size_t)d * sizeof *x);
        s->test_y[s->ntest++] = 0;
    }
    for (int64_t i = 0; i < n; i++)
        if (is_anom[i]) {
            memcpy(s->test + s->ntest * d, x + i * d, (size_t)d * sizeof *x);
            s->test_y[s->ntest++] = 1;
        }
    free(normal);
    return MEMAE_OK;
}

static int fail_model(memae_model *m, int st, memae_err *err)
{
    mae_seterr(err, st, "kdd protocol: %s", m ? memae_errmsg(m) : memae_strerror(st));
    memae_model_free(m);
    return st;
}

static int one_run(const split *s, int64_t d, const memae_kdd_opts *o, uint64_t seed,
                   memae_kdd_run *r, memae_err *err)
{
    memae_scaler sc;
    int st = mae_scaler_fit(&sc, o->scale, s->train, s->ntrain, d, NULL, err);
    if (st)
        return st;
    mae_scaler_apply(&sc, s->train, s->ntrain);
    mae_scaler_apply(&sc, s->test, s->ntest);
    mae_scaler_free(&sc);
    memae_model *m = NULL;
    memae_train_config tc = o->train;
    tc.seed = seed;
    tc.checkpoint = NULL;
    tc.resume = 0;
    if ((st = memae_model_create(o->config_json, seed, &m)) ||
        (st = memae_model_set_threads(m, o->threads)) ||
        (o->backend >= 0 && (st = memae_model_set_backend(m, o->backend))))
        return fail_model(m, st, err);
    if (memae_model_sample_size(m) != (size_t)d) {
        size_t have = memae_model_sample_size(m);
        memae_model_free(m);
        return mae_seterr(err, MEMAE_E_SHAPE,
                          "kdd protocol: the model takes %zu features, "
                          "the records have %lld",
                          have, (long long)d);
    }
    float *scores = malloc((size_t)s->ntest * sizeof *scores);
    if (!scores)
        return fail_model(m, MEMAE_E_NOMEM, err);
    if ((st = memae_train(m, s->train, s->ntrain, &tc, NULL, NULL)) ||
        (st = memae_model_score_all(m, s->test, s->ntest, tc.score_kind, 256, scores))) {
        free(scores);
        return fail_model(m, st, err);
    }
    memae_model_free(m);
    r->train_n = s->ntrain;
    r->test_n = s->ntest;
    r->test_anomalies = 0;
    for (int64_t i = 0; i < s->ntest; i++)
        r->test_anomalies += s->test_y[i];
    st = mae_quantile(scores, (size_t)s->ntest, 1.0 - o->flag_share, &r->threshold, err);
    if (!st)
        st = mae_prf_at(scores, s->test_y, (size_t)s->ntest, r->threshold, &r->precision,
                        &r->recall, &r->f1, err);
    if (!st)
        st = mae_roc_auc(scores, s->test_y, (size_t)s->ntest, &r->roc_auc, err);
    free(scores);
    return st;
}

static void summarise(const memae_kdd_run *runs, int n, memae_kdd_result *out)
{
    for (int k = 0; k < 4; k++) {
        double sum = 0, sq = 0;
        for (int i = 0; i < n; i++) {
            const double v[4] = {runs[i].precision, runs[i].recall, runs[i].f1, runs[i].roc_auc};
            sum += v[k];
        }
        out->mean[k] = sum / n;
        for (int i = 0; i < n; i++) {
            const double v[4] = {runs[i].precision, runs[i].recall, runs[i].f1, runs[i].roc_auc};
            sq += (v[k] - out->mean[k]) * (v[k] - out->mean[k]);
        }
        out->std[k] = sqrt(sq / n);
    }
}

int mae_protocol_kdd(const float *x, int64_t n, int64_t d, const uint8_t *labels,
                     const memae_kdd_opts *o, memae_kdd_run *runs, memae_kdd_result *out,
                     memae_err *err)
{
    memset(out, 0, sizeof *out);
    if (o->runs < 1 || !(o->flag_share > 0 && o->flag_share < 1))
        return mae_seterr(err, MEMAE_E_ARG,
                          "kdd protocol: needs runs >= 1 and a flagged "
                          "share in (0, 1)");
    int64_t ones = 0;
    for (int64_t i = 0; i < n; i++)
        ones += labels[i] != 0;
    if (ones == 0 || ones == n)
        return mae_seterr(err, MEMAE_E_ARG, "kdd protocol: the labels hold one class only");
    /* The minority class is the anomaly, whichever label it has (KDDCUP99's is "normal."). */
    out->anomaly_label = ones <= n - ones ? 1 : 0;
    uint8_t *is_anom = malloc((size_t)n);
    if (!is_anom)
        return mae_seterr(err, MEMAE_E_NOMEM, "kdd protocol: out of memory");
    for (int64_t i = 0; i < n; i++)
        is_anom[i] = (labels[i] != 0) == (out->anomaly_label == 1);
    int st = MEMAE_OK;
    for (int r = 0; !st && r < o->runs; r++) {
        memae_rng rng;
        uint64_t seed = o->seed + (uint64_t)r;
        mae_rng_seed(&rng, seed);
        split s;
        if (!(st = make_split(x, n, d, is_anom, &rng, &s, err)))
            st = one_run(&s, d, o, seed, &runs[r], err);
        split_free(&s);
    }
    free(is_anom);
    if (!st)
        summarise(runs, o->runs, out);
    return st;
}

int memae_dataset_kdd(memae_dataset *d, const memae_kdd_opts *o, memae_kdd_run *runs,
                      memae_kdd_result *out)
{
    if (!d->has_enc || !d->labels)
        return mae_seterr(&d->err, MEMAE_E_ARG, "%s: no labels (give --label-column for a CSV)",
                          d->path);
    memae_err err = {0};
    int st = mae_protocol_kdd(d->x, d->n, d->enc.width, d->labels, o, runs, out, &err);
    if (st)
        mae_seterr(&d->err, st, "%s: %s", d->path, err.msg);
    return st;
}
