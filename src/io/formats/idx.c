/* IDX, the format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/). */
#include "io/formats/array.h"

#include <string.h>

static int idx_dtype(unsigned code, memae_dtype *t)
{
    switch (code) {
    case 0x08: *t = MEMAE_U8; return 1;
    case 0x09: *t = MEMAE_I8; return 1;
    case 0x0B: *t = MEMAE_I16; return 1;
    case 0x0C: *t = MEMAE_I32; return 1;
    case 0x0D: *t = MEMAE_F32; return 1;
    case 0x0E: *t = MEMAE_F64; return 1;
    default: return 0;
    }
}

static int read_header(memae_infile *f, memae_array *a, memae_err *err)
{
    const char *path = f->path;
    unsigned char m[4];
    size_t got;
    int st = mae_infile_read(f, m, 4, &got, err);
    if (st)
        return st;
    if (got < 4)
        return mae_seterr(err, MEMAE_E_TRUNCATED,
                            "%s: truncated header: file has %zu bytes, an IDX magic needs 4", path,
                            got);
    if (m[0] != 0 || m[1] != 0)
        return mae_seterr(err, MEMAE_E_FORMAT,
                            "%s: not an IDX file: magic %02x %02x %02x %02x does not start with "
                            "00 00", path, m[0], m[1], m[2], m[3]);
    if (!idx_dtype(m[2], &a->dtype))
        return mae_seterr(err, MEMAE_E_DTYPE, "%s: unknown IDX data type code 0x%02x", path,
                            m[2]);
    if (m[3] == 0)
        return mae_seterr(err, MEMAE_E_FORMAT, "%s: IDX header has 0 dimensions", path);
    if (m[3] > MEMAE_ARRAY_MAXDIM)
        return mae_seterr(err, MEMAE_E_SHAPE, "%s: IDX header has %u dimensions, at most %d "
                            "are supported", path, (unsigned)m[3], MEMAE_ARRAY_MAXDIM);
    a->ndim = m[3];
    unsigned char d[4 * MEMAE_ARRAY_MAXDIM];
    size_t need = 4 * (size_t)a->ndim;
    st = mae_infile_read(f, d, need, &got, err);
    if (st)
        return st;
    if (got < need)
        return mae_seterr(err, MEMAE_E_TRUNCATED, "%s: truncated header: %d dimensions need "
                            "%zu bytes, file has %zu", path, a->ndim, 4 + need, 4 + got);
    for (int i = 0; i < a->ndim; i++) {
        const unsigned char *p = d + 4 * i;
        a->shape[i] = (int64_t)p[0] << 24 | (int64_t)p[1] << 16 | (int64_t)p[2] << 8 | p[3];
        if (a->shape[i] == 0)
            return mae_seterr(err, MEMAE_E_SHAPE, "%s: IDX dimension %d of %d is zero", path,
                                i, a->ndim);
    }
    return mae_array_size(a, path, err);
}

int mae_idx_read(const char *path, memae_array *out, memae_err *err)
{
    memset(out, 0, sizeof *out);
    memae_infile f;
    int st = mae_infile_open(&f, path, err);
    if (st)
        return st;
    memae_array a = {0};
    st = read_header(&f, &a, err);
    /* IDX stores every element big-endian. */
    if (st == MEMAE_OK)
        st = mae_infile_read_data(&f, &a, mae_host_is_le(), "IDX", err);
    mae_infile_close(&f);
    if (st == MEMAE_OK)
        *out = a;
    return st;
}
