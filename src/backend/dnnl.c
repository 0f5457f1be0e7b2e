/*
 * The oneDNN backend: its instance (engine, stream, cache of primitives,
 * scratch arena), the helpers every kernel file uses, and the kernels that
 * need no primitive of their own:
 *  - channel_sum: the reference's (a memory-bound loop; no primitive fits);
 *  - batch norm: the reference's.  oneDNN 2.6's batch_normalization on the
 *    plain layouts this interface passes (its ncsp implementation; for a 3D
 *    "ncw" view only its slow reference one) measured 1.2-2x slower than
 *    the reference kernel (forward and backward, on image2d's shapes at
 *    batch 64 and on video3d's first one at batch 10), and it opens 2-3
 *    parallel regions per call against the reference's one, each of which
 *    can cost a time slice on a loaded machine.  It pays off on
 *    channel-blocked layouts, i.e. once activations stay in oneDNN's layouts
 *    between layers, which this plain-tensor interface does not allow.
 */
#include "backend/dnnl.h"

#include <stdlib.h>
#include <string.h>

#include <omp.h>
#include <oneapi/dnnl/dnnl_debug.h>

#include "backend/ref.h"

dn_entry *dn_find(dn_ctx *c, const int64_t *key)
{
    for (dn_entry *e = c->entries; e; e = e->next)
        if (!memcmp(e->key, key, sizeof e->key))
            return e;
    return NULL;
}

dn_entry *dn_add(dn_ctx *c, const int64_t *key)
{
    dn_entry *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    memcpy(e->key, key, sizeof e->key);
    e->next = c->entries;
    c->entries = e;
    return e;
}

dn_entry *dn_get(dn_ctx *c, const int64_t *key, int nthr,
                 dnnl_status_t (*make)(dn_ctx *c, const int64_t *key, void **impl),
                 void (*free_impl)(void *impl))
{
    dn_entry *e = dn_find(c, key);
    if (e || !(e = dn_add(c, key)))
        return e;
    e->free_impl = free_impl;
    int old = dn_threads_enter(nthr);
    e->ok = make(c, key, &e->impl) == dnnl_success;
    dn_threads_leave(old);
    return e;
}

int dn_reserve(dn_ctx *c, const size_t bytes[DN_NREGIONS])
{
    size_t want[DN_NREGIONS], total = 0;
    int grow = 0;
    for (int r = 0; r < DN_NREGIONS; r++) {
        size_t b = (bytes[r] + 63) / 64 * 64;
        want[r] = b > c->region[r] ? b : c->region[r];
        grow |= want[r] > c->region[r];
        total += want[r];
    }
    if (!grow)
        return 0;
    /* Neither kept nor zeroed (mae_aligned_alloc's memset would touch every
     * page of what can be gigabytes, at each growth of the plan): a region
     * lives within one kernel call, and oneDNN zero-pads a blocked layout's
     * padding itself when a buffer is bound to it. */
    char *a = aligned_alloc(64, total);
    if (!a)
        return -1;
    free(c->arena);
    c->arena = a;
    memcpy(c->region, want, sizeof want);
    return 0;
}

void *dn_region(dn_ctx *c, int r)
{
    size_t off = 0;
    for (int i = 0; i < r; i++)
        off += c->region[i];
    return c->arena + off;
}

dnnl_status_t dn_memory(dn_ctx *c, const dnnl_memory_desc_t *md, dnnl_memory_t *out)
{
    return dnnl_memory_create(out, md, c->engine, DNNL_MEMORY_NONE);
}

void dn_bind(dnnl_memory_t m, const void *ptr)
{
    /* oneDNN only reads inputs; its API has one non-const handle type. */
    dnnl_memory_set_data_handle(m, (void *)ptr);
}

dnnl_status_t dn_attr(dnnl_primitive_attr_t *out)
{
    dnnl_status_t st = dnnl_primitive_attr_create(out);
    if (st == dnnl_success)
        st = dnnl_primitive_attr_set_scratchpad_mode(*out, dnnl_scratchpad_mode_user);
    return st;
}

dnnl_status_t dn_prim_make(dn_ctx *c, const_dnnl_primitive_desc_t pd, dn_prim *out,
                           size_t bytes[DN_NREGIONS])
{
    memset(out, 0, sizeof *out);
    const dnnl_memory_desc_t *md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    size_t need = md ? dnnl_memory_desc_get_size(md) : 0;
    dnnl_status_t st = dnnl_success;
    if (need) {
        st = dn_memory(c, md, &out->pad);
        bytes[DN_R_PAD] = need > bytes[DN_R_PAD] ? need : bytes[DN_R_PAD];
    }
    if (st == dnnl_success)
        st = dnnl_primitive_create(&out->p, pd);
    return st;
}

dnnl_status_t dn_reorder_make(dn_ctx *c, const dnnl_memory_desc_t *from,
                              const dnnl_memory_desc_t *to, dn_prim *out, size_t bytes[DN_NREGIONS])
{
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t st = dn_attr(&attr);
    if (st == dnnl_success)
        st = dnnl_reorder_primitive_desc_create(&pd, from, c->engine, to, c->engine, attr);
    if (st == dnnl_success)
        st = dn_prim_make(c, pd, out, bytes);
    dnnl_primitive_desc_destroy(pd);
    dnnl_primitive_attr_destroy(attr);
    return st;
}

dnnl_status_t dn_prim_run(dn_ctx *c, dn_prim *p, dnnl_exec_arg_t *args, int nargs)
{
    if (p->pad) {
        dn_bind(p->pad, dn_region(c, DN_R_PAD));
        args[nargs++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, p->pad};
    }
    dnnl_status_t st = dnnl_primitive_execute(p->p, c->stream, nargs, args);
    if (st == dnnl_success)
        st = dnnl_stream_wait(c->stream);
    return st;
}

void dn_prim_free(dn_prim *p)
{
    if (p->p)
        dnnl_primitive_destroy(p->p);
    if (p->pad)
        dnnl_memory_destroy(p->pad);
    memset(p, 0, sizeof *p);
}

int dn_threads_enter(int threads)
{
    int old = omp_get_max_threads();
    if (threads != old)
        omp_set_num_threads(threads);
    return old;
}

void dn_threads_leave(int old)
{
    if (omp_get_max_threads() != old)
        omp_set_num_threads(old);
}

int dn_threads(size_t work, int threads)
{
    return mae_par(work, threads > 0 ? threads : omp_get_max_threads());
}

static void dn_destroy(memae_kernels *be)
{
    if (!be)
        return;
    dn_ctx *c = be->ctx;
    if (c) {
        for (dn_entry *e = c->entries, *next; e; e = next) {
            next = e->next;
            if (e->impl && e->free_impl)
                e->free_impl(e->impl);
            free(e);
        }
        free(c->arena);
        if (c->stream)
            dnnl_stream_destroy(c->stream);
        if (c->engine)
            dnnl_engine_destroy(c->engine);
        free(c);
    }
    free(be);
}

int mae_backend_dnnl_create(memae_kernels **out, memae_err *err)
{
    *out = NULL;
    memae_kernels *be = calloc(1, sizeof *be);
    dn_ctx *c = calloc(1, sizeof *c);
    if (!be || !c) {
        free(be);
        free(c);
        return mae_seterr(err, MEMAE_E_NOMEM, "out of memory for the oneDNN backend");
    }
    *be = (memae_kernels){
        .name = "dnnl",
        .blocked = 1,
        .ctx = c,
        .destroy = dn_destroy,
        .conv_scratch = dn_conv_scratch,
        .conv_forward = dn_conv_forward,
        .conv_forward_affine_act = dn_conv_forward_affine_act,
        .conv_backward_data = dn_conv_backward_data,
        .conv_backward_weights = dn_conv_backward_weights,
        .channel_sum = mae_ref_channel_sum,
        .gemm_scratch = dn_gemm_scratch,
        .gemm = dn_gemm,
        .bn_forward = mae_ref_bn_forward,
        .bn_backward = mae_ref_bn_backward,
        .act_forward = dn_act_forward,
        .act_backward = dn_act_backward,
        .affine_act = mae_ref_affine_act,
    };
    dnnl_status_t st = dnnl_engine_create(&c->engine, dnnl_cpu, 0);
    if (st == dnnl_success)
        st = dnnl_stream_create(&c->stream, c->engine, dnnl_stream_default_flags);
    if (st != dnnl_success) {
        dn_destroy(be);
        return mae_seterr(err, MEMAE_E_UNSUPPORTED, "oneDNN: no CPU engine (%s)",
                          dnnl_status2str(st));
    }
    *out = be;
    return MEMAE_OK;
}
