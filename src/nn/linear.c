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

static int tensors(const memae_layer *l, memae_tensor_desc *out)
{
    int64_t shape[2] = {l->out.c, l->in.c};
    return mae_layer_weight_bias(l, out, 2, shape);
}

/* PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias. */
static void init(const memae_layer *l, float *params, float *buffers, memae_rng *r)
{
    (void)buffers;
    double bound = 1.0 / sqrt((double)l->in.c);
    float *w = params + l->param_off;
    for (size_t i = 0; i < l->nparams; i++)
        w[i] = (float)(bound * (2.0 * mae_rng_uniform(r) - 1.0));
}

/* The layer's three products: y = x W^T (+ b), dW = dy^T x, dx = dy W. */
enum { P_FWD, P_DW, P_DX, P_COUNT };

static memae_gemm_geom product(const memae_layer *l, int batch, int which)
{
    int in = l->in.c, out = l->out.c;
    switch (which) {
    case P_FWD:
        return (memae_gemm_geom){0, 1, batch, out, in, in, in, out, 1.0f, 1.0f};
    case P_DW:
        return (memae_gemm_geom){1, 0, out, in, batch, out, in, in, 1.0f, 0.0f};
    default:
        return (memae_gemm_geom){0, 0, batch, in, out, out, in, in, 1.0f, 0.0f};
    }
}

/* The products' scratch (planned, so that a step allocates nothing). */
static size_t workspace(const memae_layer *l, const memae_kernels *be, int batch)
{
    size_t most = 0;
    for (int p = 0; p < P_COUNT; p++) {
        memae_gemm_geom g = product(l, batch, p);
        size_t s = be->gemm_scratch(be, &g);
        most = s > most ? s : most;
    }
    return most;
}

static void gemm(const memae_layer *l, const memae_run *run, int which, const float *a,
                 const float *b, float *c)
{
    memae_gemm_geom g = product(l, run->batch, which);
    run->be->gemm(run->be, &g, a, b, c, l->ws, run->threads);
}

static void forward(memae_layer *l, const memae_run *run, const float *x, float *y)
{
    int in = l->in.c, out = l->out.c, n = run->batch;
    const float *w = run->params + l->param_off, *b = w + (size_t)in * out;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < out; j++)
            y[(size_t)i * out + j] = b[j];
    gemm(l, run, P_FWD, x, w, y);
}

static void backward(memae_layer *l, const memae_run *run, const float *x, const float *y,
                     const float *dy, float *dx)
{
    (void)y;
    int in = l->in.c, out = l->out.c, n = run->batch;
    const float *w = run->params + l->param_off;
    float *dw = run->grads + l->param_off, *db = dw + (size_t)in * out;
    gemm(l, run, P_DW, dy, x, dw);
    for (int j = 0; j < out; j++) {
        double s = 0.0;
        for (int i = 0; i < n; i++)
            s += dy[(size_t)i * out + j];
        db[j] = (float)s;
    }
    if (dx)
        gemm(l, run, P_DX, dy, w, dx);
}

const memae_layer_ops mae_linear_ops = {
    .name = "linear",
    .setup = setup,
    .nbuffers = mae_layer_none,
    .tensors = tensors,
    .workspace = workspace,
    .init = init,
    .forward = forward,
    .backward = backward,
    .inplace = 0,
};
