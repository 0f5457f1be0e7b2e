#include "nn/layer.h"

#include <stdio.h>
#include <string.h>

static const memae_layer_ops *const op_table[MEMAE_OP_COUNT] = {
    [MEMAE_OP_CONV] = &memae_conv_ops,
    [MEMAE_OP_CONVT] = &memae_convt_ops,
    [MEMAE_OP_LINEAR] = &memae_linear_ops,
    [MEMAE_OP_BATCHNORM] = &memae_batchnorm_ops,
    [MEMAE_OP_ACT] = &memae_act_ops,
    [MEMAE_OP_MEMORY] = &memae_memory_ops,
};
_Static_assert(sizeof op_table / sizeof op_table[0] == MEMAE_OP_COUNT, "every op needs its ops");

const memae_layer_ops *memae_layer_ops_of(memae_op op)
{
    return (unsigned)op < MEMAE_OP_COUNT ? op_table[op] : NULL;
}

size_t memae_layer_none(const memae_layer *l)
{
    (void)l;
    return 0;
}

size_t memae_layer_no_workspace(const memae_layer *l, const memae_kernels *be, int batch)
{
    (void)l;
    (void)be;
    (void)batch;
    return 0;
}

static int add(memae_tensor_desc *d, const memae_layer *l, int li, const char *suffix,
               memae_tensor_kind kind, size_t off, size_t n, int ndim, const int64_t *shape)
{
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s.%s", l->prefix, suffix);
    d->kind = kind;
    d->off = off;
    d->n = n;
    d->ndim = ndim;
    for (int i = 0; i < ndim; i++)
        d->shape[i] = shape[i];
    d->layer = li;
    return 1;
}

int memae_layer_tensors(const memae_layer *l, int li, memae_tensor_desc *out)
{
    int n = 0;
    int64_t shape[5];
    switch (l->op) {
    case MEMAE_OP_CONV:
    case MEMAE_OP_CONVT: {
        int sdim = l->in.sdim, k0 = 3 - sdim;
        shape[0] = l->op == MEMAE_OP_CONV ? l->out.c : l->in.c;
        shape[1] = l->op == MEMAE_OP_CONV ? l->in.c : l->out.c;
        size_t wn = (size_t)l->in.c * l->out.c;
        for (int i = 0; i < sdim; i++) {
            shape[2 + i] = l->k[k0 + i];
            wn *= (size_t)l->k[k0 + i];
        }
        n += add(out + n, l, li, "weight", MEMAE_T_PARAM, l->param_off, wn, 2 + sdim, shape);
        shape[0] = l->out.c;
        n += add(out + n, l, li, "bias", MEMAE_T_PARAM, l->param_off + wn, l->out.c, 1, shape);
        break;
    }
    case MEMAE_OP_LINEAR: {
        size_t wn = (size_t)l->in.c * l->out.c;
        shape[0] = l->out.c;
        shape[1] = l->in.c;
        n += add(out + n, l, li, "weight", MEMAE_T_PARAM, l->param_off, wn, 2, shape);
        n += add(out + n, l, li, "bias", MEMAE_T_PARAM, l->param_off + wn, l->out.c, 1, shape);
        break;
    }
    case MEMAE_OP_BATCHNORM: {
        size_t c = (size_t)l->in.c;
        shape[0] = (int64_t)c;
        n += add(out + n, l, li, "weight", MEMAE_T_PARAM, l->param_off, c, 1, shape);
        n += add(out + n, l, li, "bias", MEMAE_T_PARAM, l->param_off + c, c, 1, shape);
        n += add(out + n, l, li, "running_mean", MEMAE_T_BUFFER, l->buffer_off, c, 1, shape);
        n += add(out + n, l, li, "running_var", MEMAE_T_BUFFER, l->buffer_off + c, c, 1, shape);
        n += add(out + n, l, li, "num_batches_tracked", MEMAE_T_COUNTER, 0, 1, 0, shape);
        break;
    }
    case MEMAE_OP_MEMORY:
        shape[0] = l->slots;
        shape[1] = l->dim;
        n += add(out + n, l, li, "weight", MEMAE_T_PARAM, l->param_off,
                 (size_t)l->slots * l->dim, 2, shape);
        break;
    default:
        break;
    }
    return n;
}
