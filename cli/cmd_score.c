/* memae score: one anomaly score per sample. */
#include <stdio.h>
#include <stdlib.h>

#include "apply.h"
#include "commands.h"
#include "data.h"

static const char usage[] =
    "usage: memae score -m MODEL --data X [-o scores.npy|scores.csv] [--score mse|mae]\n"
    "\n"
    "Writes one anomaly score per sample (higher = more abnormal): the mean squared\n"
    "(mse, default) or absolute (mae) reconstruction error.  Without -o, CSV on stdout.\n"
    "\n" CLI_APPLY_HELP
    "  -o, --output F    scores.npy (float32) or scores.csv (index,score)\n"
    "  --score mse|mae   the score (default mse)\n" CLI_COMMON_HELP CLI_VIDEO_SCORE_HELP
    "  --heatmaps DIR    also write, into DIR, <video>_<frame>.png for the most abnormal\n"
    "                    frames (the frame with its per-pixel error laid over it) and\n"
    "                    <video>_scores.png, the score over time (with --labels GT, the\n"
    "                    abnormal frames shaded)\n"
    "  --heatmap-count K how many frames get a heatmap (default 10)\n"
    "  --labels GT       (videos) ground truth for the plots, as memae eval takes it\n"
    "Video CSV: video,frame,error,score; frame is 0-based; unscored frames have empty\n"
    "error and score.\n";

int cmd_score(int argc, char **argv)
{
    cli_apply a;
    int rc = cli_apply_begin(argc, argv, usage, &a);
    if (!rc && a.videos) {
        rc = cli_video_score(&a);
        cli_apply_end(&a);
        return rc;
    }
    float *s = rc ? NULL : cli_apply_scores(&a);
    if (!rc && !s)
        rc = 1;
    if (!rc && a.out)
        rc = cli_write_table(a.out, s, a.n, 1, 0, "score");
    else if (!rc)
        for (int64_t i = 0; i < a.n; i++)
            printf("%lld,%.9g\n", (long long)i, s[i]);
    free(s);
    cli_apply_end(&a);
    return rc < 0 ? 0 : rc;
}
