#include "eval/figures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "memae.h"

/* matplotlib's 'inferno' at 9 evenly spaced points: perceptually uniform and
 * readable in grey print; interpolated linearly between them. */
static const uint8_t inferno[9][3] = {
    {0, 0, 4},     {31, 12, 72},   {85, 15, 109},  {136, 34, 106},  {186, 54, 85},
    {227, 89, 51}, {249, 140, 10}, {249, 201, 50}, {252, 255, 164},
};

void mae_colormap(float e, uint8_t rgb[3])
{
    if (!(e > 0))
        e = 0;
    if (e > 1)
        e = 1;
    float x = e * 8;
    int i = x >= 8 ? 7 : (int)x;
    float f = x - (float)i;
    for (int c = 0; c < 3; c++)
        rgb[c] = (uint8_t)lrintf((1 - f) * inferno[i][c] + f * inferno[i + 1][c]);
}

void mae_heatmap_rgb(const uint8_t *grey, const float *err, int w, int h, float err_max,
                     uint8_t *rgb)
{
    int overlay = isfinite(err_max) && err_max > 0;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        float e = overlay ? err[i] / err_max : 0;
        if (!(e > 0))
            e = 0;
        if (e > 1)
            e = 1;
        uint8_t c[3];
        mae_colormap(e, c);
        float a = 0.75f * e;
        for (int k = 0; k < 3; k++)
            rgb[3 * i + k] = (uint8_t)lrintf((1 - a) * grey[i] + a * c[k]);
    }
}

const uint8_t mae_plot_colours[4][3] = {
    [MEMAE_PLOT_BACKGROUND] = {255, 255, 255},
    [MEMAE_PLOT_SHADE] = {255, 205, 205},
    [MEMAE_PLOT_CURVE] = {31, 119, 180},
    [MEMAE_PLOT_AXES] = {0, 0, 0},
};

/* Margin around the data area: the axis line, ticks below it, and air. */
#define PLOT_MARGIN 6
#define PLOT_TICK 3

void mae_plot_area(int w, int h, int *x0, int *y0, int *pw, int *ph)
{
    *x0 = PLOT_MARGIN;
    *y0 = PLOT_MARGIN;
    *pw = w - 2 * PLOT_MARGIN;
    *ph = h - 2 * PLOT_MARGIN;
}

typedef struct canvas {
    uint8_t *rgb;
    int w, h;
} canvas;

static void put(const canvas *cv, int x, int y, int colour)
{
    if (x >= 0 && y >= 0 && x < cv->w && y < cv->h)
        memcpy(cv->rgb + 3 * ((size_t)y * cv->w + x), mae_plot_colours[colour], 3);
}

/* Bresenham: every pixel of the 8-connected line, both ends included. */
static void line(const canvas *cv, int xa, int ya, int xb, int yb, int colour)
{
    int dx = abs(xb - xa), dy = -abs(yb - ya);
    int sx = xa < xb ? 1 : -1, sy = ya < yb ? 1 : -1, e = dx + dy;
    for (;;) {
        put(cv, xa, ya, colour);
        if (xa == xb && ya == yb)
            return;
        int e2 = 2 * e;
        if (e2 >= dy) {
            e += dy;
            xa += sx;
        }
        if (e2 <= dx) {
            e += dx;
            ya += sy;
        }
    }
}

static void band(int64_t t, int64_t n, int pw, int *lo, int *hi)
{
    *lo = (int)(t * pw / n);
    *hi = (int)((t + 1) * pw / n) - 1;
    if (*hi < *lo)
        *hi = *lo;
}

/* The smallest of 1, 2, 5 x 10^k that puts at most 10 ticks on n frames. */
static int64_t tick_step(int64_t n)
{
    static const int mant[3] = {1, 2, 5};
    for (int64_t p = 1;; p *= 10)
        for (int k = 0; k < 3; k++)
            if ((n - 1) / (p * mant[k]) + 1 <= 10)
                return p * mant[k];
}

static void ticks(const canvas *cv, int64_t n, int x0, int yaxis, int pw)
{
    int64_t step = tick_step(n);
    for (int64_t t = 0; t < n; t += step) {
        int lo, hi;
        band(t, n, pw, &lo, &hi);
        line(cv, x0 + (lo + hi) / 2, yaxis + 1, x0 + (lo + hi) / 2, yaxis + PLOT_TICK,
             MEMAE_PLOT_AXES);
    }
}

int mae_plot_rgb(const float *scores, const uint8_t *labels, int64_t n, int w, int h, uint8_t *rgb)
{
    if (!scores || !rgb || n < 1 || w < 16 || h < 16)
        return MEMAE_E_ARG;
    canvas cv = {rgb, w, h};
    int x0, y0, pw, ph;
    mae_plot_area(w, h, &x0, &y0, &pw, &ph);
    for (size_t i = 0; i < (size_t)w * h; i++)
        memcpy(rgb + 3 * i, mae_plot_colours[MEMAE_PLOT_BACKGROUND], 3);
    float lo = INFINITY, hi = -INFINITY;
    for (int64_t t = 0; t < n; t++) {
        int a, b;
        band(t, n, pw, &a, &b);
        if (labels && labels[t])
            for (int x = a; x <= b; x++)
                line(&cv, x0 + x, y0, x0 + x, y0 + ph - 1, MEMAE_PLOT_SHADE);
        if (isfinite(scores[t])) {
            lo = fminf(lo, scores[t]);
            hi = fmaxf(hi, scores[t]);
        }
    }
    line(&cv, x0 - 1, y0 - 1, x0 + pw, y0 - 1, MEMAE_PLOT_AXES);
    line(&cv, x0 + pw, y0 - 1, x0 + pw, y0 + ph, MEMAE_PLOT_AXES);
    line(&cv, x0 + pw, y0 + ph, x0 - 1, y0 + ph, MEMAE_PLOT_AXES);
    line(&cv, x0 - 1, y0 + ph, x0 - 1, y0 - 1, MEMAE_PLOT_AXES);
    ticks(&cv, n, x0, y0 + ph, pw);
    int px = 0, py = 0, have = 0;
    for (int64_t t = 0; t < n; t++) {
        if (!isfinite(scores[t])) {
            have = 0;
            continue;
        }
        int a, b;
        band(t, n, pw, &a, &b);
        double f = hi > lo ? (double)(hi - scores[t]) / ((double)hi - lo) : 0.5;
        int x = x0 + (a + b) / 2, y = y0 + (int)lrint(f * (ph - 1));
        line(&cv, have ? px : x, have ? py : y, x, y, MEMAE_PLOT_CURVE);
        px = x;
        py = y;
        have = 1;
    }
    return MEMAE_OK;
}
