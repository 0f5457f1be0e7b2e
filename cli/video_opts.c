#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eval/video_score.h"
#include "io/array.h"
#include "io/video.h"
#include "video.h"

void cli_video_opts_default(cli_video_opts *v)
{
    memset(v, 0, sizeof *v);
    v->clip_stride = 1;
    v->normalize = MEMAE_VNORM_VIDEO;
    v->heatmap_count = 10;
}

int cli_video_flag(cli_video_opts *v, const char *name, const char *arg)
{
    long n;
    if (!strcmp(name, "cache")) {
        v->cache = arg;
        return 1;
    }
    if (!strcmp(name, "fill-edges")) {
        v->fill_edges = 1;
        return 1;
    }
    if (!strcmp(name, "heatmaps")) {
        v->heatmaps = arg;
        return 1;
    }
    if (!strcmp(name, "clip-stride") || !strcmp(name, "heatmap-count")) {
        int stride = !strcmp(name, "clip-stride");
        if (cli_parse_int(stride ? "--clip-stride" : "--heatmap-count", arg, 1, 1000000, &n))
            return -1;
        *(stride ? &v->clip_stride : &v->heatmap_count) = (int)n;
        return 1;
    }
    if (!strcmp(name, "normalize")) {
        if ((v->normalize = memae_video_norm_parse(arg)) < 0) {
            cli_fail("--normalize: '%s' is not video, train or none", arg);
            return -1;
        }
        return 1;
    }
    return 0;
}

int cli_is_video_path(const char *path)
{
    struct stat s;
    if (!path || !*path)
        return 0;
    /* A folder of videos or frames, a video file, or a list of them; arrays
     * (.npy, IDX) go to the array loaders. */
    if (stat(path, &s) == 0 && S_ISDIR(s.st_mode))
        return 1;
    return memae_is_video_name(path) || memae_path_ends_with(path, ".txt") ||
           memae_path_ends_with(path, ".lst");
}
