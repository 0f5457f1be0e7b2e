/* The public data and results API (memae.h only): data sets of arrays and
 * tables, training data read before its model, scores, labels, explain, the
 * frame metrics, and the output files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memae.h"
#include "util/testutil.h"

/* A CSV of n records: x, y numeric, proto text, label (the first k anomalous). */
static const char *write_csv(int n, int k)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/memae_api_XXXXXX.csv");
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "x,y,proto,label\n");
    for (int i = 0; i < n; i++)
        fprintf(f, "%d.5,%d,%s,%s\n", i % 7, (i * 3) % 5, i % 2 ? "tcp" : "udp",
                i < k ? "attack" : "normal");
    fclose(f);
    return path;
}

static void test_kind(void **state)
{
    (void)state;
    assert_int_equal(memae_data_kind("a.csv", 0), MEMAE_DATA_TABLE);
    assert_int_equal(memae_data_kind("a.NPZ", 0), MEMAE_DATA_TABLE);
    assert_int_equal(memae_data_kind("a.npy", 1), MEMAE_DATA_ARRAY);
    assert_int_equal(memae_data_kind("a.mkv", 1), MEMAE_DATA_VIDEO);
    assert_int_equal(memae_data_kind("a.mkv", 0), MEMAE_DATA_ARRAY);
    /* .txt is a list of videos for a clip model, a table otherwise */
    assert_int_equal(memae_data_kind("a.txt", 1), MEMAE_DATA_VIDEO);
    assert_int_equal(memae_data_kind("a.txt", 0), MEMAE_DATA_TABLE);
    assert_int_equal(memae_norm_kind("train"), MEMAE_NORM_TRAIN);
    assert_int_equal(memae_norm_kind("minmax"), -1);
    assert_int_equal(memae_scale_kind("minmax"), MEMAE_SCALE_MINMAX);
}

/* Read before the model, bound to it, trained, reopened for scoring: the
 * encoding travels in the model and the scores match memae_model_score_all. */
static void test_table_round_trip(void **state)
{
    (void)state;
    const char *csv = write_csv(60, 6);
    memae_data_opts o = memae_data_opts_default();
    o.label_column = "label";
    memae_dataset *d = NULL;
    assert_int_equal(memae_dataset_read(csv, &o, &d), MEMAE_OK);
    memae_dataset_info info;
    memae_dataset_info_get(d, &info);
    assert_int_equal(info.kind, MEMAE_DATA_TABLE);
    assert_int_equal(info.n_read, 60);
    assert_int_equal(info.n, 54); /* the anomalies dropped */
    assert_int_equal(info.width, 4); /* x, y, proto as two one-hot columns */
    int64_t shape[4];
    int nd;
    memae_dataset_input_shape(d, "tabular", shape, &nd);
    assert_int_equal(nd, 1);
    assert_int_equal(shape[0], 4);

    memae_model *m = NULL;
    assert_int_equal(memae_model_create("{\"preset\":\"tabular\",\"input_shape\":[4]}", 1, &m),
                     MEMAE_OK);
    assert_int_equal(memae_dataset_bind(d, m), MEMAE_OK);
    assert_non_null(memae_model_get_meta(m, "memae_table"));
    memae_train_config tc = memae_train_config_default();
    tc.epochs = 2;
    tc.batch = 16;
    memae_source src = memae_dataset_source(d);
    assert_int_equal(src.n, 54);
    assert_int_equal(memae_train_source(m, &src, &tc, NULL, NULL), MEMAE_OK);
    memae_dataset_free(d);

    memae_data_opts a = memae_data_opts_default();
    assert_int_equal(memae_dataset_open(m, csv, &a, &d), MEMAE_OK);
    memae_dataset_info_get(d, &info);
    assert_int_equal(info.n, 60);
    const uint8_t *own = memae_dataset_labels(d);
    assert_non_null(own);
    assert_int_equal(own[0], 1);
    assert_int_equal(own[59], 0);
    memae_results r;
    memae_score_opts so = memae_score_opts_default();
    assert_int_equal(memae_dataset_score(m, d, &so, &r), MEMAE_OK);
    assert_int_equal(r.n, 60);
    assert_int_equal(r.videos, 0);
    float s[60];
    assert_int_equal(memae_model_score_all(m, memae_dataset_samples(d), 60, MEMAE_SCORE_MSE, 0, s),
                     MEMAE_OK);
    assert_memory_equal(s, r.score, sizeof s);
    assert_memory_equal(r.error, r.score, sizeof s);

    /* explain: the columns' errors over the width add up to the score */
    char **names;
    int ncols;
    assert_int_equal(memae_model_columns(m, &names, &ncols), MEMAE_OK);
    assert_int_equal(ncols, 3);
    assert_string_equal(names[2], "proto");
    float *err = malloc(60 * 3 * sizeof *err);
    assert_int_equal(memae_dataset_explain(m, d, 0, err), MEMAE_OK);
    for (int i = 0; i < 60; i++)
        assert_float_equal((err[i * 3] + err[i * 3 + 1] + err[i * 3 + 2]) / 4, r.score[i],
                           1e-5 * (1 + r.score[i]));
    free(err);
    memae_free(names);

    double q;
    assert_int_equal(memae_score_quantile(r.score, r.n, 0.5, &q), MEMAE_OK);
    assert_true(q > 0);
    memae_results_free(&r);
    memae_results_free(&r); /* zeroed: safe twice */
    memae_dataset_free(d);
    memae_model_free(m);
    unlink(csv);
}

/* A temporary .npy of uint8 values with the given shape. */
static const char *write_u8(int slot, const uint8_t *v, const int64_t *shape, int nd)
{
    static char paths[2][40];
    char *p = paths[slot];
    snprintf(p, 40, "/tmp/memae_api_XXXXXX.npy");
    int fd = mkstemps(p, 4);
    close(fd);
    char msg[256];
    if (memae_write_npy(p, v, 1, shape, nd, msg, sizeof msg))
        fail_msg("%s", msg);
    return p;
}

static void test_array_labels(void **state)
{
    (void)state;
    static uint8_t img[4 * 28 * 28];
    for (size_t i = 0; i < sizeof img; i++)
        img[i] = (uint8_t)(i * 7);
    int64_t ishape[3] = {4, 28, 28}, lshape[1] = {4};
    const char *x = write_u8(0, img, ishape, 3);
    memae_model *m = NULL;
    assert_int_equal(memae_model_create("{\"preset\":\"image2d\"}", 1, &m), MEMAE_OK);
    memae_dataset *d = NULL;
    if (memae_dataset_open(m, x, NULL, &d))
        fail_msg("%s", memae_dataset_errmsg(d));
    assert_float_equal(memae_dataset_samples(d)[1], 7 / 255.0, 1e-6); /* image2d: / 255 */
    uint8_t cls[4] = {0, 1, 0, 2}, *y = NULL;
    const char *l = write_u8(1, cls, lshape, 1);
    assert_int_equal(memae_dataset_load_labels(d, l, -1, &y), MEMAE_E_FORMAT);
    assert_non_null(strstr(memae_dataset_errmsg(d), "label 2 of sample 3 is not 0 or 1"));
    assert_int_equal(memae_dataset_load_labels(d, l, 0, &y), MEMAE_OK);
    assert_int_equal(y[1] + y[3], 2);
    assert_int_equal(memae_dataset_keep_normal(d, y), 2);
    memae_free(y);
    lshape[0] = 3;
    l = write_u8(1, cls, lshape, 1);
    assert_int_equal(memae_dataset_load_labels(d, l, 0, &y), MEMAE_E_SHAPE);
    assert_non_null(strstr(memae_dataset_errmsg(d), "3 labels for 2 samples"));
    unlink(l);
    unlink(x);
    memae_dataset_free(d);
    /* a failed open keeps its message on the handle */
    assert_int_equal(memae_dataset_open(m, "/nonexistent/nope.npy", NULL, &d), MEMAE_E_IO);
    assert_non_null(strstr(memae_dataset_errmsg(d), "nope.npy"));
    memae_dataset_free(d);
    memae_dataset_free(NULL);
    memae_model_free(m);
}

static void test_frame_eval(void **state)
{
    (void)state;
    /* two videos of 4 frames, the first frame of each unscored */
    float score[8] = {NAN, 0.1f, 0.9f, 0.2f, NAN, 0.3f, 0.8f, 0.25f};
    int64_t first[3] = {0, 4, 8};
    uint8_t labels[8] = {0, 0, 1, 0, 1, 0, 1, 1};
    memae_results r = {.n = 8, .score = score, .error = score, .videos = 2, .first = first};
    memae_model *m = NULL;
    assert_int_equal(memae_model_create(NULL, 1, &m), MEMAE_OK);
    memae_frame_eval e;
    assert_int_equal(memae_model_evaluate_frames(m, &r, labels, &e), MEMAE_OK);
    assert_int_equal(e.frames_used, 6);
    assert_int_equal(e.videos_used, 2);
    assert_float_equal(e.video_auc[0], 1.0, 1e-12);
    assert_float_equal(e.video_auc[1], 0.5, 1e-12);
    assert_float_equal(e.micro_auc, 8.0 / 9.0, 1e-12);
    memae_frame_eval_free(&e);
    labels[2] = 2;
    assert_int_equal(memae_model_evaluate_frames(m, &r, labels, &e), MEMAE_E_ARG);
    memae_model_free(m);
}

static void test_files(void **state)
{
    (void)state;
    char msg[256] = "";
    assert_int_equal(memae_write_file("/nonexistent/x.csv", "a", 1, msg, sizeof msg), MEMAE_E_IO);
    assert_non_null(strstr(msg, "/nonexistent/x.csv"));
    char path[] = "/tmp/memae_api_XXXXXX.npy";
    int fd = mkstemps(path, 4);
    close(fd);
    float v[6] = {1, 2, 3, 4, 5, 6};
    int64_t shape[2] = {2, 3};
    assert_int_equal(memae_write_npy(path, v, 0, shape, 2, msg, sizeof msg), MEMAE_OK);
    memae_model *m = NULL;
    assert_int_equal(memae_model_create("{\"preset\":\"tabular\",\"input_shape\":[3]}", 1, &m),
                     MEMAE_OK);
    float *x;
    int64_t n;
    assert_int_equal(memae_data_load(m, path, &x, &n), MEMAE_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(x, v, sizeof v);
    memae_free(x);
    memae_model_free(m);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind),
        cmocka_unit_test(test_table_round_trip),
        cmocka_unit_test(test_array_labels),
        cmocka_unit_test(test_frame_eval),
        cmocka_unit_test(test_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
