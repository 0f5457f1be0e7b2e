#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

const char *tu_fixture(const char *name)
{
    static char buf[1024];
    const char *dir = getenv("MEMAE_FIXTURES");
    snprintf(buf, sizeof buf, "%s/%s", dir ? dir : "tests/fixtures", name);
    return buf;
}

void tu_fill(memae_rng *r, float *x, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++)
        x[i] = lo + (hi - lo) * (float)mae_rng_uniform(r);
}

static memae_kernels *dnnl;

static void free_dnnl(void)
{
    dnnl->destroy(dnnl);
}

int tu_nbackends(void)
{
#ifdef MEMAE_NO_DNNL
    static int said;
    if (!said++)
        printf("note: built with DNNL=0 (no oneDNN): these checks run on ref only, "
               "the dnnl ones are skipped\n");
    return 1;
#else
    return 2;
#endif
}

const memae_kernels *tu_backend(int i)
{
    static int tried;
    if (i == 0)
        return mae_backend_ref();
    if (i != 1)
        return NULL;
    if (!tried) {
        memae_err err = {0};
        tried = 1;
        if (mae_backend_dnnl_create(&dnnl, &err))
            fprintf(stderr, "no oneDNN backend: %s\n", err.msg);
        else
            atexit(free_dnnl);
    }
    return dnnl;
}

int tu_layer_make(tu_layer *t, const memae_layer *l, int batch, int train, uint64_t seed)
{
    return tu_layer_make_on(t, l, batch, train, seed, mae_backend_ref());
}

int tu_layer_make_on(tu_layer *t, const memae_layer *l, int batch, int train, uint64_t seed,
                     const memae_kernels *be)
{
    memset(t, 0, sizeof *t);
    t->l = *l;
    t->ops = mae_layer_ops_of(l->op);
    char msg[256];
    if (t->ops->setup(&t->l, msg, sizeof msg)) {
        fprintf(stderr, "setup: %s\n", msg);
        return -1;
    }
    size_t nb = t->ops->nbuffers(&t->l);
    t->nx = mae_shape_size(&t->l.in) * batch;
    t->ny = mae_shape_size(&t->l.out) * batch;
    t->params = mae_falloc(t->l.nparams + 1);
    t->grads = mae_falloc(t->l.nparams + 1);
    t->buffers = mae_falloc(nb + 1);
    t->l.ws = mae_falloc(t->ops->workspace(&t->l, be, batch) + 1);
    t->x = mae_falloc(t->nx);
    t->dx = mae_falloc(t->nx);
    t->y = mae_falloc(t->ny);
    t->dy = mae_falloc(t->ny);
    memae_rng r;
    mae_rng_seed(&r, seed);
    t->ops->init(&t->l, t->params, t->buffers, &r);
    /* Away from the official init so that every parameter matters. */
    for (size_t i = 0; i < t->l.nparams; i++)
        t->params[i] += (float)(0.3 * mae_rng_normal(&r));
    tu_fill(&r, t->x, t->nx, -1.0f, 1.0f);
    tu_fill(&r, t->dy, t->ny, -1.0f, 1.0f);
    t->run = (memae_run){.be = be, .threads = 2, .batch = batch, .train = train,
                         .params = t->params, .grads = t->grads, .buffers = t->buffers,
                         .entropy_weight = 0.0f};
    return 0;
}

void tu_layer_free(tu_layer *t)
{
    mae_aligned_free(t->params);
    mae_aligned_free(t->grads);
    mae_aligned_free(t->buffers);
    mae_aligned_free(t->l.ws);
    mae_aligned_free(t->x);
    mae_aligned_free(t->dx);
    mae_aligned_free(t->y);
    mae_aligned_free(t->dy);
}

/* Layers that may run in place also run out of place, which the checks use. */
static double loss(tu_layer *t)
{
    t->ops->forward(&t->l, &t->run, t->x, t->y);
    double s = 0.0;
    for (size_t i = 0; i < t->ny; i++)
        s += (double)t->y[i] * t->dy[i];
    if (t->l.op == MEMAE_OP_MEMORY)
        s += t->run.entropy_weight * t->l.mem.entropy;
    return s;
}

static int check_tensor(tu_layer *t, const char *what, float *v, const float *grad, size_t n,
                        const tu_gradcheck *gc, memae_rng *r, int *checked)
{
    int bad = 0;
    int count = gc->samples < (int)n ? gc->samples : (int)n;
    for (int s = 0; s < count; s++) {
        size_t i = count == (int)n ? (size_t)s : (size_t)mae_rng_below(r, n);
        float old = v[i];
        double l0 = loss(t);
        v[i] = old + (float)gc->h;
        double hp = (double)v[i] - old;
        double lp = loss(t);
        v[i] = old - (float)gc->h;
        double hm = old - (double)v[i];
        double lm = loss(t);
        v[i] = old;
        double num = (lp - lm) / (hp + hm);
        if (gc->skip_kinks) {
            double fwd = (lp - l0) / hp, bwd = (l0 - lm) / hm;
            if (fabs(fwd - bwd) > 4 * (gc->atol + gc->rtol * fabs(num)))
                continue;
        }
        (*checked)++;
        double a = grad[i];
        if (fabs(a - num) > gc->atol + gc->rtol * fabs(num)) {
            if (bad < 5)
                fprintf(stderr, "  %s %s[%zu]: backward %.6g, central difference %.6g\n",
                        t->l.prefix, what, i, a, num);
            bad++;
        }
    }
    return bad;
}

int tu_gradcheck_layer(tu_layer *t, const tu_gradcheck *gc, int *checked)
{
    memae_rng r;
    mae_rng_seed(&r, 99);
    *checked = 0;
    t->ops->forward(&t->l, &t->run, t->x, t->y);
    float *dx = malloc(t->nx * sizeof *dx);
    t->ops->backward(&t->l, &t->run, t->x, t->y, t->dy, dx);
    float *dp = malloc((t->l.nparams + 1) * sizeof *dp);
    memcpy(dp, t->grads, t->l.nparams * sizeof *dp);
    int bad = check_tensor(t, "input", t->x, dx, t->nx, gc, &r, checked);
    bad += check_tensor(t, "param", t->params, dp, t->l.nparams, gc, &r, checked);
    free(dx);
    free(dp);
    return bad;
}

double tu_close(const float *a, const float *b, size_t n, double atol, double rtol, size_t *worst)
{
    double w = 0.0;
    size_t wi = 0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)a[i] - b[i]) / (atol + rtol * fabs((double)b[i]));
        if (!(e <= w)) { /* NaN counts as worst */
            w = isnan(e) ? INFINITY : e;
            wi = i;
        }
    }
    if (worst)
        *worst = wi;
    return w;
}
