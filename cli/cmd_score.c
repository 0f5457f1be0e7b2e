/* memae score: one anomaly score per sample, or per frame of videos. */
#include <stdio.h>
#include <stdlib.h>

#include "apply.h"
#include "commands.h"

static const cli_opt opts[] = {
    CLI_OPTS_APPLY,
    {"output", K_OUTPUT, 0, 0, "  -o, --output F    scores.npy (float32) or scores.csv (index,score)\n"},
    {"score", K_SCORE, 0, 0, "  --score mse|mae   the score (default mse)\n"},
    CLI_OPTS_COMMON,
    CLI_OPTS_VIDEO_SCORE,
    {"heatmaps", K_HEATMAPS, 0, 0,
     "  --heatmaps DIR    also write, into DIR, <video>_<frame>.png for the most abnormal\n"
     "                    frames (the frame with its per-pixel error laid over it) and\n"
     "                    <video>_scores.png, the score over time (with --labels GT, the\n"
     "                    abnormal frames shaded)\n"},
    {"heatmap-count", K_HEATMAP_COUNT, 1, 1000000,
     "  --heatmap-count K how many frames get a heatmap (default 10)\n"},
    {"labels", K_LABELS, 0, 0,
     "  --labels GT       (videos) ground truth for the plots, as memae eval takes it\n"},
    {0}};

static const cli_command cmd = {
    .name = "score",
    .head = "usage: memae score -m MODEL --data X [-o scores.npy|scores.csv] [--score mse|mae]\n"
            "\n"
            "Writes one anomaly score per sample (higher = more abnormal): the mean squared\n"
            "(mse, default) or absolute (mae) reconstruction error.  Without -o, CSV on stdout.\n"
            "\n",
    .opts = opts,
    .tail = "Video CSV: video,frame,error,score; frame is 0-based; unscored frames have empty\n"
            "error and score.\n",
    CLI_APPLY_COMMAND,
};

/* --heatmaps: the pictures, with the ground truth shaded when --labels is given. */
static int figures(cli_apply *p, const memae_results *r)
{
    uint8_t *labels = NULL;
    int st = p->a.labels ? memae_dataset_load_labels(p->d, p->a.labels, -1, &labels) : 0;
    if (st)
        return cli_data_fail(p->d, st);
    st = memae_dataset_figures(p->m, p->d, r, labels, p->a.heatmaps, p->a.heatmap_count);
    memae_free(labels);
    return st ? cli_model_fail(p->m, st) : 0;
}

int cmd_score(int argc, char **argv)
{
    cli_apply p;
    int rc = cli_apply_begin(&cmd, argc, argv, &p);
    if (!rc && p.videos && !(rc = cli_frames_check_output(p.a.out))) /* before minutes of work */
        rc = cli_apply_open(&p);
    memae_results r = {0};
    if (!rc)
        rc = cli_apply_score(&p, &p.a.score_opts, &r);
    if (!rc && p.videos && p.a.heatmaps)
        rc = figures(&p, &r);
    if (!rc)
        rc = cli_apply_write(&p, &r, "score", 0);
    memae_results_free(&r);
    cli_apply_end(&p);
    return rc;
}
