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

/* memae_kdd_opts, memae_kdd_run, memae_kdd_result: in memae.h. */

/* x: n x d encoded, unscaled records; labels 0/1.  runs: o->runs entries (filled). */
int mae_protocol_kdd(const float *x, int64_t n, int64_t d, const uint8_t *labels,
                     const memae_kdd_opts *o, memae_kdd_run *runs, memae_kdd_result *out,
                     memae_err *err);

#endif
