/* Losses (docs/model.md) and Adam (PyTorch's update and bias correction). */
#ifndef MEMAE_NN_LOSS_H
#define MEMAE_NN_LOSS_H

#include <stddef.h>
#include <stdint.h>

#include "memae.h"

/* Mean squared error over n elements; grad (may be NULL) gets dMSE/drecon. */
double mae_mse(const float *recon, const float *x, size_t n, float *grad, int threads);

/* Per-sample scores: mean squared (or absolute) error over sample_size values. */
void mae_sample_errors(const float *recon, const float *x, int batch, size_t sample_size,
                         int kind, float *scores, int threads);

/* acc[i] += the squared (or absolute) error of element i. */
void mae_add_errors(const float *recon, const float *x, size_t n, int kind, double *acc);

/* As mae_sample_errors, each element's error times w[element] (w NULL: 1). */
void mae_sample_errors_weighted(const float *recon, const float *x, int batch,
                                  size_t sample_size, int kind, const float *w, float *scores,
                                  int threads);

/* One Adam step over n parameters; step is the new step count (1 on the first). */
void mae_adam_step(float *p, const float *g, float *m, float *v, size_t n, int64_t step,
                     const memae_train_opts *o, int threads);

#endif
