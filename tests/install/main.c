/*
 * A user of an installed libmemae, through memae.h only: create a model,
 * train a few steps, score, save, load, and score the same again.  Built by
 * `make check` (check-install) against $(BUILD)/inst with
 * `pkg-config --cflags --libs memae`, shared and --static.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memae.h>

static int fail(memae_model *m, int st, const char *what)
{
    fprintf(stderr, "install test: %s: %s: %s\n", what, memae_strerror(st), memae_errmsg(m));
    memae_model_free(m);
    return 1;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "install_test.safetensors";
    enum { N = 16 };
    memae_model *m = NULL, *l = NULL;
    int st = memae_model_create("{\"preset\":\"tabular\",\"input_shape\":[8]}", 1, &m);
    if (st)
        return fail(m, st, "create");
    size_t ss = memae_model_sample_size(m);
    float *x = malloc(N * ss * sizeof *x), s1[N], s2[N];
    for (size_t i = 0; i < N * ss; i++)
        x[i] = (float)((i * 37) % 101) / 50.0f - 1.0f;
    memae_train_opts o = memae_train_opts_default();
    memae_stats first, st2;
    for (int step = 0; step < 20; step++)
        if ((st = memae_model_train_step(m, x, N, &o, step ? &st2 : &first)))
            return fail(m, st, "train step");
    if (!(st2.loss < first.loss)) {
        fprintf(stderr, "install test: loss %g after 20 steps, %g at the first\n", st2.loss,
                first.loss);
        return 1;
    }
    if ((st = memae_model_score(m, x, N, MEMAE_SCORE_MSE, s1)))
        return fail(m, st, "score");
    if ((st = memae_model_save(m, path)))
        return fail(m, st, "save");
    if ((st = memae_model_load(path, &l)))
        return fail(l, st, "load");
    if ((st = memae_model_set_backend(l, memae_model_backend(m))))
        return fail(l, st, "set backend");
    if ((st = memae_model_score(l, x, N, MEMAE_SCORE_MSE, s2)))
        return fail(l, st, "score the loaded model");
    for (int i = 0; i < N; i++)
        if (!isfinite(s1[i]) || fabsf(s1[i] - s2[i]) > 1e-6f * fabsf(s1[i])) {
            fprintf(stderr, "install test: score %d: %g before save, %g after load\n", i, s1[i],
                    s2[i]);
            return 1;
        }
    printf("libmemae %s (%s backend): loss %.4g -> %.4g in 20 steps, %d scores equal after "
           "save and load\n",
           memae_version(), memae_model_backend(m) == MEMAE_BACKEND_DNNL ? "dnnl" : "ref",
           first.loss, st2.loss, N);
    free(x);
    memae_model_free(l);
    memae_model_free(m);
    remove(path);
    return 0;
}
