/*
 * Sample sources: an array in memory as a source, filling a batch from any
 * source, and scoring a source batch by batch, so that training and scoring
 * stream data sets that do not fit in memory.
 */
#include "source.h"

#include <stdlib.h>
#include <string.h>

#include "nn/model.h"

static int get_row(void *ctx, int64_t i, float *dst, char *msg, size_t len)
{
    (void)msg;
    (void)len;
    const memae_array_source *a = ctx;
    memcpy(dst, a->x + (size_t)i * a->ss, a->ss * sizeof *dst);
    return MEMAE_OK;
}

memae_source mae_array_source_make(memae_array_source *a, const float *x, int64_t n,
                                   size_t sample_size)
{
    a->x = x;
    a->ss = sample_size;
    return (memae_source){.n = n, .get = get_row, .ctx = a};
}

int mae_source_fill(memae_model *m, const memae_source *src, const int64_t *idx, int64_t first,
                    int count, float *buf)
{
    size_t ss = memae_model_sample_size(m);
    char msg[MEMAE_ERRMSG_MAX];
    for (int i = 0; i < count; i++) {
        int64_t k = idx ? idx[first + i] : first + i;
        msg[0] = '\0';
        int st = src->get(src->ctx, k, buf + (size_t)i * ss, msg, sizeof msg);
        if (st)
            return mae_seterr(&m->err, st, "%s", msg[0] ? msg : memae_strerror(st));
    }
    return MEMAE_OK;
}

int memae_model_score_source(memae_model *m, const memae_source *src, int kind, int batch,
                             float *scores)
{
    if (batch <= 0)
        batch = 256;
    if (batch > src->n)
        batch = src->n > 0 ? (int)src->n : 1;
    float *buf = malloc((size_t)batch * memae_model_sample_size(m) * sizeof *buf);
    if (!buf)
        return mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory for a batch of %d", batch);
    int st = MEMAE_OK;
    for (int64_t i = 0; !st && i < src->n; i += batch) {
        int b = src->n - i < batch ? (int)(src->n - i) : batch;
        st = mae_source_fill(m, src, NULL, i, b, buf);
        if (!st)
            st = mae_model_score_from(m, buf, b, kind, scores + i, i);
    }
    free(buf);
    return st;
}
