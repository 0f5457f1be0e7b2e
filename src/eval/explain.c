#include "eval/explain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "data/tables.h"
#include "nn/model.h"

int mae_explain(memae_model *m, const memae_encoding *e, const float *x, int64_t n, int batch,
                float *out)
{
    size_t w = memae_model_sample_size(m);
    if ((int64_t)w != e->width)
        return mae_seterr(&m->err, MEMAE_E_SHAPE,
                          "explain: the encoding has %lld features, "
                          "the model %zu",
                          (long long)e->width, w);
    if (batch <= 0)
        batch = 256;
    float *r = malloc((size_t)batch * w * sizeof *r);
    if (!r)
        return mae_seterr(&m->err, MEMAE_E_NOMEM, "explain: out of memory");
    /* Under a weighted recipe each feature's error is weighted and the sum
     * divided as its score is (docs/recipes.md), so the columns still add up
     * to the score. */
    const memae_recipe *rc = &m->recipe;
    const float *wt = rc->pixel && rc->calibrated ? m->pixel_weight : NULL;
    double scale = wt ? rc->turn_scale[0] : 1.0;
    int mae = wt && rc->score_kind == MEMAE_SCORE_MAE;
    int st = MEMAE_OK;
    for (int64_t i = 0; !st && i < n; i += batch) {
        int b = n - i < batch ? (int)(n - i) : batch;
        if ((st = memae_model_reconstruct(m, x + (size_t)i * w, b, r, NULL)))
            break;
        for (int s = 0; s < b; s++) {
            const float *xs = x + (size_t)(i + s) * w, *rs = r + (size_t)s * w;
            float *o = out + (size_t)(i + s) * (size_t)e->ncols;
            size_t j = 0;
            for (int k = 0; k < e->ncols; k++) {
                int g = e->cols[k].ncat ? e->cols[k].ncat : 1;
                double sum = 0;
                for (int t = 0; t < g; t++, j++) {
                    double d = (double)xs[j] - rs[j];
                    sum += (wt ? wt[j] : 1.0) * (mae ? fabs(d) : d * d);
                }
                o[k] = (float)(sum / scale);
            }
        }
    }
    free(r);
    return st;
}

int memae_model_columns(memae_model *m, char ***names, int *ncols)
{
    *names = NULL;
    *ncols = 0;
    memae_encoding e;
    int st = mae_model_encoding(m, &e, &m->err);
    if (st)
        return st;
    /* One block: the pointers, then the strings they point at. */
    size_t len = (size_t)e.ncols * sizeof(char *);
    for (int k = 0; k < e.ncols; k++)
        len += strlen(e.cols[k].name) + 1;
    char **p = malloc(len ? len : 1);
    if (!p) {
        mae_encoding_free(&e);
        return mae_seterr(&m->err, MEMAE_E_NOMEM, "out of memory");
    }
    char *at = (char *)(p + e.ncols);
    for (int k = 0; k < e.ncols; k++) {
        size_t l = strlen(e.cols[k].name) + 1;
        p[k] = memcpy(at, e.cols[k].name, l);
        at += l;
    }
    *names = p;
    *ncols = e.ncols;
    mae_encoding_free(&e);
    return MEMAE_OK;
}

int memae_dataset_explain(memae_model *m, memae_dataset *d, int batch, float *out)
{
    memae_encoding e;
    int st = mae_model_encoding(m, &e, &m->err);
    if (st)
        return st;
    st = mae_explain(m, &e, memae_dataset_samples(d), d->n, batch, out);
    mae_encoding_free(&e);
    return st;
}
