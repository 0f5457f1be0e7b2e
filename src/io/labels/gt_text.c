/* Text ground truth: per-frame 0/1 files and interval lists (grammar in io/labels/gt.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/labels/gt_forms.h"

/* The whole file, NUL-terminated; a NUL inside is refused (not text). */
static int read_text(const char *path, char **out, memae_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return mae_seterr(err, MEMAE_E_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    int st = MEMAE_OK;
    while (buf) {
        len += fread(buf + len, 1, cap - 1 - len, f);
        if (len < cap - 1)
            break;
        char *p = realloc(buf, cap *= 2);
        if (!p)
            free(buf);
        buf = p;
    }
    if (!buf)
        st = mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
    else if (ferror(f))
        st = mae_seterr(err, MEMAE_E_IO, "%s: read error", path);
    else if (memchr(buf, '\0', len))
        st = mae_seterr(err, MEMAE_E_FORMAT, "%s: not a text file (it has NUL bytes)", path);
    fclose(f);
    if (st) {
        free(buf);
        return st;
    }
    buf[len] = '\0';
    *out = buf;
    return MEMAE_OK;
}

static int is_sep(char c)
{
    return isspace((unsigned char)c) || c == ',';
}

/* Walks the 0/1 tokens of s; with dst, stores up to n of them.  Returns how
 * many there are, or -1 (with *bad_line) at the first other token. */
static int64_t binary_tokens(const char *s, uint8_t *dst, int64_t n, int *bad_line)
{
    int64_t count = 0;
    int line = 1;
    while (*s) {
        if (is_sep(*s)) {
            line += *s++ == '\n';
            continue;
        }
        char *end;
        double x = strtod(s, &end);
        if (end == s || (*end && !is_sep(*end)) || (x != 0 && x != 1)) {
            *bad_line = line;
            return -1;
        }
        if (dst && count < n)
            dst[count] = (uint8_t)x;
        count++;
        s = end;
    }
    return count;
}

int mae_gt_read_txt(const char *path, const char *video, int64_t n, uint8_t *dst, memae_err *err)
{
    char *text;
    int st = read_text(path, &text, err), line = 0;
    if (st)
        return st;
    int64_t got = binary_tokens(text, dst, n, &line);
    free(text);
    if (got < 0)
        return mae_seterr(err, MEMAE_E_FORMAT, "%s line %d: a label that is not 0 or 1", path,
                          line);
    if (got != n)
        return mae_seterr(err, MEMAE_E_SHAPE, "%s: %lld labels, but video '%s' has %lld frames",
                          path, (long long)got, video, (long long)n);
    return MEMAE_OK;
}

/* ---- interval lists ---- */

int mae_gt_parse_intervals(const char *path, int line, const char *s, int64_t frames, uint8_t *dst,
                           memae_err *err)
{
    long long b[2];
    int k = 0;
    size_t lead = strspn(s, " \t\r\f\v");
    if (s[lead] == '-' && !s[lead + 1 + strspn(s + lead + 1, " \t\r\f\v")])
        return MEMAE_OK; /* "-": no anomaly */
    for (; *s; s++) {
        if (isspace((unsigned char)*s) || strchr(",;[](){}", *s))
            continue;
        if (k == 1 && (*s == ':' || *s == '-'))
            continue; /* "a:b", "a-b": the operator only joins a pair */
        if (!isdigit((unsigned char)*s))
            return mae_seterr(err, MEMAE_E_FORMAT,
                              "%s line %d: unexpected '%c' (want pairs of frame numbers like "
                              "61-180 or [61, 180])",
                              path, line, *s);
        char *end;
        errno = 0;
        b[k++] = strtoll(s, &end, 10);
        s = end - 1;
        if (errno)
            return mae_seterr(err, MEMAE_E_FORMAT, "%s line %d: frame number too large", path,
                              line);
        if (k < 2)
            continue;
        k = 0;
        if (b[0] > b[1])
            return mae_seterr(err, MEMAE_E_FORMAT,
                              "%s line %d: interval [%lld, %lld] starts after it ends", path, line,
                              b[0], b[1]);
        if (b[0] < 1 || b[1] > frames)
            return mae_seterr(
                err, MEMAE_E_FORMAT,
                "%s line %d: interval [%lld, %lld] is outside the video's frames 1..%lld", path,
                line, b[0], b[1], (long long)frames);
        memset(dst + b[0] - 1, 1, (size_t)(b[1] - b[0] + 1));
    }
    if (k)
        return mae_seterr(err, MEMAE_E_FORMAT, "%s line %d: %lld has no end frame", path, line,
                          b[0]);
    return MEMAE_OK;
}

typedef struct gt_line {
    int number;       /* 1-based line number in the file */
    const char *name; /* NULL when the line has no "name:" */
    const char *body; /* the intervals */
} gt_line;

/* Cuts off the "name:" of a line in place: the name has no blanks and has a
 * non-digit or a blank after the colon, so "61:180" is not a name. */
static const char *cut_name(char *s, const char **body)
{
    while (isspace((unsigned char)*s))
        s++;
    char *colon = strchr(s, ':');
    *body = s;
    if (!colon || colon == s)
        return NULL;
    int digits = 1;
    for (char *p = s; p < colon; p++) {
        if (isspace((unsigned char)*p) || strchr(",;[](){}", *p))
            return NULL;
        digits &= isdigit((unsigned char)*p) != 0;
    }
    if (digits && colon[1] && !isspace((unsigned char)colon[1]))
        return NULL;
    *colon = '\0';
    *body = colon + 1;
    return s;
}

/* Splits text (modified in place) into video lines; *n of them. */
static int split_lines(const char *path, char *text, gt_line **out, int64_t *n, memae_err *err)
{
    size_t cap = 16;
    gt_line *ls = malloc(cap * sizeof *ls);
    *n = 0;
    int number = 0;
    for (char *s = text; ls && s;) {
        char *next = strchr(s, '\n');
        if (next)
            *next++ = '\0';
        number++;
        s[strcspn(s, "#%")] = '\0';
        char *eq = strrchr(s, '=');
        if (eq && !strchr(eq, '['))
            s = eq + strlen(eq); /* "X = {};": not a video */
        else if (eq)
            s = eq + 1;
        if (s[strspn(s, " \t\r\f\v")]) {
            if ((size_t)*n == cap) {
                gt_line *p = realloc(ls, (cap *= 2) * sizeof *p);
                if (!p)
                    free(ls);
                ls = p;
            }
            if (ls) {
                ls[*n].number = number;
                ls[*n].name = cut_name(s, &ls[*n].body);
                (*n)++;
            }
        }
        s = next;
    }
    *out = ls;
    return ls ? MEMAE_OK : mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
}

static const char *line_name(const void *ls, int64_t i)
{
    return ((const gt_line *)ls)[i].name;
}

/* Video v's line: line v when no line is named, else the line naming it. */
static int line_of(const char *path, const gt_line *ls, int64_t n, int64_t nv,
                   const char *const *names, int64_t v, const gt_line **out, memae_err *err)
{
    if (!ls[0].name) {
        if (n != nv)
            return mae_seterr(
                err, MEMAE_E_SHAPE,
                "%s: %lld interval lines for %lld videos (one line per video, in order)", path,
                (long long)n, (long long)nv);
        *out = &ls[v];
        return MEMAE_OK;
    }
    int64_t t, b = mae_gt_best_match(ls, n, line_name, names[v], &t);
    const gt_line *best = b >= 0 ? &ls[b] : NULL, *tie = t >= 0 ? &ls[t] : NULL;
    if (!best)
        return mae_seterr(err, MEMAE_E_NAME, "%s: no line for video '%s'", path, names[v]);
    if (tie)
        return mae_seterr(err, MEMAE_E_NAME, "%s: lines %d and %d both name video '%s'", path,
                          best->number, tie->number, names[v]);
    *out = best;
    return MEMAE_OK;
}

/* Every named line must name a video, and either all lines or none are named. */
static int check_names(const char *path, const gt_line *ls, int64_t n, int64_t nv,
                       const char *const *names, memae_err *err)
{
    for (int64_t i = 0; i < n; i++) {
        if (!ls[i].name != !ls[0].name)
            return mae_seterr(
                err, MEMAE_E_FORMAT,
                "%s line %d: %s a video name, but line %d %s (name all lines or none)", path,
                ls[i].number, ls[i].name ? "has" : "lacks", ls[0].number,
                ls[0].name ? "has one" : "does not");
        int64_t v = 0;
        while (ls[i].name && v < nv && !mae_gt_name_rank(ls[i].name, names[v]))
            v++;
        if (v == nv)
            return mae_seterr(err, MEMAE_E_NAME, "%s line %d: no video is named '%s'", path,
                              ls[i].number, ls[i].name);
    }
    return MEMAE_OK;
}

static int read_intervals(const char *path, char *text, int64_t nv, const char *const *names,
                          const int64_t *frames, uint8_t **labels, memae_err *err)
{
    gt_line *ls;
    int64_t n;
    int st = split_lines(path, text, &ls, &n, err);
    if (!st && n == 0)
        st = mae_seterr(err, MEMAE_E_FORMAT, "%s: no interval lines", path);
    if (!st)
        st = check_names(path, ls, n, nv, names, err);
    for (int64_t v = 0; !st && v < nv; v++) {
        const gt_line *l = NULL;
        st = line_of(path, ls, n, nv, names, v, &l, err);
        if (!st)
            st = mae_gt_parse_intervals(path, l->number, l->body, frames[v], labels[v], err);
    }
    free(ls);
    return st;
}

int mae_gt_read_text_all(const char *path, int64_t nv, const char *const *names,
                         const int64_t *frames, uint8_t **labels, memae_err *err)
{
    char *text;
    int st = read_text(path, &text, err), line;
    if (st)
        return st;
    int64_t total = 0;
    for (int64_t v = 0; v < nv; v++)
        total += frames[v];
    /* Only 0s and 1s, one per frame: per-frame labels (0 is never a 1-based
     * frame number, so an interval list cannot look like this unless it is
     * all 1s of exactly that count). */
    uint8_t *all = NULL;
    if (binary_tokens(text, NULL, 0, &line) != total)
        st = read_intervals(path, text, nv, names, frames, labels, err);
    else if (!(all = malloc((size_t)(total ? total : 1))))
        st = mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
    else
        binary_tokens(text, all, total, &line);
    for (int64_t v = 0, off = 0; all && v < nv; off += frames[v++])
        memcpy(labels[v], all + off, (size_t)frames[v]);
    free(all);
    free(text);
    return st;
}
