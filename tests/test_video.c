/* Video input and frame scores: decoding, the frame cache, data set lists,
 * clips, the official alignment and the normalisations.  Videos are made
 * with ffmpeg at 16 x 16 in a scratch folder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eval/video_score.h"
#include "data/frame_cache.h"
#include "io/media/video.h"
#include "io/media/video_list.h"
#include "data/clips.h"

static char dir[64];

static void sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

/* A video whose frame n is uniformly grey at level 10 * n (lossless ffv1). */
static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/memae_video_XXXXXX");
    assert_non_null(mkdtemp(dir));
    sh("mkdir -p %s/set/frames %s/cache && ffmpeg -nostdin -loglevel error -f lavfi -i "
       "\"color=c=black:s=16x16:r=25:d=0.8,format=gray,geq=lum='10*N'\" -frames:v 20 -c:v ffv1 "
       "%s/set/ramp.mkv && ffmpeg -nostdin -loglevel error -i %s/set/ramp.mkv -frames:v 5 "
       "%s/set/frames/%%03d.png",
       dir, dir, dir, dir, dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sh("rm -rf %s", dir);
    return 0;
}

static void test_decode(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/set/ramp.mkv", dir);
    memae_video_reader *r;
    memae_err err = {0};
    assert_int_equal(mae_video_open(path, 8, 8, &r, &err), MEMAE_OK);
    uint8_t px[64];
    int got, n = 0;
    while (mae_video_next(r, px, &got, &err) == MEMAE_OK && got) {
        assert_int_equal(px[0], 10 * n); /* grey levels survive the resize */
        assert_int_equal(px[63], 10 * n);
        n++;
    }
    assert_int_equal(err.status, MEMAE_OK);
    assert_int_equal(n, 20);
    assert_int_equal(mae_video_frames_read(r), 20);
    mae_video_close(r);
    snprintf(path, sizeof path, "%s/set/none.mkv", dir);
    assert_int_equal(mae_video_open(path, 8, 8, &r, &err), MEMAE_E_IO);
    assert_non_null(strstr(err.msg, "none.mkv"));
}

static void test_list_and_cache(void **state)
{
    (void)state;
    char set[128], cache[128];
    snprintf(set, sizeof set, "%s/set", dir);
    snprintf(cache, sizeof cache, "%s/cache", dir);
    char **paths;
    int64_t n;
    memae_err err = {0};
    assert_int_equal(mae_video_list(set, &paths, &n, &err), MEMAE_OK);
    assert_int_equal(n, 2); /* frames/ (a folder of frames), ramp.mkv: name order */
    char *a = mae_video_name(paths[0]), *b = mae_video_name(paths[1]);
    assert_string_equal(a, "frames");
    assert_string_equal(b, "ramp");
    free(a);
    free(b);
    mae_strings_free(paths, n);

    memae_video_set s;
    assert_int_equal(mae_video_set_open(set, cache, 4, 4, 0, NULL, NULL, &s, &err), MEMAE_OK);
    assert_int_equal(s.frames[0], 5);
    assert_int_equal(s.frames[1], 20);
    assert_int_equal(s.cache[1].frames[16 * 7], 70);

    /* Clips of 4 frames, stride 3: video 0 has 1 (start 0), video 1 has 6 (0..15). */
    memae_clips c;
    assert_int_equal(mae_clips_init(&c, &s, 4, 3, 2.0f / 255, -1.0f, &err), MEMAE_OK);
    assert_int_equal(c.n, 7);
    int64_t v, start;
    mae_clips_locate(&c, 3, &v, &start);
    assert_int_equal(v, 1);
    assert_int_equal(start, 6);
    float x[4 * 16];
    mae_clips_get(&c, 3, x);
    assert_float_equal(x[0], 60 * 2.0 / 255 - 1, 1e-6);
    assert_float_equal(x[3 * 16], 90 * 2.0 / 255 - 1, 1e-6);
    mae_clips_free(&c);
    mae_video_set_close(&s);

    /* Cached: not decoded again; a changed source is. */
    memae_frame_cache fc;
    int decoded;
    char path[128];
    snprintf(path, sizeof path, "%s/set/ramp.mkv", dir);
    assert_int_equal(mae_frame_cache_open(cache, path, 4, 4, &fc, &decoded, &err), MEMAE_OK);
    assert_int_equal(decoded, 0);
    mae_frame_cache_close(&fc);
    sh("sleep 0.01; touch %s", path);
    assert_int_equal(mae_frame_cache_open(cache, path, 4, 4, &fc, &decoded, &err), MEMAE_OK);
    assert_int_equal(decoded, 1);
    assert_int_equal(fc.n, 20);
    mae_frame_cache_close(&fc);
    /* Another size is another cache file. */
    assert_int_equal(mae_frame_cache_open(cache, path, 6, 6, &fc, &decoded, &err), MEMAE_OK);
    assert_int_equal(decoded, 1);
    mae_frame_cache_close(&fc);
    /* A flipped pixel byte fails the checksum: the cache is decoded again. */
    char *file = mae_frame_cache_path(cache, path, 4, 4);
    sh("printf '\\377' | dd of=%s bs=1 seek=100 conv=notrunc status=none", file);
    assert_int_equal(mae_frame_cache_open(cache, path, 4, 4, &fc, &decoded, &err), MEMAE_OK);
    assert_int_equal(decoded, 1);
    assert_int_equal(fc.frames[100 - 64], fc.frames[96 - 64]); /* a flat frame again */
    mae_frame_cache_close(&fc);
    free(file);
}

/* A forged frame count whose size product wraps is refused, not mapped. */
static void test_cache_header(void **state)
{
    (void)state;
    uint8_t f[64 + 32] = {'M', 'E', 'M', 'A', 'E', 'F', 'R', '2'};
    uint32_t hw = 4;
    int64_t n = (int64_t)(((uint64_t)1 << 63) / 8); /* n * 16 wraps to 0 */
    memcpy(f + 8, &hw, 4);
    memcpy(f + 12, &hw, 4);
    memcpy(f + 16, &n, 8);
    assert_false(mae_frame_cache_check(f, sizeof f, 4, 4, NULL));
    assert_false(mae_frame_cache_check(f, 64, 4, 4, NULL));
    n = 2;
    memcpy(f + 16, &n, 8);
    assert_false(mae_frame_cache_check(f, sizeof f, 4, 4, NULL)); /* no checksum */
}

static void test_align(void **state)
{
    (void)state;
    const float clips[3] = {1, 2, 3}; /* 18 frames, clips of 16 */
    float e[18], s[18];
    memae_err err = {0};
    assert_int_equal(mae_video_align(clips, 3, 16, 18, 0, e, &err), MEMAE_OK);
    for (int f = 0; f < 18; f++)
        if (f >= 8 && f <= 10)
            assert_float_equal(e[f], f - 7, 0); /* clip t scores frame t + 8 */
        else
            assert_true(isnan(e[f]));
    assert_int_equal(mae_video_normalize(e, 18, MEMAE_VNORM_VIDEO, 0, 1, s, &err), MEMAE_OK);
    assert_float_equal(s[8], 0, 0);
    assert_float_equal(s[9], 0.5, 1e-7);
    assert_float_equal(s[10], 1, 0);
    assert_true(isnan(s[0]));
    assert_int_equal(mae_video_normalize(e, 18, MEMAE_VNORM_TRAIN, 2, 0.5, s, &err), MEMAE_OK);
    assert_float_equal(s[10], 2, 1e-7);
    assert_int_equal(mae_video_normalize(e, 18, MEMAE_VNORM_TRAIN, 2, 0, s, &err), MEMAE_E_ARG);
    assert_int_equal(mae_video_align(clips, 3, 16, 18, 1, e, &err), MEMAE_OK);
    assert_float_equal(e[0], 1, 0);
    assert_float_equal(e[17], 3, 0);
    /* The clip count must fit the video: no silent shift. */
    assert_int_equal(mae_video_align(clips, 3, 16, 19, 0, e, &err), MEMAE_E_ARG);
    /* A video shorter than a clip has no scores, even with fill_edges. */
    assert_int_equal(mae_video_align(clips, 0, 16, 10, 1, e, &err), MEMAE_OK);
    assert_true(isnan(e[0]));
    assert_int_equal(mae_video_norm_parse("train"), MEMAE_VNORM_TRAIN);
    assert_int_equal(mae_video_norm_parse("minmax"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_list_and_cache),
        cmocka_unit_test(test_cache_header),
        cmocka_unit_test(test_align),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
