/* memae predict: 0/1 per sample by the model's threshold. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "apply.h"
#include "commands.h"
#include "data.h"

static const char usage[] =
    "usage: memae predict -m MODEL --data X [-o labels.npy|labels.csv] [--threshold T]\n"
    "\n"
    "Writes 1 (anomaly) for every sample whose score is above the threshold stored at\n"
    "training (or --threshold), else 0.  Without -o, CSV on stdout.\n"
    "\n" CLI_APPLY_HELP "  -o, --output F    labels.npy (uint8) or labels.csv (index,label)\n"
    "  --threshold T     override the stored threshold\n"
    "  --contamination C flag the share C of X: threshold at the (1 - C) quantile of its scores\n"
    "  --score mse|mae   the score (default: mse; use the one the threshold is "
    "for)\n" CLI_COMMON_HELP
    "\nVideos (a model of C x T x H x W clips): frame t is 1 when its raw error (that of\n"
    "the clip t-8..t+7, as memae score aligns it) is above the threshold; CSV rows\n"
    "video,frame,error,label with frame 0-based and empty fields for unscored frames.\n"
    "  --fill-edges      label the first 8 and last 7 frames from the nearest "
    "clip\n" CLI_VIDEO_CACHE_HELP;

int cmd_predict(int argc, char **argv)
{
    cli_apply a;
    int rc = cli_apply_begin(argc, argv, usage, &a);
    if (!rc && a.videos) {
        double t = a.threshold;
        if (!isnan(a.contamination))
            rc = cli_fail("predict: --contamination is for tables and images; for videos give "
                          "--threshold (on the raw frame error) or use the stored one");
        else if (isnan(t) && memae_model_threshold(a.m, &t) != MEMAE_OK)
            rc = cli_fail("%s: no threshold stored (train it with memae train, or give "
                          "--threshold)",
                          a.model);
        else
            rc = cli_video_predict(&a, t);
        cli_apply_end(&a);
        return rc;
    }
    float *s = rc ? NULL : cli_apply_scores(&a);
    if (!rc && !s)
        rc = 1;
    double t = rc ? NAN : cli_apply_threshold(&a, s);
    if (!rc && isnan(t))
        rc = cli_fail("%s: no threshold stored (train it with memae train, or give --threshold "
                      "or --contamination)",
                      a.model);
    for (int64_t i = 0; !rc && i < a.n; i++)
        s[i] = s[i] > t ? 1.0f : 0.0f;
    if (!rc && a.out)
        rc = cli_write_table(a.out, s, a.n, 1, 1, "label");
    else if (!rc)
        for (int64_t i = 0; i < a.n; i++)
            printf("%lld,%d\n", (long long)i, (int)s[i]);
    free(s);
    cli_apply_end(&a);
    return rc < 0 ? 0 : rc;
}
