/* An RFC 4180 CSV reader: the whole file is read, then unescaped in one pass. */
#include "io/tables/csv.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mae_csv_number(const char *cell, double *v)
{
    char *end;
    while (*cell == ' ' || *cell == '\t')
        cell++;
    if (!*cell)
        return 0;
    errno = 0;
    double d = strtod(cell, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end || end == cell || !isfinite(d))
        return 0;
    *v = d;
    return 1;
}

int mae_csv_missing(const char *cell)
{
    static const char *const markers[] = {"", "?", "na", "n/a", "nan", "null", NULL};
    char buf[8];
    size_t n = 0;
    while (*cell == ' ' || *cell == '\t')
        cell++;
    for (; *cell && n < sizeof buf - 1; cell++)
        buf[n++] = (char)tolower((unsigned char)*cell);
    while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
        n--;
    buf[n] = '\0';
    for (int i = 0; markers[i] && !*cell; i++)
        if (!strcmp(buf, markers[i]))
            return 1;
    /* inf, -nan and friends: numbers that are not finite */
    char *end;
    double v = strtod(buf, &end);
    return !*cell && n > 0 && !*end && !isfinite(v);
}

static int slurp(const char *path, char **buf, size_t *len, memae_err *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return mae_seterr(err, MEMAE_E_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0, got;
    char *b = malloc(cap);
    while (b && (got = fread(b + n, 1, cap - n - 1, fp)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb)
                free(b);
            b = nb;
        }
    }
    int bad = ferror(fp);
    fclose(fp);
    if (!b)
        return mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory reading the file", path);
    if (bad) {
        free(b);
        return mae_seterr(err, MEMAE_E_IO, "%s: read error", path);
    }
    b[n] = '\0';
    /* A NUL would silently end a cell ("0.2\0garbage" read as 0.2). */
    const char *nul = memchr(b, '\0', n);
    if (nul) {
        int64_t line = 1;
        size_t at = (size_t)(nul - b);
        for (const char *p = b; p < nul; p++)
            line += *p == '\n';
        free(b);
        return mae_seterr(err, MEMAE_E_FORMAT, "%s: line %lld holds a NUL byte (at byte %zu)", path,
                          (long long)line, at);
    }
    *buf = b;
    *len = n;
    return MEMAE_OK;
}

/* Growing arrays of field pointers and row start lines. */
typedef struct grid {
    char **cells;
    int64_t ncells, cap;
    int64_t *lines;
    int64_t nrows, rcap;
} grid;

static int push(void **p, int64_t *cap, int64_t n, size_t es)
{
    if (n < *cap)
        return 0;
    int64_t nc = *cap ? *cap * 2 : 1024;
    void *q = realloc(*p, (size_t)nc * es);
    if (!q)
        return -1;
    *p = q;
    *cap = nc;
    return 0;
}

/* A line end at i: LF or CRLF (a lone CR is data). */
static int is_eol(const char *s, size_t i, size_t len)
{
    return s[i] == '\n' || (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n');
}

/* Unescapes src into dst (same size is enough: unescaping only shrinks). */
static int parse(const char *path, const char *s, size_t len, char delim, char *dst, grid *g,
                 int64_t *cols, memae_err *err)
{
    size_t i = 0, o = 0;
    int64_t line = 1, field = 0, row_start_line = 1;
    *cols = -1;
    while (i < len) {
        /* A blank line is not a row. */
        if (field == 0 && is_eol(s, i, len)) {
            i += s[i] == '\r' ? 2 : 1;
            line++;
            continue;
        }
        if (field == 0)
            row_start_line = line;
        if (push((void **)&g->cells, &g->cap, g->ncells, sizeof *g->cells))
            return mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
        g->cells[g->ncells++] = dst + o;
        if (s[i] == '"') {
            int64_t qline = line;
            i++;
            for (;;) {
                if (i >= len)
                    return mae_seterr(err, MEMAE_E_FORMAT,
                                      "%s: line %lld: a quoted field "
                                      "is never closed",
                                      path, (long long)qline);
                if (s[i] == '"' && i + 1 < len && s[i + 1] == '"') {
                    dst[o++] = '"';
                    i += 2;
                } else if (s[i] == '"') {
                    i++;
                    break;
                } else {
                    line += s[i] == '\n';
                    dst[o++] = s[i++];
                }
            }
            if (i < len && s[i] != delim && !is_eol(s, i, len))
                return mae_seterr(err, MEMAE_E_FORMAT,
                                  "%s: line %lld, column %lld: text "
                                  "after a closing quote",
                                  path, (long long)line, (long long)field + 1);
        } else {
            while (i < len && s[i] != delim && !is_eol(s, i, len))
                dst[o++] = s[i++];
        }
        dst[o++] = '\0';
        field++;
        if (i < len && s[i] == delim) {
            i++;
            if (i < len && !is_eol(s, i, len))
                continue;
            /* A delimiter just before the line end: an empty last field. */
            if (push((void **)&g->cells, &g->cap, g->ncells, sizeof *g->cells))
                return mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
            g->cells[g->ncells++] = dst + o;
            dst[o++] = '\0';
            field++;
        }
        if (*cols < 0)
            *cols = field;
        else if (field != *cols)
            return mae_seterr(err, MEMAE_E_FORMAT,
                              "%s: line %lld has %lld field%s, the "
                              "first row has %lld",
                              path, (long long)row_start_line, (long long)field,
                              field == 1 ? "" : "s", (long long)*cols);
        if (push((void **)&g->lines, &g->rcap, g->nrows, sizeof *g->lines))
            return mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
        g->lines[g->nrows++] = row_start_line;
        field = 0;
        if (i < len) {
            i += s[i] == '\r' ? 2 : 1;
            line++;
        }
    }
    return MEMAE_OK;
}

static int guess_header(const grid *g, int64_t cols)
{
    int64_t look = g->nrows - 1 < 100 ? g->nrows - 1 : 100;
    int all_text = 1, repeated = 0;
    double v;
    for (int64_t c = 0; c < cols; c++) {
        const char *h = g->cells[c];
        if (mae_csv_number(h, &v)) {
            all_text = 0;
            continue;
        }
        int numbers_below = look > 0;
        for (int64_t r = 1; r <= look; r++) {
            const char *cell = g->cells[r * cols + c];
            numbers_below = numbers_below && (mae_csv_number(cell, &v) || !*cell);
            repeated = repeated || !strcmp(cell, h);
        }
        if (numbers_below && *h)
            return 1;
    }
    return all_text && !repeated;
}

int mae_csv_read(const char *path, int header, char delimiter, memae_csv *out, memae_err *err)
{
    memset(out, 0, sizeof *out);
    char *src = NULL;
    size_t len = 0;
    int st = slurp(path, &src, &len, err);
    if (st)
        return st;
    grid g = {0};
    int64_t cols = 0;
    char *dst = malloc(len + 2);
    if (!dst)
        st = mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
    if (!st)
        st = parse(path, src, len, delimiter, dst, &g, &cols, err);
    free(src);
    if (!st && g.nrows == 0)
        st = mae_seterr(err, MEMAE_E_SHAPE, "%s: no rows", path);
    if (!st && header == MEMAE_CSV_AUTO)
        header = guess_header(&g, cols);
    if (!st && header && g.nrows < 2)
        st = mae_seterr(err, MEMAE_E_SHAPE, "%s: a header and no data rows", path);
    if (st) {
        free(dst);
        free(g.cells);
        free(g.lines);
        return st;
    }
    out->cols = cols;
    out->rows = g.nrows - (header ? 1 : 0);
    out->text = dst;
    if (header) {
        /* The cell array doubles as the names array: names first, then the rows. */
        out->names = g.cells;
        out->cells = g.cells + cols;
        memmove(g.lines, g.lines + 1, (size_t)out->rows * sizeof *g.lines);
    } else {
        out->cells = g.cells;
    }
    out->lines = g.lines;
    return MEMAE_OK;
}

void mae_csv_free(memae_csv *c)
{
    if (!c)
        return;
    free(c->names ? c->names : c->cells);
    free(c->lines);
    free(c->text);
    memset(c, 0, sizeof *c);
}

int64_t mae_csv_column(const memae_csv *c, const char *name)
{
    for (int64_t j = 0; c->names && j < c->cols; j++)
        if (!strcmp(c->names[j], name))
            return j;
    char *end;
    long v = strtol(name, &end, 10);
    return *name && !*end && v >= 0 && v < c->cols ? v : -1;
}
