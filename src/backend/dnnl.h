/*
 * The oneDNN backend's private parts.  oneDNN's model is "describe once,
 * execute many": a primitive is made for one exact shape and team size
 * (its JIT kernels split the work by the thread count they are made with),
 * so the backend keeps a cache of entries, each keyed by everything its
 * primitives depend on, with their memory objects, reorders and scratchpad
 * sizes.  When entries are made:
 *  - convolutions: by conv_scratch, i.e. by mae_model_plan, for the planned
 *    batch at the model's team size (mae_model_plan sets OpenMP's to it);
 *  - LeakyReLU: there too, for the tensors next to each conv (see
 *    dn_conv_scratch); other activations (the MLP's tanh): at first call;
 *  - anything a step meets that the plan did not foresee (a last partial
 *    batch, which the plan of a larger batch serves, or a kernel small
 *    enough to run on fewer threads): at its first call, once, then cached.
 *  - matrix products (matmul): by gemm_scratch, from the layers' workspace
 *    sizes, i.e. by mae_model_plan as well;
 * So a step at planned shapes creates no primitive and allocates nothing.  One
 * backend instance serves one model, and a model runs one kernel at a time,
 * so the entries share one scratch arena and nothing is locked.
 */
#ifndef MEMAE_BACKEND_DNNL_H
#define MEMAE_BACKEND_DNNL_H

#include <stdint.h>

#include <oneapi/dnnl/dnnl.h>

#include "backend/backend.h"

/* Regions of the shared arena: one tensor of each kind is live per kernel. */
enum { DN_R_SRC, DN_R_DST, DN_R_WEI, DN_R_PAD, DN_NREGIONS };

/* What an entry holds (the first word of its key). */
enum { DN_CONV = 1, DN_ACT_FWD, DN_ACT_BWD, DN_GEMM, DN_CONV_FUSED };

#define DN_KEYLEN 24

typedef struct dn_entry {
    int64_t key[DN_KEYLEN];
    int ok;     /* primitives made; else the reference kernels serve it */
    void *impl; /* the kind's own struct */
    void (*free_impl)(void *impl);
    struct dn_entry *next;
} dn_entry;

typedef struct dn_ctx {
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    dn_entry *entries;
    size_t region[DN_NREGIONS]; /* bytes, each a multiple of 64 */
    char *arena;
} dn_ctx;

/* A primitive and its scratchpad (user-managed, so execution never allocates). */
typedef struct dn_prim {
    dnnl_primitive_t p;
    dnnl_memory_t pad; /* NULL when the primitive needs none */
} dn_prim;

/* The entry for key, or NULL. */
dn_entry *dn_find(dn_ctx *c, const int64_t *key);
/* A new zeroed entry for key, linked into the cache; NULL when out of memory. */
dn_entry *dn_add(dn_ctx *c, const int64_t *key);
/* The entry for key, made on a miss by make (at team size nthr, which JIT
 * kernels bake in); make sets *impl, even on failure, for free_impl.  NULL
 * only when out of memory. */
dn_entry *dn_get(dn_ctx *c, const int64_t *key, int nthr,
                 dnnl_status_t (*make)(dn_ctx *c, const int64_t *key, void **impl),
                 void (*free_impl)(void *impl));
/* Grow the arena so that region r holds bytes[r]; non-zero when out of memory. */
int dn_reserve(dn_ctx *c, const size_t bytes[DN_NREGIONS]);
void *dn_region(dn_ctx *c, int r);

/* A memory object without a buffer (bound at execution) for md. */
dnnl_status_t dn_memory(dn_ctx *c, const dnnl_memory_desc_t *md, dnnl_memory_t *out);
/* An attribute asking for a user scratchpad; the caller destroys it. */
dnnl_status_t dn_attr(dnnl_primitive_attr_t *out);
/* Make pd's primitive and scratchpad memory; bytes[DN_R_PAD] grows to its need. */
dnnl_status_t dn_prim_make(dn_ctx *c, const_dnnl_primitive_desc_t pd, dn_prim *out,
                           size_t bytes[DN_NREGIONS]);
/* A reorder between two layouts (scratchpad in the arena as well). */
dnnl_status_t dn_reorder_make(dn_ctx *c, const dnnl_memory_desc_t *from,
                              const dnnl_memory_desc_t *to, dn_prim *out,
                              size_t bytes[DN_NREGIONS]);
/* Execute with args (room for one more: the scratchpad is appended).  A
 * failure here means arguments oneDNN did not expect: callers fall back to
 * the reference kernels rather than leave an output unwritten. */
dnnl_status_t dn_prim_run(dn_ctx *c, dn_prim *p, dnnl_exec_arg_t *args, int nargs);
void dn_prim_free(dn_prim *p);
void dn_bind(dnnl_memory_t m, const void *ptr);

/* oneDNN threads through OpenMP's default team size: set it to the kernel's
 * count while a primitive is made or run, then restore the caller's. */
int dn_threads_enter(int threads);
void dn_threads_leave(int old);
/* The team size a kernel of this much work runs on (as the ref kernels). */
int dn_threads(size_t work, int threads);

/* Per-kind kernels (dnnl_conv.c, dnnl_act.c, dnnl_gemm.c). */
size_t dn_gemm_scratch(const memae_kernels *be, const memae_gemm_geom *g);
void dn_gemm(const memae_kernels *be, const memae_gemm_geom *g, const float *a, const float *b,
             float *c, float *scratch, int threads);
size_t dn_conv_scratch(const memae_kernels *be, const memae_conv_geom *g);
void dn_conv_forward(const memae_kernels *be, const memae_conv_geom *g, const float *x,
                     const float *w, const float *b, float *y, float *scratch, int threads);
void dn_conv_forward_affine_act(const memae_kernels *be, const memae_conv_geom *g, const float *x,
                                const float *w, const float *b, const float *scale,
                                const float *shift, int act, float *y, float *scratch, int threads);
void dn_conv_backward_data(const memae_kernels *be, const memae_conv_geom *g, const float *dy,
                           const float *w, float *dx, float *scratch, int threads);
void dn_conv_backward_weights(const memae_kernels *be, const memae_conv_geom *g, const float *x,
                              const float *dy, float *dw, float *db, float *scratch, int threads);
void dn_act_forward(const memae_kernels *be, int kind, size_t n, const float *x, float *y,
                    int threads);
void dn_act_backward(const memae_kernels *be, int kind, size_t n, const float *y, const float *dy,
                     float *dx, int threads);
/* Plan-time creation of the activation entries for n values at the team
 * size a kernel call with `threads` would use. */
void dn_act_prepare(dn_ctx *c, int kind, size_t n, int threads);

#endif
