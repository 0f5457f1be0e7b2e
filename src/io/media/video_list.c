#include "io/media/video_list.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/media/images.h"
#include "io/media/video.h"

typedef struct strings {
    char **v;
    int64_t n, cap;
} strings;

void mae_strings_free(char **v, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static int push(strings *s, char *p)
{
    if (p && s->n == s->cap) {
        int64_t cap = s->cap ? 2 * s->cap : 16;
        char **v = realloc(s->v, (size_t)cap * sizeof *v);
        if (v) {
            s->v = v;
            s->cap = cap;
        }
    }
    if (!p || s->n == s->cap) {
        free(p);
        return -1;
    }
    s->v[s->n++] = p;
    return 0;
}

char *mae_video_name(const char *path)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    const char *base = path + len;
    while (base > path && base[-1] != '/')
        base--;
    struct stat s;
    const char *end = path + len;
    if (!(stat(path, &s) == 0 && S_ISDIR(s.st_mode))) {
        const char *dot = NULL;
        for (const char *p = base + 1; p < end; p++)
            if (*p == '.')
                dot = p;
        end = dot ? dot : end;
    }
    return strndup(base, (size_t)(end - base));
}

static char *join(const char *dir, const char *name)
{
    size_t cap = strlen(dir) + strlen(name) + 2;
    char *p = malloc(cap);
    if (p)
        snprintf(p, cap, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] != '/' ? "/" : "", name);
    return p;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_file(const char *path, strings *out, memae_err *err)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return mae_seterr(err, MEMAE_E_IO, "%s: cannot open: %s", path, strerror(errno));
    char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
    if (dir)
        slash ? (void)(slash[1] = '\0') : (void)(dir[0] = '\0');
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int st = dir ? MEMAE_OK : mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
    for (long no = 1; st == MEMAE_OK && (len = getline(&line, &cap, fp)) >= 0; no++) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ' ||
                           line[len - 1] == '\t'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        char *p = line[0] == '/' ? strdup(line) : join(dir, line);
        struct stat s;
        if (p && stat(p, &s) != 0)
            st = mae_seterr(err, MEMAE_E_IO, "%s: line %ld: %s: %s", path, no, p, strerror(errno));
        if (st != MEMAE_OK || push(out, p) != 0) {
            if (st == MEMAE_OK)
                st = mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
            else
                free(p);
        }
    }
    free(line);
    free(dir);
    fclose(fp);
    if (st == MEMAE_OK && out->n == 0)
        st = mae_seterr(err, MEMAE_E_IO, "%s: the list names no video", path);
    return st;
}

static int has_frames(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    while (d && !found && (e = readdir(d)) != NULL)
        found = e->d_name[0] != '.' && mae_is_image_name(e->d_name);
    if (d)
        closedir(d);
    return found;
}

static int list_dir(const char *path, strings *out, memae_err *err)
{
    DIR *d = opendir(path);
    if (!d)
        return mae_seterr(err, MEMAE_E_IO, "%s: cannot open folder: %s", path, strerror(errno));
    struct dirent *e;
    int st = MEMAE_OK;
    while (st == MEMAE_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || mae_path_ends_with(e->d_name, "_gt"))
            continue;
        char *p = join(path, e->d_name);
        struct stat s;
        int take = p && stat(p, &s) == 0 &&
                   (S_ISDIR(s.st_mode) ? has_frames(p) : mae_is_video_name(e->d_name));
        if (!p || (take && push(out, p) != 0))
            st = mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
        else if (!take)
            free(p);
    }
    closedir(d);
    if (st != MEMAE_OK)
        return st;
    if (out->n == 0 && has_frames(path)) /* the folder is itself one video */
        return push(out, strdup(path)) ? mae_seterr(err, MEMAE_E_NOMEM, "out of memory") : MEMAE_OK;
    if (out->n == 0)
        return mae_seterr(err, MEMAE_E_IO,
                          "%s: no videos (%s) and no folders of frames (%s) in the folder", path,
                          MEMAE_VIDEO_EXTS, MEMAE_IMAGE_EXTS);
    qsort(out->v, (size_t)out->n, sizeof *out->v, cmp);
    return MEMAE_OK;
}

/* Two videos of one name would get each other's ground truth. */
static int check_names(char **paths, int64_t n, memae_err *err)
{
    char **names = calloc((size_t)n, sizeof *names);
    int st = names ? MEMAE_OK : mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
    for (int64_t i = 0; st == MEMAE_OK && i < n; i++)
        if (!(names[i] = mae_video_name(paths[i])))
            st = mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
    for (int64_t i = 0; st == MEMAE_OK && i < n; i++)
        for (int64_t j = i + 1; st == MEMAE_OK && j < n; j++)
            if (!strcmp(names[i], names[j]))
                st = mae_seterr(err, MEMAE_E_ARG, "%s and %s: two videos named '%s'", paths[i],
                                paths[j], names[i]);
    if (names)
        mae_strings_free(names, n);
    return st;
}

int mae_video_list(const char *path, char ***paths, int64_t *n, memae_err *err)
{
    *paths = NULL;
    *n = 0;
    struct stat s;
    if (stat(path, &s) != 0)
        return mae_seterr(err, MEMAE_E_IO, "%s: no such file or folder", path);
    strings out = {0};
    int st;
    if (S_ISDIR(s.st_mode))
        st = list_dir(path, &out, err);
    else if (mae_path_ends_with(path, ".txt") || mae_path_ends_with(path, ".lst"))
        st = list_file(path, &out, err);
    else
        st = push(&out, strdup(path)) ? mae_seterr(err, MEMAE_E_NOMEM, "out of memory") : MEMAE_OK;
    if (st == MEMAE_OK)
        st = check_names(out.v, out.n, err);
    if (st != MEMAE_OK) {
        mae_strings_free(out.v, out.n);
        return st;
    }
    *paths = out.v;
    *n = out.n;
    return MEMAE_OK;
}
