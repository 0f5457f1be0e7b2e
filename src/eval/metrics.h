/*
 * Binary-classification metrics for anomaly scores (internal).
 *
 * scores: higher = more abnormal; every score must be finite.
 * labels: 1 = anomaly (positive), 0 = normal; any other value is an error.
 *
 * Threshold convention (PyOD's): "score > threshold" is predicted anomalous,
 * everywhere in this file.  A threshold reported here can be passed back to
 * mae_prf_at() and reproduces the operating point it came from.  When the
 * best point predicts every sample anomalous, the threshold is the float just
 * below the lowest score (nextafterf; -INFINITY if that score is -FLT_MAX).
 */
#ifndef MEMAE_EVAL_METRICS_H
#define MEMAE_EVAL_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct memae_metrics {
    /* Area under the ROC curve; a tied (positive, negative) pair counts 1/2,
     * as sklearn.metrics.roc_auc_score. */
    double roc_auc;
    /* Average precision, sum over distinct scores of (R_k - R_{k-1}) * P_k,
     * as sklearn.metrics.average_precision_score (no interpolation). */
    double pr_auc;
    /* Equal error rate.  The ROC points are the operating points at each
     * distinct score, from (0,0) to (1,1).  The crossing of FPR = 1 - TPR is
     * found on the straight segment between the two consecutive points that
     * bracket it; eer is the FPR there (which equals the FNR). */
    double eer;
    /* Threshold of the first ROC point with FPR >= FNR (the upper end of the
     * bracketing segment), so that at it FPR >= eer >= FNR.  The interpolated
     * crossing itself is not reachable by any threshold. */
    double eer_threshold;
    /* Maximum F1 over all distinct thresholds; ties keep the highest
     * threshold. */
    double best_f1;
    double best_f1_threshold;
} memae_metrics;

/* Every metric above from a single O(n log n) sort.  Needs n > 0 and both
 * classes; MEMAE_E_NUMERIC names the first non-finite score, MEMAE_E_ARG the
 * first label that is not 0 or 1.  Allocates 8 bytes per sample. */
int mae_metrics_compute(const float *scores, const uint8_t *labels, size_t n,
                          memae_metrics *out, memae_err *err);

/* Single metrics; each costs a full mae_metrics_compute. */
int mae_roc_auc(const float *scores, const uint8_t *labels, size_t n, double *out,
                  memae_err *err);
int mae_average_precision(const float *scores, const uint8_t *labels, size_t n,
                            double *out, memae_err *err);
int mae_eer(const float *scores, const uint8_t *labels, size_t n, double *eer,
              double *threshold, memae_err *err);
int mae_best_f1(const float *scores, const uint8_t *labels, size_t n, double *f1,
                  double *threshold, memae_err *err);

/*
 * Precision, recall and F1 when "score > threshold" is predicted anomalous.
 * Conventions for empty denominators (sklearn's zero_division=0):
 * precision = 0 when nothing is predicted anomalous, recall = 0 when there is
 * no anomaly in labels, F1 = 0 when precision + recall = 0.  A single class is
 * therefore allowed here.  Any output pointer may be NULL; threshold may be
 * +-INFINITY but not NaN.
 */
int mae_prf_at(const float *scores, const uint8_t *labels, size_t n, double threshold,
                 double *p, double *r, double *f1, memae_err *err);

/* The q-quantile of x (0 <= q <= 1) with linear interpolation between the two
 * nearest order statistics, numpy's default np.quantile method.  x must be
 * finite; it is not modified (a sorted copy is made). */
int mae_quantile(const float *x, size_t n, double q, double *out, memae_err *err);

#endif
