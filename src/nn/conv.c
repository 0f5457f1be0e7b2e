/*
 * Convolution and transposed convolution, 2D and 3D, as one layer: a
 * transposed convolution runs the kernels of the convolution it is the
 * adjoint of (see backend.h), with PyTorch's (in, out, k...) weight layout,
 * which is exactly that convolution's (out, in, k...) layout.
 */
#include "nn/layer.h"
#include "nn/config.h"

#include <math.h>
#include <stdio.h>

static int is_t(const memae_layer *l)
{
    return l->op == MEMAE_OP_CONVT;
}

/* The geometry of the plain convolution behind the layer. */
static memae_conv_geom geom(const memae_layer *l, int batch)
{
    const memae_shape *ci = is_t(l) ? &l->out : &l->in;
    const memae_shape *co = is_t(l) ? &l->in : &l->out;
    memae_conv_geom g = {.n = batch,
                         .ci = ci->c,
                         .co = co->c,
                         .src_blocked = ci->blocked,
                         .dst_blocked = co->blocked,
                         .fused_act = is_t(l) ? 0 : l->fused_act};
    for (int i = 0; i < 3; i++) {
        g.in[i] = ci->sp[i];
        g.out[i] = co->sp[i];
        g.k[i] = l->conv.k[i];
        g.s[i] = l->conv.s[i];
        g.p[i] = l->conv.p[i];
    }
    return g;
}

static size_t ksize(const memae_layer *l)
{
    return (size_t)l->conv.k[0] * l->conv.k[1] * l->conv.k[2];
}

/* PyTorch's weight (out, in, k...) of a convolution, (in, out, k...) of a
 * transposed one; then the bias. */
static int tensors(const memae_layer *l, memae_tensor_desc *out)
{
    int sdim = l->in.sdim, k0 = 3 - sdim;
    int64_t shape[5] = {is_t(l) ? l->in.c : l->out.c, is_t(l) ? l->out.c : l->in.c};
    for (int i = 0; i < sdim; i++)
        shape[2 + i] = l->conv.k[k0 + i];
    return mae_layer_weight_bias(l, out, 2 + sdim, shape);
}

/* The kernels' scratch (im2col columns for the reference backend). */
static size_t workspace(const memae_layer *l, const memae_kernels *be, int batch)
{
    memae_conv_geom g = geom(l, batch);
    return be->conv_scratch(be, &g);
}

static int setup(memae_layer *l, char *msg, size_t msglen)
{
    static const char axis[3] = {'D', 'H', 'W'};
    l->out.sdim = l->in.sdim;
    for (int i = 0; i < 3; i++) {
        int in = l->in.sp[i], k = l->conv.k[i], s = l->conv.s[i], p = l->conv.p[i],
            op = l->conv.op_pad[i];
        int64_t o;
        if (k < 1 || s < 1 || p < 0 || op < 0) {
            snprintf(msg, msglen, "%s: kernel and stride must be >= 1, padding >= 0", l->prefix);
            return -1;
        }
        if (is_t(l)) {
            if (op >= s) {
                snprintf(msg, msglen, "%s: output_padding %d must be smaller than stride %d",
                         l->prefix, op, s);
                return -1;
            }
            o = ((int64_t)in - 1) * s - 2 * (int64_t)p + k + op;
        } else {
            o = (int64_t)in + 2 * (int64_t)p < k ? 0 : ((int64_t)in + 2 * p - k) / s + 1;
        }
        if (o > MEMAE_MAX_INPUT) {
            snprintf(msg, msglen, "%s: output size %lld along %c is above %d", l->prefix,
                     (long long)o, axis[i], MEMAE_MAX_INPUT);
            return -1;
        }
        l->out.sp[i] = (int)o;
        if (l->out.sp[i] < 1) {
            snprintf(msg, msglen,
                     "%s: input size %d along %c is too small for kernel %d, "
                     "stride %d, padding %d",
                     l->prefix, in, axis[i], k, s, p);
            return -1;
        }
    }
    l->nparams = (size_t)l->in.c * l->out.c * ksize(l) + (size_t)l->out.c;
    return 0;
}

/* The official weights_init: N(0, 0.02) weights; PyTorch's default bias. */
static void init(const memae_layer *l, float *params, float *buffers, memae_rng *r)
{
    (void)buffers;
    size_t wn = (size_t)l->in.c * l->out.c * ksize(l);
    float *w = params + l->param_off, *b = w + wn;
    for (size_t i = 0; i < wn; i++)
        w[i] = (float)(0.02 * mae_rng_normal(r));
    /* fan_in = weight.size(1) * prod(kernel): out channels for a transposed conv. */
    double fan_in = (double)(is_t(l) ? l->out.c : l->in.c) * (double)ksize(l);
    double bound = 1.0 / sqrt(fan_in);
    for (int i = 0; i < l->out.c; i++)
        b[i] = (float)(bound * (2.0 * mae_rng_uniform(r) - 1.0));
}

static void forward(memae_layer *l, const memae_run *run, const float *x, float *y)
{
    memae_conv_geom g = geom(l, run->batch);
    const float *w = run->params + l->param_off;
    const float *b = w + (size_t)l->in.c * l->out.c * ksize(l);
    if (!is_t(l)) {
        run->be->conv_forward(run->be, &g, x, w, b, y, l->ws, run->threads);
        return;
    }
    run->be->conv_backward_data(run->be, &g, x, w, y, l->ws, run->threads);
    /* The bias, per channel block (blk channels side by side, see backend.h). */
    size_t sp = (size_t)l->out.sp[0] * l->out.sp[1] * l->out.sp[2];
    int blk = l->out.blocked ? MEMAE_CBLK : 1, nb = l->out.c / blk;
#pragma omp parallel for collapse(2) schedule(static)                                              \
    num_threads(mae_par((size_t)run->batch * l->out.c * sp, run->threads))
    for (int n = 0; n < run->batch; n++)
        for (int cb = 0; cb < nb; cb++) {
            float *yc = y + ((size_t)n * nb + cb) * sp * blk;
            const float *bc = b + (size_t)cb * blk;
            for (size_t i = 0; i < sp; i++)
                for (int j = 0; j < blk; j++)
                    yc[i * blk + j] += bc[j];
        }
}

static void backward(memae_layer *l, const memae_run *run, const float *x, const float *y,
                     const float *dy, float *dx)
{
    (void)y;
    memae_conv_geom g = geom(l, run->batch);
    const float *w = run->params + l->param_off;
    size_t wn = (size_t)l->in.c * l->out.c * ksize(l);
    float *dw = run->grads + l->param_off, *db = dw + wn;
    if (!is_t(l)) {
        run->be->conv_backward_weights(run->be, &g, x, dy, dw, db, l->ws, run->threads);
        if (dx)
            run->be->conv_backward_data(run->be, &g, dy, w, dx, l->ws, run->threads);
        return;
    }
    /* The adjoint convolution reads dy (our output side) and writes to x's side. */
    run->be->conv_backward_weights(run->be, &g, dy, x, dw, NULL, l->ws, run->threads);
    run->be->channel_sum(run->be, dy, run->batch, l->out.c,
                         (size_t)l->out.sp[0] * l->out.sp[1] * l->out.sp[2],
                         l->out.blocked ? MEMAE_CBLK : 1, db, run->threads);
    if (dx)
        run->be->conv_forward(run->be, &g, dy, w, NULL, dx, l->ws, run->threads);
}

/* A conv with its bias, the batch norm's affine map and the activation as
 * one kernel (oneDNN: binary and eltwise post-ops); a transposed conv as the
 * adjoint conv, then one pass of act(scale * y + (shift + scale * bias)) per
 * channel: three sweeps over the output become one. */
static void forward_affine_act(memae_layer *l, const memae_run *run, const float *x, float *y,
                               float *scale, float *shift, int act)
{
    memae_conv_geom g = geom(l, run->batch);
    const float *w = run->params + l->param_off;
    const float *b = w + (size_t)l->in.c * l->out.c * ksize(l);
    if (!is_t(l)) {
        run->be->conv_forward_affine_act(run->be, &g, x, w, b, scale, shift, act, y, l->ws,
                                         run->threads);
        return;
    }
    run->be->conv_backward_data(run->be, &g, x, w, y, l->ws, run->threads);
    for (int c = 0; c < l->out.c; c++)
        shift[c] += scale[c] * b[c];
    run->be->affine_act(run->be, run->batch, l->out.c,
                        (size_t)l->out.sp[0] * l->out.sp[1] * l->out.sp[2],
                        l->out.blocked ? MEMAE_CBLK : 1, scale, shift, act, y, y, run->threads);
}

/* One table for both: the layer's op tells them apart (is_t). */
#define CONV_OPS(op_name)                                                                          \
    {                                                                                              \
        .name = op_name, .setup = setup, .nbuffers = mae_layer_none, .tensors = tensors,           \
        .workspace = workspace, .init = init, .forward = forward, .backward = backward,            \
        .inplace = 0, .forward_affine_act = forward_affine_act,                                    \
    }

const memae_layer_ops mae_conv_ops = CONV_OPS("conv");
const memae_layer_ops mae_convt_ops = CONV_OPS("convT");
