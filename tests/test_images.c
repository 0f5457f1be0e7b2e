/* Still images through FFmpeg.  Fixtures: tests/fixtures/images (see its README);
 * grey4x3.png holds the bytes of GREY below, the testsrc.* files one 8x6 picture. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/media/images.h"

static const uint8_t GREY[12] = {0, 1, 2, 3, 64, 65, 127, 128, 189, 254, 255, 42};

static void fixture(char *buf, size_t cap, const char *name)
{
    const char *dir = getenv("MEMAE_FIXTURES");
    snprintf(buf, cap, "%s/images/%s", dir && *dir ? dir : "tests/fixtures", name);
}

static uint8_t *decode_ok(const char *name, int channels, int h, int w, int *oh, int *ow)
{
    char path[512];
    fixture(path, sizeof path, name);
    uint8_t *px = NULL;
    memae_err err = {0};
    int st = mae_image_decode(path, channels, h, w, &px, oh, ow, &err);
    if (st != MEMAE_OK)
        fail_msg("%s: status %d: %s (set MEMAE_FIXTURES?)", path, st, err.msg);
    assert_non_null(px);
    return px;
}

/* ---- a scratch folder under /tmp ---- */

static void tmp_dir(char dir[64])
{
    strcpy(dir, "/tmp/memae_images_XXXXXX");
    assert_non_null(mkdtemp(dir));
}

static void put_bytes(const char *dir, const char *name, const void *data, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* Copies the first `limit` bytes (all when 0) of a fixture into dir. */
static void put_fixture(const char *dir, const char *name, const char *fixture_name, size_t limit)
{
    char src[512];
    fixture(src, sizeof src, fixture_name);
    FILE *f = fopen(src, "rb");
    if (!f)
        fail_msg("cannot open fixture %s (set MEMAE_FIXTURES?)", src);
    unsigned char buf[8192]; /* the fixtures are far smaller */
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    put_bytes(dir, name, buf, limit && limit < n ? limit : n);
}

/* Removes dir, its files and its empty sub-folders. */
static void rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) != 0)
            assert_int_equal(rmdir(path), 0);
    }
    closedir(d);
    assert_int_equal(rmdir(dir), 0);
}

static void expect_decode_error(const char *path, int channels, int h, int w, int status,
                                const char *in_msg)
{
    uint8_t *px = (uint8_t *)1;
    int oh = -1, ow = -1;
    memae_err err = {0};
    int st = mae_image_decode(path, channels, h, w, &px, &oh, &ow, &err);
    print_message("    %s\n", err.msg);
    assert_int_equal(st, status);
    assert_int_equal(err.status, status);
    assert_null(px);
    assert_int_equal(oh, 0);
    assert_int_equal(ow, 0);
    if (!strstr(err.msg, in_msg))
        fail_msg("message \"%s\" does not contain \"%s\"", err.msg, in_msg);
}

static void expect_dir_error(const char *dir, int channels, int h, int w, int status,
                             const char *in_msg, const char *in_msg2)
{
    memae_array a;
    memset(&a, 0xab, sizeof a);
    memae_err err = {0};
    int st = mae_images_read_dir(dir, channels, h, w, &a, &err);
    print_message("    %s\n", err.msg);
    assert_int_equal(st, status);
    assert_null(a.data);
    assert_int_equal(a.ndim, 0);
    assert_int_equal(a.nbytes, 0);
    if (!strstr(err.msg, in_msg) || (in_msg2 && !strstr(err.msg, in_msg2)))
        fail_msg("message \"%s\" lacks \"%s\" or \"%s\"", err.msg, in_msg, in_msg2 ? in_msg2 : "");
}

/* ---- tests ---- */

static void test_grey_exact(void **state)
{
    (void)state;
    int h, w;
    uint8_t *px = decode_ok("grey4x3.png", 1, 0, 0, &h, &w);
    assert_int_equal(h, 3);
    assert_int_equal(w, 4);
    assert_memory_equal(px, GREY, sizeof GREY);
    free(px);

    /* Asking for the image's own size must not resample. */
    px = decode_ok("grey4x3.png", 1, 3, 4, &h, &w);
    assert_memory_equal(px, GREY, sizeof GREY);
    free(px);

    /* Grey as RGB: three equal planes. */
    px = decode_ok("grey4x3.png", 3, 0, 0, &h, &w);
    for (int c = 0; c < 3; c++)
        assert_memory_equal(px + c * 12, GREY, sizeof GREY);
    free(px);
}

static void test_formats_agree(void **state)
{
    (void)state;
    int h, w;
    uint8_t *png = decode_ok("testsrc.png", 3, 0, 0, &h, &w);
    assert_int_equal(h, 6);
    assert_int_equal(w, 8);
    /* testsrc is colourful: the planes must differ, or R, G, B were mixed up. */
    assert_memory_not_equal(png, png + 48, 48);
    assert_memory_not_equal(png + 48, png + 96, 48);

    /* bmp (BGR, bottom-up) and tif are lossless: the very same bytes. */
    const char *lossless[] = {"testsrc.bmp", "testsrc.tif"};
    for (int i = 0; i < 2; i++) {
        uint8_t *px = decode_ok(lossless[i], 3, 0, 0, &h, &w);
        assert_int_equal(h, 6);
        assert_int_equal(w, 8);
        assert_memory_equal(px, png, 3 * 6 * 8);
        free(px);
    }

    /* jpg (quality 1, 4:4:4) is lossy: close on average. */
    uint8_t *jpg = decode_ok("testsrc.jpg", 3, 0, 0, &h, &w);
    long sum = 0;
    for (int i = 0; i < 3 * 6 * 8; i++)
        sum += labs((long)jpg[i] - png[i]);
    print_message("    jpg vs png: mean |diff| %.2f\n", sum / 144.0);
    assert_true(sum < 144 * 12);
    free(jpg);

    /* Grey from RGB is BT.601 luma (rounding and fixed point: +-2). */
    uint8_t *grey = decode_ok("testsrc.png", 1, 0, 0, &h, &w);
    for (int i = 0; i < 48; i++) {
        double y = 0.299 * png[i] + 0.587 * png[48 + i] + 0.114 * png[96 + i];
        if (grey[i] < y - 2 || grey[i] > y + 2)
            fail_msg("pixel %d: grey %d, luma of (%d,%d,%d) is %.1f", i, grey[i], png[i],
                     png[48 + i], png[96 + i], y);
    }
    free(grey);
    free(png);
}

static void test_resize(void **state)
{
    (void)state;
    int h, w;
    uint8_t *px = decode_ok("testsrc.png", 3, 3, 5, &h, &w);
    assert_int_equal(h, 3);
    assert_int_equal(w, 5);
    free(px);
    px = decode_ok("testsrc.jpg", 1, 13, 17, &h, &w);
    assert_int_equal(h, 13);
    assert_int_equal(w, 17);
    free(px);
    /* Bilinear keeps the range: upsampled grey stays within the source's extremes. */
    px = decode_ok("grey4x3.png", 1, 9, 16, &h, &w);
    assert_int_equal(h, 9);
    assert_int_equal(w, 16);
    int lo = 255, hi = 0;
    for (int i = 0; i < 9 * 16; i++) {
        lo = px[i] < lo ? px[i] : lo;
        hi = px[i] > hi ? px[i] : hi;
    }
    assert_true(lo < 20 && hi > 200);
    free(px);
}

static void test_dir_fixtures(void **state)
{
    (void)state;
    char dir[512];
    fixture(dir, sizeof dir, "");
    memae_array a;
    memae_err err = {0};
    int st = mae_images_read_dir(dir, 3, 6, 8, &a, &err);
    if (st != MEMAE_OK)
        fail_msg("%s: %s", dir, err.msg);
    assert_int_equal(a.dtype, MEMAE_U8);
    assert_int_equal(a.ndim, 4);
    const int64_t shape[4] = {5, 3, 6, 8};
    for (int i = 0; i < 4; i++)
        assert_int_equal(a.shape[i], shape[i]);
    assert_int_equal(a.nbytes, 5 * 3 * 6 * 8);
    /* strcmp order; README.md is not an image. */
    const char *order[5] = {"grey4x3.png", "testsrc.bmp", "testsrc.jpg", "testsrc.png",
                            "testsrc.tif"};
    for (int i = 0; i < 5; i++) {
        int h, w;
        uint8_t *px = decode_ok(order[i], 3, 6, 8, &h, &w);
        assert_memory_equal((uint8_t *)a.data + i * 144, px, 144);
        free(px);
    }
    mae_array_free(&a);
}

static void test_dir_selection(void **state)
{
    (void)state;
    char dir[64];
    tmp_dir(dir);
    put_fixture(dir, "a.jpeg", "testsrc.jpg", 0);
    put_fixture(dir, "Z.PNG", "grey4x3.png", 0);
    put_bytes(dir, ".hidden.png", "not an image\n", 13);
    put_bytes(dir, "notes.txt", "not an image\n", 13);
    char sub[128];
    snprintf(sub, sizeof sub, "%s/sub.png", dir);
    assert_int_equal(mkdir(sub, 0700), 0);

    /* Upper-case extensions count; "Z.PNG" sorts before "a.jpeg" in strcmp order. */
    memae_array a;
    memae_err err = {0};
    int st = mae_images_read_dir(dir, 1, 3, 4, &a, &err);
    if (st != MEMAE_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(a.shape[0], 2);
    assert_int_equal(a.shape[1], 1);
    assert_int_equal(a.shape[2], 3);
    assert_int_equal(a.shape[3], 4);
    assert_memory_equal(a.data, GREY, 12);
    assert_memory_not_equal((uint8_t *)a.data + 12, GREY, 12);
    mae_array_free(&a);
    rm_dir(dir);

    /* Own size kept when all agree; a trailing slash is fine. */
    tmp_dir(dir);
    put_fixture(dir, "1.png", "testsrc.png", 0);
    put_fixture(dir, "2.bmp", "testsrc.bmp", 0);
    char slash[80];
    snprintf(slash, sizeof slash, "%s/", dir);
    st = mae_images_read_dir(slash, 3, 0, 0, &a, &err);
    if (st != MEMAE_OK)
        fail_msg("%s", err.msg);
    const int64_t shape[4] = {2, 3, 6, 8};
    for (int i = 0; i < 4; i++)
        assert_int_equal(a.shape[i], shape[i]);
    assert_memory_equal(a.data, (uint8_t *)a.data + 144, 144);
    mae_array_free(&a);
    rm_dir(dir);
}

static void test_decode_errors(void **state)
{
    (void)state;
    char dir[64], path[128];
    tmp_dir(dir);

    snprintf(path, sizeof path, "%s/missing.png", dir);
    expect_decode_error(path, 3, 0, 0, MEMAE_E_IO, path);

    snprintf(path, sizeof path, "%s/text.png", dir);
    put_bytes(dir, "text.png", "hello, this is not a PNG\n", 25);
    expect_decode_error(path, 3, 0, 0, MEMAE_E_FORMAT, path);

    snprintf(path, sizeof path, "%s/empty.jpg", dir);
    put_bytes(dir, "empty.jpg", "", 0);
    expect_decode_error(path, 1, 0, 0, MEMAE_E_FORMAT, path);

    snprintf(path, sizeof path, "%s/half.png", dir);
    put_fixture(dir, "half.png", "testsrc.png", 64);
    expect_decode_error(path, 3, 0, 0, MEMAE_E_FORMAT, path);

    expect_decode_error(dir, 3, 0, 0, MEMAE_E_IO, dir);

    /* A colon must not be taken for a protocol ("http:", "concat:"). */
    snprintf(path, sizeof path, "%s/x:y.png", dir);
    put_fixture(dir, "x:y.png", "grey4x3.png", 0);
    int h, w;
    uint8_t *px = NULL;
    memae_err err = {0};
    assert_int_equal(mae_image_decode(path, 1, 0, 0, &px, &h, &w, &err), MEMAE_OK);
    assert_memory_equal(px, GREY, 12);
    free(px);

    fixture(path, sizeof path, "grey4x3.png");
    expect_decode_error(path, 2, 0, 0, MEMAE_E_ARG, path);
    expect_decode_error(path, 3, 5, 0, MEMAE_E_ARG, path);
    expect_decode_error(path, 3, -1, -1, MEMAE_E_ARG, path);
    rm_dir(dir);
}

static void test_dir_errors(void **state)
{
    (void)state;
    char dir[64], path[128];
    tmp_dir(dir);
    expect_dir_error(dir, 3, 0, 0, MEMAE_E_IO, dir, NULL);

    put_bytes(dir, "readme.txt", "no images here\n", 15);
    expect_dir_error(dir, 3, 0, 0, MEMAE_E_IO, dir, NULL);

    /* Two sizes: the message names the odd file and both sizes. */
    put_fixture(dir, "a.png", "grey4x3.png", 0);
    put_fixture(dir, "b.png", "testsrc.png", 0);
    snprintf(path, sizeof path, "%s/b.png", dir);
    expect_dir_error(dir, 1, 0, 0, MEMAE_E_SHAPE, path, "6x8");
    expect_dir_error(dir, 1, 0, 0, MEMAE_E_SHAPE, path, "3x4");

    /* With a size to resize to, they are fine... */
    memae_array a;
    memae_err err = {0};
    assert_int_equal(mae_images_read_dir(dir, 1, 6, 8, &a, &err), MEMAE_OK);
    assert_int_equal(a.shape[0], 2);
    mae_array_free(&a);

    /* ...until a file cannot be decoded. */
    put_bytes(dir, "c.png", "plain text\n", 11);
    snprintf(path, sizeof path, "%s/c.png", dir);
    expect_dir_error(dir, 1, 6, 8, MEMAE_E_FORMAT, path, NULL);

    expect_dir_error(dir, 4, 6, 8, MEMAE_E_ARG, dir, NULL);
    rm_dir(dir);

    expect_dir_error(dir, 3, 0, 0, MEMAE_E_IO, dir, NULL); /* gone now */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grey_exact),    cmocka_unit_test(test_formats_agree),
        cmocka_unit_test(test_resize),        cmocka_unit_test(test_dir_fixtures),
        cmocka_unit_test(test_dir_selection), cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_dir_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
