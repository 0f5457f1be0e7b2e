/* NumPy .npy (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html). */
#include "io/formats/array.h"
#include "io/formats/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char npy_magic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

/* numpy itself caps headers at 10000 bytes; a larger claim is a corrupt length. */
#define NPY_MAX_HEADER (1u << 20)

/* ------------------------------------------------- header dict (a Python literal) */

typedef struct {
    const char *s;
    size_t n, i;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->i < c->n &&
           (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' || c->s[c->i] == '\r'))
        c->i++;
}

static int eat(cursor *c, char ch)
{
    skip_ws(c);
    if (c->i < c->n && c->s[c->i] == ch) {
        c->i++;
        return 1;
    }
    return 0;
}

static int parse_str(cursor *c, char *buf, size_t cap)
{
    skip_ws(c);
    if (c->i >= c->n || (c->s[c->i] != '\'' && c->s[c->i] != '"'))
        return 0;
    char q = c->s[c->i++];
    size_t k = 0;
    while (c->i < c->n && c->s[c->i] != q) {
        if (k + 1 >= cap)
            return 0;
        buf[k++] = c->s[c->i++];
    }
    if (c->i >= c->n)
        return 0;
    c->i++;
    buf[k] = '\0';
    return 1;
}

static int eat_word(cursor *c, const char *w)
{
    skip_ws(c);
    size_t len = strlen(w);
    if (c->n - c->i >= len && memcmp(c->s + c->i, w, len) == 0) {
        c->i += len;
        return 1;
    }
    return 0;
}

/* "(a, b)", "(a,)", "()", also Python 2's "3L"; *too_many past MEMAE_ARRAY_MAXDIM dims. */
static int parse_shape(cursor *c, memae_array *a, int *too_many)
{
    if (!eat(c, '('))
        return 0;
    a->ndim = 0;
    for (;;) {
        if (eat(c, ')'))
            return 1;
        skip_ws(c);
        if (c->i >= c->n || c->s[c->i] < '0' || c->s[c->i] > '9')
            return 0;
        int64_t v = 0;
        while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9') {
            int d = c->s[c->i++] - '0';
            if (v > (INT64_MAX - d) / 10)
                return 0;
            v = v * 10 + d;
        }
        if (c->i < c->n && c->s[c->i] == 'L')
            c->i++;
        if (a->ndim == MEMAE_ARRAY_MAXDIM) {
            *too_many = 1;
            return 0;
        }
        a->shape[a->ndim++] = v;
        if (!eat(c, ',')) {
            return eat(c, ')');
        }
    }
}

/* Maps a descr such as '<f4' to a dtype; *swap when the file's order is not the host's. */
static int parse_descr(const char *d, memae_dtype *t, int *swap)
{
    char order = '|';
    if (*d == '<' || *d == '>' || *d == '|' || *d == '=')
        order = *d++;
    char kind = *d++;
    if (kind == '\0' || *d < '1' || *d > '9')
        return 0;
    char *end;
    long size = strtol(d, &end, 10);
    if (*end != '\0')
        return 0;
    if ((kind == 'u' || kind == 'b') && size == 1)
        *t = MEMAE_U8;
    else if (kind == 'i' && size == 1)
        *t = MEMAE_I8;
    else if (kind == 'i' && size == 2)
        *t = MEMAE_I16;
    else if (kind == 'i' && size == 4)
        *t = MEMAE_I32;
    else if (kind == 'i' && size == 8)
        *t = MEMAE_I64;
    else if (kind == 'f' && size == 4)
        *t = MEMAE_F32;
    else if (kind == 'f' && size == 8)
        *t = MEMAE_F64;
    else
        return 0;
    *swap = size > 1 && ((order == '<' && !mae_host_is_le()) || (order == '>' && mae_host_is_le()));
    return 1;
}

static int bad_header(const char *path, const cursor *c, const char *what, memae_err *err)
{
    return mae_seterr(err, MEMAE_E_FORMAT, "%s: malformed npy header: %s at byte %zu", path, what,
                      c->i);
}

static int parse_header(const char *path, const char *h, size_t n, memae_array *a, int *swap,
                        int *fortran_out, memae_err *err)
{
    cursor c = {h, n, 0};
    char key[32], descr[32] = "";
    int have_descr = 0, have_fortran = 0, have_shape = 0, fortran = 0, too_many = 0;
    if (!eat(&c, '{'))
        return bad_header(path, &c, "not a dict", err);
    while (!eat(&c, '}')) {
        if (!parse_str(&c, key, sizeof key))
            return bad_header(path, &c, "expected a quoted key", err);
        if (!eat(&c, ':'))
            return bad_header(path, &c, "expected ':'", err);
        if (strcmp(key, "descr") == 0 && !have_descr) {
            if (eat(&c, '['))
                return mae_seterr(err, MEMAE_E_DTYPE,
                                  "%s: unsupported npy dtype: structured "
                                  "dtypes (a list of fields) are not supported",
                                  path);
            if (!parse_str(&c, descr, sizeof descr))
                return bad_header(path, &c, "'descr' is not a short string", err);
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0 && !have_fortran) {
            if (eat_word(&c, "True"))
                fortran = 1;
            else if (!eat_word(&c, "False"))
                return bad_header(path, &c, "'fortran_order' is not True or False", err);
            have_fortran = 1;
        } else if (strcmp(key, "shape") == 0 && !have_shape) {
            if (!parse_shape(&c, a, &too_many)) {
                if (too_many)
                    return mae_seterr(err, MEMAE_E_SHAPE,
                                      "%s: npy shape has more than %d "
                                      "dimensions",
                                      path, MEMAE_ARRAY_MAXDIM);
                return bad_header(path, &c, "'shape' is not a tuple of integers", err);
            }
            have_shape = 1;
        } else {
            return bad_header(path, &c, "unexpected or repeated key", err);
        }
        if (!eat(&c, ',')) {
            if (!eat(&c, '}'))
                return bad_header(path, &c, "expected ',' or '}'", err);
            break;
        }
    }
    skip_ws(&c);
    if (c.i != c.n)
        return bad_header(path, &c, "unexpected text after the dict", err);
    if (!have_descr || !have_fortran || !have_shape)
        return mae_seterr(err, MEMAE_E_FORMAT, "%s: malformed npy header: no '%s' key", path,
                          !have_descr     ? "descr"
                          : !have_fortran ? "fortran_order"
                                          : "shape");
    if (!parse_descr(descr, &a->dtype, swap))
        return mae_seterr(err, MEMAE_E_DTYPE,
                          "%s: unsupported npy dtype '%s' (supported: "
                          "u1 b1 i1 i2 i4 i8 f4 f8)",
                          path, descr);
    *fortran_out = fortran;
    return mae_array_size(a, path, err);
}

/* ------------------------------------------------------------------ read */

/* Where the bytes come from: a file (plain or gzipped) or a buffer in memory (an npz member). */
typedef struct source {
    const char *path;
    memae_infile *f;
    const unsigned char *mem;
    size_t len, pos;
} source;

static int source_read(source *s, void *buf, size_t n, size_t *got, memae_err *err)
{
    if (s->f)
        return mae_infile_read(s->f, buf, n, got, err);
    *got = s->len - s->pos < n ? s->len - s->pos : n;
    memcpy(buf, s->mem + s->pos, *got);
    s->pos += *got;
    return MEMAE_OK;
}

static int read_header(source *f, memae_array *a, int *swap, int *fortran, memae_err *err)
{
    const char *path = f->path;
    unsigned char pre[12];
    size_t got;
    int st = source_read(f, pre, 8, &got, err);
    if (st)
        return st;
    if (memcmp(pre, npy_magic, got < 6 ? got : 6) != 0)
        return mae_seterr(err, MEMAE_E_FORMAT, "%s: not an npy file (bad magic)", path);
    if (got < 8)
        return mae_seterr(err, MEMAE_E_TRUNCATED,
                          "%s: truncated header: file has %zu bytes, "
                          "the npy preamble needs 8",
                          path, got);
    if (pre[6] < 1 || pre[6] > 3 || pre[7] != 0)
        return mae_seterr(err, MEMAE_E_UNSUPPORTED,
                          "%s: npy format version %u.%u is not "
                          "supported (1.0, 2.0, 3.0 are)",
                          path, (unsigned)pre[6], (unsigned)pre[7]);
    size_t lenlen = pre[6] == 1 ? 2 : 4;
    st = source_read(f, pre + 8, lenlen, &got, err);
    if (st)
        return st;
    if (got < lenlen)
        return mae_seterr(err, MEMAE_E_TRUNCATED,
                          "%s: truncated header: file has %zu bytes, "
                          "the npy %u.0 preamble needs %zu",
                          path, 8 + got, (unsigned)pre[6], 8 + lenlen);
    uint32_t hlen = pre[8] | (uint32_t)pre[9] << 8;
    if (lenlen == 4)
        hlen |= (uint32_t)pre[10] << 16 | (uint32_t)pre[11] << 24;
    if (hlen > NPY_MAX_HEADER)
        return mae_seterr(err, MEMAE_E_FORMAT, "%s: npy header length %u is implausible", path,
                          (unsigned)hlen);
    char *h = malloc(hlen ? hlen : 1);
    if (!h)
        return mae_seterr(err, MEMAE_E_NOMEM, "%s: cannot allocate the npy header", path);
    st = source_read(f, h, hlen, &got, err);
    if (st == MEMAE_OK && got < hlen)
        st = mae_seterr(err, MEMAE_E_TRUNCATED,
                        "%s: truncated header: says %u bytes, file "
                        "has %zu",
                        path, (unsigned)hlen, got);
    if (st == MEMAE_OK)
        st = parse_header(path, h, hlen, a, swap, fortran, err);
    free(h);
    return st;
}

/* The data of an in-memory npy: exactly a->nbytes must be left. */
static int read_mem_data(source *s, memae_array *a, int swap, memae_err *err)
{
    size_t left = s->len - s->pos;
    char shape[200];
    mae_shape_str(a, shape, sizeof shape);
    if (left < a->nbytes)
        return mae_seterr(err, MEMAE_E_TRUNCATED,
                          "%s: truncated: npy header says %s %s (%zu "
                          "bytes), there are %zu bytes of data",
                          s->path, shape, mae_dtype_name(a->dtype), a->nbytes, left);
    if (left > a->nbytes)
        return mae_seterr(err, MEMAE_E_FORMAT, "%s: %zu unexpected bytes after the npy data",
                          s->path, left - a->nbytes);
    if (!(a->data = malloc(a->nbytes ? a->nbytes : 1)))
        return mae_seterr(err, MEMAE_E_NOMEM, "%s: cannot allocate %zu bytes for the data", s->path,
                          a->nbytes);
    memcpy(a->data, s->mem + s->pos, a->nbytes);
    if (swap)
        mae_array_bswap(a);
    return MEMAE_OK;
}

static int read_npy(source *s, memae_array *out, memae_err *err)
{
    memae_array a = {0};
    int swap = 0, fortran = 0;
    int st = read_header(s, &a, &swap, &fortran, err);
    if (st == MEMAE_OK)
        st = s->f ? mae_infile_read_data(s->f, &a, swap, "npy", err)
                  : read_mem_data(s, &a, swap, err);
    if (st == MEMAE_OK && fortran)
        st = mae_array_from_fortran(&a, s->path, err);
    if (st == MEMAE_OK)
        *out = a;
    else
        mae_array_free(&a);
    return st;
}

int mae_npy_read(const char *path, memae_array *out, memae_err *err)
{
    memset(out, 0, sizeof *out);
    memae_infile f;
    int st = mae_infile_open(&f, path, err);
    if (st)
        return st;
    source s = {.path = path, .f = &f};
    st = read_npy(&s, out, err);
    mae_infile_close(&f);
    return st;
}

int mae_npy_read_mem(const char *name, const void *buf, size_t len, memae_array *out,
                     memae_err *err)
{
    memset(out, 0, sizeof *out);
    source s = {.path = name, .mem = buf, .len = len};
    return read_npy(&s, out, err);
}

/* ----------------------------------------------------------------- write */

static int npy_header(const memae_array *a, char *h, size_t cap, size_t *len)
{
    static const char kinds[MEMAE_DTYPE_COUNT] = {
        [MEMAE_U8] = 'u',  [MEMAE_I8] = 'i',  [MEMAE_I16] = 'i', [MEMAE_I32] = 'i',
        [MEMAE_I64] = 'i', [MEMAE_F32] = 'f', [MEMAE_F64] = 'f',
    };
    size_t es = mae_dtype_size(a->dtype);
    char order = es == 1 ? '|' : mae_host_is_le() ? '<' : '>';
    char shape[8 * 24] = "";
    size_t sl = 0;
    for (int i = 0; i < a->ndim; i++)
        sl += (size_t)snprintf(shape + sl, sizeof shape - sl, "%s%lld", i ? ", " : "",
                               (long long)a->shape[i]);
    if (a->ndim == 1)
        strcat(shape, ",");
    memcpy(h, npy_magic, 6);
    h[6] = 1;
    h[7] = 0;
    int n = snprintf(h + 10, cap - 10,
                     "{'descr': '%c%c%zu', 'fortran_order': False, "
                     "'shape': (%s), }",
                     order, kinds[a->dtype], es, shape);
    if (n < 0 || (size_t)n + 11 > cap)
        return -1;
    size_t total = 10 + (size_t)n + 1;
    total = (total + 63) / 64 * 64; /* numpy aligns the data to 64 bytes */
    if (total > cap)
        return -1;
    memset(h + 10 + n, ' ', total - 10 - (size_t)n - 1);
    h[total - 1] = '\n';
    h[8] = (char)((total - 10) & 0xff);
    h[9] = (char)((total - 10) >> 8);
    *len = total;
    return 0;
}

int mae_npy_write(const char *path, const memae_array *a, memae_err *err)
{
    int64_t n = mae_array_numel(a);
    size_t es = mae_dtype_size(a->dtype);
    if (n < 0 || es == 0 || (uint64_t)n > SIZE_MAX / es || a->nbytes != (size_t)n * es ||
        (a->nbytes > 0 && !a->data))
        return mae_seterr(err, MEMAE_E_ARG,
                          "%s: cannot write: inconsistent array (dtype %d, "
                          "%d dims, %zu bytes)",
                          path, (int)a->dtype, a->ndim, a->nbytes);
    char h[512];
    size_t hlen;
    if (npy_header(a, h, sizeof h, &hlen) != 0)
        return mae_seterr(err, MEMAE_E_ARG, "%s: cannot write: npy header too long", path);
    const void *parts[2] = {h, a->data};
    size_t lens[2] = {hlen, a->nbytes};
    return mae_write_atomic(path, parts, lens, 2, err);
}
