/* PNG writing (read back through the FFmpeg decoder), the error overlay and
 * the score plot. */
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

#include "eval/figures.h"
#include "io/media/images.h"
#include "io/media/png.h"

static char tmpdir[64];

static int make_tmp(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/memae_fig_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmp(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd);
}

/* An odd size (rows not a multiple of any alignment) and every byte value. */
static void test_png_round_trip(void **state)
{
    (void)state;
    enum { W = 37, H = 23 };
    uint8_t rgb[W * H * 3];
    for (int i = 0; i < W * H * 3; i++)
        rgb[i] = (uint8_t)(i * 7 + i / 3);
    char path[128];
    snprintf(path, sizeof path, "%s/a.png", tmpdir);
    memae_err err = {0};
    if (mae_png_write_rgb(path, rgb, W, H, &err))
        fail_msg("%s", err.msg);
    uint8_t *planar;
    int h, w;
    if (mae_image_decode(path, 3, 0, 0, &planar, &h, &w, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(w, W);
    assert_int_equal(h, H);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < 3; c++)
                if (planar[(c * H + y) * W + x] != rgb[(y * W + x) * 3 + c])
                    fail_msg("pixel (%d, %d) channel %d: %d, want %d", x, y, c,
                             planar[(c * H + y) * W + x], rgb[(y * W + x) * 3 + c]);
    free(planar);
}

static void test_png_errors(void **state)
{
    (void)state;
    uint8_t rgb[12] = {0};
    memae_err err = {0};
    assert_int_equal(mae_png_write_rgb("/tmp/x.png", rgb, 0, 2, &err), MEMAE_E_ARG);
    assert_int_equal(mae_png_write_rgb("/nonexistent/dir/x.png", rgb, 2, 2, &err), MEMAE_E_IO);
    assert_non_null(strstr(err.msg, "/nonexistent/dir/x.png"));
    assert_int_equal(access("/nonexistent/dir/x.png", F_OK), -1);
}

static void expect_px(const uint8_t *p, const uint8_t *want, const char *what, int x, int y)
{
    if (memcmp(p, want, 3))
        fail_msg("%s at (%d, %d): %d %d %d, want %d %d %d", what, x, y, p[0], p[1], p[2], want[0],
                 want[1], want[2]);
}

/* No error shows the grey frame; error at or above err_max blends 3/4 of the
 * map's top colour; half of it, 3/8 of the colour at 1/2; NaN counts as 0. */
static void test_heatmap(void **state)
{
    (void)state;
    const uint8_t grey[5] = {0, 100, 200, 255, 40};
    const float err[5] = {0, 2, 9, 1, NAN};
    uint8_t rgb[15], top[3], mid[3];
    mae_heatmap_rgb(grey, err, 5, 1, 2.0f, rgb);
    mae_colormap(1, top);
    mae_colormap(0.5f, mid);
    assert_int_equal(top[0], 252);
    assert_int_equal(top[2], 164);
    for (int c = 0; c < 3; c++) {
        assert_int_equal(rgb[c], 0);
        assert_int_equal(rgb[3 + c], lrintf(0.25f * 100 + 0.75f * top[c]));
        assert_int_equal(rgb[6 + c], lrintf(0.25f * 200 + 0.75f * top[c]));
        assert_int_equal(rgb[9 + c], lrintf(0.625f * 255 + 0.375f * mid[c]));
        assert_int_equal(rgb[12 + c], 40);
    }
    mae_heatmap_rgb(grey, err, 5, 1, 0.0f, rgb);
    for (int i = 0; i < 15; i++)
        assert_int_equal(rgb[i], grey[i / 3]);
}

/* A ramp with one column per frame: frame t's point is at column x0 + t and
 * row y0 + round((ph - 1) (n - 1 - t) / (n - 1)); frames 10..19 are shaded;
 * the NaN frames 30..34 leave their columns without curve. */
static void test_plot_ramp(void **state)
{
    (void)state;
    enum { W = 72, H = 40 };
    int x0, y0, pw, ph;
    mae_plot_area(W, H, &x0, &y0, &pw, &ph);
    int n = pw;
    float *s = malloc((size_t)n * sizeof *s);
    uint8_t *y = calloc((size_t)n, 1), *rgb = malloc(W * H * 3);
    for (int t = 0; t < n; t++) {
        s[t] = t >= 30 && t < 35 ? NAN : (float)t;
        y[t] = t >= 10 && t < 20;
    }
    assert_int_equal(mae_plot_rgb(s, y, n, W, H, rgb), MEMAE_OK);
    const uint8_t *curve = mae_plot_colours[MEMAE_PLOT_CURVE];
    for (int t = 0; t < n; t++) {
        int x = x0 + t;
        int row = y0 + (int)lrint((double)(ph - 1) * (n - 1 - t) / (n - 1));
        int curve_rows = 0;
        for (int r = y0; r < y0 + ph; r++) {
            const uint8_t *p = rgb + 3 * (r * W + x);
            if (!memcmp(p, curve, 3)) {
                curve_rows++;
                continue;
            }
            expect_px(p, mae_plot_colours[y[t] ? MEMAE_PLOT_SHADE : MEMAE_PLOT_BACKGROUND],
                      "background", x, r);
        }
        if (isnan(s[t])) {
            assert_int_equal(curve_rows, 0);
        } else {
            expect_px(rgb + 3 * (row * W + x), curve, "curve", x, row);
            /* the ramp is steeper than 1 row per column: joined vertically */
            assert_true(curve_rows >= 1 && curve_rows <= 2);
        }
    }
    expect_px(rgb + 3 * ((y0 + ph / 2) * W + x0 - 1), mae_plot_colours[MEMAE_PLOT_AXES], "axis",
              x0 - 1, y0 + ph / 2);
    expect_px(rgb + 3 * ((y0 + ph) * W + x0 + pw / 2), mae_plot_colours[MEMAE_PLOT_AXES], "axis",
              x0 + pw / 2, y0 + ph);
    free(s);
    free(y);
    free(rgb);
}

/* More frames than columns: a single anomalous frame still shades its
 * column, and constant scores sit in the middle row. */
static void test_plot_dense(void **state)
{
    (void)state;
    enum { W = 40, H = 20, N = 1000 };
    int x0, y0, pw, ph;
    mae_plot_area(W, H, &x0, &y0, &pw, &ph);
    float s[N];
    uint8_t y[N] = {0}, rgb[W * H * 3];
    for (int t = 0; t < N; t++)
        s[t] = 3.0f;
    y[500] = 1;
    assert_int_equal(mae_plot_rgb(s, y, N, W, H, rgb), MEMAE_OK);
    int col = x0 + 500 * pw / N, mid = y0 + (int)lrint(0.5 * (ph - 1));
    expect_px(rgb + 3 * (y0 * W + col), mae_plot_colours[MEMAE_PLOT_SHADE], "shade", col, y0);
    expect_px(rgb + 3 * (y0 * W + col + 1), mae_plot_colours[MEMAE_PLOT_BACKGROUND], "bg", col + 1,
              y0);
    for (int x = x0; x < x0 + pw; x++)
        expect_px(rgb + 3 * (mid * W + x), mae_plot_colours[MEMAE_PLOT_CURVE], "curve", x, mid);
    assert_int_equal(mae_plot_rgb(s, NULL, 0, W, H, rgb), MEMAE_E_ARG);
    assert_int_equal(mae_plot_rgb(s, NULL, N, 8, H, rgb), MEMAE_E_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_round_trip), cmocka_unit_test(test_png_errors),
        cmocka_unit_test(test_heatmap),        cmocka_unit_test(test_plot_ramp),
        cmocka_unit_test(test_plot_dense),
    };
    return cmocka_run_group_tests(tests, make_tmp, remove_tmp);
}
