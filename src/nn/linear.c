/* Fully connected layer, y = x W^T + b with W (out, in) as PyTorch's nn.Linear. */
#include "nn/layer.h"

#include <math.h>
#include <stdio.h>

static int setup(memae_layer *l, char *msg, size_t msglen)
{
    if (l->in.sdim != 0 || l->out.c < 1) {
        snprintf(msg, msglen, "%s: a linear layer takes vectors and needs out >= 1", l->prefix);
        return -1;
    }
    l->out.sdim = 0;
    l->out.sp[0] = l->out.sp[1] = l->out.sp[2] = 1;
    l->nparams = (size_t)l->in.c * l->out.c + (size_t)l->out.c;
    return 0;
}

/* PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias. */
static void init(const memae_layer *l, float *params, float *buffers, memae_rng *r)
{
    (void)buffers;
    double bound = 1.0 / sqrt((double)l->in.c);
    float *w = params + l->param_off;
    for (size_t i = 0; i < l->nparams; i++)
        w[i] = (float)(bound * (2.0 * memae_rng_uniform(r) - 1.0));
}

static void forward(memae_layer *l, const memae_run *run, const float *x, float *y)
{
    int in = l->in.c, out = l->out.c, n = run->batch;
    const float *w = run->params + l->param_off, *b = w + (size_t)in * out;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < out; j++)
            y[(size_t)i * out + j] = b[j];
    run->be->gemm(run->be, 0, 1, n, out, in, 1.0f, x, in, w, in, 1.0f, y, out, run->threads);
}

static void backward(memae_layer *l, const memae_run *run, const float *x, const float *y,
                     const float *dy, float *dx)
{
    (void)y;
    int in = l->in.c, out = l->out.c, n = run->batch;
    const float *w = run->params + l->param_off;
    float *dw = run->grads + l->param_off, *db = dw + (size_t)in * out;
    run->be->gemm(run->be, 1, 0, out, in, n, 1.0f, dy, out, x, in, 0.0f, dw, in, run->threads);
    for (int j = 0; j < out; j++) {
        double s = 0.0;
        for (int i = 0; i < n; i++)
            s += dy[(size_t)i * out + j];
        db[j] = (float)s;
    }
    if (dx)
        run->be->gemm(run->be, 0, 0, n, in, out, 1.0f, dy, out, w, in, 0.0f, dx, in, run->threads);
}

const memae_layer_ops memae_linear_ops = {
    .name = "linear", .setup = setup, .nbuffers = memae_layer_none,
    .workspace = memae_layer_no_workspace, .init = init, .forward = forward,
    .backward = backward, .inplace = 0,
};
