/*
 * Pictures of the scores, drawn into RGB24 buffers (h rows of w * 3 bytes)
 * that io/media/png.h writes: an error map laid over a frame, and a score-over-time
 * plot per video.  No text is drawn (no font dependency): the CLI names the
 * files after the video and frame.
 */
#ifndef MEMAE_EVAL_FIGURES_H
#define MEMAE_EVAL_FIGURES_H

#include <stdint.h>

/*
 * The grey frame (w * h bytes) with the per-pixel error err (w * h floats)
 * over it in the 'inferno' colour map.  e = err / err_max, clipped to [0, 1]
 * (NaN counts as 0), picks the colour and the opacity, 0.75 * e, so that low
 * error leaves the frame visible and high error stands out.  err_max <= 0 or
 * not finite draws the frame alone.
 */
void mae_heatmap_rgb(const uint8_t *grey, const float *err, int w, int h, float err_max,
                     uint8_t *rgb);

/* The colour of e in [0, 1] (clipped) in the map mae_heatmap_rgb uses. */
void mae_colormap(float e, uint8_t rgb[3]);

/* Colours of the plot, as RGB triples. */
enum { MEMAE_PLOT_BACKGROUND, MEMAE_PLOT_SHADE, MEMAE_PLOT_CURVE, MEMAE_PLOT_AXES };
extern const uint8_t mae_plot_colours[4][3];

/* The plot's data area inside a w x h figure: columns x0 .. x0 + pw - 1 and
 * rows y0 .. y0 + ph - 1 (top row = highest score); the axes frame it one
 * pixel outside, ticks below. */
void mae_plot_area(int w, int h, int *x0, int *y0, int *pw, int *ph);

/*
 * The score over time of one video, n frames, into a w x h figure (w, h >= 16).
 * Frame t owns the columns from x0 + floor(t * pw / n) to x0 + floor((t + 1)
 * * pw / n) - 1 (at least the first), and its point sits at their middle; the
 * height is scaled to the min .. max of the finite scores (the middle when
 * they are all equal).  Consecutive finite points are joined by a line; a NaN
 * score leaves a gap (the unscored ends of a video).  When labels is not NULL,
 * the columns of anomalous frames (1) are shaded top to bottom.  Ticks under
 * the axis mark frames at a round step (1, 2, 5 x 10^k) giving at most 10.
 * Returns MEMAE_OK, or MEMAE_E_ARG (n < 1, a figure too small, NULL pointers).
 */
int mae_plot_rgb(const float *scores, const uint8_t *labels, int64_t n, int w, int h, uint8_t *rgb);

#endif
