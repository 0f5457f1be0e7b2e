/* memae predict on videos: 0/1 per frame, its raw error against the stored threshold. */
#include <math.h>

#include "apply.h"
#include "eval/video_score.h"
#include "video.h"

int cli_video_predict(cli_apply *a, double threshold)
{
    if (cli_video_check_output(a->out))
        return 1;
    cli_video_data d;
    if (cli_video_open(a->m, a->data, &a->video, 1, &d))
        return 1;
    /* The threshold is a quantile of raw training errors: compare raw errors. */
    cli_video_opts o = a->video;
    o.normalize = MEMAE_VNORM_NONE;
    cli_video_scores sc;
    int rc = cli_video_score_all(a->m, &d, a->kind, a->batch_given ? a->batch : 2, &o, &sc);
    for (int64_t v = 0; !rc && v < sc.nv; v++)
        for (int64_t f = 0; f < d.set.frames[v]; f++)
            if (!isnan(sc.err[v][f]))
                sc.score[v][f] = sc.err[v][f] > threshold ? 1.0f : 0.0f;
    if (!rc)
        rc = cli_video_write_csv(a->out, &d.set, &sc, "label");
    cli_video_scores_free(&sc);
    cli_video_close(&d);
    return rc;
}
