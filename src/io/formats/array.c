#include "io/formats/array.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const struct {
    const char *name;
    size_t size;
} dtypes[MEMAE_DTYPE_COUNT] = {
    [MEMAE_U8] = {"uint8", 1},    [MEMAE_F32] = {"float32", 4}, [MEMAE_I64] = {"int64", 8},
    [MEMAE_F64] = {"float64", 8}, [MEMAE_I8] = {"int8", 1},     [MEMAE_I16] = {"int16", 2},
    [MEMAE_I32] = {"int32", 4},
};

size_t mae_dtype_size(memae_dtype t)
{
    return (unsigned)t < MEMAE_DTYPE_COUNT ? dtypes[t].size : 0;
}

const char *mae_dtype_name(memae_dtype t)
{
    return (unsigned)t < MEMAE_DTYPE_COUNT ? dtypes[t].name : "invalid dtype";
}

int mae_host_is_le(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

int64_t mae_array_numel(const memae_array *a)
{
    if (a->ndim < 0 || a->ndim > MEMAE_ARRAY_MAXDIM)
        return -1;
    int64_t n = 1;
    for (int i = 0; i < a->ndim; i++) {
        if (a->shape[i] < 0 || (a->shape[i] > 0 && n > INT64_MAX / a->shape[i]))
            return -1;
        n *= a->shape[i];
    }
    return n;
}

void mae_array_free(memae_array *a)
{
    if (!a)
        return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

void mae_shape_str(const memae_array *a, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    if (a->ndim == 0)
        snprintf(buf, cap, "scalar");
    for (int i = 0; i < a->ndim && len < cap; i++) {
        int k = snprintf(buf + len, cap - len, "%s%lld", i ? "x" : "", (long long)a->shape[i]);
        if (k < 0)
            break;
        len += (size_t)k;
    }
}

int mae_array_size(memae_array *a, const char *path, memae_err *err)
{
    int64_t n = mae_array_numel(a);
    size_t es = mae_dtype_size(a->dtype);
    /* Capped at INT64_MAX too, so byte counts print and compare as int64. */
    if (n < 0 || es == 0 || (uint64_t)n > (uint64_t)INT64_MAX / es || (uint64_t)n > SIZE_MAX / es) {
        char s[200];
        mae_shape_str(a, s, sizeof s);
        return mae_seterr(err, MEMAE_E_SHAPE, "%s: shape %s of %s is too large", path, s,
                          mae_dtype_name(a->dtype));
    }
    a->nbytes = (size_t)n * es;
    return MEMAE_OK;
}

int mae_array_to_f32(const memae_array *a, float scale, float offset, float **out, memae_err *err)
{
    *out = NULL;
    int64_t n = mae_array_numel(a);
    size_t es = mae_dtype_size(a->dtype);
    if (n < 0 || es == 0 || (uint64_t)n > SIZE_MAX / es || a->nbytes != (size_t)n * es ||
        (n > 0 && !a->data))
        return mae_seterr(err, MEMAE_E_ARG,
                          "array to float32: inconsistent array "
                          "(dtype %d, %d dims, %zu bytes)",
                          (int)a->dtype, a->ndim, a->nbytes);
    if ((uint64_t)n > SIZE_MAX / sizeof(float))
        return mae_seterr(err, MEMAE_E_NOMEM, "array to float32: %lld elements is too many",
                          (long long)n);
    float *y = malloc(n ? (size_t)n * sizeof(float) : 1);
    if (!y)
        return mae_seterr(err, MEMAE_E_NOMEM, "array to float32: cannot allocate %lld floats",
                          (long long)n);
    const double s = scale, o = offset;
    size_t cnt = (size_t)n;
#define CONVERT(T)                                                                                 \
    for (size_t i = 0; i < cnt; i++)                                                               \
        y[i] = (float)((double)((const T *)a->data)[i] * s + o);
    switch (a->dtype) {
    case MEMAE_U8:
        CONVERT(uint8_t) break;
    case MEMAE_I8:
        CONVERT(int8_t) break;
    case MEMAE_I16:
        CONVERT(int16_t) break;
    case MEMAE_I32:
        CONVERT(int32_t) break;
    case MEMAE_I64:
        CONVERT(int64_t) break;
    case MEMAE_F32:
        if (cnt)
            memcpy(y, a->data, cnt * sizeof(float));
        break;
    case MEMAE_F64:
        for (size_t i = 0; i < cnt; i++)
            y[i] = (float)((const double *)a->data)[i];
        break;
    default:
        break; /* rejected above: size 0 */
    }
#undef CONVERT
    *out = y;
    return MEMAE_OK;
}

/* ------------------------------------------------------------ input files */

int mae_infile_open(memae_infile *f, const char *path, memae_err *err)
{
    f->path = path;
    f->gz = NULL;
    f->left = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mae_seterr(err, MEMAE_E_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    int e = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (e) {
        close(fd);
        return mae_seterr(err, MEMAE_E_IO, "%s: cannot read: %s", path, strerror(e));
    }
    gzFile gz = gzdopen(fd, "rb");
    if (!gz) {
        close(fd);
        return mae_seterr(err, MEMAE_E_NOMEM, "%s: cannot open: out of memory", path);
    }
    gzbuffer(gz, 1u << 17);
    f->gz = gz;
    /* Only a plain regular file has a known size: it lets us report truncation
     * and trailing bytes before allocating or reading gigabytes. */
    if (gzdirect(gz) && S_ISREG(st.st_mode))
        f->left = st.st_size;
    return MEMAE_OK;
}

static int gz_fail(memae_infile *f, memae_err *err)
{
    int zerr = Z_OK;
    const char *msg = gzerror(f->gz, &zerr);
    /* zlib prefixes its message with "<fd:N>: ", which means nothing to a user. */
    const char *sep = msg[0] == '<' ? strstr(msg, ">: ") : NULL;
    if (sep)
        msg = sep + 3;
    if (zerr == Z_ERRNO)
        return mae_seterr(err, MEMAE_E_IO, "%s: read error: %s", f->path, strerror(errno));
    if (zerr == Z_MEM_ERROR)
        return mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory while decompressing", f->path);
    return mae_seterr(err, MEMAE_E_FORMAT, "%s: corrupt gzip data: %s", f->path, msg);
}

int mae_infile_read(memae_infile *f, void *buf, size_t n, size_t *got, memae_err *err)
{
    size_t done = 0;
    *got = 0;
    while (done < n) {
        /* gzread takes an unsigned and returns an int. */
        size_t want = n - done < (1u << 30) ? n - done : (1u << 30);
        int r = gzread(f->gz, (char *)buf + done, (unsigned)want);
        if (r < 0)
            return gz_fail(f, err);
        if (r == 0)
            break;
        done += (size_t)r;
    }
    *got = done;
    if (f->left >= 0)
        f->left = f->left > (int64_t)done ? f->left - (int64_t)done : 0;
    return MEMAE_OK;
}

/* A gzip stream cut short still yields its bytes; zlib flags it on the side. */
static int gz_cut_short(memae_infile *f)
{
    int zerr = Z_OK;
    gzerror(f->gz, &zerr);
    return zerr == Z_BUF_ERROR;
}

static int truncated(memae_infile *f, const memae_array *a, const char *fmt, int64_t have,
                     memae_err *err)
{
    char s[200];
    mae_shape_str(a, s, sizeof s);
    return mae_seterr(err, MEMAE_E_TRUNCATED,
                      "%s: truncated: %s header says %s %s (%zu bytes), file has %lld bytes of "
                      "data%s",
                      f->path, fmt, s, mae_dtype_name(a->dtype), a->nbytes, (long long)have,
                      f->left < 0 ? " after decompression" : "");
}

static int trailing(memae_infile *f, const char *fmt, int64_t extra, memae_err *err)
{
    return mae_seterr(err, MEMAE_E_FORMAT, "%s: %lld unexpected byte%s after the %s data", f->path,
                      (long long)extra, extra == 1 ? "" : "s", fmt);
}

void mae_array_bswap(memae_array *a)
{
    size_t es = mae_dtype_size(a->dtype);
    unsigned char *p = a->data;
    for (size_t off = 0; es > 1 && off < a->nbytes; off += es)
        for (size_t i = 0; i < es / 2; i++) {
            unsigned char t = p[off + i];
            p[off + i] = p[off + es - 1 - i];
            p[off + es - 1 - i] = t;
        }
}

int mae_infile_read_data(memae_infile *f, memae_array *a, int swap, const char *fmt, memae_err *err)
{
    a->data = NULL;
    if (f->left >= 0 && (uint64_t)f->left < a->nbytes)
        return truncated(f, a, fmt, f->left, err);
    if (f->left >= 0 && (uint64_t)f->left > a->nbytes)
        return trailing(f, fmt, f->left - (int64_t)a->nbytes, err);
    /* With the length unknown (gzip), the buffer grows with the data read,
     * so a header's sizes alone never allocate more than the stream holds. */
    size_t cap = f->left >= 0 || a->nbytes < (1u << 20) ? a->nbytes : (1u << 20), got = 0;
    a->data = malloc(cap ? cap : 1);
    int st = a->data ? mae_infile_read(f, a->data, cap, &got, err) : MEMAE_E_NOMEM;
    while (st == MEMAE_OK && got == cap && cap < a->nbytes) {
        size_t more = cap > a->nbytes - cap ? a->nbytes - cap : cap, n = 0;
        void *nd = realloc(a->data, cap + more);
        if (!nd) {
            st = MEMAE_E_NOMEM;
            break;
        }
        a->data = nd;
        st = mae_infile_read(f, (char *)a->data + cap, more, &n, err);
        cap += more;
        got += n;
    }
    if (st == MEMAE_E_NOMEM) {
        free(a->data);
        a->data = NULL;
        return mae_seterr(err, MEMAE_E_NOMEM, "%s: cannot allocate %zu bytes for the data", f->path,
                          a->nbytes);
    }
    if (st == MEMAE_OK && got < a->nbytes)
        st = truncated(f, a, fmt, (int64_t)got, err);
    /* Count what follows so the message can say how much there is. */
    int64_t extra = 0;
    char scratch[4096];
    while (st == MEMAE_OK) {
        st = mae_infile_read(f, scratch, sizeof scratch, &got, err);
        if (got == 0)
            break;
        extra += (int64_t)got;
    }
    if (st == MEMAE_OK && extra > 0)
        st = trailing(f, fmt, extra, err);
    if (st == MEMAE_OK && gz_cut_short(f))
        st = mae_seterr(err, MEMAE_E_TRUNCATED, "%s: truncated: the gzip stream ends early",
                        f->path);
    if (st != MEMAE_OK) {
        free(a->data);
        a->data = NULL;
        return st;
    }
    if (swap)
        mae_array_bswap(a);
    return MEMAE_OK;
}

void mae_infile_close(memae_infile *f)
{
    if (f && f->gz)
        gzclose(f->gz);
    if (f)
        f->gz = NULL;
}

void mae_fortran_walk_start(memae_fortran_walk *w, int ndim, const int64_t *shape)
{
    memset(w, 0, sizeof *w);
    w->ndim = ndim;
    w->shape = shape;
    int64_t s = 1;
    for (int d = 0; d < ndim; d++) {
        w->stride[d] = s;
        s *= shape[d];
    }
}

int64_t mae_fortran_walk_next(memae_fortran_walk *w)
{
    int64_t off = w->off;
    for (int d = w->ndim - 1; d >= 0; d--) {
        w->off += w->stride[d];
        if (++w->idx[d] < w->shape[d])
            break;
        w->off -= w->stride[d] * w->shape[d];
        w->idx[d] = 0;
    }
    return off;
}

int mae_array_from_fortran(memae_array *a, const char *path, memae_err *err)
{
    size_t es = mae_dtype_size(a->dtype);
    int64_t n = mae_array_numel(a);
    unsigned char *c = malloc(a->nbytes ? a->nbytes : 1);
    if (!c)
        return mae_seterr(err, MEMAE_E_NOMEM,
                          "%s: out of memory reordering a Fortran-order "
                          "array",
                          path);
    memae_fortran_walk w;
    mae_fortran_walk_start(&w, a->ndim, a->shape);
    for (int64_t i = 0; i < n; i++)
        memcpy(c + (size_t)i * es,
               (unsigned char *)a->data + (size_t)mae_fortran_walk_next(&w) * es, es);
    free(a->data);
    a->data = c;
    return MEMAE_OK;
}

int mae_path_ends_with(const char *path, const char *suffix)
{
    size_t a = strlen(path), b = strlen(suffix);
    return a >= b && !strcasecmp(path + a - b, suffix);
}
