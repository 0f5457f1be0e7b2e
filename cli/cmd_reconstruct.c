/* memae reconstruct: the model's reconstructions, in its input space. */
#include <stdio.h>
#include <stdlib.h>

#include "apply.h"
#include "commands.h"

static const cli_opt opts[] = {
    CLI_OPTS_APPLY,
    {"output", K_OUTPUT, 0, 0, "  -o, --output F    Y.npy (required)\n"},
    CLI_OPTS_COMMON,
    {NULL, K_TEXT, 0, 0,
     "\nVideos (a model of C x T x H x W clips): Y holds every clip's reconstruction,\n"
     "(N, 1, T, H, W) with clips in the order of the videos and of their first frames.\n"},
    {"clip-stride", K_CLIP_STRIDE, 1, 1000000,
     "  --clip-stride S   first frames of the clips S apart (default 1; T: no overlap)\n"},
    CLI_OPTS_VIDEO_INPUT,
    {0}};

static const cli_command cmd = {
    .name = "reconstruct",
    .head = "usage: memae reconstruct -m MODEL --data X -o Y.npy\n"
            "\n"
            "Writes the reconstructions as float32 (N, sample shape), in the model's input space\n"
            "(image2d: [0, 1]).\n"
            "\n",
    .opts = opts,
    CLI_APPLY_COMMAND,
};

int cmd_reconstruct(int argc, char **argv)
{
    cli_apply p;
    int rc = cli_apply_begin(&cmd, argc, argv, &p);
    if (!rc && !p.a.out)
        rc = cli_fail("reconstruct: -o Y.npy is required");
    else if (!rc && !cli_has_ext(p.a.out, ".npy"))
        rc = cli_fail("%s: reconstructions are written as .npy", p.a.out);
    if (!rc && p.videos)
        rc = cli_apply_open(&p);
    memae_dataset_info info = {0};
    if (!rc)
        memae_dataset_info_get(p.d, &info);
    size_t ss = rc ? 0 : memae_model_sample_size(p.m);
    /* The whole output is one array, so it is held in memory: for videos a
     * --clip-stride of T (non-overlapping clips) keeps it the size of the video. */
    float *y = rc ? NULL : malloc((size_t)(info.n ? info.n : 1) * ss * sizeof *y);
    if (!rc && !y)
        rc = p.videos ? cli_fail("out of memory for %lld reconstructed clips", (long long)info.n)
                      : cli_fail("out of memory for %lld reconstructions", (long long)info.n);
    if (!rc && info.n == 0)
        rc = cli_fail("%s: no video has %d frames, the length of a clip", p.a.data,
                      info.clip_length);
    int st;
    if (!rc && (st = memae_dataset_reconstruct(p.m, p.d, p.a.batch, y)))
        rc = cli_model_fail(p.m, st);
    if (!rc) {
        int64_t shape[5] = {info.n};
        int nd;
        memae_model_input_shape(p.m, shape + 1, &nd);
        rc = cli_write_npy(p.a.out, y, shape, nd + 1);
    }
    free(y);
    cli_apply_end(&p);
    return rc;
}
