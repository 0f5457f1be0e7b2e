#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/video_metrics.h"
#include "util/testutil.h"

static void assert_close(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

/* Video 0 keeps frames 2-3 (0.1-, 0.9+): AUC 1.  Video 1 (0.2+, 0.8-, 0.5-):
 * AUC 0.  Concatenated, the positives 0.9 and 0.2 beat 3 and 1 of the three
 * negatives: micro AUC 4/6.  Macro (1 + 0) / 2.  ROC of 0.9+ 0.8- 0.5- 0.2+
 * 0.1-: FPR - FNR goes -1/6 at (1/3, 1/2) to +1/6 at (2/3, 1/2), crossing
 * halfway, so the EER is 1/2.  The NaN frames' labels must not count: were
 * they kept, video 0's label-1 NaN frame would change every number. */
static void test_hand(void **state)
{
    (void)state;
    const float s0[] = {NAN, 0.1f, 0.9f, NAN}, s1[] = {0.2f, 0.8f, 0.5f};
    const uint8_t y0[] = {1, 0, 1, 0}, y1[] = {1, 0, 0};
    const float *s[] = {s0, s1};
    const uint8_t *y[] = {y0, y1};
    const int64_t n[] = {4, 3};
    memae_video_eval r;
    memae_err err = {0};
    assert_int_equal(mae_video_evaluate(2, n, s, y, &r, &err), MEMAE_OK);
    assert_close(r.micro_auc, 4.0 / 6.0, 1e-15, "micro");
    assert_close(r.macro_auc, 0.5, 1e-15, "macro");
    assert_close(r.micro_eer, 0.5, 1e-15, "eer");
    assert_close(r.video_auc[0], 1.0, 1e-15, "auc 0");
    assert_close(r.video_auc[1], 0.0, 1e-15, "auc 1");
    assert_int_equal(r.frames_used, 5);
    assert_int_equal(r.videos_used, 2);
    memae_video_eval_free(&r);
    assert_null(r.video_auc);
}

/* A video whose scored frames are one class has no AUC and is left out of
 * the macro mean but not of the micro AUC; an empty video is allowed. */
static void test_one_class_video(void **state)
{
    (void)state;
    const float s0[] = {0.1f, 0.9f, 0.3f}, s1[] = {0.7f, NAN, 0.6f};
    const uint8_t y0[] = {0, 1, 0}, y1[] = {0, 1, 0};
    const float *s[] = {s0, s1, NULL};
    const uint8_t *y[] = {y0, y1, NULL};
    const int64_t n[] = {3, 3, 0};
    memae_video_eval r;
    memae_err err = {0};
    assert_int_equal(mae_video_evaluate(3, n, s, y, &r, &err), MEMAE_OK);
    assert_close(r.video_auc[0], 1.0, 1e-15, "auc 0");
    assert_true(isnan(r.video_auc[1]));
    assert_true(isnan(r.video_auc[2]));
    assert_int_equal(r.videos_used, 1);
    assert_close(r.macro_auc, 1.0, 1e-15, "macro");
    /* positive 0.9 against negatives 0.1 0.3 0.7 0.6: all beaten */
    assert_close(r.micro_auc, 1.0, 1e-15, "micro");
    assert_int_equal(r.frames_used, 5);
    memae_video_eval_free(&r);
}

static void expect_error(int64_t nv, const int64_t *n, const float *const *s,
                         const uint8_t *const *y, int status, const char *needle)
{
    memae_video_eval r;
    memae_err err = {0};
    assert_int_equal(mae_video_evaluate(nv, n, s, y, &r, &err), status);
    if (!strstr(err.msg, needle))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
    assert_null(r.video_auc);
}

static void test_errors(void **state)
{
    (void)state;
    const float nan2[] = {NAN, NAN}, ok[] = {0.1f, 0.2f}, inf[] = {0.1f, INFINITY};
    const uint8_t both[] = {0, 1}, zeros[] = {0, 0}, two[] = {0, 2};
    const int64_t n[] = {2}, neg[] = {-1};
    expect_error(1, n, (const float *[]){nan2}, (const uint8_t *[]){both}, MEMAE_E_ARG,
                 "no frame has a score");
    expect_error(1, n, (const float *[]){ok}, (const uint8_t *[]){zeros}, MEMAE_E_ARG,
                 "are normal");
    expect_error(1, n, (const float *[]){ok}, (const uint8_t *[]){two}, MEMAE_E_ARG,
                 "frame 2: label 2");
    expect_error(1, n, (const float *[]){inf}, (const uint8_t *[]){both}, MEMAE_E_NUMERIC,
                 "frame 2: score is inf");
    expect_error(1, neg, (const float *[]){ok}, (const uint8_t *[]){both}, MEMAE_E_ARG,
                 "negative frame count");
    expect_error(1, n, (const float *[]){NULL}, (const uint8_t *[]){both}, MEMAE_E_ARG,
                 "no scores");
    expect_error(0, n, (const float *[]){ok}, (const uint8_t *[]){both}, MEMAE_E_ARG, "0 videos");
}

/* Reads the fixture of tests/golden/gen_video_metrics.py (sklearn's numbers). */
static void test_sklearn_parity(void **state)
{
    (void)state;
    FILE *f = fopen(tu_fixture("video_eval_sklearn.txt"), "r");
    if (!f)
        fail_msg("cannot open %s", tu_fixture("video_eval_sklearn.txt"));
    char line[256];
    long long nv = 0, used_f = 0, used_v = 0;
    double micro = 0, macro = 0, eer = 0;
    while (fgets(line, sizeof line, f) && line[0] == '#')
        ;
    assert_int_equal(sscanf(line, "eval %lld %lf %lf %lf %lld %lld", &nv, &micro, &macro, &eer,
                            &used_f, &used_v),
                     6);
    int64_t *n = calloc((size_t)nv, sizeof *n);
    double *auc = calloc((size_t)nv, sizeof *auc);
    float **s = calloc((size_t)nv, sizeof *s);
    uint8_t **y = calloc((size_t)nv, sizeof *y);
    for (long long v = 0; v < nv; v++) {
        long long fr;
        assert_non_null(fgets(line, sizeof line, f));
        assert_int_equal(sscanf(line, "video %lld %lf", &fr, &auc[v]), 2);
        n[v] = fr;
        s[v] = malloc((size_t)fr * sizeof **s);
        y[v] = malloc((size_t)fr);
        for (long long t = 0; t < fr; t++) {
            int lab;
            assert_non_null(fgets(line, sizeof line, f));
            char *end;
            s[v][t] = strtof(line, &end);
            assert_int_equal(sscanf(end, "%d", &lab), 1);
            y[v][t] = (uint8_t)lab;
        }
    }
    fclose(f);
    memae_video_eval r;
    memae_err err = {0};
    int st =
        mae_video_evaluate(nv, n, (const float *const *)s, (const uint8_t *const *)y, &r, &err);
    if (st)
        fail_msg("memae_video_evaluate: %s", err.msg);
    assert_close(r.micro_auc, micro, 1e-12, "micro");
    assert_close(r.macro_auc, macro, 1e-12, "macro");
    assert_close(r.micro_eer, eer, 1e-12, "eer");
    assert_int_equal(r.frames_used, used_f);
    assert_int_equal(r.videos_used, used_v);
    for (long long v = 0; v < nv; v++) {
        if (isnan(auc[v]))
            assert_true(isnan(r.video_auc[v]));
        else
            assert_close(r.video_auc[v], auc[v], 1e-12, "video auc");
        free(s[v]);
        free(y[v]);
    }
    memae_video_eval_free(&r);
    free(n);
    free(auc);
    free(s);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand),
        cmocka_unit_test(test_one_class_video),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_sklearn_parity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
