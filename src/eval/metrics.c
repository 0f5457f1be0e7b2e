#include "eval/metrics.h"

#include <math.h>
#include <stdlib.h>

typedef struct scored {
    float s;
    uint8_t y;
} scored;

static int cmp_desc(const void *a, const void *b)
{
    float x = ((const scored *)a)->s, y = ((const scored *)b)->s;
    return (x < y) - (x > y);
}

static int cmp_float_asc(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Checks everything that depends on the caller's data; counts positives. */
static int check_inputs(const float *scores, const uint8_t *labels, size_t n,
                        size_t *npos, memae_err *err)
{
    if (n == 0)
        return mae_seterr(err, MEMAE_E_ARG, "metrics: no samples (n == 0)");
    if (!scores || !labels)
        return mae_seterr(err, MEMAE_E_ARG, "metrics: scores or labels is NULL");
    /* Keeps every count product (at most n*n/2) exact in 64 bits. */
    if (n > UINT32_MAX)
        return mae_seterr(err, MEMAE_E_ARG, "metrics: %zu samples, at most %lu supported",
                            n, (unsigned long)UINT32_MAX);
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(scores[i]))
            return mae_seterr(err, MEMAE_E_NUMERIC, "metrics: score %zu is %s", i,
                                isnan(scores[i]) ? "NaN" : "infinite");
        if (labels[i] > 1)
            return mae_seterr(err, MEMAE_E_ARG,
                                "metrics: label %zu is %u; labels must be 0 (normal) or 1 (anomaly)",
                                i, (unsigned)labels[i]);
        pos += labels[i];
    }
    *npos = pos;
    return MEMAE_OK;
}

/* The threshold that, under "score > threshold", predicts exactly the samples
 * before sorted position end as anomalous. */
static double threshold_before(const scored *v, size_t n, size_t end)
{
    return end < n ? (double)v[end].s : (double)nextafterf(v[n - 1].s, -INFINITY);
}

int mae_metrics_compute(const float *scores, const uint8_t *labels, size_t n,
                          memae_metrics *out, memae_err *err)
{
    if (!out)
        return mae_seterr(err, MEMAE_E_ARG, "metrics: out is NULL");
    size_t npos;
    int rc = check_inputs(scores, labels, n, &npos, err);
    if (rc)
        return rc;
    if (npos == 0 || npos == n)
        return mae_seterr(err, MEMAE_E_ARG,
                            "ROC-AUC needs both normal and anomalous samples: all %zu labels are %d",
                            n, npos ? 1 : 0);
    scored *v = malloc(n * sizeof *v);
    if (!v)
        return mae_seterr(err, MEMAE_E_NOMEM, "metrics: cannot allocate %zu samples", n);
    for (size_t i = 0; i < n; i++)
        v[i] = (scored){scores[i], labels[i]};
    qsort(v, n, sizeof *v, cmp_desc);

    const uint64_t P = npos, N = n - npos, PN = P * N;
    /* Twice the AUC numerator: a tied pair counts 1, so it stays an integer. */
    uint64_t auc2 = 0, tp = 0, fp = 0, fp_prev = 0;
    /* (FPR + TPR - 1) * P * N, exact, so a crossing exactly on a ROC point is
     * seen as one; starts at the (0,0) point. */
    int64_t d_prev = -(int64_t)PN;
    double ap = 0.0, best_f1 = -1.0;
    size_t best_end = 0, eer_end = 0;
    int eer_found = 0;
    for (size_t i = 0, j; i < n; i = j) {
        uint64_t tpg = 0;
        for (j = i; j < n && v[j].s == v[i].s; j++)
            tpg += v[j].y;
        uint64_t fpg = (j - i) - tpg;
        auc2 += fpg * (2 * tp + tpg);
        tp += tpg;
        fp += fpg;
        if (tpg)
            ap += (double)tpg * ((double)tp / (double)(tp + fp));
        /* 2TP / (2TP + FP + FN) with FN = P - TP; equal ratios give equal
         * doubles, so the first (highest) threshold wins a tie. */
        double f1 = 2.0 * (double)tp / (double)(tp + fp + P);
        if (f1 > best_f1) {
            best_f1 = f1;
            best_end = j;
        }
        if (!eer_found) {
            int64_t d = (int64_t)(fp * P + tp * N) - (int64_t)PN;
            if (d >= 0) {
                double t = (double)-d_prev / (double)(d - d_prev);
                out->eer = ((double)fp_prev + t * (double)(fp - fp_prev)) / (double)N;
                eer_end = j;
                eer_found = 1;
            } else {
                d_prev = d;
                fp_prev = fp;
            }
        }
    }
    out->roc_auc = (double)auc2 / (2.0 * (double)P * (double)N);
    out->pr_auc = ap / (double)P;
    out->eer_threshold = threshold_before(v, n, eer_end);
    out->best_f1 = best_f1;
    out->best_f1_threshold = threshold_before(v, n, best_end);
    free(v);
    return MEMAE_OK;
}

int mae_roc_auc(const float *scores, const uint8_t *labels, size_t n, double *out,
                  memae_err *err)
{
    memae_metrics m;
    int rc = mae_metrics_compute(scores, labels, n, &m, err);
    if (!rc && out)
        *out = m.roc_auc;
    return rc;
}

int mae_average_precision(const float *scores, const uint8_t *labels, size_t n,
                            double *out, memae_err *err)
{
    memae_metrics m;
    int rc = mae_metrics_compute(scores, labels, n, &m, err);
    if (!rc && out)
        *out = m.pr_auc;
    return rc;
}

int mae_eer(const float *scores, const uint8_t *labels, size_t n, double *eer,
              double *threshold, memae_err *err)
{
    memae_metrics m;
    int rc = mae_metrics_compute(scores, labels, n, &m, err);
    if (!rc && eer)
        *eer = m.eer;
    if (!rc && threshold)
        *threshold = m.eer_threshold;
    return rc;
}

int mae_best_f1(const float *scores, const uint8_t *labels, size_t n, double *f1,
                  double *threshold, memae_err *err)
{
    memae_metrics m;
    int rc = mae_metrics_compute(scores, labels, n, &m, err);
    if (!rc && f1)
        *f1 = m.best_f1;
    if (!rc && threshold)
        *threshold = m.best_f1_threshold;
    return rc;
}

int mae_prf_at(const float *scores, const uint8_t *labels, size_t n, double threshold,
                 double *p, double *r, double *f1, memae_err *err)
{
    if (isnan(threshold))
        return mae_seterr(err, MEMAE_E_ARG, "metrics: threshold is NaN");
    size_t npos;
    int rc = check_inputs(scores, labels, n, &npos, err);
    if (rc)
        return rc;
    uint64_t tp = 0, predicted = 0;
    for (size_t i = 0; i < n; i++) {
        if ((double)scores[i] > threshold) {
            predicted++;
            tp += labels[i];
        }
    }
    if (p)
        *p = predicted ? (double)tp / (double)predicted : 0.0;
    if (r)
        *r = npos ? (double)tp / (double)npos : 0.0;
    /* 2TP / (2TP + FP + FN) = 2PR / (P + R), and 0 exactly when TP = 0. */
    if (f1)
        *f1 = tp ? 2.0 * (double)tp / (double)(predicted + npos) : 0.0;
    return MEMAE_OK;
}

int mae_quantile(const float *x, size_t n, double q, double *out, memae_err *err)
{
    if (n == 0)
        return mae_seterr(err, MEMAE_E_ARG, "quantile: no values (n == 0)");
    if (!x || !out)
        return mae_seterr(err, MEMAE_E_ARG, "quantile: x or out is NULL");
    if (!(q >= 0.0 && q <= 1.0))
        return mae_seterr(err, MEMAE_E_ARG, "quantile: q = %g is outside [0, 1]", q);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return mae_seterr(err, MEMAE_E_NUMERIC, "quantile: value %zu is %s", i,
                                isnan(x[i]) ? "NaN" : "infinite");
    float *s = malloc(n * sizeof *s);
    if (!s)
        return mae_seterr(err, MEMAE_E_NOMEM, "quantile: cannot allocate %zu values", n);
    for (size_t i = 0; i < n; i++)
        s[i] = x[i];
    qsort(s, n, sizeof *s, cmp_float_asc);
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    size_t hi = lo + 1 < n ? lo + 1 : lo;
    double g = h - (double)lo, a = s[lo], b = s[hi], diff = b - a;
    /* numpy's _lerp: interpolating from the nearer end keeps q = 1 exact. */
    *out = g >= 0.5 ? b - diff * (1.0 - g) : a + diff * g;
    free(s);
    return MEMAE_OK;
}
