/*
 * Models as a whole: presets and their shapes, configuration errors, seeded
 * reproducibility, save / load round trips and every kind of bad model file,
 * and a tiny end-to-end training whose loss must fall.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "io/formats/safetensors.h"
#include "memae.h"
#include "nn/model.h"
#include "util/testutil.h"

static memae_model *create(const char *json, uint64_t seed)
{
    memae_model *m = NULL;
    int st = memae_model_create(json, seed, &m);
    if (st)
        fail_msg("create %s: %s", json ? json : "(null)", memae_errmsg(m));
    /* The reference backend: its bits do not depend on the thread count. */
    assert_int_equal(memae_model_set_backend(m, MEMAE_BACKEND_REF), MEMAE_OK);
    return m;
}

static void expect_create_error(const char *json, int status, const char *needle)
{
    memae_model *m = NULL;
    int st = memae_model_create(json, 1, &m);
    if (st != status || !strstr(memae_errmsg(m), needle))
        fail_msg("%s: status %d (%s), message '%s'; wanted %d and '%s'", json, st,
                 memae_strerror(st), memae_errmsg(m), status, needle);
    memae_model_free(m);
}

static void test_presets(void **state)
{
    (void)state;
    memae_model *m = create("{\"preset\":\"image2d\"}", 1);
    /* 16+16 + 32*16*9+32 + 64*32*9+64 + BN 2*(16+32+64) + memory 100*256
     * + 64*64*9+64 + 64*32*9+32 + 32*9+1 + BN 2*(64+32) */
    size_t want = 32 + 4640 + 18496 + 224 + 25600 + 36928 + 18464 + 289 + 192;
    assert_int_equal(memae_model_num_params(m), want);
    assert_non_null(mae_model_find_tensor(m, "encoder.7.running_var"));
    assert_non_null(mae_model_find_tensor(m, "decoder.6.weight"));
    assert_null(mae_model_find_tensor(m, "decoder.7.weight"));
    const memae_tensor_desc *mem = mae_model_find_tensor(m, "mem_rep.memory.weight");
    assert_int_equal(mem->shape[0], 100);
    assert_int_equal(mem->shape[1], 256); /* one flat query per image */
    assert_int_equal(m->layers[m->mem_layer].mem.shrink == 0.01f, 1);
    memae_model_free(m);

    /* video3d at its official size: paddings resolved to the official ones. */
    m = create("{\"preset\":\"video3d\"}", 1);
    assert_int_equal(m->layers[m->nlayers - 1].out.sp[0], 16);
    assert_int_equal(m->layers[m->nlayers - 1].out.sp[2], 256);
    const memae_layer_cfg *last = &m->cfg.dec[3];
    assert_int_equal(last->p[0], 1);
    assert_int_equal(last->op[0], 0);
    assert_int_equal(last->op[1], 1);
    assert_int_equal(m->layers[m->mem_layer].mem.dim, 256);
    memae_model_free(m);

    /* tabular adapts to the width: d - d/2 - d/4 - d/12 - 3 */
    m = create("{\"preset\":\"tabular\",\"input_shape\":[120]}", 1);
    assert_int_equal(m->cfg.enc[0].out, 60);
    assert_int_equal(m->cfg.enc[1].out, 30);
    assert_int_equal(m->cfg.enc[2].out, 10);
    assert_int_equal(m->cfg.enc[3].out, 3);
    assert_int_equal(m->cfg.dec[3].out, 120);
    memae_model_free(m);

    /* CIFAR-10's 3x32x32 through the image layers: the decoder reaches 32x32. */
    m = create("{\"preset\":\"image2d\",\"input_shape\":[3,32,32]}", 1);
    assert_int_equal(m->layers[m->nlayers - 1].out.c, 3);
    assert_int_equal(m->layers[m->nlayers - 1].out.sp[2], 32);
    memae_model_free(m);
}

static void test_config_errors(void **state)
{
    (void)state;
    expect_create_error("{\"preset\":\"image2d\",\"input_shape\":[1,4,4]}", MEMAE_E_CONFIG,
                        "too small");
    expect_create_error("{\"preset\":\"nope\"}", MEMAE_E_CONFIG, "unknown preset");
    expect_create_error("{\"preset\":\"image2d\",\"input_shape\":[28,28]}", MEMAE_E_CONFIG,
                        "input_shape");
    expect_create_error("{\"preset\":\"image2d\",\"memroy\":{}}", MEMAE_E_CONFIG,
                        "unknown key 'memroy'");
    expect_create_error("{\"preset\":\"image2d\",\"memory\":{\"shrink_thres\":2}}",
                        MEMAE_E_CONFIG, "shrink_thres");
    expect_create_error("{\"preset\":\"video3d\",\"input_shape\":[1,16,256]}", MEMAE_E_CONFIG,
                        "spatial dimensions");
    expect_create_error("{not json", MEMAE_E_CONFIG, "not valid JSON");
}

static void test_seed_reproducible(void **state)
{
    (void)state;
    const char *cfg = "{\"preset\":\"image2d\",\"input_shape\":[1,16,16]}";
    memae_model *a = create(cfg, 7), *b = create(cfg, 7), *c = create(cfg, 8);
    assert_memory_equal(a->params, b->params, a->nparams * sizeof(float));
    assert_memory_not_equal(a->params, c->params, a->nparams * sizeof(float));
    /* Training is bitwise reproducible, whatever the thread count. */
    memae_model_set_threads(a, 1);
    memae_model_set_threads(b, 2);
    memae_rng r;
    mae_rng_seed(&r, 3);
    size_t ss = memae_model_sample_size(a);
    float *x = malloc(8 * ss * sizeof *x);
    for (int step = 0; step < 3; step++) {
        tu_fill(&r, x, 8 * ss, 0.0f, 1.0f);
        assert_int_equal(memae_model_train_step(a, x, 8, NULL, NULL), MEMAE_OK);
        assert_int_equal(memae_model_train_step(b, x, 8, NULL, NULL), MEMAE_OK);
    }
    assert_memory_equal(a->params, b->params, a->nparams * sizeof(float));
    assert_memory_equal(a->buffers, b->buffers, a->nbuffers * sizeof(float));
    free(x);
    memae_model_free(a);
    memae_model_free(b);
    memae_model_free(c);
}

static char *tmpname(const char *tag)
{
    static char buf[4][256];
    static int k;
    char *p = buf[k++ % 4];
    snprintf(p, 256, "/tmp/memae_test_%d_%s.safetensors", (int)getpid(), tag);
    return p;
}

static void test_save_load(void **state)
{
    (void)state;
    memae_model *m = create("{\"preset\":\"video3d\",\"input_shape\":[1,8,16,16],"
                            "\"encoder\":[{\"out\":4,\"kernel\":3,\"stride\":[1,2,2],"
                            "\"padding\":1},{\"out\":8,\"kernel\":3,\"stride\":2,\"padding\":1}],"
                            "\"decoder\":[{\"out\":4,\"kernel\":3,\"stride\":2},"
                            "{\"kernel\":3,\"stride\":[1,2,2]}],"
                            "\"memory\":{\"slots\":30,\"addressing\":\"cosine\"}}", 5);
    m->layers[1].bn.batches_tracked = 42;
    assert_int_equal(memae_model_set_meta(m, "memae_threshold", "0.125"), MEMAE_OK);
    const char *path = tmpname("rt");
    assert_int_equal(memae_model_save(m, path), MEMAE_OK);
    memae_model *l = NULL;
    if (memae_model_load(path, &l))
        fail_msg("%s", memae_errmsg(l));
    assert_int_equal(memae_model_set_backend(l, MEMAE_BACKEND_REF), MEMAE_OK);
    assert_int_equal(l->nparams, m->nparams);
    assert_memory_equal(l->params, m->params, m->nparams * sizeof(float));
    assert_memory_equal(l->buffers, m->buffers, m->nbuffers * sizeof(float));
    assert_int_equal(l->layers[1].bn.batches_tracked, 42);
    assert_string_equal(memae_model_get_meta(l, "memae_threshold"), "0.125");
    char *c1, *c2;
    memae_model_config(m, &c1);
    memae_model_config(l, &c2);
    assert_string_equal(c1, c2);
    memae_free(c1);
    memae_free(c2);
    /* The same scores from the loaded model. */
    size_t ss = memae_model_sample_size(m);
    float *x = calloc(2 * ss, sizeof *x), s1[2], s2[2];
    for (size_t i = 0; i < 2 * ss; i++)
        x[i] = (float)((i * 37) % 101) / 50.0f - 1.0f;
    assert_int_equal(memae_model_score(m, x, 2, MEMAE_SCORE_MSE, s1), MEMAE_OK);
    assert_int_equal(memae_model_score(l, x, 2, MEMAE_SCORE_MSE, s2), MEMAE_OK);
    assert_memory_equal(s1, s2, sizeof s1);
    free(x);
    memae_model_free(l);
    memae_model_free(m);
    unlink(path);
}

/* Rewrite a good file with one change, then expect load to fail with status and text. */
typedef enum { BAD_NAME, BAD_SHAPE, BAD_DTYPE, BAD_EXTRA } bad_kind;

static void expect_load_error(const char *path, int status, const char *needle)
{
    memae_model *l = NULL;
    int st = memae_model_load(path, &l);
    if (st != status || !strstr(memae_errmsg(l), needle) || !strstr(memae_errmsg(l), path))
        fail_msg("load: status %d (%s), message '%s'; wanted %d, '%s' and the path", st,
                 memae_strerror(st), memae_errmsg(l), status, needle);
    memae_model_free(l);
}

static void rewrite(const char *good, const char *bad, bad_kind kind)
{
    memae_st_file f;
    memae_err err = {0};
    assert_int_equal(mae_st_read(good, &f, &err), MEMAE_OK);
    memae_st_tensor t[128];
    int64_t shape[8] = {0};
    double *f64 = NULL;
    int n = 0;
    for (int i = 0; i < f.n; i++) {
        const memae_st_entry *e = &f.entries[i];
        t[n] = (memae_st_tensor){e->name, e->dtype, e->ndim, e->shape, e->data};
        if (!strcmp(e->name, "encoder.0.weight")) {
            if (kind == BAD_NAME)
                t[n].name = "encoder.0.wieght";
            if (kind == BAD_SHAPE) { /* same bytes, other shape */
                memcpy(shape, e->shape, sizeof shape);
                shape[0] = e->shape[1];
                shape[1] = e->shape[0];
                t[n].shape = shape;
            }
            if (kind == BAD_DTYPE) {
                size_t k = e->nbytes / 4;
                f64 = malloc(k * sizeof *f64);
                for (size_t j = 0; j < k; j++)
                    f64[j] = ((const float *)e->data)[j];
                t[n].dtype = "F64";
                t[n].data = f64;
            }
        }
        n++;
    }
    float extra = 1.0f;
    int64_t one = 1;
    if (kind == BAD_EXTRA)
        t[n++] = (memae_st_tensor){"encoder.99.weight", "F32", 1, &one, &extra};
    memae_st_meta meta[8];
    for (int i = 0; i < f.nmeta; i++)
        meta[i] = f.meta[i];
    assert_int_equal(mae_st_write(bad, t, n, meta, f.nmeta, &err), MEMAE_OK);
    free(f64);
    mae_st_free(&f);
}

static void test_bad_files(void **state)
{
    (void)state;
    memae_model *m = create("{\"preset\":\"tabular\",\"input_shape\":[10]}", 1);
    const char *good = tmpname("good"), *bad = tmpname("bad");
    assert_int_equal(memae_model_save(m, good), MEMAE_OK);
    memae_model_free(m);

    FILE *fp = fopen(good, "rb");
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *bytes = malloc((size_t)size);
    assert_int_equal(fread(bytes, 1, (size_t)size, fp), (size_t)size);
    fclose(fp);

    fp = fopen(bad, "wb"); /* truncated: the data section is cut short */
    fwrite(bytes, 1, (size_t)size - 10, fp);
    fclose(fp);
    expect_load_error(bad, MEMAE_E_TRUNCATED, "truncated");

    fp = fopen(bad, "wb"); /* shorter than the length field itself */
    fwrite(bytes, 1, 5, fp);
    fclose(fp);
    expect_load_error(bad, MEMAE_E_TRUNCATED, "truncated");

    bytes[0] += 1; /* header length one too large: not JSON any more */
    fp = fopen(bad, "wb");
    fwrite(bytes, 1, (size_t)size, fp);
    fclose(fp);
    expect_load_error(bad, MEMAE_E_FORMAT, "header");
    bytes[0] -= 1;
    bytes[5] = 0x7f; /* header length beyond the file */
    fp = fopen(bad, "wb");
    fwrite(bytes, 1, (size_t)size, fp);
    fclose(fp);
    expect_load_error(bad, MEMAE_E_FORMAT, "header length");
    free(bytes);

    rewrite(good, bad, BAD_NAME);
    expect_load_error(bad, MEMAE_E_NAME, "missing tensor 'encoder.0.weight'");
    rewrite(good, bad, BAD_EXTRA);
    expect_load_error(bad, MEMAE_E_NAME, "unexpected tensor 'encoder.99.weight'");
    rewrite(good, bad, BAD_SHAPE);
    expect_load_error(bad, MEMAE_E_SHAPE, "has shape [10,5], expected [5,10]");
    rewrite(good, bad, BAD_DTYPE);
    expect_load_error(bad, MEMAE_E_DTYPE, "is F64, expected F32");
    expect_load_error("/nonexistent/model.safetensors", MEMAE_E_IO, "cannot open");
    unlink(good);
    unlink(bad);
}

static void test_bad_input(void **state)
{
    (void)state;
    memae_model *m = create("{\"preset\":\"tabular\",\"input_shape\":[6]}", 1);
    float x[12] = {0};
    x[7] = 0.0f / 0.0f;
    assert_int_equal(memae_model_train_step(m, x, 2, NULL, NULL), MEMAE_E_NUMERIC);
    assert_non_null(strstr(memae_errmsg(m), "sample 1"));
    assert_int_equal(memae_model_steps(m), 0);
    assert_int_equal(memae_model_score(m, x, 0, MEMAE_SCORE_MSE, x), MEMAE_E_ARG);
    assert_int_equal(memae_model_set_backend(m, 7), MEMAE_E_ARG);
    memae_model_free(m);
    /* The library's default backend is oneDNN's, when the build has it. */
    assert_int_equal(memae_model_create("{\"preset\":\"tabular\",\"input_shape\":[6]}", 1, &m),
                     MEMAE_OK);
#ifdef MEMAE_NO_DNNL
    assert_int_equal(memae_model_backend(m), MEMAE_BACKEND_REF);
    assert_int_equal(memae_model_set_backend(m, MEMAE_BACKEND_DNNL), MEMAE_E_UNSUPPORTED);
    assert_non_null(strstr(memae_errmsg(m), "DNNL=0"));
#else
    assert_int_equal(memae_model_backend(m), MEMAE_BACKEND_DNNL);
#endif
    memae_model_free(m);
    memae_model_free(NULL);
    /* Batch norm over one value per channel cannot train on one sample; over
     * a feature map it can (PyTorch agrees). */
    m = create("{\"preset\":\"tabular\",\"input_shape\":[6],\"batch_norm\":true}", 1);
    float v[6] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
    assert_int_equal(memae_model_train_step(m, v, 1, NULL, NULL), MEMAE_E_ARG);
    assert_int_equal(memae_model_train_step(m, x, 2, NULL, NULL), MEMAE_E_NUMERIC);
    memae_model_free(m);
    m = create("{\"preset\":\"image2d\"}", 1); /* its code is 64x2x2 */
    float *img = calloc(784, sizeof *img);
    assert_int_equal(memae_model_train_step(m, img, 1, NULL, NULL), MEMAE_OK);
    free(img);
    memae_model_free(m);
}

/* Reconstructing a few fixed patterns: after 150 steps the loss is well below where it started. */
static void test_training_loss_falls(void **state)
{
    (void)state;
    memae_model *m = create("{\"preset\":\"image2d\",\"input_shape\":[1,16,16],"
                            "\"memory\":{\"slots\":20}}", 11);
    size_t ss = memae_model_sample_size(m);
    enum { B = 16 };
    float *x = malloc(B * ss * sizeof *x);
    for (int b = 0; b < B; b++)
        for (size_t i = 0; i < ss; i++) { /* stripes of four orientations */
            int r = (int)(i / 16), c = (int)(i % 16), k = b % 4;
            int v = k == 0 ? r : k == 1 ? c : k == 2 ? r + c : r - c + 16;
            x[b * ss + i] = (v / 3) % 2 ? 0.9f : 0.1f;
        }
    memae_train_opts o = memae_train_opts_default();
    memae_stats st;
    double first = 0, last = 0;
    for (int step = 0; step < 150; step++) {
        assert_int_equal(memae_model_train_step(m, x, B, &o, &st), MEMAE_OK);
        if (step == 0)
            first = st.loss;
        last = st.loss;
    }
    fprintf(stderr, "  loss %.4f -> %.4f\n", first, last);
    assert_true(last < 0.5 * first);
    memae_model_free(m);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_presets),        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_seed_reproducible), cmocka_unit_test(test_save_load),
        cmocka_unit_test(test_bad_files),      cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_training_loss_falls),
    };
    return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
