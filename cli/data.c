#include "data.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "io/array.h"

int cli_load_samples(memae_model *m, const char *path, float **x, int64_t *n)
{
    if (!path)
        return cli_fail("--data is required");
    int st = memae_data_load(m, path, x, n);
    return st ? cli_model_fail(m, st) : 0;
}

int cli_load_binary_labels(memae_model *m, const char *path, int64_t n, long normal_class,
                           uint8_t **out)
{
    int64_t *y = NULL, ny = 0;
    *out = NULL;
    int st = memae_labels_load(m, path, &y, &ny);
    if (st)
        return cli_model_fail(m, st);
    int rc = 0;
    if (ny != n)
        rc = cli_fail("%s: %lld labels for %lld samples", path, (long long)ny, (long long)n);
    else if (!(*out = malloc((size_t)(n ? n : 1))))
        rc = cli_fail("out of memory");
    for (int64_t i = 0; !rc && i < n; i++) {
        if (normal_class >= 0)
            (*out)[i] = y[i] != normal_class;
        else if (y[i] == 0 || y[i] == 1)
            (*out)[i] = (uint8_t)y[i];
        else
            rc = cli_fail("%s: label %lld of sample %lld is not 0 or 1 (give --normal-class K "
                          "for class labels)",
                          path, (long long)y[i], (long long)i);
    }
    memae_free(y);
    if (rc) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

int cli_write_npy(const char *path, const float *v, const int64_t *shape, int ndim)
{
    memae_array a = {.dtype = MEMAE_F32, .ndim = ndim, .data = (void *)v};
    size_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= (size_t)(a.shape[i] = shape[i]);
    a.nbytes = n * sizeof(float);
    memae_err err = {0};
    return memae_npy_write(path, &a, &err) ? cli_fail("%s", err.msg) : 0;
}

int cli_write_with(const char *path, memae_fill_fn fill, void *ctx)
{
    memae_err err = {0};
    return memae_write_atomic_fn(path, fill, ctx, &err) ? cli_fail("%s", err.msg) : 0;
}

typedef struct csv_rows {
    const float *v;
    int64_t n, cols;
    int as_u8;
    const char *header;
} csv_rows;

static int fill_csv(FILE *fp, void *ctx, memae_err *err)
{
    (void)err;
    const csv_rows *r = ctx;
    int ok = fprintf(fp, "index,%s\n", r->header) > 0;
    for (int64_t i = 0; ok && i < r->n; i++) {
        ok = fprintf(fp, "%lld", (long long)i) > 0;
        for (int64_t c = 0; ok && c < r->cols; c++)
            ok = r->as_u8 ? fprintf(fp, ",%d", (int)r->v[i * r->cols + c]) > 0
                          : fprintf(fp, ",%.9g", r->v[i * r->cols + c]) > 0;
        ok = ok && fputc('\n', fp) != EOF;
    }
    return MEMAE_OK; /* a failed write sets the stream's error flag */
}

static int write_csv(const char *path, const float *v, int64_t n, int64_t cols, int as_u8,
                     const char *header)
{
    csv_rows r = {v, n, cols, as_u8, header};
    return cli_write_with(path, fill_csv, &r);
}

typedef struct text {
    const char *s;
    size_t len;
} text;

static int fill_text(FILE *fp, void *ctx, memae_err *err)
{
    (void)err;
    const text *t = ctx;
    fwrite(t->s, 1, t->len, fp);
    return MEMAE_OK;
}

int cli_write_text(const char *path, const char *s, size_t len)
{
    if (!path)
        return fwrite(s, 1, len, stdout) == len ? 0 : cli_fail("cannot write to stdout");
    text t = {s, len};
    return cli_write_with(path, fill_text, &t);
}

int cli_write_table(const char *path, const float *v, int64_t n, int64_t cols, int as_u8,
                    const char *header)
{
    if (memae_path_ends_with(path, ".csv"))
        return write_csv(path, v, n, cols, as_u8, header);
    if (!memae_path_ends_with(path, ".npy"))
        return cli_fail("%s: the output must end in .npy or .csv", path);
    int64_t shape[2] = {n, cols};
    if (!as_u8)
        return cli_write_npy(path, v, shape, cols > 1 ? 2 : 1);
    uint8_t *u = malloc(n * cols > 0 ? (size_t)(n * cols) : 1);
    if (!u)
        return cli_fail("out of memory");
    for (int64_t i = 0; i < n * cols; i++)
        u[i] = (uint8_t)v[i];
    memae_array a = {.dtype = MEMAE_U8,
                     .ndim = cols > 1 ? 2 : 1,
                     .shape = {n, cols},
                     .data = u,
                     .nbytes = (size_t)(n * cols)};
    memae_err err = {0};
    int rc = memae_npy_write(path, &a, &err) ? cli_fail("%s", err.msg) : 0;
    free(u);
    return rc;
}

static void hms(double s, char *buf, size_t len)
{
    long t = (long)(s + 0.5);
    snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

void cli_progress(const memae_progress *p, void *user)
{
    (void)user;
    int tty = isatty(fileno(stderr));
    if (!tty && !p->epoch_done)
        return;
    double frac = (double)p->batch / (double)p->batches;
    double eta = p->seconds / (frac > 0 ? frac : 1) * (1 - frac) +
                 p->seconds / (frac > 0 ? frac : 1) * (p->epochs - p->epoch);
    char e[32];
    hms(eta, e, sizeof e);
    /* Whole samples/s for images; video clips on a CPU go below one per second. */
    int digits = p->samples_per_s >= 100 ? 0 : p->samples_per_s >= 1 ? 1 : 3;
    if (!tty) {
        fprintf(stderr,
                "epoch %d/%d: loss %.6f mse %.6f entropy %.4f, %.*f samples/s, %.1f s, "
                "ETA %s\n",
                p->epoch, p->epochs, p->loss, p->mse, p->entropy, digits, p->samples_per_s,
                p->seconds, e);
        return;
    }
    char bar[21];
    int fill = (int)(frac * 20);
    for (int i = 0; i < 20; i++)
        bar[i] = i < fill ? '=' : i == fill ? '>' : ' ';
    bar[20] = '\0';
    fprintf(stderr, "\repoch %d/%d [%s] %lld/%lld loss %.5f mse %.5f ent %.3f %.*f/s ETA %s ",
            p->epoch, p->epochs, bar, (long long)p->batch, (long long)p->batches, p->loss, p->mse,
            p->entropy, digits, p->samples_per_s, e);
    if (p->epoch_done)
        fputc('\n', stderr);
    fflush(stderr);
}

int cli_parse_classes(const char *text, int flags[], int max)
{
    memset(flags, 0, (size_t)max * sizeof *flags);
    int count = 0;
    const char *p = text;
    while (*p) {
        char *end;
        long a = strtol(p, &end, 10), b = a;
        if (end == p)
            goto bad;
        if (*end == '-') {
            const char *q = end + 1;
            b = strtol(q, &end, 10);
            if (end == q)
                goto bad;
        }
        if (a < 0 || b >= max || a > b)
            goto bad;
        for (long k = a; k <= b; k++)
            count += !flags[k], flags[k] = 1;
        if (*end == ',')
            end++;
        else if (*end)
            goto bad;
        p = end;
    }
    if (count)
        return count;
bad:
    cli_fail("--classes: '%s' is not like 0-9, 0,3,5 or 2-4,7 (classes 0 to %d)", text, max - 1);
    return -1;
}
