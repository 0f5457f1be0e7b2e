/* Ground-truth loaders: the same labels in every form (fixtures written by
 * tests/golden/gen_gt.py) and one bad file per error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eval/video_metrics.h"
#include "io/labels/gt.h"
#include "io/media/png.h"
#include "util/testutil.h"

#define NV 3
static const char *const names[NV] = {"Test001", "Test002", "Test003"};
static const char *const avenue_names[NV] = {"01", "02", "03"};
static const int64_t frames[NV] = {20, 15, 12};

/* The truth gen_gt.py encodes: 1-based inclusive intervals per video. */
static void expected(int v, uint8_t *y)
{
    static const int iv[NV][2][2] = {{{5, 9}, {15, 16}}, {{1, 3}, {12, 15}}, {{0, -1}, {0, -1}}};
    memset(y, 0, (size_t)frames[v]);
    for (int k = 0; k < 2; k++)
        for (int t = iv[v][k][0]; t <= iv[v][k][1]; t++)
            y[t - 1] = 1;
}

/* Fixed scores that rank frames neither perfectly nor at random, so that a
 * single wrong label would move the AUC. */
static double auc_of(uint8_t **y)
{
    float s[NV][20];
    const float *sp[NV];
    for (int v = 0; v < NV; v++) {
        for (int t = 0; t < frames[v]; t++)
            s[v][t] = (float)((t * 7 + v * 3) % 11) + 4.0f * y[v][t];
        sp[v] = s[v];
    }
    memae_video_eval r;
    memae_err err = {0};
    if (mae_video_evaluate(NV, frames, sp, (const uint8_t *const *)y, &r, &err))
        fail_msg("evaluate: %s", err.msg);
    double auc = r.micro_auc;
    memae_video_eval_free(&r);
    return auc;
}

static void check_form(const char *fixture, const char *const *vnames, double *auc)
{
    uint8_t *y[NV];
    memae_err err = {0};
    char path[1024];
    snprintf(path, sizeof path, "%s", tu_fixture(fixture));
    if (mae_gt_load(path, NV, vnames, frames, y, &err))
        fail_msg("%s: %s", fixture, err.msg);
    for (int v = 0; v < NV; v++) {
        uint8_t want[20];
        expected(v, want);
        for (int t = 0; t < frames[v]; t++)
            if (y[v][t] != want[t])
                fail_msg("%s: video %d frame %d: %d, want %d", fixture, v, t + 1, y[v][t], want[t]);
    }
    double a = auc_of(y);
    if (*auc < 0)
        *auc = a;
    else
        assert_true(a == *auc);
    mae_gt_free(NV, y);
    assert_null(y[0]);
}

static void test_every_form_same_labels(void **state)
{
    (void)state;
    double auc = -1;
    check_form("gt/txt", names, &auc);
    check_form("gt/npy", names, &auc);
    check_form("gt/pixel_npy", names, &auc);
    check_form("gt/memae_mat", names, &auc);
    check_form("gt/avenue", avenue_names, &auc);
    check_form("gt/intervals.txt", names, &auc);
    check_form("gt/intervals_named.txt", names, &auc);
    check_form("gt/UCSDped2.m", names, &auc);
    check_form("gt/all.npy", names, &auc);
    check_form("gt/all_cells.mat", names, &auc);
    check_form("gt/all.txt", names, &auc);
    assert_true(auc > 0.5 && auc < 1.0);
}

static char tmpdir[64];

static int make_tmp(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/memae_gt_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmp(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd);
}

/* Writes text to tmpdir/name and returns the path (static buffer). */
static const char *put(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    for (char *slash = path + strlen(tmpdir) + 1; (slash = strchr(slash, '/')); slash++) {
        *slash = '\0';
        mkdir(path, 0755);
        *slash = '/';
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void expect_fail(const char *path, const char *const *vnames, int status, const char *needle)
{
    uint8_t *y[NV] = {(uint8_t *)1, (uint8_t *)1, (uint8_t *)1};
    memae_err err = {0};
    int st = mae_gt_load(path, NV, vnames, frames, y, &err);
    if (st != status || !strstr(err.msg, needle) || !strstr(err.msg, path))
        fail_msg("%s: status %d \"%s\", want %d and \"%s\"", path, st, err.msg, status, needle);
    for (int v = 0; v < NV; v++)
        assert_null(y[v]);
}

static void test_bad_intervals(void **state)
{
    (void)state;
    expect_fail(put("a.txt", "5 9\n1 16\n-\n"), names, MEMAE_E_FORMAT,
                "line 2: interval [1, 16] is outside the video's frames 1..15");
    expect_fail(put("a.txt", "5 9\n3-1\n-\n"), names, MEMAE_E_FORMAT,
                "line 2: interval [3, 1] starts after it ends");
    expect_fail(put("a.txt", "5 9\n\n# c\n0 2\n-\n"), names, MEMAE_E_FORMAT,
                "line 4: interval [0, 2]");
    expect_fail(put("a.txt", "5 9 10\n1 2\n-\n"), names, MEMAE_E_FORMAT, "line 1: 10 has no end");
    expect_fail(put("a.txt", "5 9\n1 x2\n-\n"), names, MEMAE_E_FORMAT, "line 2: unexpected 'x'");
    expect_fail(put("a.txt", "5 9\n1 2\n"), names, MEMAE_E_SHAPE, "2 interval lines for 3 videos");
    expect_fail(put("a.txt", "Test001: 5 9\nTest002: 1 2\n"), names, MEMAE_E_NAME,
                "no line for video 'Test003'");
    expect_fail(put("a.txt", "Test001: 5 9\nTest002: 1 2\nTest004: 1 2\nTest003:\n"), names,
                MEMAE_E_NAME, "line 3: no video is named 'Test004'");
    expect_fail(put("a.txt", "Test001: 5 9\n1 2\n-\n"), names, MEMAE_E_FORMAT,
                "line 2: lacks a video name");
}

static void test_bad_folders(void **state)
{
    (void)state;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/d1", tmpdir);
    put("d1/Test001.txt", "0 1 0\n");
    put("d1/Test002.txt", "0\n");
    expect_fail(dir, names, MEMAE_E_SHAPE, "3 labels, but video 'Test001' has 20 frames");
    put("d1/Test001.txt", "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1\n");
    expect_fail(dir, names, MEMAE_E_SHAPE, "1 labels, but video 'Test002' has 15");
    put("d1/Test002.txt", "0 0 0 0 0 0 0 0 0 0\n0 0 0 0 2\n");
    expect_fail(dir, names, MEMAE_E_FORMAT, "line 2: a label that is not 0 or 1");
    put("d1/Test002.txt", "0 0 0 0 0 0 0 0 0 0 0 0 0 0 1\n");
    expect_fail(dir, names, MEMAE_E_IO, "no label file for video 'Test003'");
    put("d1/Test003.txt", "0 0 0 0 0 0 0 0 0 0 0 1\n");
    put("d1/Test3_gt.txt", "0 0 0 0 0 0 0 0 0 0 0 1\n");
    uint8_t *y[NV];
    memae_err err = {0};
    /* the exact stem outranks a canonical match */
    assert_int_equal(mae_gt_load(dir, NV, names, frames, y, &err), MEMAE_OK);
    mae_gt_free(NV, y);
    put("d1/Test003.npy", "x");
    expect_fail(dir, names, MEMAE_E_NAME, "match video 'Test003'");
}

static void test_bad_arrays(void **state)
{
    (void)state;
    const char *one[] = {"Test001"};
    uint8_t *y[NV];
    memae_err err = {0};
    char path[1024];
    snprintf(path, sizeof path, "%s", tu_fixture("gt/bad/short.mat"));
    assert_int_equal(mae_gt_load(path, 1, one, frames, y, &err), MEMAE_E_SHAPE);

    assert_non_null(strstr(
        err.msg, "variable 'l' has 19 labels (shape 1x19), but video 'Test001' has 20 frames"));
    snprintf(path, sizeof path, "%s", tu_fixture("gt/bad/half.mat"));
    assert_int_equal(mae_gt_load(path, 1, one, frames, y, &err), MEMAE_E_FORMAT);
    assert_non_null(strstr(err.msg, "element 3 is 0.5"));
    snprintf(path, sizeof path, "%s", tu_fixture("gt/bad/noname.mat"));
    assert_int_equal(mae_gt_load(path, 1, one, frames, y, &err), MEMAE_E_NAME);
    snprintf(path, sizeof path, "%s", tu_fixture("gt/all.npy"));
    const int64_t wrong[NV] = {20, 15, 13};
    assert_int_equal(mae_gt_load(path, NV, names, wrong, y, &err), MEMAE_E_SHAPE);

    assert_non_null(strstr(err.msg, "have 48 frames in all"));
    assert_int_equal(mae_gt_load("/nonexistent/gt", 1, one, frames, y, &err), MEMAE_E_IO);
}

/* UCSD's own form: Test001_gt/ holds one mask image per frame (here PNGs
 * written by io/media/png.h), the frames folder Test001/ beside it is not a label
 * folder. */
static void test_mask_folder(void **state)
{
    (void)state;
    char path[256], dir[128];
    snprintf(dir, sizeof dir, "%s/ucsd", tmpdir);
    put("ucsd/Test001/001.png", "not a label folder");
    uint8_t want[20], mask[6 * 8 * 3];
    expected(0, want);
    memae_err err = {0};
    for (int t = 0; t < 20; t++) {
        memset(mask, 0, sizeof mask);
        if (want[t])
            mask[3 * (t % 48) + 1] = 255;
        snprintf(path, sizeof path, "%s/Test001_gt/%03d.png", dir, t + 1);
        put(path + strlen(tmpdir) + 1, "");
        if (mae_png_write_rgb(path, mask, 8, 6, &err))
            fail_msg("%s", err.msg);
    }
    uint8_t *y[1];
    if (mae_gt_load(dir, 1, names, frames, y, &err))
        fail_msg("%s", err.msg);
    assert_memory_equal(y[0], want, 20);
    mae_gt_free(1, y);
    const int64_t more[1] = {21};
    assert_int_equal(mae_gt_load(dir, 1, names, more, y, &err), MEMAE_E_SHAPE);
    assert_non_null(strstr(err.msg, "20 mask images, but video 'Test001' has 21 frames"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_form_same_labels),
        cmocka_unit_test(test_bad_intervals),
        cmocka_unit_test(test_bad_folders),
        cmocka_unit_test(test_bad_arrays),
        cmocka_unit_test(test_mask_folder),
    };
    return cmocka_run_group_tests(tests, make_tmp, remove_tmp);
}
