/* mae_gt_load: picks the form of the ground truth and, for a folder, the
 * file of each video.  The readers are in gt_text.c, gt_array.c, gt_mat.c. */
#include "io/labels/gt.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "io/labels/gt_forms.h"

#define GT_NAME_MAX 256

static const char *const suffixes[] = {"_labels", "_label", "_mask", "_gt"};

/* Length of s without a known suffix (strlen(s) when it has none). */
static size_t without_suffix(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t k = strlen(suffixes[i]);
        if (n > k && !strcasecmp(s + n - k, suffixes[i]))
            return n - k;
    }
    return n;
}

/* Drops one known suffix, the leading zeros of digit runs, and case. */
static void canonical(const char *s, char *out, size_t cap)
{
    size_t n = without_suffix(s);
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        int run_start = i == 0 || !isdigit((unsigned char)s[i - 1]);
        if (run_start && s[i] == '0' && i + 1 < n && isdigit((unsigned char)s[i + 1])) {
            while (i + 1 < n && s[i] == '0' && isdigit((unsigned char)s[i + 1]))
                i++;
        }
        out[o++] = (char)tolower((unsigned char)s[i]);
    }
    out[o] = '\0';
}

int mae_gt_name_rank(const char *stem, const char *name)
{
    char a[GT_NAME_MAX], b[GT_NAME_MAX];
    canonical(stem, a, sizeof a);
    canonical(name, b, sizeof b);
    if (!strcmp(stem, name))
        return 2;
    return !strcmp(a, b);
}

typedef enum { GT_TXT, GT_NPY, GT_MAT, GT_MASKS } gt_kind;

typedef struct gt_entry {
    char name[GT_NAME_MAX]; /* file name in the folder */
    char stem[GT_NAME_MAX];
    gt_kind kind;
} gt_entry;

static int kind_of_ext(const char *ext, gt_kind *k)
{
    static const struct {
        const char *ext;
        gt_kind kind;
    } table[] = {{"txt", GT_TXT}, {"npy", GT_NPY}, {"mat", GT_MAT}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcasecmp(ext, table[i].ext)) {
            *k = table[i].kind;
            return 1;
        }
    return 0;
}

/* An entry of the folder that may hold a video's labels, or 0. */
static int classify(const char *dir, const char *name, gt_entry *e)
{
    if (name[0] == '.' || strlen(name) >= GT_NAME_MAX)
        return 0;
    char full[4096];
    struct stat st;
    snprintf(full, sizeof full, "%s/%s", dir, name);
    if (stat(full, &st))
        return 0;
    snprintf(e->name, sizeof e->name, "%s", name);
    snprintf(e->stem, sizeof e->stem, "%s", name);
    if (S_ISDIR(st.st_mode)) {
        e->kind = GT_MASKS;
        /* a folder of frames, not of masks, has no suffix */
        return without_suffix(name) < strlen(name);
    }
    char *dot = strrchr(e->stem, '.');
    if (!S_ISREG(st.st_mode) || !dot || !kind_of_ext(dot + 1, &e->kind))
        return 0;
    *dot = '\0';
    return 1;
}

static int scan_dir(const char *dir, gt_entry **out, size_t *n, memae_err *err)
{
    DIR *d = opendir(dir);
    *out = NULL;
    *n = 0;
    if (!d)
        return mae_seterr(err, MEMAE_E_IO, "%s: cannot open the label folder", dir);
    size_t cap = 0;
    struct dirent *de;
    int st = MEMAE_OK;
    while (!st && (de = readdir(d))) {
        gt_entry e;
        if (!classify(dir, de->d_name, &e))
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            gt_entry *p = realloc(*out, cap * sizeof *p);
            if (!p) {
                st = mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", dir);
                break;
            }
            *out = p;
        }
        (*out)[(*n)++] = e;
    }
    closedir(d);
    return st;
}

int64_t mae_gt_best_match(const void *items, int64_t n,
                          const char *(*name_of)(const void *items, int64_t i), const char *name,
                          int64_t *tie)
{
    int64_t best = -1;
    int best_rank = 0;
    *tie = -1;
    for (int64_t i = 0; i < n; i++) {
        int r = mae_gt_name_rank(name_of(items, i), name);
        if (r > best_rank) {
            best = i;
            best_rank = r;
            *tie = -1;
        } else if (r && r == best_rank) {
            *tie = i;
        }
    }
    return best;
}

static const char *entry_stem(const void *es, int64_t i)
{
    return ((const gt_entry *)es)[i].stem;
}

/* The entry naming video `name`: the best rank, and only one of it. */
static int find_entry(const char *dir, const gt_entry *es, size_t n, const char *name,
                      const gt_entry **found, memae_err *err)
{
    int64_t t, b = mae_gt_best_match(es, (int64_t)n, entry_stem, name, &t);
    const gt_entry *best = b >= 0 ? &es[b] : NULL, *tie = t >= 0 ? &es[t] : NULL;
    if (!best)
        return mae_seterr(err, MEMAE_E_IO,
                          "%s: no label file for video '%s' (looked for %s.txt, .npy, .mat, "
                          "%s_gt/ and names equal up to _label/_gt suffixes and leading zeros)",
                          dir, name, name, name);
    if (tie)
        return mae_seterr(err, MEMAE_E_NAME, "%s: both '%s' and '%s' match video '%s'", dir,
                          best->name, tie->name, name);
    *found = best;
    return MEMAE_OK;
}

static int read_entry(const char *dir, const gt_entry *e, const char *video, int64_t n,
                      uint8_t *dst, memae_err *err)
{
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", dir, e->name);
    switch (e->kind) {
    case GT_TXT:
        return mae_gt_read_txt(full, video, n, dst, err);
    case GT_NPY:
        return mae_gt_read_npy(full, video, n, dst, err);
    case GT_MAT:
        return mae_gt_read_mat(full, video, n, dst, err);
    default:
        return mae_gt_read_masks(full, video, n, dst, err);
    }
}

static int load_dir(const char *dir, int64_t nv, const char *const *names, const int64_t *frames,
                    uint8_t **labels, memae_err *err)
{
    gt_entry *es;
    size_t n;
    int st = scan_dir(dir, &es, &n, err);
    for (int64_t v = 0; !st && v < nv; v++) {
        const gt_entry *e = NULL;
        st = find_entry(dir, es, n, names[v], &e, err);
        if (!st)
            st = read_entry(dir, e, names[v], frames[v], labels[v], err);
    }
    free(es);
    return st;
}

static int load_file(const char *path, int64_t nv, const char *const *names, const int64_t *frames,
                     uint8_t **labels, memae_err *err)
{
    const char *dot = strrchr(path, '.');
    gt_kind k = GT_TXT;
    if (dot && !strchr(dot, '/'))
        kind_of_ext(dot + 1, &k);
    if (k == GT_NPY)
        return mae_gt_read_npy_all(path, nv, names, frames, labels, err);
    if (k == GT_MAT)
        return mae_gt_read_mat_all(path, nv, names, frames, labels, err);
    return mae_gt_read_text_all(path, nv, names, frames, labels, err);
}

void mae_gt_free(int64_t nv, uint8_t **labels)
{
    for (int64_t v = 0; labels && v < nv; v++) {
        free(labels[v]);
        labels[v] = NULL;
    }
}

int mae_gt_load(const char *path, int64_t nv, const char *const *names, const int64_t *frames,
                uint8_t **labels, memae_err *err)
{
    if (nv < 1 || !names || !frames || !labels)
        return mae_seterr(err, MEMAE_E_ARG, "%s: ground truth for %lld videos (need >= 1)", path,
                          (long long)nv);
    for (int64_t v = 0; v < nv; v++)
        labels[v] = NULL;
    int st = MEMAE_OK;
    for (int64_t v = 0; !st && v < nv; v++) {
        if (!names[v] || frames[v] < 0)
            st = mae_seterr(err, MEMAE_E_ARG, "%s: video %lld has %s", path, (long long)v,
                            names[v] ? "a negative frame count" : "no name");
        else if (!(labels[v] = calloc((size_t)(frames[v] ? frames[v] : 1), 1)))
            st = mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
    }
    struct stat sb;
    if (!st && stat(path, &sb))
        st = mae_seterr(err, MEMAE_E_IO, "%s: no such file or folder", path);
    if (!st)
        st = S_ISDIR(sb.st_mode) ? load_dir(path, nv, names, frames, labels, err)
                                 : load_file(path, nv, names, frames, labels, err);
    if (st)
        mae_gt_free(nv, labels);
    return st;
}
