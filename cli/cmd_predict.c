/* memae predict: 0/1 per sample (or per frame of videos) by the model's threshold. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "apply.h"
#include "commands.h"

static const cli_opt opts[] = {
    CLI_OPTS_APPLY,
    {"output", K_OUTPUT, 0, 0, "  -o, --output F    labels.npy (uint8) or labels.csv (index,label)\n"},
    {"threshold", K_THRESHOLD, -INFINITY, INFINITY,
     "  --threshold T     override the stored threshold\n"},
    {"contamination", K_CONTAMINATION, 1e-9, 1 - 1e-9,
     "  --contamination C flag the share C of X: threshold at the (1 - C) quantile of its scores\n"},
    {"score", K_SCORE, 0, 0,
     "  --score mse|mae   the score (default: mse; use the one the threshold is for)\n"},
    CLI_OPTS_COMMON,
    {NULL, K_TEXT, 0, 0,
     "\nVideos (a model of C x T x H x W clips): frame t is 1 when its raw error (that of\n"
     "the clip t-8..t+7, as memae score aligns it) is above the threshold; CSV rows\n"
     "video,frame,error,label with frame 0-based and empty fields for unscored frames.\n"},
    {"fill-edges", K_FILL_EDGES, 0, 0,
     "  --fill-edges      label the first 8 and last 7 frames from the nearest clip\n"},
    CLI_OPTS_VIDEO_INPUT,
    {0}};

static const cli_command cmd = {
    .name = "predict",
    .head = "usage: memae predict -m MODEL --data X [-o labels.npy|labels.csv] [--threshold T]\n"
            "\n"
            "Writes 1 (anomaly) for every sample whose score is above the threshold stored at\n"
            "training (or --threshold), else 0.  Without -o, CSV on stdout.\n"
            "\n",
    .opts = opts,
    CLI_APPLY_COMMAND,
};

/* The threshold of videos: a quantile of raw training errors, so raw errors are compared. */
static int video_threshold(cli_apply *p, double *t)
{
    *t = p->a.threshold;
    if (!isnan(p->a.contamination))
        return cli_fail("predict: --contamination is for tables and images; for videos give "
                        "--threshold (on the raw frame error) or use the stored one");
    if (isnan(*t) && memae_model_threshold(p->m, t) != MEMAE_OK)
        return cli_fail("%s: no threshold stored (train it with memae train, or give "
                        "--threshold)",
                        p->a.model);
    p->a.score_opts.normalize = MEMAE_NORM_NONE;
    if (cli_frames_check_output(p->a.out))
        return 1;
    return cli_apply_open(p);
}

int cmd_predict(int argc, char **argv)
{
    cli_apply p;
    double t = NAN;
    int rc = cli_apply_begin(&cmd, argc, argv, &p);
    if (!rc && p.videos)
        rc = video_threshold(&p, &t);
    memae_results r = {0};
    if (!rc)
        rc = cli_apply_score(&p, &p.a.score_opts, &r);
    if (!rc && !p.videos && isnan(t = cli_apply_threshold(&p, r.score, r.n)))
        rc = cli_fail("%s: no threshold stored (train it with memae train, or give --threshold "
                      "or --contamination)",
                      p.a.model);
    for (int64_t i = 0; !rc && i < r.n; i++)
        if (!isnan(r.error[i]))
            r.score[i] = r.error[i] > t ? 1.0f : 0.0f;
    if (!rc)
        rc = cli_apply_write(&p, &r, "label", 1);
    memae_results_free(&r);
    cli_apply_end(&p);
    return rc;
}
