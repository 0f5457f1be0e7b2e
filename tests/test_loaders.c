/* IDX and npy loaders, npy writer, conversion to float.  Fixtures come from
 * tests/golden/gen_loaders.py; element i follows the val_* formulas there. */
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
#include <zlib.h>

#include "io/formats/array.h"

typedef int (*reader_fn)(const char *, memae_array *, memae_err *);

static uint8_t val_u8(int64_t i) { return (uint8_t)((i * 37 + 11) % 256); }
static float val_f(int64_t i) { return (float)i * 0.25f - 1.5f; }
static int64_t val_i64(int64_t i) { return i * 1000000007LL - 5; }
static int16_t val_i16(int64_t i) { return (int16_t)(i * 200 - 300); }

static void fixture(char *buf, size_t cap, const char *name)
{
    const char *dir = getenv("MEMAE_FIXTURES");
    snprintf(buf, cap, "%s/loaders/%s", dir && *dir ? dir : "tests/fixtures", name);
}

static unsigned char *slurp(const char *name, size_t *n)
{
    char path[512];
    fixture(path, sizeof path, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open fixture %s (set MEMAE_FIXTURES?)", path);
    unsigned char *buf = malloc(1 << 16);
    assert_non_null(buf);
    *n = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

static void tmp_write(char path[64], const void *data, size_t n)
{
    strcpy(path, "/tmp/memae_loaders_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
}

static void tmp_write_gz(char path[64], const void *data, size_t n)
{
    tmp_write(path, "", 0);
    gzFile gz = gzopen(path, "wb");
    assert_non_null(gz);
    assert_int_equal(gzwrite(gz, data, (unsigned)n), (int)n);
    assert_int_equal(gzclose(gz), Z_OK);
}

static void load_ok(reader_fn rd, const char *name, memae_array *a)
{
    char path[512];
    fixture(path, sizeof path, name);
    memae_err err = {0};
    int st = rd(path, a, &err);
    if (st != MEMAE_OK)
        fail_msg("%s: status %d: %s", name, st, err.msg);
    assert_non_null(a->data);
}

static void check_shape(const memae_array *a, memae_dtype t, int ndim, const int64_t *shape)
{
    assert_int_equal(a->dtype, t);
    assert_int_equal(a->ndim, ndim);
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        assert_int_equal(a->shape[i], shape[i]);
        n *= shape[i];
    }
    assert_int_equal(a->nbytes, (size_t)n * mae_dtype_size(t));
}

static void check_u8(const char *name, reader_fn rd, int ndim, const int64_t *shape)
{
    memae_array a;
    load_ok(rd, name, &a);
    check_shape(&a, MEMAE_U8, ndim, shape);
    for (size_t i = 0; i < a.nbytes; i++)
        assert_int_equal(((uint8_t *)a.data)[i], val_u8((int64_t)i));
    mae_array_free(&a);
    assert_null(a.data);
}

static void check_f32(const char *name, reader_fn rd, int ndim, const int64_t *shape)
{
    memae_array a;
    load_ok(rd, name, &a);
    check_shape(&a, MEMAE_F32, ndim, shape);
    for (size_t i = 0; i < a.nbytes / 4; i++)
        assert_true(((float *)a.data)[i] == val_f((int64_t)i));
    mae_array_free(&a);
}

/* Fails with status, a one-line message naming path (and needle), *out left empty. */
static void expect_fail(reader_fn rd, const char *path, int status, const char *needle)
{
    memae_array a;
    memae_err err = {0};
    int st = rd(path, &a, &err);
    print_message("    [%d] %s\n", st, err.msg);
    if (st != status)
        fail_msg("%s: expected status %d, got %d: %s", path, status, st, err.msg);
    assert_int_equal(err.status, status);
    if (!strstr(err.msg, path) || (needle && !strstr(err.msg, needle)))
        fail_msg("message lacks '%s' or '%s': %s", path, needle ? needle : "", err.msg);
    assert_null(strchr(err.msg, '\n'));
    assert_null(a.data);
    assert_int_equal(a.ndim, 0);
    mae_array_free(&a);
}

static void expect_fail_bytes(reader_fn rd, const void *data, size_t n, int gz, int status,
                              const char *needle)
{
    char path[64];
    if (gz)
        tmp_write_gz(path, data, n);
    else
        tmp_write(path, data, n);
    expect_fail(rd, path, status, needle);
    unlink(path);
}

/* ------------------------------------------------------------------ IDX */

static void test_idx_good(void **state)
{
    (void)state;
    const int64_t img[] = {3, 4, 5}, lab[] = {10};
    check_u8("images.idx", mae_idx_read, 3, img);
    check_u8("images.idx.gz", mae_idx_read, 3, img);
    check_u8("labels.idx", mae_idx_read, 1, lab);
    check_u8("labels.idx.gz", mae_idx_read, 1, lab);
    const int64_t s23[] = {2, 3}, s4[] = {4};
    check_f32("f32.idx", mae_idx_read, 2, s23);
    memae_array a;
    load_ok(mae_idx_read, "i16.idx", &a);
    check_shape(&a, MEMAE_I16, 1, s4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(((int16_t *)a.data)[i], val_i16(i));
    mae_array_free(&a);
}

static void test_idx_bad(void **state)
{
    (void)state;
    size_t n, ngz;
    unsigned char *img = slurp("images.idx", &n);
    unsigned char *gz = slurp("images.idx.gz", &ngz);
    assert_int_equal(n, 16 + 60);

    expect_fail_bytes(mae_idx_read, "", 0, 0, MEMAE_E_TRUNCATED, "truncated header");
    expect_fail_bytes(mae_idx_read, img, 3, 0, MEMAE_E_TRUNCATED, "truncated header");
    expect_fail_bytes(mae_idx_read, img, 10, 0, MEMAE_E_TRUNCATED, "file has 10");
    expect_fail_bytes(mae_idx_read, img, 10, 1, MEMAE_E_TRUNCATED, "truncated header");
    expect_fail_bytes(mae_idx_read, img, 26, 0, MEMAE_E_TRUNCATED,
                      "header says 3x4x5 uint8 (60 bytes), file has 10 bytes of data");
    expect_fail_bytes(mae_idx_read, img, 26, 1, MEMAE_E_TRUNCATED,
                      "file has 10 bytes of data after decompression");
    /* A gzip stream cut inside its trailer, or halfway, or with a bad CRC. */
    expect_fail_bytes(mae_idx_read, gz, ngz - 4, 0, MEMAE_E_TRUNCATED, "gzip stream ends");
    expect_fail_bytes(mae_idx_read, gz, ngz / 2, 0, MEMAE_E_TRUNCATED, "truncated");
    gz[ngz - 8] ^= 0xff;
    expect_fail_bytes(mae_idx_read, gz, ngz, 0, MEMAE_E_FORMAT, "corrupt gzip");

    unsigned char big[128];
    memcpy(big, img, n);
    memcpy(big + n, "xyz", 3);
    expect_fail_bytes(mae_idx_read, big, n + 3, 0, MEMAE_E_FORMAT, "3 unexpected bytes");
    expect_fail_bytes(mae_idx_read, big, n + 3, 1, MEMAE_E_FORMAT, "3 unexpected bytes");

    expect_fail_bytes(mae_idx_read, "PK\3\4 not idx at all", 20, 0, MEMAE_E_FORMAT,
                      "not an IDX file");
    expect_fail_bytes(mae_idx_read, "\x93NUMPY\1\0", 8, 0, MEMAE_E_FORMAT, "not an IDX file");
    const unsigned char zero_dim[] = {0, 0, 8, 2, 0, 0, 0, 5, 0, 0, 0, 0};
    expect_fail_bytes(mae_idx_read, zero_dim, sizeof zero_dim, 0, MEMAE_E_SHAPE, "is zero");
    const unsigned char code[] = {0, 0, 0x0A, 1, 0, 0, 0, 1, 7};
    expect_fail_bytes(mae_idx_read, code, sizeof code, 0, MEMAE_E_DTYPE, "0x0a");
    const unsigned char nodim[] = {0, 0, 8, 0, 7};
    expect_fail_bytes(mae_idx_read, nodim, sizeof nodim, 0, MEMAE_E_FORMAT, "0 dimensions");
    const unsigned char nine[] = {0, 0, 8, 9};
    expect_fail_bytes(mae_idx_read, nine, sizeof nine, 0, MEMAE_E_SHAPE, "9 dimensions");
    unsigned char huge[4 + 4 * 4] = {0, 0, 0x0E, 4};
    memset(huge + 4, 0xff, 16);
    expect_fail_bytes(mae_idx_read, huge, sizeof huge, 0, MEMAE_E_SHAPE, "too large");
    /* A lying header on a plain file fails before any allocation. */
    const unsigned char lie[] = {0, 0, 8, 2, 0, 1, 0, 0, 0, 1, 0, 0, 42};
    expect_fail_bytes(mae_idx_read, lie, sizeof lie, 0, MEMAE_E_TRUNCATED,
                      "65536x65536 uint8 (4294967296 bytes), file has 1 bytes");

    expect_fail(mae_idx_read, "/nonexistent/memae/x.idx", MEMAE_E_IO, "No such file");
    expect_fail(mae_idx_read, "/tmp", MEMAE_E_IO, "directory");
    free(img);
    free(gz);
}

static void test_fashion_mnist(void **state)
{
    (void)state;
    const char *lab = "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz";
    const char *img = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
    if (access(lab, R_OK) != 0 || access(img, R_OK) != 0)
        skip();
    memae_array a;
    memae_err err = {0};
    assert_int_equal(mae_idx_read(lab, &a, &err), MEMAE_OK);
    const int64_t s[] = {60000};
    check_shape(&a, MEMAE_U8, 1, s);
    int count[10] = {0};
    for (size_t i = 0; i < a.nbytes; i++) {
        uint8_t y = ((uint8_t *)a.data)[i];
        assert_true(y < 10);
        count[y]++;
    }
    for (int c = 0; c < 10; c++)
        assert_int_equal(count[c], 6000);
    assert_int_equal(((uint8_t *)a.data)[0], 9); /* ankle boot */
    mae_array_free(&a);

    assert_int_equal(mae_idx_read(img, &a, &err), MEMAE_OK);
    const int64_t si[] = {10000, 28, 28};
    check_shape(&a, MEMAE_U8, 3, si);
    uint64_t sum = 0;
    for (size_t i = 0; i < a.nbytes; i++)
        sum += ((uint8_t *)a.data)[i];
    assert_int_equal(sum, 573469082); /* numpy on the same file */
    assert_int_equal(((uint8_t *)a.data)[14 * 28 + 12], 98);
    float *x;
    assert_int_equal(mae_array_to_f32(&a, 1.0f / 255, 0, &x, &err), MEMAE_OK);
    assert_float_equal(x[14 * 28 + 12], 98.0 / 255, 1e-6);
    free(x);
    mae_array_free(&a);
}

/* ------------------------------------------------------------------ npy */

static void test_npy_good(void **state)
{
    (void)state;
    const int64_t shapes[4][4] = {{5}, {2, 3}, {2, 3, 4}, {2, 1, 3, 2}};
    char name[64];
    for (int nd = 1; nd <= 4; nd++) {
        snprintf(name, sizeof name, "u1_%dd.npy", nd);
        check_u8(name, mae_npy_read, nd, shapes[nd - 1]);
        snprintf(name, sizeof name, "f4_%dd.npy", nd);
        check_f32(name, mae_npy_read, nd, shapes[nd - 1]);
    }
    check_f32("f4_0d.npy", mae_npy_read, 0, NULL);
    check_f32("f4_2d_v2.npy", mae_npy_read, 2, shapes[1]);
    check_f32("f4be_2d.npy", mae_npy_read, 2, shapes[1]);
    check_u8("u1_3d_v3.npy", mae_npy_read, 3, shapes[2]);
    /* Fortran order is reordered: the same logical values as the C-order file. */
    check_f32("f4_fortran.npy", mae_npy_read, 2, shapes[1]);

    memae_array a;
    load_ok(mae_npy_read, "u1_empty.npy", &a);
    const int64_t e[] = {0, 3};
    check_shape(&a, MEMAE_U8, 2, e);
    mae_array_free(&a);

    load_ok(mae_npy_read, "f8_2d.npy", &a);
    check_shape(&a, MEMAE_F64, 2, shapes[1]);
    for (int i = 0; i < 6; i++)
        assert_true(((double *)a.data)[i] == val_f(i));
    mae_array_free(&a);

    load_ok(mae_npy_read, "i8_1d.npy", &a);
    check_shape(&a, MEMAE_I64, 1, shapes[0]);
    for (int i = 0; i < 5; i++)
        assert_true(((int64_t *)a.data)[i] == val_i64(i));
    mae_array_free(&a);

    load_ok(mae_npy_read, "b1_1d.npy", &a);
    check_shape(&a, MEMAE_U8, 1, shapes[0]);
    for (int i = 0; i < 5; i++)
        assert_int_equal(((uint8_t *)a.data)[i], i % 3 == 0);
    mae_array_free(&a);
}

/* A version major.0 file with header dict h (padded as numpy pads) and data. */
static size_t make_npy(unsigned char *buf, int major, const char *h, const void *data,
                       size_t n)
{
    size_t pre = major == 1 ? 10 : 12, len = strlen(h);
    size_t total = (pre + len + 1 + 63) / 64 * 64;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = 0;
    uint32_t hl = (uint32_t)(total - pre);
    for (size_t i = 0; i < pre - 8; i++)
        buf[8 + i] = (unsigned char)(hl >> (8 * i));
    memcpy(buf + pre, h, len);
    memset(buf + pre + len, ' ', total - pre - len - 1);
    buf[total - 1] = '\n';
    memcpy(buf + total, data, n);
    return total + n;
}

static void npy_hand_ok(int major, const char *h, int ndim, const int64_t *shape)
{
    static const float data[6] = {-1.5f, -1.25f, -1.0f, -0.75f, -0.5f, -0.25f};
    unsigned char buf[1024];
    size_t n = make_npy(buf, major, h, data, sizeof data);
    char path[64];
    tmp_write(path, buf, n);
    memae_array a;
    memae_err err = {0};
    if (mae_npy_read(path, &a, &err) != MEMAE_OK)
        fail_msg("header %s: %s", h, err.msg);
    unlink(path);
    check_shape(&a, MEMAE_F32, ndim, shape);
    assert_memory_equal(a.data, data, sizeof data);
    mae_array_free(&a);
}

static void test_npy_header_variants(void **state)
{
    (void)state;
    const int64_t s6[] = {6}, s23[] = {2, 3}, s16[] = {1, 6}, s611[] = {6, 1, 1};
    npy_hand_ok(1, "{'descr':'<f4','fortran_order':False,'shape':(6,)}", 1, s6);
    npy_hand_ok(1, "{ \"descr\" : \"<f4\" ,\t'shape' : ( 2 , 3 , ) , 'fortran_order' : False , }",
                2, s23);
    npy_hand_ok(2, "{'descr': '=f4', 'fortran_order': False, 'shape': (2L, 3L)}", 2, s23);
    npy_hand_ok(3, "{'shape': (6), 'descr': '<f4', 'fortran_order': False}", 1, s6);
    /* Fortran order with one non-trivial dimension has the C layout. */
    npy_hand_ok(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 6), }", 2, s16);
    npy_hand_ok(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (6, 1, 1), }", 3, s611);
}

static void npy_hand_bad(int major, const char *h, size_t ndata, int status, const char *needle)
{
    static const unsigned char zeros[64];
    unsigned char buf[1024];
    size_t n = make_npy(buf, major, h, zeros, ndata);
    expect_fail_bytes(mae_npy_read, buf, n, 0, status, needle);
}

static void test_npy_bad(void **state)
{
    (void)state;
    size_t n;
    unsigned char *f = slurp("f4_2d.npy", &n);
    assert_int_equal(n, 128 + 24);
    char path[512];

    expect_fail_bytes(mae_npy_read, "", 0, 0, MEMAE_E_TRUNCATED, "truncated header");
    expect_fail_bytes(mae_npy_read, f, 4, 0, MEMAE_E_TRUNCATED, "truncated header");
    expect_fail_bytes(mae_npy_read, f, 9, 0, MEMAE_E_TRUNCATED, "preamble needs 10");
    expect_fail_bytes(mae_npy_read, f, 30, 0, MEMAE_E_TRUNCATED, "says 118 bytes, file has 20");
    expect_fail_bytes(mae_npy_read, f, n - 4, 0, MEMAE_E_TRUNCATED,
                      "header says 2x3 float32 (24 bytes), file has 20 bytes of data");
    expect_fail_bytes(mae_npy_read, f, n - 4, 1, MEMAE_E_TRUNCATED,
                      "file has 20 bytes of data after decompression");
    unsigned char big[256];
    memcpy(big, f, n);
    big[n] = 0;
    expect_fail_bytes(mae_npy_read, big, n + 1, 0, MEMAE_E_FORMAT, "1 unexpected byte after the npy data");
    memcpy(big, "\x93NUMPX", 6);
    expect_fail_bytes(mae_npy_read, big, n, 0, MEMAE_E_FORMAT, "bad magic");
    fixture(path, sizeof path, "images.idx");
    expect_fail(mae_npy_read, path, MEMAE_E_FORMAT, "not an npy file");
    memcpy(big, f, n);
    big[6] = 4;
    expect_fail_bytes(mae_npy_read, big, n, 0, MEMAE_E_UNSUPPORTED, "version 4.0");
    big[6] = 2; /* v2 reads 4 length bytes, so this one claims ~660 MB */
    expect_fail_bytes(mae_npy_read, big, n, 0, MEMAE_E_FORMAT, "implausible");

    fixture(path, sizeof path, "f2_1d.npy");
    expect_fail(mae_npy_read, path, MEMAE_E_DTYPE, "unsupported npy dtype '<f2'");

    npy_hand_bad(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8,
                 MEMAE_E_DTYPE, "'<c8'");
    npy_hand_bad(1, "{'descr': 'S10', 'fortran_order': False, 'shape': (1,), }", 10,
                 MEMAE_E_DTYPE, "'S10'");
    npy_hand_bad(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", 4,
                 MEMAE_E_DTYPE, "structured");
    npy_hand_bad(1, "{'descr': '<f4', 'shape': (1,), }", 4, MEMAE_E_FORMAT, "no 'fortran_order'");
    npy_hand_bad(1, "{'descr': '<f4', 'fortran_order': False}", 4, MEMAE_E_FORMAT, "no 'shape'");
    npy_hand_bad(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", 4,
                 MEMAE_E_FORMAT, "unexpected or repeated key");
    npy_hand_bad(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", 4,
                 MEMAE_E_FORMAT, "unexpected or repeated key");
    npy_hand_bad(1, "{'descr': '<f4', 'fortran_order': no, 'shape': (1,)}", 4, MEMAE_E_FORMAT,
                 "not True or False");
    npy_hand_bad(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", 4, MEMAE_E_FORMAT,
                 "'shape' is not a tuple");
    npy_hand_bad(1, "{'descr': '<f4', 'fortran_order': False, 'shape': [1]}", 4, MEMAE_E_FORMAT,
                 "'shape' is not a tuple");
    npy_hand_bad(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x", 4,
                 MEMAE_E_FORMAT, "after the dict");
    npy_hand_bad(1, "['descr', '<f4']", 4, MEMAE_E_FORMAT, "not a dict");
    npy_hand_bad(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1)}", 4,
                 MEMAE_E_SHAPE, "more than 8");
    npy_hand_bad(1, "{'descr': '<f8', 'fortran_order': False, "
                    "'shape': (4294967296, 4294967296)}", 8, MEMAE_E_SHAPE, "too large");
    free(f);
}

/* ---------------------------------------------------------------- write */

static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void round_trip(const char *dir, memae_array *a)
{
    char path[256];
    snprintf(path, sizeof path, "%s/rt.npy", dir);
    memae_err err = {0};
    if (mae_npy_write(path, a, &err) != MEMAE_OK)
        fail_msg("write: %s", err.msg);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(((size_t)st.st_size - a->nbytes) % 64, 0);
    assert_int_equal(dir_entries(dir), 1); /* no temporary left behind */
    memae_array b;
    if (mae_npy_read(path, &b, &err) != MEMAE_OK)
        fail_msg("read back: %s", err.msg);
    check_shape(&b, a->dtype, a->ndim, a->shape);
    if (a->nbytes)
        assert_memory_equal(a->data, b.data, a->nbytes);
    mae_array_free(&b);
    unlink(path);
}

static void test_npy_write(void **state)
{
    (void)state;
    char dir[] = "/tmp/memae_npyw_XXXXXX";
    assert_non_null(mkdtemp(dir));
    float f[24];
    uint8_t u[5];
    int64_t l[3];
    double d = 0.125;
    for (int i = 0; i < 24; i++)
        f[i] = val_f(i);
    for (int i = 0; i < 5; i++)
        u[i] = val_u8(i);
    for (int i = 0; i < 3; i++)
        l[i] = val_i64(i);
    memae_array af = {MEMAE_F32, 3, {2, 3, 4}, f, sizeof f};
    memae_array au = {MEMAE_U8, 1, {5}, u, sizeof u};
    memae_array al = {MEMAE_I64, 1, {3}, l, sizeof l};
    memae_array ad = {MEMAE_F64, 0, {0}, &d, sizeof d};
    memae_array ae = {MEMAE_U8, 2, {0, 4}, NULL, 0};
    round_trip(dir, &af);
    round_trip(dir, &au);
    round_trip(dir, &al);
    round_trip(dir, &ad);
    round_trip(dir, &ae);

    char path[256];
    memae_err err = {0};
    /* Unwritable: missing directory. */
    snprintf(path, sizeof path, "%s/missing/x.npy", dir);
    assert_int_equal(mae_npy_write(path, &af, &err), MEMAE_E_IO);
    print_message("    %s\n", err.msg);
    assert_non_null(strstr(err.msg, path));
    /* The rename fails (target is a directory) after the temporary was written. */
    snprintf(path, sizeof path, "%s/dir.npy", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(mae_npy_write(path, &af, &err), MEMAE_E_IO);
    print_message("    %s\n", err.msg);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "rename"));
    assert_int_equal(dir_entries(dir), 1);
    rmdir(path);
    /* An inconsistent array is refused before any file is made. */
    snprintf(path, sizeof path, "%s/bad.npy", dir);
    memae_array bad = af;
    bad.nbytes -= 4;
    assert_int_equal(mae_npy_write(path, &bad, &err), MEMAE_E_ARG);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(dir_entries(dir), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* ------------------------------------------------------------ to float */

static void test_to_f32(void **state)
{
    (void)state;
    memae_err err = {0};
    float *y;
    uint8_t u[3] = {0, 128, 255};
    memae_array a = {MEMAE_U8, 1, {3}, u, 3};
    assert_int_equal(mae_array_to_f32(&a, 1.0f / 255, 0, &y, &err), MEMAE_OK);
    assert_float_equal(y[0], 0, 0);
    assert_float_equal(y[1], 128.0 / 255, 1e-7);
    assert_float_equal(y[2], 1, 1e-7);
    free(y);
    int16_t s[2] = {-300, 100};
    memae_array b = {MEMAE_I16, 2, {1, 2}, s, 4};
    assert_int_equal(mae_array_to_f32(&b, 0.5f, 1, &y, &err), MEMAE_OK);
    assert_true(y[0] == -149 && y[1] == 51);
    free(y);
    float f[2] = {-2.5f, 1e30f};
    memae_array c = {MEMAE_F32, 1, {2}, f, 8};
    assert_int_equal(mae_array_to_f32(&c, 1.0f / 255, 7, &y, &err), MEMAE_OK);
    assert_memory_equal(y, f, 8); /* floats ignore scale and offset */
    free(y);
    double d[1] = {0.1};
    memae_array e = {MEMAE_F64, 0, {0}, d, 8};
    assert_int_equal(mae_array_to_f32(&e, 2, 0, &y, &err), MEMAE_OK);
    assert_true(y[0] == 0.1f);
    free(y);
    e.nbytes = 16;
    assert_int_equal(mae_array_to_f32(&e, 1, 0, &y, &err), MEMAE_E_ARG);
    assert_null(y);
    mae_array_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idx_good),
        cmocka_unit_test(test_idx_bad),
        cmocka_unit_test(test_fashion_mnist),
        cmocka_unit_test(test_npy_good),
        cmocka_unit_test(test_npy_header_variants),
        cmocka_unit_test(test_npy_bad),
        cmocka_unit_test(test_npy_write),
        cmocka_unit_test(test_to_f32),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
