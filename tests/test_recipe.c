/*
 * Recipes: quarter turns and clips played backwards, the stored recipe and
 * its errors, and "restore" models (images and clips) that score the same
 * after a save / load round trip and find the anomalies.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "memae.h"
#include "nn/loss.h"
#include "nn/model.h"
#include "recipe.h"
#include "util/testutil.h"

static void test_turns(void **state)
{
    (void)state;
    /* 2 planes of 3 x 3: one quarter turn counter-clockwise moves the top
     * row to the left column, read bottom to top. */
    float a[18], b[18], c[18];
    for (int i = 0; i < 18; i++)
        a[i] = (float)i;
    mae_turn(a, b, 2, 3, 1);
    const float want[9] = {2, 5, 8, 1, 4, 7, 0, 3, 6};
    for (int i = 0; i < 9; i++) {
        assert_true(b[i] == want[i]);
        assert_true(b[9 + i] == want[i] + 9);
    }
    /* k turns then 4 - k turns give the input back; 2 turns twice too. */
    for (int k = 0; k < 4; k++) {
        mae_turn(a, b, 2, 3, k);
        mae_turn(b, c, 2, 3, 4 - k);
        assert_memory_equal(a, c, sizeof a);
    }
    mae_turn(a, b, 2, 3, 2);
    assert_true(b[0] == 8 && b[8] == 0);
}

static void test_reverse_time(void **state)
{
    (void)state;
    /* 2 clips of 3 frames of 2 floats: frames come out last first. */
    float a[12], b[12], c[12];
    for (int i = 0; i < 12; i++)
        a[i] = (float)i;
    mae_reverse_time(a, b, 2, 3, 2);
    const float want[12] = {4, 5, 2, 3, 0, 1, 10, 11, 8, 9, 6, 7};
    assert_memory_equal(b, want, sizeof want);
    mae_reverse_time(b, c, 2, 3, 2);
    assert_memory_equal(a, c, sizeof a);
}

static void test_stored_recipe(void **state)
{
    (void)state;
    memae_model *m = NULL;
    assert_int_equal(memae_model_create("{\"preset\":\"image2d\"}", 1, &m), MEMAE_OK);
    assert_string_equal(memae_model_recipe(m), "paper");
    /* The paper's recipe leaves no entry: such a model's file is unchanged. */
    assert_int_equal(memae_model_set_recipe(m, "paper"), MEMAE_OK);
    assert_null(memae_model_get_meta(m, "memae_recipe"));
    assert_int_equal(memae_model_set_recipe(m, "default"), MEMAE_OK);
    assert_string_equal(memae_model_recipe(m), "restore");
    assert_int_equal(memae_model_set_recipe(m, "fancy"), MEMAE_E_ARG);
    assert_non_null(strstr(memae_errmsg(m), "unknown recipe 'fancy'"));
    assert_string_equal(memae_model_recipe(m), "restore");
    /* Malformed stored recipes are refused and leave the recipe as it was. */
    const char *bad[] = {"{", "{\"name\":3}", "{\"name\":\"restore\",\"turn_scale\":[1,2]}",
                         "{\"name\":\"restore\",\"turn_scale\":[1,2,-3,4]}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_not_equal(memae_model_set_meta(m, "memae_recipe", bad[i]), MEMAE_OK);
        assert_string_equal(memae_model_recipe(m), "restore");
    }
    memae_model_free(m);
    /* Turns need square images; tables cannot be turned. */
    assert_int_equal(memae_model_create("{\"preset\":\"image2d\",\"input_shape\":[1,28,32]}", 1,
                                        &m),
                     MEMAE_OK);
    assert_int_equal(memae_model_set_recipe(m, "restore"), MEMAE_E_CONFIG);
    assert_non_null(strstr(memae_errmsg(m), "square"));
    assert_int_equal(memae_model_set_recipe(m, "weighted"), MEMAE_OK);
    assert_int_equal(memae_model_set_recipe(m, "default"), MEMAE_OK);
    assert_string_equal(memae_model_recipe(m), "weighted");
    memae_model_free(m);
    assert_int_equal(memae_model_create("{\"preset\":\"tabular\",\"input_shape\":[12]}", 1, &m),
                     MEMAE_OK);
    assert_int_equal(memae_model_set_recipe(m, "restore"), MEMAE_E_CONFIG);
    memae_model_free(m);
}

/* m saved to a file and loaded again, on the reference backend. */
static memae_model *reloaded(memae_model *m)
{
    char path[] = "/tmp/memae_recipe_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(memae_model_save(m, path), MEMAE_OK);
    memae_model *l = NULL;
    assert_int_equal(memae_model_load(path, &l), MEMAE_OK);
    unlink(path);
    assert_int_equal(memae_model_set_backend(l, MEMAE_BACKEND_REF), MEMAE_OK);
    return l;
}

/* Normal images hold a bright horizontal bar; an anomaly, a vertical one. */
static void bars(float *x, int n, int vertical, memae_rng *r)
{
    memset(x, 0, (size_t)n * 64 * sizeof *x);
    for (int s = 0; s < n; s++) {
        int row = 1 + (int)mae_rng_below(r, 3), from = (int)mae_rng_below(r, 2);
        for (int j = from; j < from + 6; j++)
            x[s * 64 + (vertical ? j * 8 + row : row * 8 + j)] = 1.0f;
    }
}

static void test_restore_round_trip(void **state)
{
    (void)state;
    const char *cfg = "{\"preset\":\"image2d\",\"input_shape\":[1,8,8],"
                      "\"encoder\":[{\"out\":8,\"kernel\":3,\"stride\":2,\"padding\":1},"
                      "{\"out\":16,\"kernel\":3,\"stride\":2,\"padding\":1}],"
                      "\"decoder\":[{\"out\":8,\"kernel\":3,\"stride\":2},"
                      "{\"kernel\":3,\"stride\":2}],\"memory\":{\"slots\":20}}";
    memae_model *m = NULL;
    assert_int_equal(memae_model_create(cfg, 5, &m), MEMAE_OK);
    /* The reference backend, as the library's default was when these bounds were set. */
    assert_int_equal(memae_model_set_backend(m, MEMAE_BACKEND_REF), MEMAE_OK);
    memae_rng r;
    mae_rng_seed(&r, 9);
    enum { N = 256, T = 64 };
    float *x = malloc(N * 64 * sizeof *x), *t = malloc(2 * T * 64 * sizeof *t);
    bars(x, N, 0, &r);
    bars(t, T, 0, &r);
    bars(t + T * 64, T, 1, &r);
    memae_train_config tc = memae_train_config_default();
    tc.epochs = 30;
    tc.batch = 32;
    tc.recipe = "restore";
    assert_int_equal(memae_train(m, x, N, &tc, NULL, NULL), MEMAE_OK);
    const char *meta = memae_model_get_meta(m, "memae_recipe");
    assert_non_null(meta);
    assert_non_null(strstr(meta, "turn_scale"));
    float s1[2 * T], s2[2 * T];
    assert_int_equal(memae_model_score_all(m, t, 2 * T, MEMAE_SCORE_MSE, 0, s1), MEMAE_OK);
    memae_model *l = reloaded(m);
    assert_string_equal(memae_model_recipe(l), "restore");
    assert_int_equal(memae_model_score_all(l, t, 2 * T, MEMAE_SCORE_MSE, 0, s2), MEMAE_OK);
    assert_memory_equal(s1, s2, sizeof s1);
    /* The statistics are for MSE scores: MAE scores are refused, not mixed. */
    assert_int_equal(memae_model_score_all(l, t, 2 * T, MEMAE_SCORE_MAE, 0, s2), MEMAE_E_ARG);
    assert_non_null(strstr(memae_errmsg(l), "calibrated on mse"));
    /* Training normal samples score about 1 on average (each turn over its mean). */
    float s3[N];
    double mean = 0;
    assert_int_equal(memae_model_score_all(l, x, N, MEMAE_SCORE_MSE, 0, s3), MEMAE_OK);
    for (int i = 0; i < N; i++)
        mean += s3[i] / N;
    assert_true(fabs(mean - 1.0) < 1e-3);
    uint8_t y[2 * T];
    for (int i = 0; i < 2 * T; i++)
        y[i] = i >= T;
    memae_eval_result ev;
    assert_int_equal(memae_model_evaluate(l, s2, y, 2 * T, NAN, &ev), MEMAE_OK);
    fprintf(stderr, "restore on turned bars: ROC-AUC %.3f\n", ev.roc_auc);
    assert_true(ev.roc_auc > 0.9);
    /* The weights are part of the model: a file whose recipe lost them is refused. */
    assert_int_equal(memae_model_set_meta(l, "memae_recipe", "{\"name\":\"paper\"}"), MEMAE_OK);
    free(l->pixel_weight);
    l->pixel_weight = NULL;
    assert_int_equal(memae_model_set_meta(l, "memae_recipe", meta), MEMAE_OK);
    char path[] = "/tmp/memae_recipe_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    assert_int_equal(memae_model_save(l, path), MEMAE_OK);
    memae_model_free(l);
    assert_int_equal(memae_model_load(path, &l), MEMAE_E_NAME);
    assert_non_null(strstr(memae_errmsg(l), "missing tensor 'memae_recipe.pixel_weight'"));
    unlink(path);
    memae_model_free(l);
    memae_model_free(m);
    free(x);
    free(t);
}

/* Clips of 8 frames of 8 x 8: a bright column that moves one pixel a frame,
 * to the right (normal) or to the left (an anomaly: the same frames in the
 * opposite order). */
static void columns(float *x, int n, int left, memae_rng *r)
{
    memset(x, 0, (size_t)n * 512 * sizeof *x);
    for (int s = 0; s < n; s++) {
        int x0 = (int)mae_rng_below(r, 8);
        for (int f = 0; f < 8; f++)
            for (int i = 0; i < 8; i++)
                x[s * 512 + f * 64 + i * 8 + (x0 + (left ? 8 - f : f)) % 8] = 1.0f;
    }
}

static void test_restore_clips(void **state)
{
    (void)state;
    const char *cfg = "{\"preset\":\"video3d\",\"input_shape\":[1,8,8,8],"
                      "\"encoder\":[{\"out\":8,\"kernel\":3,\"stride\":2,\"padding\":1},"
                      "{\"out\":16,\"kernel\":3,\"stride\":2,\"padding\":1}],"
                      "\"decoder\":[{\"out\":8,\"kernel\":3,\"stride\":2},"
                      "{\"kernel\":3,\"stride\":2}],\"memory\":{\"slots\":20}}";
    memae_model *m = NULL;
    assert_int_equal(memae_model_create(cfg, 5, &m), MEMAE_OK);
    assert_int_equal(memae_model_set_backend(m, MEMAE_BACKEND_REF), MEMAE_OK);
    /* Clips are played backwards, not turned: two transforms, any frame size. */
    assert_int_equal(memae_model_set_meta(m, "memae_recipe",
                                          "{\"name\":\"restore\",\"score\":\"mse\","
                                          "\"turn_scale\":[1,2,3,4]}"),
                     MEMAE_E_FORMAT);
    assert_non_null(strstr(memae_errmsg(m), "2 numbers"));
    memae_rng r;
    mae_rng_seed(&r, 4);
    enum { N = 128, T = 32 };
    float *x = malloc(N * 512 * sizeof *x), *t = malloc(2 * T * 512 * sizeof *t);
    columns(x, N, 0, &r);
    columns(t, T, 0, &r);
    columns(t + T * 512, T, 1, &r);
    memae_train_config tc = memae_train_config_default();
    tc.epochs = 20;
    tc.batch = 16;
    tc.recipe = "restore";
    assert_int_equal(memae_train(m, x, N, &tc, NULL, NULL), MEMAE_OK);
    /* The model has learnt to play a normal clip given backwards forwards again. */
    float *back = malloc(T * 512 * sizeof *back);
    const float *rec;
    mae_reverse_time(t, back, T, 8, 64);
    assert_int_equal(mae_model_restore(m, back, T, 0, NULL, &rec), MEMAE_OK);
    double fwd = 0, bwd = 0;
    for (int i = 0; i < T * 512; i++) {
        fwd += (rec[i] - t[i]) * (rec[i] - t[i]);
        bwd += (rec[i] - back[i]) * (rec[i] - back[i]);
    }
    assert_true(fwd < 0.5 * bwd);
    float s1[2 * T], s2[2 * T];
    assert_int_equal(memae_model_score_all(m, t, 2 * T, MEMAE_SCORE_MSE, 0, s1), MEMAE_OK);
    memae_model *l = reloaded(m);
    assert_int_equal(memae_model_score_all(l, t, 2 * T, MEMAE_SCORE_MSE, 0, s2), MEMAE_OK);
    assert_memory_equal(s1, s2, sizeof s1);
    uint8_t y[2 * T];
    for (int i = 0; i < 2 * T; i++)
        y[i] = i >= T;
    memae_eval_result ev;
    assert_int_equal(memae_model_evaluate(l, s2, y, 2 * T, NAN, &ev), MEMAE_OK);
    fprintf(stderr, "restore on columns moving the wrong way: ROC-AUC %.3f\n", ev.roc_auc);
    assert_true(ev.roc_auc > 0.9);
    memae_model_free(l);
    free(back);
    memae_model_free(m);
    free(x);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_turns),
        cmocka_unit_test(test_reverse_time),
        cmocka_unit_test(test_stored_recipe),
        cmocka_unit_test(test_restore_round_trip),
        cmocka_unit_test(test_restore_clips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
