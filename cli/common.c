#include "common.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("memae: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

int cli_model_fail(const memae_model *m, int status)
{
    const char *msg = memae_errmsg(m);
    return cli_fail("%s", msg && *msg ? msg : memae_strerror(status));
}

int cli_data_fail(const memae_dataset *d, int status)
{
    const char *msg = memae_dataset_errmsg(d);
    return cli_fail("%s", msg && *msg ? msg : memae_strerror(status));
}

int cli_parse_int(const char *flag, const char *arg, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v < lo || v > hi) {
        cli_fail("%s: '%s' is not an integer in [%ld, %ld]", flag, arg, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_float(const char *flag, const char *arg, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || !isfinite(v) || v < lo || v > hi) {
        cli_fail("%s: '%s' is not a number in [%g, %g]", flag, arg, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_shape(const char *text, int64_t shape[4])
{
    int n = 0;
    const char *p = text;
    while (*p) {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno || v < 1 || v > 1000000 || n == 4 || (*end && *end != 'x')) {
            cli_fail("--input-shape: '%s' is not like 1x28x28, 30 or 1x16x256x256", text);
            return -1;
        }
        shape[n++] = v;
        p = *end ? end + 1 : end;
        if (*end && !*p) {
            cli_fail("--input-shape: '%s' ends with 'x'", text);
            return -1;
        }
    }
    if (n == 0 || n == 2) {
        cli_fail("--input-shape: '%s' needs 1 (D), 3 (CxHxW) or 4 (CxTxHxW) sizes", text);
        return -1;
    }
    return n;
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

char *cli_read_config(const char *arg)
{
    if (arg[0] == '{')
        return strdup(arg);
    FILE *fp = fopen(arg, "rb");
    if (!fp) {
        cli_fail("--config: cannot open %s: %s", arg, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, fp)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    fclose(fp);
    if (!buf) {
        cli_fail("--config: out of memory reading %s", arg);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* The JSON the library gets: the recipe's preferred keys for the preset,
 * --config over them, and --preset and --input-shape over both. */
char *cli_config_json(const char *preset, const char *config_arg, const char *shape_arg,
                      const char *recipe)
{
    cJSON *root = cJSON_Parse(memae_recipe_config(recipe, preset ? preset : "image2d"));
    if (config_arg) {
        char *text = cli_read_config(config_arg);
        if (!text) {
            cJSON_Delete(root);
            return NULL;
        }
        cJSON *user = cJSON_Parse(text);
        free(text);
        if (!cJSON_IsObject(user)) {
            cJSON_Delete(user);
            cJSON_Delete(root);
            cli_fail("--config: %s is not a JSON object", config_arg);
            return NULL;
        }
        for (cJSON *k = user->child; k; k = k->next)
            cJSON_DeleteItemFromObject(root, k->string);
        while (user->child) {
            cJSON *k = cJSON_DetachItemViaPointer(user, user->child);
            cJSON_AddItemToObject(root, k->string, k);
        }
        cJSON_Delete(user);
    }
    if (preset)
        cJSON_DeleteItemFromObject(root, "preset"), cJSON_AddStringToObject(root, "preset", preset);
    if (shape_arg) {
        int64_t shape[4];
        int n = cli_parse_shape(shape_arg, shape);
        if (n < 0) {
            cJSON_Delete(root);
            return NULL;
        }
        cJSON *arr = cJSON_CreateArray();
        for (int i = 0; i < n; i++)
            cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)shape[i]));
        cJSON_DeleteItemFromObject(root, "input_shape");
        cJSON_AddItemToObject(root, "input_shape", arr);
    }
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}

void cli_format_shape(const int64_t *shape, int n, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%lld", i ? "x" : "", (long long)shape[i]);
}

int cli_has_ext(const char *path, const char *suffix)
{
    size_t a = strlen(path), b = strlen(suffix);
    return a >= b && !strcasecmp(path + a - b, suffix);
}

int cli_apply_common(const cli_args *c, memae_model *m)
{
    int st = memae_model_set_threads(m, c->threads);
    if (!st && c->backend)
        st = memae_model_set_backend(m, !strcmp(c->backend, "dnnl") ? MEMAE_BACKEND_DNNL
                                                                    : MEMAE_BACKEND_REF);
    else if (!st && memae_model_set_backend(m, MEMAE_BACKEND_DNNL) != MEMAE_OK)
        st = memae_model_set_backend(m, MEMAE_BACKEND_REF); /* a build or CPU without oneDNN */
    return st ? cli_model_fail(m, st) : 0;
}

int cli_create_model(const char *preset, const char *config, const char *shape,
                     const char *recipe, const cli_args *a, memae_model **out)
{
    *out = NULL;
    char *json = cli_config_json(preset, config, shape, recipe);
    if (!json)
        return 1;
    memae_model *m = NULL;
    int st = memae_model_create(json, a->seed, &m), rc = 0;
    free(json);
    if (!m)
        return cli_fail("out of memory");
    if (st)
        rc = cli_model_fail(m, st);
    else
        rc = cli_apply_common(a, m);
    if (rc)
        memae_model_free(m);
    else
        *out = m;
    return rc;
}

int cli_load_model(const char *path, const cli_args *c, memae_model **out)
{
    *out = NULL;
    if (!path)
        return cli_fail("-m MODEL is required");
    memae_model *m = NULL;
    int st = memae_model_load(path, &m);
    if (st) {
        cli_model_fail(m, st);
        memae_model_free(m);
        return 1;
    }
    if (cli_apply_common(c, m)) {
        memae_model_free(m);
        return 1;
    }
    *out = m;
    return 0;
}

int cli_write_text(const char *path, const char *s, size_t len)
{
    if (!path)
        return (errno = 0, fwrite(s, 1, len, stdout) == len && fflush(stdout) == 0)
                   ? 0
                   : cli_fail("cannot write to standard output: %s", strerror(errno ? errno : EIO));
    char msg[600];
    return memae_write_file(path, s, len, msg, sizeof msg) ? cli_fail("%s", msg) : 0;
}

int cli_write_npy(const char *path, const float *v, const int64_t *shape, int ndim)
{
    char msg[600];
    return memae_write_npy(path, v, 0, shape, ndim, msg, sizeof msg) ? cli_fail("%s", msg) : 0;
}

FILE *cli_text_open(cli_text *t)
{
    t->buf = NULL;
    t->len = 0;
    if (!(t->f = open_memstream(&t->buf, &t->len)))
        cli_fail("out of memory");
    return t->f;
}

int cli_text_close(cli_text *t, const char *path)
{
    int rc = fclose(t->f) ? cli_fail("out of memory") : cli_write_text(path, t->buf, t->len);
    free(t->buf);
    return rc;
}

void cli_print_json(struct cJSON *j)
{
    char *s = cJSON_Print(j);
    puts(s);
    free(s);
    cJSON_Delete(j);
}

static int write_csv(const char *path, const float *v, int64_t n, int64_t cols, int as_u8,
                     const char *header)
{
    cli_text t;
    FILE *fp = cli_text_open(&t);
    if (!fp)
        return 1;
    fprintf(fp, "index,%s\n", header);
    for (int64_t i = 0; i < n; i++) {
        fprintf(fp, "%lld", (long long)i);
        for (int64_t c = 0; c < cols; c++)
            if (as_u8)
                fprintf(fp, ",%d", (int)v[i * cols + c]);
            else
                fprintf(fp, ",%.9g", v[i * cols + c]);
        fputc('\n', fp);
    }
    return cli_text_close(&t, path);
}

int cli_write_table(const char *path, const float *v, int64_t n, int64_t cols, int as_u8,
                    const char *header)
{
    if (cli_has_ext(path, ".csv"))
        return write_csv(path, v, n, cols, as_u8, header);
    if (!cli_has_ext(path, ".npy"))
        return cli_fail("%s: the output must end in .npy or .csv", path);
    int64_t shape[2] = {n, cols};
    if (!as_u8)
        return cli_write_npy(path, v, shape, cols > 1 ? 2 : 1);
    uint8_t *u = malloc(n * cols > 0 ? (size_t)(n * cols) : 1);
    if (!u)
        return cli_fail("out of memory");
    for (int64_t i = 0; i < n * cols; i++)
        u[i] = (uint8_t)v[i];
    char msg[600];
    int rc = memae_write_npy(path, u, 1, shape, cols > 1 ? 2 : 1, msg, sizeof msg)
                 ? cli_fail("%s", msg)
                 : 0;
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

static void tty_progress(const char *what, int64_t v, int64_t nv, const char *name,
                         const char *extra)
{
    if (!isatty(fileno(stderr)))
        return;
    fprintf(stderr, "\r\033[K%svideo %lld/%lld %s%s", what, (long long)v + 1, (long long)nv, name,
            extra);
    if (v + 1 == nv)
        fputc('\n', stderr);
    fflush(stderr);
}

void cli_data_warn(const char *msg, void *user)
{
    (void)user;
    if (isatty(fileno(stderr)))
        fputs("\r\033[K", stderr); /* over a progress line */
    fprintf(stderr, "memae: warning: %s\n", msg);
}

void cli_data_progress(int stage, int64_t v, int64_t nv, const char *name, int64_t frames,
                       int decoded, void *user)
{
    (void)user;
    char extra[64] = "";
    if (stage == 0)
        snprintf(extra, sizeof extra, ": %lld frames (%s)", (long long)frames,
                 decoded ? "decoded" : "cached");
    tty_progress(stage == 0 ? "" : "scoring ", v, nv, name, extra);
}
