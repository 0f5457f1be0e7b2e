/* NumPy .npz through libzip: the member is inflated into memory and parsed as an npy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#include "io/formats/array.h"

static int open_zip(const char *path, zip_t **z, memae_err *err)
{
    int ze = 0;
    *z = zip_open(path, ZIP_RDONLY, &ze);
    if (*z)
        return MEMAE_OK;
    zip_error_t e;
    zip_error_init_with_code(&e, ze);
    int st =
        mae_seterr(err, ze == ZIP_ER_OPEN || ze == ZIP_ER_NOENT ? MEMAE_E_IO : MEMAE_E_FORMAT,
                     "%s: not a readable npz (zip): %s", path, zip_error_strerror(&e));
    zip_error_fini(&e);
    return st;
}

int mae_npz_has(const char *path, const char *key)
{
    zip_t *z;
    if (open_zip(path, &z, NULL))
        return 0;
    char name[256];
    snprintf(name, sizeof name, "%s.npy", key);
    int has = zip_name_locate(z, name, 0) >= 0;
    zip_discard(z);
    return has;
}

static uint64_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

int mae_npz_read(const char *path, const char *key, memae_array *out, memae_err *err)
{
    memset(out, 0, sizeof *out);
    zip_t *z;
    int st = open_zip(path, &z, err);
    if (st)
        return st;
    char name[256], where[4096];
    snprintf(name, sizeof name, "%s.npy", key);
    snprintf(where, sizeof where, "%s:%s", path, key);
    zip_stat_t zs;
    zip_int64_t i = zip_name_locate(z, name, 0);
    unsigned char *buf = NULL;
    zip_file_t *f = NULL;
    if (i < 0)
        st = mae_seterr(err, MEMAE_E_NAME, "%s: no array '%s' in the npz", path, key);
    else if (zip_stat_index(z, (zip_uint64_t)i, 0, &zs) != 0 || !(zs.valid & ZIP_STAT_SIZE))
        st = mae_seterr(err, MEMAE_E_FORMAT, "%s: cannot read the size of member %s", path, name);
    /* deflate expands at most 1032:1: a larger declared size is a lie (or a bomb) */
    else if (!(zs.valid & ZIP_STAT_COMP_SIZE) || zs.comp_size > file_size(path) ||
             zs.size / 1032 > zs.comp_size + 1)
        st = mae_seterr(err, MEMAE_E_FORMAT,
                          "%s: member %s declares %llu bytes, more than its %llu compressed "
                          "bytes can hold",
                          path, name, (unsigned long long)zs.size,
                          (unsigned long long)zs.comp_size);
    else if (!(buf = malloc(zs.size ? zs.size : 1)))
        st = mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory for %s", where, name);
    else if (!(f = zip_fopen_index(z, (zip_uint64_t)i, 0)))
        st = mae_seterr(err, MEMAE_E_FORMAT, "%s: cannot open member %s: %s", path, name,
                          zip_strerror(z));
    if (!st) {
        /* A cut or corrupt member fails here: libzip checks the sizes and the CRC. */
        zip_int64_t got = zip_fread(f, buf, zs.size);
        if (got < 0 || (zip_uint64_t)got != zs.size)
            st = mae_seterr(err, MEMAE_E_TRUNCATED, "%s: member %s is truncated or corrupt: %s",
                              path, name, got < 0 ? zip_file_strerror(f) : "short read");
    }
    if (f)
        zip_fclose(f);
    if (!st)
        st = mae_npy_read_mem(where, buf, zs.size, out, err);
    free(buf);
    zip_discard(z);
    return st;
}
