/* memae reconstruct on videos: the reconstruction of every clip, in the model's input space. */
#include <stdio.h>
#include <stdlib.h>

#include "apply.h"
#include "data.h"
#include "video.h"

int cli_video_reconstruct(cli_apply *a)
{
    cli_video_data d;
    if (cli_video_open(a->m, a->data, &a->video, a->video.clip_stride, &d))
        return 1;
    size_t ss = memae_model_sample_size(a->m);
    int64_t n = d.clips.n;
    int batch = a->batch_given ? a->batch : 2, rc = 0;
    /* The whole output is one array, so it is held in memory: a --clip-stride
     * of T (non-overlapping clips) keeps it the size of the decoded video. */
    float *x = malloc((size_t)batch * ss * sizeof *x),
          *y = malloc((size_t)(n ? n : 1) * ss * sizeof *y);
    if (!x || !y)
        rc = cli_fail("out of memory for %lld reconstructed clips", (long long)n);
    if (!rc && n == 0)
        rc = cli_fail("%s: no video has %d frames, the length of a clip", a->data, d.clips.t);
    for (int64_t i = 0; !rc && i < n; i += batch) {
        int b = n - i < batch ? (int)(n - i) : batch;
        for (int k = 0; k < b; k++)
            memae_clips_get(&d.clips, i + k, x + (size_t)k * ss);
        int st = memae_model_reconstruct(a->m, x, b, y + (size_t)i * ss, NULL);
        if (st)
            rc = cli_model_fail(a->m, st);
    }
    if (!rc) {
        int64_t shape[5] = {n};
        int nd;
        memae_model_input_shape(a->m, shape + 1, &nd);
        rc = cli_write_npy(a->out, y, shape, nd + 1);
    }
    free(x);
    free(y);
    cli_video_close(&d);
    return rc;
}
