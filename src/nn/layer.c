#include "nn/layer.h"

#include <stdio.h>
#include <string.h>

static const memae_layer_ops *const op_table[MEMAE_OP_COUNT] = {
    [MEMAE_OP_CONV] = &mae_conv_ops,
    [MEMAE_OP_CONVT] = &mae_convt_ops,
    [MEMAE_OP_LINEAR] = &mae_linear_ops,
    [MEMAE_OP_BATCHNORM] = &mae_batchnorm_ops,
    [MEMAE_OP_ACT] = &mae_act_ops,
    [MEMAE_OP_MEMORY] = &mae_memory_ops,
};
_Static_assert(sizeof op_table / sizeof op_table[0] == MEMAE_OP_COUNT, "every op needs its ops");

const memae_layer_ops *mae_layer_ops_of(memae_op op)
{
    return (unsigned)op < MEMAE_OP_COUNT ? op_table[op] : NULL;
}

size_t mae_layer_none(const memae_layer *l)
{
    (void)l;
    return 0;
}

size_t mae_layer_no_workspace(const memae_layer *l, const memae_kernels *be, int batch)
{
    (void)l;
    (void)be;
    (void)batch;
    return 0;
}

int mae_layer_no_tensors(const memae_layer *l, memae_tensor_desc *out)
{
    (void)l;
    (void)out;
    return 0;
}

int mae_layer_tensor(memae_tensor_desc *d, const memae_layer *l, const char *suffix,
                       memae_tensor_kind kind, size_t off, size_t n, int ndim,
                       const int64_t *shape)
{
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s.%s", l->prefix, suffix);
    d->kind = kind;
    d->off = off;
    d->n = n;
    d->ndim = ndim;
    for (int i = 0; i < ndim; i++)
        d->shape[i] = shape[i];
    return 1;
}

int mae_layer_weight_bias(const memae_layer *l, memae_tensor_desc *out, int ndim,
                            const int64_t *shape)
{
    size_t wn = 1;
    for (int i = 0; i < ndim; i++)
        wn *= (size_t)shape[i];
    int64_t bias = l->out.c;
    mae_layer_tensor(out, l, "weight", MEMAE_T_PARAM, l->param_off, wn, ndim, shape);
    mae_layer_tensor(out + 1, l, "bias", MEMAE_T_PARAM, l->param_off + wn, (size_t)bias, 1,
                       &bias);
    return 2;
}

int mae_layer_tensors(const memae_layer *l, int li, memae_tensor_desc *out)
{
    int n = mae_layer_ops_of(l->op)->tensors(l, out);
    for (int i = 0; i < n; i++)
        out[i].layer = li;
    return n;
}

int64_t *mae_layer_counter(memae_layer *l, const memae_tensor_desc *d)
{
    return (int64_t *)(void *)((char *)l + d->off);
}
