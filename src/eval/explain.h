/*
 * Which columns made a record abnormal: the squared reconstruction error of
 * every encoded feature (in the model's scaled input space), summed over the
 * features of each original column (a one-hot group counts as its column).
 * The mean over all features of a record is its mse score, so the columns'
 * errors divided by the width add up to the score.  Under a recipe with
 * per-element weights ("weighted") each feature's error is weighted and
 * divided as the score is (mae errors for a model calibrated on mae), so the
 * columns add up to the recipe's score.
 */
#ifndef MEMAE_EVAL_EXPLAIN_H
#define MEMAE_EVAL_EXPLAIN_H

#include <stdint.h>

#include "io/tables/table.h"
#include "memae.h"

/* out: n x e->ncols; x: n encoded, scaled records.  Errors on m. */
int mae_explain(memae_model *m, const memae_encoding *e, const float *x, int64_t n, int batch,
                float *out);

#endif
