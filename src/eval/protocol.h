/*
 * The paper's KDDCUP99 protocol (after DAGMM, Zong et al. 2018) on one
 * labelled table: the minority class is the anomaly; each run draws a random
 * half of the normal records to train a fresh model on (scaling fitted on
 * that half), tests on the other half plus every anomaly, flags the
 * flag_share highest test scores (threshold at their (1 - flag_share)
 * quantile; 0.2 in the paper) and measures precision, recall and F1 there.
 */
#ifndef MEMAE_EVAL_PROTOCOL_H
#define MEMAE_EVAL_PROTOCOL_H

#include <stdint.h>

#include "core/error.h"
#include "memae.h"

typedef struct memae_kdd_opts {
    const char *config_json;  /* the model; its input width must be d */
    memae_train_config train; /* epochs, batch, Adam; seed and checkpoint are set per run */
    int runs;                 /* >= 1 */
    uint64_t seed;            /* run r uses seed + r for the split, the weights and batches */
    double flag_share;        /* share of test records flagged (0.2) */
    int scale;                /* MEMAE_SCALE_* fitted on each run's training half */
    int threads, backend;     /* backend: MEMAE_BACKEND_*, or -1 for the library's default */
} memae_kdd_opts;

typedef struct memae_kdd_run {
    double precision, recall, f1, roc_auc, threshold;
    int64_t train_n, test_n, test_anomalies;
} memae_kdd_run;

typedef struct memae_kdd_result {
    int anomaly_label;      /* the label value (0 or 1) treated as the anomaly */
    double mean[4], std[4]; /* precision, recall, F1, ROC-AUC over the runs (std: population) */
} memae_kdd_result;

/* x: n x d encoded, unscaled records; labels 0/1.  runs: o->runs entries (filled). */
int memae_protocol_kdd(const float *x, int64_t n, int64_t d, const uint8_t *labels,
                       const memae_kdd_opts *o, memae_kdd_run *runs, memae_kdd_result *out,
                       memae_err *err);

#endif
