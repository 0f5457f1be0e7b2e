#include "common.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

int cli_common_flag(cli_common *c, const char *name, const char *arg)
{
    long v;
    if (!strcmp(name, "threads")) {
        if (cli_parse_int("--threads", arg, 0, 1024, &v))
            return -1;
        c->threads = (int)v;
        return 1;
    }
    if (!strcmp(name, "seed")) {
        char *end;
        errno = 0;
        unsigned long long s = strtoull(arg, &end, 10);
        if (errno || end == arg || *end || arg[0] == '-') {
            cli_fail("--seed: '%s' is not a non-negative integer", arg);
            return -1;
        }
        c->seed = s;
        return 1;
    }
    if (!strcmp(name, "backend")) {
        if (!strcmp(arg, "ref") || !strcmp(arg, "dnnl"))
            c->backend = arg;
        else {
            cli_fail("--backend: '%s' is not ref or dnnl", arg);
            return -1;
        }
        return 1;
    }
    if (!strcmp(name, "json")) {
        c->json = 1;
        return 1;
    }
    return 0;
}

int cli_check_documented(const char *cmd, const char *usage, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strstr(usage, "--"); p; p = strstr(p + 2, "--")) {
        char next = p[2 + n];
        if (!strncmp(p + 2, name, n) && !(next == '-' || (next >= 'a' && next <= 'z')))
            return 0;
    }
    return cli_fail("%s: --%s is not an option of this command (see memae %s --help)", cmd, name,
                    cmd);
}

int cli_apply_common(const cli_common *c, memae_model *m)
{
    int st = memae_model_set_threads(m, c->threads);
    if (!st && c->backend)
        st = memae_model_set_backend(m, !strcmp(c->backend, "dnnl") ? MEMAE_BACKEND_DNNL
                                                                    : MEMAE_BACKEND_REF);
    else if (!st && memae_model_set_backend(m, MEMAE_BACKEND_DNNL) != MEMAE_OK)
        st = memae_model_set_backend(m, MEMAE_BACKEND_REF); /* a build or CPU without oneDNN */
    return st ? cli_model_fail(m, st) : 0;
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

int cli_load_model(const char *path, const cli_common *c, memae_model **out)
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

void cli_format_shape(const int64_t *shape, int n, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%lld", i ? "x" : "", (long long)shape[i]);
}
