/* LeakyReLU(0.2) and tanh, in place (their backward needs only the output). */
#include "nn/layer.h"

static int setup(memae_layer *l, char *msg, size_t msglen)
{
    (void)msg;
    (void)msglen;
    l->out = l->in;
    l->nparams = 0;
    return 0;
}

static void init(const memae_layer *l, float *params, float *buffers, memae_rng *r)
{
    (void)l;
    (void)params;
    (void)buffers;
    (void)r;
}

static void forward(memae_layer *l, const memae_run *run, const float *x, float *y)
{
    run->be->act_forward(run->be, l->act.fn, mae_shape_size(&l->in) * run->batch, x, y,
                         run->threads);
}

static void backward(memae_layer *l, const memae_run *run, const float *x, const float *y,
                     const float *dy, float *dx)
{
    (void)x;
    if (dx)
        run->be->act_backward(run->be, l->act.fn, mae_shape_size(&l->in) * run->batch, y, dy, dx,
                              run->threads);
}

const memae_layer_ops mae_act_ops = {
    .name = "activation",
    .setup = setup,
    .nbuffers = mae_layer_none,
    .tensors = mae_layer_no_tensors,
    .workspace = mae_layer_no_workspace,
    .init = init,
    .forward = forward,
    .backward = backward,
    .inplace = 1,
};
