/* memae reconstruct: the model's reconstructions, in its input space. */
#include <stdio.h>
#include <stdlib.h>

#include "apply.h"
#include "io/array.h"
#include "commands.h"
#include "data.h"

static const char usage[] =
    "usage: memae reconstruct -m MODEL --data X -o Y.npy\n"
    "\n"
    "Writes the reconstructions as float32 (N, sample shape), in the model's input space\n"
    "(image2d: [0, 1]).\n"
    "\n" CLI_APPLY_HELP "  -o, --output F    Y.npy (required)\n" CLI_COMMON_HELP
    "\nVideos (a model of C x T x H x W clips): Y holds every clip's reconstruction,\n"
    "(N, 1, T, H, W) with clips in the order of the videos and of their first frames.\n"
    "  --clip-stride S   first frames of the clips S apart (default 1; T: no "
    "overlap)\n" CLI_VIDEO_CACHE_HELP;

int cmd_reconstruct(int argc, char **argv)
{
    cli_apply a;
    int rc = cli_apply_begin(argc, argv, usage, &a);
    if (!rc && !a.out)
        rc = cli_fail("reconstruct: -o Y.npy is required");
    else if (!rc && !memae_path_ends_with(a.out, ".npy"))
        rc = cli_fail("%s: reconstructions are written as .npy", a.out);
    if (!rc && a.videos) {
        rc = cli_video_reconstruct(&a);
        cli_apply_end(&a);
        return rc;
    }
    size_t ss = rc ? 0 : memae_model_sample_size(a.m);
    float *y = rc ? NULL : malloc((size_t)a.n * ss * sizeof *y);
    if (!rc && !y)
        rc = cli_fail("out of memory for %lld reconstructions", (long long)a.n);
    for (int64_t i = 0; !rc && i < a.n; i += a.batch) {
        int b = a.n - i < a.batch ? (int)(a.n - i) : a.batch;
        int st = memae_model_reconstruct(a.m, a.x + i * ss, b, y + i * ss, NULL);
        if (st)
            rc = cli_model_fail(a.m, st);
    }
    if (!rc) {
        int64_t shape[5] = {a.n};
        int nd;
        memae_model_input_shape(a.m, shape + 1, &nd);
        rc = cli_write_npy(a.out, y, shape, nd + 1);
    }
    free(y);
    cli_apply_end(&a);
    return rc < 0 ? 0 : rc;
}
