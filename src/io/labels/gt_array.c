/* Ground truth held in arrays: npy files, and the checks the .mat reader shares. */
#include <stdio.h>
#include <string.h>

#include "io/formats/array.h"
#include "io/labels/gt_forms.h"
#include "io/media/images.h"

static double value(const memae_array *a, int64_t i)
{
    switch (a->dtype) {
    case MEMAE_U8:
        return ((const uint8_t *)a->data)[i];
    case MEMAE_I8:
        return ((const int8_t *)a->data)[i];
    case MEMAE_I16:
        return ((const int16_t *)a->data)[i];
    case MEMAE_I32:
        return ((const int32_t *)a->data)[i];
    case MEMAE_I64:
        return (double)((const int64_t *)a->data)[i];
    case MEMAE_F32:
        return ((const float *)a->data)[i];
    case MEMAE_F64:
        return ((const double *)a->data)[i];
    default:
        return -1; /* not 0 or 1: reported by the caller */
    }
}

int mae_gt_is_vector(const memae_array *a)
{
    int big = 0;
    for (int d = 0; d < a->ndim; d++)
        big += a->shape[d] > 1;
    return big <= 1;
}

int mae_gt_from_array(const char *path, const char *what, const memae_array *a, int64_t off,
                      int64_t n, uint8_t *dst, memae_err *err)
{
    for (int64_t i = 0; i < n; i++) {
        double x = value(a, off + i);
        if (x != 0 && x != 1)
            return mae_seterr(err, MEMAE_E_FORMAT, "%s: %s, element %lld is %g, not a label 0 or 1",
                              path, what, (long long)(off + i), x);
        dst[i] = (uint8_t)x;
    }
    return MEMAE_OK;
}

/* Whether elements off .. off + n - 1 of a hold a nonzero. */
static int any_nonzero(const memae_array *a, int64_t off, int64_t n)
{
    for (int64_t i = off; i < off + n; i++)
        if (value(a, i) != 0)
            return 1;
    return 0;
}

int mae_gt_any_nonzero(const memae_array *a)
{
    return any_nonzero(a, 0, mae_array_numel(a));
}

int mae_gt_split_array(const char *path, const char *what, const memae_array *a, int64_t nv,
                       const int64_t *frames, uint8_t **labels, memae_err *err)
{
    int64_t total = 0, n = mae_array_numel(a);
    int same = 1;
    for (int64_t v = 0; v < nv; v++) {
        total += frames[v];
        same &= frames[v] == frames[0];
    }
    int matrix = a->ndim == 2 && a->shape[0] == nv && same && a->shape[1] == frames[0];
    if (!matrix && !(mae_gt_is_vector(a) && n == total)) {
        char shape[64];
        mae_shape_str(a, shape, sizeof shape);
        return mae_seterr(
            err, MEMAE_E_SHAPE,
            "%s: %s has shape %s, but the %lld videos have %lld frames in all (want a vector of "
            "them all, or %lld rows when the videos are of equal length)",
            path, what, shape, (long long)nv, (long long)total, (long long)nv);
    }
    int st = MEMAE_OK;
    for (int64_t v = 0, off = 0; !st && v < nv; off += frames[v++])
        st = mae_gt_from_array(path, what, a, off, frames[v], labels[v], err);
    return st;
}

int mae_gt_read_npy(const char *path, const char *video, int64_t n, uint8_t *dst, memae_err *err)
{
    memae_array a;
    int st = mae_npy_read(path, &a, err);
    if (st)
        return st;
    int64_t got = mae_array_numel(&a);
    if (a.ndim == 3 && a.shape[0] == n) {
        /* F x H x W masks (ShanghaiTech's test_pixel_mask): a frame is
         * anomalous iff its mask has a nonzero pixel. */
        int64_t px = a.shape[1] * a.shape[2];
        for (int64_t t = 0; t < n; t++)
            dst[t] = (uint8_t)any_nonzero(&a, t * px, px);
    } else if (!mae_gt_is_vector(&a) || got != n) {
        char shape[64];
        mae_shape_str(&a, shape, sizeof shape);
        st = mae_seterr(err, MEMAE_E_SHAPE,
                        "%s: %lld labels (shape %s), but video '%s' has %lld frames", path,
                        (long long)got, shape, video, (long long)n);
    } else {
        st = mae_gt_from_array(path, "the array", &a, 0, n, dst, err);
    }
    mae_array_free(&a);
    return st;
}

int mae_gt_read_npy_all(const char *path, int64_t nv, const char *const *names,
                        const int64_t *frames, uint8_t **labels, memae_err *err)
{
    if (nv == 1) /* a per-video file; its messages name the video */
        return mae_gt_read_npy(path, names[0], frames[0], labels[0], err);
    memae_array a;
    int st = mae_npy_read(path, &a, err);
    if (st)
        return st;
    st = mae_gt_split_array(path, "the array", &a, nv, frames, labels, err);
    mae_array_free(&a);
    return st;
}

int mae_gt_read_masks(const char *dir, const char *video, int64_t n, uint8_t *dst, memae_err *err)
{
    memae_array a;
    int st = mae_images_read_dir(dir, 1, 0, 0, &a, err);
    if (st)
        return st;
    if (a.shape[0] != n) {
        st = mae_seterr(err, MEMAE_E_SHAPE, "%s: %lld mask images, but video '%s' has %lld frames",
                        dir, (long long)a.shape[0], video, (long long)n);
    } else {
        /* Each mask is one H x W slab of the N x 1 x H x W array. */
        int64_t px = a.shape[2] * a.shape[3];
        for (int64_t t = 0; t < n; t++) {
            const uint8_t *m = (const uint8_t *)a.data + t * px;
            dst[t] = 0;
            for (int64_t i = 0; i < px && !dst[t]; i++)
                dst[t] = m[i] != 0;
        }
    }
    mae_array_free(&a);
    return st;
}
