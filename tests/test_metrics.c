#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/metrics.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void assert_close(double got, double want, double rel, const char *what)
{
    double tol = rel * fmax(1.0, fabs(want));
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

static memae_metrics compute_ok(const float *s, const uint8_t *y, size_t n)
{
    memae_metrics m;
    memae_err err = {0};
    int rc = mae_metrics_compute(s, y, n, &m, &err);
    if (rc)
        fail_msg("memae_metrics_compute: %s", err.msg);
    return m;
}

/* Sorted by score: 0.9+ 0.8+ 0.2- 0.1-.  Every positive beats every
 * negative, so AUC = AP = best F1 = 1.  ROC points (FPR,TPR): (0,0) (0,.5)
 * (0,1): FPR = FNR = 0 exactly at the third, reached by "score > 0.2". */
static void test_perfect(void **state)
{
    (void)state;
    const float s[] = {0.1f, 0.2f, 0.8f, 0.9f};
    const uint8_t y[] = {0, 0, 1, 1};
    memae_metrics m = compute_ok(s, y, 4);
    assert_close(m.roc_auc, 1.0, 1e-15, "roc_auc");
    assert_close(m.pr_auc, 1.0, 1e-15, "ap");
    assert_close(m.eer, 0.0, 1e-15, "eer");
    assert_close(m.eer_threshold, (double)0.2f, 0, "eer_threshold");
    assert_close(m.best_f1, 1.0, 1e-15, "best_f1");
    assert_close(m.best_f1_threshold, (double)0.2f, 0, "best_f1_threshold");
}

/* Sorted: 0.9- 0.8- 0.2+ 0.1+.  AUC 0.  AP: the positives arrive at ranks 3
 * and 4 with precisions 1/3 and 2/4, AP = (1/3 + 1/2) / 2 = 5/12.  ROC
 * (0,0) (.5,0) (1,0): FPR = FNR = 1 at the third point.  F1 = 2TP/(TP+FP+P):
 * ranks 3 -> 2/5, 4 -> 4/6, best 2/3 with everything predicted positive, so
 * the threshold is the float just below 0.1. */
static void test_inverted(void **state)
{
    (void)state;
    const float s[] = {0.1f, 0.2f, 0.8f, 0.9f};
    const uint8_t y[] = {1, 1, 0, 0};
    memae_metrics m = compute_ok(s, y, 4);
    assert_close(m.roc_auc, 0.0, 1e-15, "roc_auc");
    assert_close(m.pr_auc, 5.0 / 12.0, 1e-15, "ap");
    assert_close(m.eer, 1.0, 1e-15, "eer");
    assert_close(m.best_f1, 2.0 / 3.0, 1e-15, "best_f1");
    assert_close(m.best_f1_threshold, (double)nextafterf(0.1f, -INFINITY), 0, "thr");
}

/* One group of 5 (2 positive): every pair is a tie, AUC 1/2; the only PR
 * point has precision 2/5, AP = 2/5.  ROC goes (0,0) -> (1,1); d = FPR+TPR-1
 * is -1 then 1, crossing at t = 1/2, EER 1/2.  F1 = 4/(2+3+2) = 4/7. */
static void test_all_tied(void **state)
{
    (void)state;
    const float s[] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
    const uint8_t y[] = {1, 0, 0, 1, 0};
    memae_metrics m = compute_ok(s, y, 5);
    assert_close(m.roc_auc, 0.5, 1e-15, "roc_auc");
    assert_close(m.pr_auc, 0.4, 1e-15, "ap");
    assert_close(m.eer, 0.5, 1e-15, "eer");
    assert_close(m.eer_threshold, (double)nextafterf(0.5f, -INFINITY), 0, "eer_thr");
    assert_close(m.best_f1, 4.0 / 7.0, 1e-15, "best_f1");
}

/* Sorted: 0.9+ | 0.7+ 0.7- | 0.5- | 0.3+ | 0.1-, P = N = 3.
 * AUC pairs won: 0.9+ beats 3; 0.7+ ties one (1/2) and beats 2; 0.3+ beats
 * 1; (3 + 2.5 + 1) / 9 = 13/18.
 * AP: recall steps of 1/3 at precisions 1/1, 2/3 (after the tied group) and
 * 3/5; (1 + 2/3 + 3/5) / 3 = 34/45.
 * ROC: (0,0) (0,1/3) (1/3,2/3) ...: FPR = FNR = 1/3 exactly at the third
 * point, "score > 0.5".
 * F1 = 2TP/(TP+FP+3): 2/4, 4/6, 4/7, 6/8, 6/9: best 3/4 at "score > 0.1". */
static void test_ties_across_classes(void **state)
{
    (void)state;
    const float s[] = {0.9f, 0.7f, 0.7f, 0.5f, 0.3f, 0.1f};
    const uint8_t y[] = {1, 1, 0, 0, 1, 0};
    memae_metrics m = compute_ok(s, y, 6);
    assert_close(m.roc_auc, 13.0 / 18.0, 1e-15, "roc_auc");
    assert_close(m.pr_auc, 34.0 / 45.0, 1e-15, "ap");
    assert_close(m.eer, 1.0 / 3.0, 1e-15, "eer");
    assert_close(m.eer_threshold, (double)0.5f, 0, "eer_threshold");
    assert_close(m.best_f1, 0.75, 1e-15, "best_f1");
    assert_close(m.best_f1_threshold, (double)0.1f, 0, "best_f1_threshold");
}

/* Sorted: 0.9+ | 0.5+ 0.5- 0.5- | 0.1-, P = 2, N = 3.  ROC points (0,0),
 * (0,1/2), (2/3,1); d = FPR+TPR-1 = -1/2 then +2/3, so the crossing is at
 * t = (1/2)/(7/6) = 3/7 of the second segment: FPR = 3/7 * 2/3 = 2/7 and
 * FNR = 1 - (1/2 + 3/7 * 1/2) = 2/7.  The threshold is that of the segment's
 * upper end, "score > 0.1".  F1: 2/3 at "score > 0.5", 4/6 next; the tie
 * keeps the higher threshold. */
static void test_eer_interpolated(void **state)
{
    (void)state;
    const float s[] = {0.9f, 0.5f, 0.5f, 0.5f, 0.1f};
    const uint8_t y[] = {1, 1, 0, 0, 0};
    memae_metrics m = compute_ok(s, y, 5);
    assert_close(m.eer, 2.0 / 7.0, 1e-15, "eer");
    assert_close(m.eer_threshold, (double)0.1f, 0, "eer_threshold");
    assert_close(m.roc_auc, 5.0 / 6.0, 1e-15, "roc_auc");
    assert_close(m.pr_auc, 0.75, 1e-15, "ap");
    assert_close(m.best_f1, 2.0 / 3.0, 1e-15, "best_f1");
    assert_close(m.best_f1_threshold, (double)0.5f, 0, "best_f1_threshold");

    double eer, thr, f1, f1_thr, auc, ap;
    assert_int_equal(mae_eer(s, y, 5, &eer, &thr, NULL), MEMAE_OK);
    assert_int_equal(mae_best_f1(s, y, 5, &f1, &f1_thr, NULL), MEMAE_OK);
    assert_int_equal(mae_roc_auc(s, y, 5, &auc, NULL), MEMAE_OK);
    assert_int_equal(mae_average_precision(s, y, 5, &ap, NULL), MEMAE_OK);
    assert_true(eer == m.eer && thr == m.eer_threshold && f1 == m.best_f1 &&
                f1_thr == m.best_f1_threshold && auc == m.roc_auc && ap == m.pr_auc);
}

/* Same data as test_ties_across_classes (0.9+ 0.7+ 0.7- 0.5- 0.3+ 0.1-).
 * > 0.7: {0.9+}: P 1, R 1/3, F1 2(1/3)/(4/3) = 1/2.
 * > 0.6: {0.9+ 0.7+ 0.7-}: P = R = F1 = 2/3 (0.7 itself counts at 0.6).
 * > 0.7 vs 0.7 shows the strict ">" rule.  > 1: nothing predicted: P = 0 by
 * convention, R = 0, F1 = 0.  > -inf: P 1/2, R 1, F1 2/3. */
static void test_prf_at(void **state)
{
    (void)state;
    const float s[] = {0.9f, 0.7f, 0.7f, 0.5f, 0.3f, 0.1f};
    const uint8_t y[] = {1, 1, 0, 0, 1, 0};
    double p, r, f1;
    assert_int_equal(mae_prf_at(s, y, 6, 0.7f, &p, &r, &f1, NULL), MEMAE_OK);
    assert_close(p, 1.0, 1e-15, "p@0.7");
    assert_close(r, 1.0 / 3.0, 1e-15, "r@0.7");
    assert_close(f1, 0.5, 1e-15, "f1@0.7");
    assert_int_equal(mae_prf_at(s, y, 6, 0.6, &p, &r, &f1, NULL), MEMAE_OK);
    assert_close(p, 2.0 / 3.0, 1e-15, "p@0.6");
    assert_close(r, 2.0 / 3.0, 1e-15, "r@0.6");
    assert_close(f1, 2.0 / 3.0, 1e-15, "f1@0.6");
    assert_int_equal(mae_prf_at(s, y, 6, 1.0, &p, &r, &f1, NULL), MEMAE_OK);
    assert_true(p == 0.0 && r == 0.0 && f1 == 0.0);
    assert_int_equal(mae_prf_at(s, y, 6, -INFINITY, &p, &r, &f1, NULL), MEMAE_OK);
    assert_close(p, 0.5, 1e-15, "p@-inf");
    assert_close(r, 1.0, 1e-15, "r@-inf");
    assert_close(f1, 2.0 / 3.0, 1e-15, "f1@-inf");
    /* A single class is allowed here; recall is 0 with no anomalies. */
    const uint8_t zeros[] = {0, 0, 0, 0, 0, 0};
    assert_int_equal(mae_prf_at(s, zeros, 6, 0.6, &p, &r, &f1, NULL), MEMAE_OK);
    assert_true(p == 0.0 && r == 0.0 && f1 == 0.0);
}

/* numpy: np.quantile([3,1,4,1,5,9,2,6], [0,.25,.5,.9,1]) =
 * [1, 1.75, 3.5, 6.8999999999999995, 9]  (sorted 1 1 2 3 4 5 6 9; q = .9 is
 * position 6.3, 6 + 0.3 * 3, computed from the upper end as 9 - 3 * 0.7);
 * np.quantile([0.1, 0.7, 0.2], 0.3) = 0.16 (position 0.6). */
static void test_quantile(void **state)
{
    (void)state;
    const float x[] = {3, 1, 4, 1, 5, 9, 2, 6};
    const double q[] = {0.0, 0.25, 0.5, 0.9, 1.0};
    const double want[] = {1.0, 1.75, 3.5, 6.8999999999999995, 9.0};
    for (size_t i = 0; i < N_OF(q); i++) {
        double v;
        assert_int_equal(mae_quantile(x, N_OF(x), q[i], &v, NULL), MEMAE_OK);
        assert_true(v == want[i]);
    }
    const float x3[] = {0.1f, 0.7f, 0.2f};
    double v;
    assert_int_equal(mae_quantile(x3, 3, 0.3, &v, NULL), MEMAE_OK);
    assert_close(v, 0.16, 1e-7, "quantile(x3, .3)"); /* float32 inputs */
    const float one = 42.0f;
    assert_int_equal(mae_quantile(&one, 1, 0.7, &v, NULL), MEMAE_OK);
    assert_true(v == 42.0);
    assert_true(x[0] == 3 && x[7] == 6); /* input left untouched */
}

static void expect_error(int rc, const memae_err *err, int want, const char *needle)
{
    assert_int_equal(rc, want);
    assert_int_equal(err->status, want);
    assert_true(err->msg[0] != '\0');
    if (needle && !strstr(err->msg, needle))
        fail_msg("message \"%s\" lacks \"%s\"", err->msg, needle);
}

static void test_errors(void **state)
{
    (void)state;
    const float s[] = {0.1f, 0.2f, 0.3f, 0.4f};
    const uint8_t zeros[] = {0, 0, 0, 0}, ones[] = {1, 1, 1, 1}, y[] = {0, 1, 0, 1};
    const uint8_t bad[] = {0, 1, 2, 1};
    memae_metrics m;
    memae_err err = {0};
    double v, p, r, f1;

    expect_error(mae_metrics_compute(s, zeros, 4, &m, &err), &err, MEMAE_E_ARG,
                 "ROC-AUC needs both normal and anomalous samples: all 4 labels are 0");
    mae_clearerr(&err);
    expect_error(mae_metrics_compute(s, ones, 4, &m, &err), &err, MEMAE_E_ARG,
                 "all 4 labels are 1");
    mae_clearerr(&err);
    expect_error(mae_metrics_compute(s, y, 0, &m, &err), &err, MEMAE_E_ARG, "n == 0");
    mae_clearerr(&err);
    expect_error(mae_prf_at(s, y, 0, 0.5, &p, &r, &f1, &err), &err, MEMAE_E_ARG, NULL);
    mae_clearerr(&err);
    expect_error(mae_quantile(s, 0, 0.5, &v, &err), &err, MEMAE_E_ARG, NULL);

    const float nan_s[] = {0.1f, 0.2f, NAN, 0.4f}, inf_s[] = {0.1f, INFINITY, 0.3f, 0.4f};
    mae_clearerr(&err);
    expect_error(mae_metrics_compute(nan_s, y, 4, &m, &err), &err, MEMAE_E_NUMERIC,
                 "score 2 is NaN");
    mae_clearerr(&err);
    expect_error(mae_roc_auc(inf_s, y, 4, &v, &err), &err, MEMAE_E_NUMERIC,
                 "score 1 is infinite");
    mae_clearerr(&err);
    expect_error(mae_prf_at(nan_s, y, 4, 0.5, &p, &r, &f1, &err), &err,
                 MEMAE_E_NUMERIC, "score 2");
    mae_clearerr(&err);
    expect_error(mae_quantile(nan_s, 4, 0.5, &v, &err), &err, MEMAE_E_NUMERIC,
                 "value 2 is NaN");

    mae_clearerr(&err);
    expect_error(mae_metrics_compute(s, bad, 4, &m, &err), &err, MEMAE_E_ARG,
                 "label 2 is 2");
    mae_clearerr(&err);
    expect_error(mae_prf_at(s, bad, 4, 0.5, &p, &r, &f1, &err), &err, MEMAE_E_ARG,
                 "label 2");
    mae_clearerr(&err);
    expect_error(mae_prf_at(s, y, 4, NAN, &p, &r, &f1, &err), &err, MEMAE_E_ARG,
                 "threshold");
    mae_clearerr(&err);
    expect_error(mae_quantile(s, 4, 1.5, &v, &err), &err, MEMAE_E_ARG, "q = 1.5");
    mae_clearerr(&err);
    expect_error(mae_quantile(s, 4, NAN, &v, &err), &err, MEMAE_E_ARG, NULL);
    mae_clearerr(&err);
    expect_error(mae_metrics_compute(s, y, 4, NULL, &err), &err, MEMAE_E_ARG, NULL);
    /* err may be NULL: the status alone still comes back. */
    assert_int_equal(mae_metrics_compute(s, zeros, 4, &m, NULL), MEMAE_E_ARG);
}

/* Reads the fixture written by tests/golden/gen_metrics.py and checks every
 * case against sklearn, plus that best_f1_threshold reproduces best_f1. */
static void test_sklearn_parity(void **state)
{
    (void)state;
    const char *dir = getenv("MEMAE_FIXTURES");
    char path[4096];
    snprintf(path, sizeof path, "%s/metrics_sklearn.txt", dir ? dir : "tests/fixtures");
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s (set MEMAE_FIXTURES)", path);
    char line[512];
    int cases = 0;
    while (fgets(line, sizeof line, f)) {
        char name[64];
        size_t n;
        double auc, ap, bf1, eer;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "case %63s %zu %lf %lf %lf %lf", name, &n, &auc, &ap, &bf1, &eer) != 6)
            fail_msg("%s: bad case line: %s", path, line);
        float *s = malloc(n * sizeof *s);
        uint8_t *y = malloc(n);
        assert_non_null(s);
        assert_non_null(y);
        for (size_t i = 0; i < n; i++) {
            unsigned lab;
            if (!fgets(line, sizeof line, f) || sscanf(line, "%f %u", &s[i], &lab) != 2 ||
                lab > 1)
                fail_msg("%s: case %s: bad sample line %zu", path, name, i);
            y[i] = (uint8_t)lab;
        }
        memae_metrics m = compute_ok(s, y, n);
        char what[128];
        snprintf(what, sizeof what, "%s roc_auc", name);
        assert_close(m.roc_auc, auc, 1e-9, what);
        snprintf(what, sizeof what, "%s average precision", name);
        assert_close(m.pr_auc, ap, 1e-9, what);
        snprintf(what, sizeof what, "%s best_f1", name);
        assert_close(m.best_f1, bf1, 1e-9, what);
        snprintf(what, sizeof what, "%s eer", name);
        assert_close(m.eer, eer, 1e-9, what);

        double p, r, f1;
        assert_int_equal(mae_prf_at(s, y, n, m.best_f1_threshold, &p, &r, &f1, NULL),
                         MEMAE_OK);
        snprintf(what, sizeof what, "%s f1 at best_f1_threshold", name);
        assert_close(f1, m.best_f1, 1e-12, what);
        /* At the EER threshold FPR >= eer >= FNR = 1 - recall. */
        assert_int_equal(mae_prf_at(s, y, n, m.eer_threshold, &p, &r, &f1, NULL),
                         MEMAE_OK);
        assert_true(1.0 - r <= m.eer + 1e-12);
        free(s);
        free(y);
        cases++;
    }
    fclose(f);
    assert_true(cases >= 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_perfect),
        cmocka_unit_test(test_inverted),
        cmocka_unit_test(test_all_tied),
        cmocka_unit_test(test_ties_across_classes),
        cmocka_unit_test(test_eer_interpolated),
        cmocka_unit_test(test_prf_at),
        cmocka_unit_test(test_quantile),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_sklearn_parity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
