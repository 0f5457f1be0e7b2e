/*
 * A model is a sequence of layers; each layer has the same
 * init / forward / backward triple (darknet's shape) and names its tensors as
 * the official PyTorch modules do.  All parameters live in one flat buffer,
 * all gradients in another (kann's shape), and running statistics in a third;
 * a layer only knows its offsets into them.  What is particular to an op (a
 * kernel size, a memory's slots) is that op's, in its own header and file.
 */
#ifndef MEMAE_NN_LAYER_H
#define MEMAE_NN_LAYER_H

#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"
#include "core/rng.h"
#include "nn/activation.h"
#include "nn/batchnorm.h"
#include "nn/conv.h"
#include "nn/memory.h"

typedef enum memae_op {
    MEMAE_OP_CONV,
    MEMAE_OP_CONVT,
    MEMAE_OP_LINEAR,
    MEMAE_OP_BATCHNORM,
    MEMAE_OP_ACT,
    MEMAE_OP_MEMORY,
    MEMAE_OP_COUNT
} memae_op;

/* Per-sample shape: channels then up to three spatial sizes (D, H, W). */
typedef struct memae_shape {
    int c;
    int sp[3];   /* unused trailing sizes are 1 */
    int sdim;    /* spatial dims: 0 (vectors), 2 or 3 */
    int blocked; /* laid out nC(D)HW16c (see backend.h); set by the model's plan */
} memae_shape;

static inline size_t mae_shape_size(const memae_shape *s)
{
    return (size_t)s->c * s->sp[0] * s->sp[1] * s->sp[2];
}

/* What a step needs to know besides the layer: kernels, mode, buffers. */
typedef struct memae_run {
    const memae_kernels *be;
    int threads;
    int batch;
    int train;
    float *params;
    float *grads;
    float *buffers;
    float entropy_weight; /* memory layer: alpha of the loss */
} memae_run;

typedef struct memae_layer {
    memae_op op;
    char prefix[32]; /* "encoder.0", "mem_rep.memory", ... */
    memae_shape in, out;
    size_t param_off, nparams;  /* weight first, then bias */
    size_t buffer_off;          /* running statistics (batch norm) */
    union {                     /* the op's own fields, by op */
        memae_conv_layer conv;  /* MEMAE_OP_CONV, MEMAE_OP_CONVT */
        memae_act_layer act;    /* MEMAE_OP_ACT */
        memae_bn_layer bn;      /* MEMAE_OP_BATCHNORM */
        memae_memory_layer mem; /* MEMAE_OP_MEMORY */
    };
    /* plan: inference fuses the next BN and activation into this layer's
     * forward_affine_act (MEMAE_ACT_x + 1; 0: not followed by both) */
    int fused_act;
    /* workspace planned for a batch size (not owned) */
    float *ws;
} memae_layer;

/* The tensors a layer stores, for naming and (de)serialisation. */
typedef enum { MEMAE_T_PARAM, MEMAE_T_BUFFER, MEMAE_T_COUNTER } memae_tensor_kind;
typedef struct memae_tensor_desc {
    char name[64];
    memae_tensor_kind kind;
    size_t off, n; /* in the flat params or buffers; counter: bytes into its layer, n 1 */
    int ndim;
    int64_t shape[5];
    int layer; /* index of the owning layer */
} memae_tensor_desc;

typedef struct memae_layer_ops {
    const char *name;
    /* Fill out shape, nparams and nbuffers from in and the layer's settings;
     * non-zero (with a message in msg) when the shape cannot be taken. */
    int (*setup)(memae_layer *l, char *msg, size_t msglen);
    size_t (*nbuffers)(const memae_layer *l);
    /* Write the layer's tensors to out (room for 8), their layer left 0;
     * returns how many. */
    int (*tensors)(const memae_layer *l, memae_tensor_desc *out);
    /* Floats of workspace a batch of this size needs (kept from forward to backward). */
    size_t (*workspace)(const memae_layer *l, const memae_kernels *be, int batch);
    void (*init)(const memae_layer *l, float *params, float *buffers, memae_rng *r);
    void (*forward)(memae_layer *l, const memae_run *run, const float *x, float *y);
    /* dx may be NULL (first layer); may alias dy for in-place layers. */
    void (*backward)(memae_layer *l, const memae_run *run, const float *x, const float *y,
                     const float *dy, float *dx);
    int inplace; /* forward may run with y == x and backward with dx == dy */
    /* Inference only, optional: y = act(scale[c] * layer(x) + shift[c]) with
     * the layer's bias folded in; scale and shift are the next batch norm's
     * (see mae_bn_fold) and may be overwritten. */
    void (*forward_affine_act)(memae_layer *l, const memae_run *run, const float *x, float *y,
                               float *scale, float *shift, int act);
} memae_layer_ops;

const memae_layer_ops *mae_layer_ops_of(memae_op op);

/* Append the layer's tensors to out (room for 8); returns how many. */
int mae_layer_tensors(const memae_layer *l, int layer_index, memae_tensor_desc *out);
/* The counter a MEMAE_T_COUNTER tensor of layer l names. */
int64_t *mae_layer_counter(memae_layer *l, const memae_tensor_desc *d);

/* For the ops' tensors callbacks: one tensor named "<prefix>.<suffix>" (a
 * counter's off is its byte offset in the layer); returns 1. */
int mae_layer_tensor(memae_tensor_desc *d, const memae_layer *l, const char *suffix,
                     memae_tensor_kind kind, size_t off, size_t n, int ndim, const int64_t *shape);
/* A weight of this shape at param_off, then a bias of out.c; returns 2. */
int mae_layer_weight_bias(const memae_layer *l, memae_tensor_desc *out, int ndim,
                          const int64_t *shape);

/* For layers without buffers, workspace or tensors. */
size_t mae_layer_none(const memae_layer *l);
size_t mae_layer_no_workspace(const memae_layer *l, const memae_kernels *be, int batch);
int mae_layer_no_tensors(const memae_layer *l, memae_tensor_desc *out);

/* Ops in this library; each lives in its own file. */
extern const memae_layer_ops mae_conv_ops, mae_convt_ops, mae_linear_ops, mae_batchnorm_ops,
    mae_act_ops, mae_memory_ops;

#endif
