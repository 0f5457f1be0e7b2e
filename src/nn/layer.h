/*
 * A model is a sequence of layers; each layer has the same
 * init / forward / backward triple (darknet's shape) and names its tensors as
 * the official PyTorch modules do.  All parameters live in one flat buffer,
 * all gradients in another (kann's shape), and running statistics in a third;
 * a layer only knows its offsets into them.
 */
#ifndef MEMAE_NN_LAYER_H
#define MEMAE_NN_LAYER_H

#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"
#include "core/rng.h"

typedef enum memae_op {
    MEMAE_OP_CONV,
    MEMAE_OP_CONVT,
    MEMAE_OP_LINEAR,
    MEMAE_OP_BATCHNORM,
    MEMAE_OP_ACT,
    MEMAE_OP_MEMORY,
    MEMAE_OP_COUNT
} memae_op;

enum memae_addressing { MEMAE_ADDR_DOT = 0, MEMAE_ADDR_COSINE = 1 };
enum memae_query { MEMAE_QUERY_POSITION = 0, MEMAE_QUERY_FLAT = 1 };

/* Per-sample shape: channels then up to three spatial sizes (D, H, W). */
typedef struct memae_shape {
    int c;
    int sp[3];   /* unused trailing sizes are 1 */
    int sdim;    /* spatial dims: 0 (vectors), 2 or 3 */
    int blocked; /* laid out nC(D)HW16c (see backend.h); set by the model's plan */
} memae_shape;

static inline size_t memae_shape_size(const memae_shape *s)
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
    int k[3], s[3], p[3], op_pad[3]; /* conv: D, H, W (2D: D is 1) */
    int act;                         /* MEMAE_ACT_* */
    size_t param_off, nparams;       /* weight first, then bias */
    size_t buffer_off;               /* batch norm: running_mean, then running_var */
    int64_t batches_tracked;         /* batch norm's num_batches_tracked */
    /* memory module */
    int slots, dim, addressing, query;
    float shrink;
    double entropy; /* of the last forward pass */
    int64_t zero_queries, queries;
    int fused_act; /* conv: inference fuses the next BN and activation
                      (MEMAE_ACT_x + 1; 0: not followed by both) */
    /* workspace planned for a batch size (not owned) */
    float *ws;
} memae_layer;

typedef struct memae_layer_ops {
    const char *name;
    /* Fill out shape, nparams and nbuffers from in and the layer's settings;
     * non-zero (with a message in msg) when the shape cannot be taken. */
    int (*setup)(memae_layer *l, char *msg, size_t msglen);
    size_t (*nbuffers)(const memae_layer *l);
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
     * (see memae_bn_fold) and may be overwritten. */
    void (*forward_affine_act)(memae_layer *l, const memae_run *run, const float *x, float *y,
                               float *scale, float *shift, int act);
} memae_layer_ops;

/* A batch norm's inference-time affine map, y = scale * x + shift per
 * channel, from its running statistics, into its own workspace (2c floats,
 * free in inference); returns scale (shift follows it). */
float *memae_bn_fold(const memae_layer *bn, const memae_run *run);

const memae_layer_ops *memae_layer_ops_of(memae_op op);

/* The tensors a layer stores, for naming and (de)serialisation. */
typedef enum { MEMAE_T_PARAM, MEMAE_T_BUFFER, MEMAE_T_COUNTER } memae_tensor_kind;
typedef struct memae_tensor_desc {
    char name[64];
    memae_tensor_kind kind;
    size_t off, n; /* in the flat params or buffers; counter: n == 1 */
    int ndim;
    int64_t shape[5];
    int layer; /* index of the owning layer */
} memae_tensor_desc;

/* Append the layer's tensors to out (room for 8); returns how many. */
int memae_layer_tensors(const memae_layer *l, int layer_index, memae_tensor_desc *out);

/* The memory layer's addressing weights (after shrinkage) of its last
 * forward pass over batch samples: queries x slots, queries channels last. */
const float *memae_memory_weights(const memae_layer *l, int batch);

/* For layers without buffers or workspace. */
size_t memae_layer_none(const memae_layer *l);
size_t memae_layer_no_workspace(const memae_layer *l, const memae_kernels *be, int batch);

/* Ops in this library; each lives in its own file. */
extern const memae_layer_ops memae_conv_ops, memae_convt_ops, memae_linear_ops, memae_batchnorm_ops,
    memae_act_ops, memae_memory_ops;

#endif
