/* Output files of the public API (memae.h): bytes and .npy arrays, atomically. */
#include <stdio.h>
#include <stdlib.h>

#include "io/formats/array.h"
#include "io/formats/atomic.h"
#include "io/formats/output_lock.h"

static int report(int st, const memae_err *err, char *msg, size_t len)
{
    if (st && msg && len)
        snprintf(msg, len, "%s", err->msg);
    return st;
}

int memae_write_file(const char *path, const void *data, size_t len, char *msg, size_t msg_len)
{
    memae_err err = {0};
    const void *bufs[1] = {data};
    size_t lens[1] = {len};
    return report(mae_write_atomic(path, bufs, lens, 1, &err), &err, msg, msg_len);
}

int memae_write_npy(const char *path, const void *data, int dtype_u8, const int64_t *shape,
                    int ndim, char *msg, size_t msg_len)
{
    memae_err err = {0};
    if (ndim < 0 || ndim > MEMAE_ARRAY_MAXDIM)
        return report(mae_seterr(&err, MEMAE_E_ARG, "%s: %d dimensions", path, ndim), &err,
                      msg, msg_len);
    memae_array a = {.dtype = dtype_u8 ? MEMAE_U8 : MEMAE_F32, .ndim = ndim, .data = (void *)data};
    size_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= (size_t)(a.shape[i] = shape[i]);
    a.nbytes = n * (dtype_u8 ? 1 : sizeof(float));
    return report(mae_npy_write(path, &a, &err), &err, msg, msg_len);
}

int memae_lock_output(const char *path, int *lock, char *msg, size_t msg_len)
{
    memae_err err = {0};
    return report(mae_output_lock(path, lock, &err), &err, msg, msg_len);
}

void memae_unlock_output(const char *path, int lock)
{
    mae_output_unlock(path, lock);
}
