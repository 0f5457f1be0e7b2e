/* memae train on videos: clips streamed from the frame cache, shuffled across videos. */
#include <stdio.h>
#include <stdlib.h>

#include "data.h"
#include "video.h"

int cli_video_train(const cli_video_train_args *a)
{
    char *json = cli_config_json(a->preset, a->config, a->shape, a->tc->recipe);
    if (!json)
        return 1;
    memae_model *m = NULL;
    int st = memae_model_create(json, a->common->seed, &m), rc = 0;
    free(json);
    if (!m)
        return cli_fail("out of memory");
    if (st)
        rc = cli_model_fail(m, st);
    else
        rc = cli_apply_common(a->common, m);
    cli_video_data d;
    if (!rc && !(rc = cli_video_open(m, a->data, a->video, a->video->clip_stride, &d))) {
        memae_train_config tc = *a->tc;
        memae_source src = memae_clips_source(&d.clips);
        if (d.clips.n == 0)
            rc = cli_fail("%s: no video has %d frames, the length of a clip", a->data, d.clips.t);
        else if (!tc.epochs && (tc.epochs = memae_train_auto_epochs(m, tc.recipe, d.clips.n)) < 0)
            rc = cli_model_fail(m, -tc.epochs);
        else if ((st = memae_train_source(m, &src, &tc, cli_progress, NULL)))
            rc = cli_model_fail(m, st);
        else if ((st = memae_model_save(m, a->out)))
            rc = cli_model_fail(m, st);
        double thr;
        if (!rc && memae_model_threshold(m, &thr) == MEMAE_OK)
            printf("wrote %s: %lld clips of %d frames from %lld videos, %d epochs, threshold "
                   "%.6g (contamination %g)\n",
                   a->out, (long long)d.clips.n, d.clips.t, (long long)d.set.nv, tc.epochs, thr,
                   tc.contamination);
        cli_video_close(&d);
    }
    memae_model_free(m);
    return rc;
}
