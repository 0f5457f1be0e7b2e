/* Batch norm (BatchNorm1d/2d/3d): eps 1e-5, momentum 0.1, unbiased running variance. */
#include "nn/layer.h"

#include <math.h>
#include <stddef.h>

#define BN_EPS 1e-5f
#define BN_MOMENTUM 0.1f

static int setup(memae_layer *l, char *msg, size_t msglen)
{
    (void)msg;
    (void)msglen;
    l->out = l->in;
    l->nparams = 2 * (size_t)l->in.c;
    return 0;
}

static size_t nbuffers(const memae_layer *l)
{
    return 2 * (size_t)l->in.c;
}

/* weight, bias, running_mean, running_var and num_batches_tracked. */
static int tensors(const memae_layer *l, memae_tensor_desc *out)
{
    size_t c = (size_t)l->in.c, p = l->param_off, b = l->buffer_off;
    int64_t shape[1] = {(int64_t)c};
    int n = 0;
    n += mae_layer_tensor(out + n, l, "weight", MEMAE_T_PARAM, p, c, 1, shape);
    n += mae_layer_tensor(out + n, l, "bias", MEMAE_T_PARAM, p + c, c, 1, shape);
    n += mae_layer_tensor(out + n, l, "running_mean", MEMAE_T_BUFFER, b, c, 1, shape);
    n += mae_layer_tensor(out + n, l, "running_var", MEMAE_T_BUFFER, b + c, c, 1, shape);
    n += mae_layer_tensor(out + n, l, "num_batches_tracked", MEMAE_T_COUNTER,
                          offsetof(memae_layer, bn.batches_tracked), 1, 0, shape);
    return n;
}

/* The batch mean and inverse deviation, kept from forward to backward. */
static size_t workspace(const memae_layer *l, const memae_kernels *be, int batch)
{
    (void)be;
    (void)batch;
    return 2 * (size_t)l->in.c;
}

/* The official weights_init: weight N(1, 0.02), bias 0; running stats 0 and 1. */
static void init(const memae_layer *l, float *params, float *buffers, memae_rng *r)
{
    int c = l->in.c;
    float *w = params + l->param_off, *rm = buffers + l->buffer_off;
    for (int i = 0; i < c; i++) {
        w[i] = (float)(1.0 + 0.02 * mae_rng_normal(r));
        w[c + i] = 0.0f;
        rm[i] = 0.0f;
        rm[c + i] = 1.0f;
    }
}

static size_t spatial(const memae_layer *l)
{
    return (size_t)l->in.sp[0] * l->in.sp[1] * l->in.sp[2];
}

static void forward(memae_layer *l, const memae_run *run, const float *x, float *y)
{
    int c = l->in.c;
    const float *w = run->params + l->param_off;
    float *rm = run->buffers + l->buffer_off;
    run->be->bn_forward(run->be, run->batch, c, spatial(l), l->in.blocked ? MEMAE_CBLK : 1, x, w,
                        w + c, y, l->ws, l->ws + c, rm, rm + c, BN_MOMENTUM, BN_EPS, run->train,
                        run->threads);
    if (run->train)
        l->bn.batches_tracked++;
}

static void backward(memae_layer *l, const memae_run *run, const float *x, const float *y,
                     const float *dy, float *dx)
{
    (void)y;
    int c = l->in.c;
    const float *w = run->params + l->param_off;
    float *dw = run->grads + l->param_off;
    run->be->bn_backward(run->be, run->batch, c, spatial(l), l->in.blocked ? MEMAE_CBLK : 1, x, dy,
                         w, l->ws, l->ws + c, dx, dw, dw + c, run->train, run->threads);
}

float *mae_bn_fold(const memae_layer *l, const memae_run *run)
{
    int c = l->in.c;
    const float *gamma = run->params + l->param_off, *beta = gamma + c;
    const float *rm = run->buffers + l->buffer_off, *rv = rm + c;
    float *scale = l->ws, *shift = l->ws + c;
    /* As the reference's inference pass computes them, in double. */
    for (int i = 0; i < c; i++) {
        double inv = 1.0 / sqrt((double)rv[i] + BN_EPS);
        scale[i] = (float)(gamma[i] * inv);
        shift[i] = (float)(beta[i] - rm[i] * gamma[i] * inv);
    }
    return scale;
}

const memae_layer_ops mae_batchnorm_ops = {
    .name = "batchnorm",
    .setup = setup,
    .nbuffers = nbuffers,
    .tensors = tensors,
    .workspace = workspace,
    .init = init,
    .forward = forward,
    .backward = backward,
    .inplace = 0,
};
