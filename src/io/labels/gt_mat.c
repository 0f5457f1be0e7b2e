/* MATLAB ground truth: MemAE's Test_gt ('l', a 0/1 vector), Avenue's
 * testing_label_mask ('volLabel', one mask per frame), and a cell array of
 * per-video vectors for all videos in one file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/labels/gt_forms.h"
#include "io/formats/matfile.h"

/* The label variable: exactly one of *a (numeric) or *cells is filled. */
typedef struct gt_mat {
    memae_array a;
    memae_array *cells;
    int64_t ncells;
    char what[64]; /* "variable 'l'" */
} gt_mat;

static int load(const char *path, gt_mat *m, memae_err *err)
{
    memset(m, 0, sizeof *m);
    snprintf(m->what, sizeof m->what, "variable 'l'");
    int st = mae_mat_read(path, "l", &m->a, err);
    if (st != MEMAE_E_NAME)
        return st;
    snprintf(m->what, sizeof m->what, "variable 'volLabel'");
    st = mae_mat_read_cells(path, "volLabel", &m->cells, &m->ncells, err);
    if (st != MEMAE_E_NAME)
        return st;
    /* Neither: the first variable, numeric or cell. */
    snprintf(m->what, sizeof m->what, "the first variable");
    st = mae_mat_read(path, NULL, &m->a, err);
    if (st == MEMAE_E_DTYPE)
        st = mae_mat_read_cells(path, NULL, &m->cells, &m->ncells, err);
    if (st == MEMAE_E_NAME || st == MEMAE_E_DTYPE)
        return mae_seterr(
            err, MEMAE_E_NAME,
            "%s: no label variable ('l', 'volLabel', or a numeric or cell first variable)", path);
    return st;
}

static void release(gt_mat *m)
{
    mae_array_free(&m->a);
    mae_mat_cells_free(m->cells, m->ncells);
    m->cells = NULL;
}

/* One mask per frame: anomalous iff the mask has a nonzero. */
static int from_masks(const char *path, const char *video, const gt_mat *m, int64_t n, uint8_t *dst,
                      memae_err *err)
{
    if (m->ncells != n)
        return mae_seterr(err, MEMAE_E_SHAPE,
                          "%s: %s has %lld masks, but video '%s' has %lld frames", path, m->what,
                          (long long)m->ncells, video, (long long)n);
    for (int64_t t = 0; t < n; t++)
        dst[t] = (uint8_t)mae_gt_any_nonzero(&m->cells[t]);
    return MEMAE_OK;
}

static int from_vector(const char *path, const char *video, const gt_mat *m, int64_t n,
                       uint8_t *dst, memae_err *err)
{
    int64_t got = mae_array_numel(&m->a);
    if (!mae_gt_is_vector(&m->a) || got != n) {
        char shape[64];
        mae_shape_str(&m->a, shape, sizeof shape);
        return mae_seterr(err, MEMAE_E_SHAPE,
                          "%s: %s has %lld labels (shape %s), but video '%s' has %lld frames", path,
                          m->what, (long long)got, shape, video, (long long)n);
    }
    return mae_gt_from_array(path, m->what, &m->a, 0, n, dst, err);
}

int mae_gt_read_mat(const char *path, const char *video, int64_t n, uint8_t *dst, memae_err *err)
{
    gt_mat m;
    int st = load(path, &m, err);
    if (!st)
        st = m.cells ? from_masks(path, video, &m, n, dst, err)
                     : from_vector(path, video, &m, n, dst, err);
    release(&m);
    return st;
}

/* A cell array of nv per-video vectors. */
static int from_cells(const char *path, const gt_mat *m, int64_t nv, const char *const *names,
                      const int64_t *frames, uint8_t **labels, memae_err *err)
{
    int st = MEMAE_OK;
    for (int64_t v = 0; !st && v < nv; v++) {
        const memae_array *c = &m->cells[v];
        int64_t got = mae_array_numel(c);
        if (!mae_gt_is_vector(c) || got != frames[v])
            st = mae_seterr(err, MEMAE_E_SHAPE,
                            "%s: cell %lld of %s has %lld labels, but video '%s' has %lld frames",
                            path, (long long)v + 1, m->what, (long long)got, names[v],
                            (long long)frames[v]);
        else
            st = mae_gt_from_array(path, m->what, c, 0, frames[v], labels[v], err);
    }
    return st;
}

int mae_gt_read_mat_all(const char *path, int64_t nv, const char *const *names,
                        const int64_t *frames, uint8_t **labels, memae_err *err)
{
    gt_mat m;
    int st = load(path, &m, err);
    if (st)
        return st;
    if (m.cells && m.ncells == nv && (nv > 1 || mae_gt_is_vector(&m.cells[0])))
        st = from_cells(path, &m, nv, names, frames, labels, err);
    else if (nv == 1) /* a per-video file */
        st = m.cells ? from_masks(path, names[0], &m, frames[0], labels[0], err)
                     : from_vector(path, names[0], &m, frames[0], labels[0], err);
    else if (!m.cells)
        st = mae_gt_split_array(path, m.what, &m.a, nv, frames, labels, err);
    else
        st = mae_seterr(err, MEMAE_E_SHAPE, "%s: %s has %lld cells for %lld videos", path, m.what,
                        (long long)m.ncells, (long long)nv);
    release(&m);
    return st;
}
