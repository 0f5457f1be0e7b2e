#include "io/formats/atomic.h"

#include <dirent.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/formats/output_lock.h"

int mae_path_split(const char *path, char *dir, size_t dlen, const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    size_t len = !slash || slash == path ? 1 : (size_t)(slash - path);
    if (len >= dlen)
        return -1;
    memcpy(dir, slash ? path : ".", len);
    dir[len] = '\0';
    return 0;
}

/* The rename is durable only once the directory entry is flushed too. */
static void sync_parent_dir(const char *path)
{
    char dir[4096] = ".";
    const char *base;
    if (mae_path_split(path, dir, sizeof dir, &base))
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd); /* best effort: some filesystems refuse to sync directories */
        close(fd);
    }
}

/* A new file, never an existing one nor a symbolic link's target.  A file
 * already there with this pid in its name was left by a dead process that had
 * the same pid (or is a link planted there): it is removed (a link, not what
 * it points to), once. */
static FILE *open_temp(const char *tmp)
{
    const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    int fd = open(tmp, flags, 0666);
    if (fd < 0 && errno == EEXIST && unlink(tmp) == 0)
        fd = open(tmp, flags, 0666);
    FILE *fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (fd >= 0 && !fp) {
        int e = errno;
        close(fd);
        unlink(tmp);
        errno = e;
    }
    return fp;
}

int mae_write_atomic_fn(const char *path, memae_fill_fn fill, void *ctx, memae_err *err)
{
    size_t tlen = strlen(path) + 32;
    char *tmp = malloc(tlen);
    if (!tmp)
        return mae_seterr(err, MEMAE_E_NOMEM, "%s: cannot write: out of memory", path);
    snprintf(tmp, tlen, "%s.tmp.%ld", path, (long)getpid());
    FILE *fp = open_temp(tmp);
    if (!fp) {
        int st =
            mae_seterr(err, MEMAE_E_IO, "%s: cannot create %s: %s", path, tmp, strerror(errno));
        free(tmp);
        return st;
    }
    const char *step = NULL;
    int e = 0, st = fill(fp, ctx, err);
    if (st == MEMAE_OK && (fflush(fp) != 0 || ferror(fp)))
        step = "write", e = errno ? errno : EIO;
    else if (st == MEMAE_OK && fsync(fileno(fp)) != 0)
        step = "fsync", e = errno;
    if (fclose(fp) != 0 && st == MEMAE_OK && !step)
        step = "close", e = errno;
    if (st == MEMAE_OK && !step && rename(tmp, path) != 0)
        step = "rename", e = errno;
    if (step)
        st = mae_seterr(err, MEMAE_E_IO, "%s: cannot write (%s of %s failed): %s", path, step,
                          tmp, strerror(e));
    if (st != MEMAE_OK)
        unlink(tmp);
    else
        sync_parent_dir(path);
    free(tmp);
    return st;
}

typedef struct parts {
    const void *const *bufs;
    const size_t *lens;
    int n;
} parts;

static int write_parts(FILE *fp, void *ctx, memae_err *err)
{
    (void)err;
    const parts *p = ctx;
    for (int i = 0; i < p->n; i++)
        if (p->lens[i] && fwrite(p->bufs[i], 1, p->lens[i], fp) != p->lens[i])
            break; /* the stream's error flag reports it */
    return MEMAE_OK;
}

int mae_write_atomic(const char *path, const void *const *bufs, const size_t *lens, int n,
                       memae_err *err)
{
    parts p = {bufs, lens, n};
    return mae_write_atomic_fn(path, write_parts, &p, err);
}

int mae_stage_dir(const char *dir, char **staged, memae_err *err)
{
    size_t len = strlen(dir) + 32;
    char *tmp = malloc(len);
    *staged = NULL;
    if (!tmp)
        return mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", dir);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') /* "out/": out.tmp.<pid>, beside it */
        n--;
    snprintf(tmp, len, "%.*s", (int)n, dir);
    mae_clean_stale_temps(tmp);
    snprintf(tmp, len, "%.*s.tmp.%ld", (int)n, dir, (long)getpid());
    int made = mkdir(tmp, 0755) == 0;
    if (!made && errno == EEXIST && mae_remove_staged(tmp) == 0) /* a dead run's, same pid */
        made = mkdir(tmp, 0755) == 0;
    if (!made) {
        int st = mae_seterr(err, MEMAE_E_IO, "%s: cannot create the folder %s: %s", dir, tmp,
                              strerror(errno));
        free(tmp);
        return st;
    }
    *staged = tmp;
    return MEMAE_OK;
}

/* dir exists and holds files: the staged ones are moved into it by name. */
static int move_files(const char *dir, const char *staged, memae_err *err)
{
    int to = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), from = open(staged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dp = from >= 0 ? fdopendir(from) : NULL;
    int st = to >= 0 && dp ? MEMAE_OK
                           : mae_seterr(err, MEMAE_E_IO, "%s: cannot open the folder: %s", dir,
                                          strerror(errno));
    for (struct dirent *e; st == MEMAE_OK && (e = readdir(dp));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            renameat(from, e->d_name, to, e->d_name) != 0)
            st = mae_seterr(err, MEMAE_E_IO, "%s: cannot move %s/%s into it: %s", dir, staged,
                              e->d_name, strerror(errno));
    if (dp)
        closedir(dp);
    else if (from >= 0)
        close(from);
    if (to >= 0)
        close(to);
    return st;
}

int mae_stage_commit(const char *dir, char *staged, memae_err *err)
{
    int st = MEMAE_OK;
    sync_parent_dir(staged);
    if (rename(staged, dir) != 0) { /* renames over an empty folder too */
        int e = errno;
        st = e == ENOTEMPTY || e == EEXIST
                 ? move_files(dir, staged, err)
                 : mae_seterr(err, MEMAE_E_IO, "%s: cannot rename %s to it: %s", dir, staged,
                                strerror(e));
    }
    mae_stage_discard(staged); /* nothing left in it once moved */
    return st;
}

void mae_stage_discard(char *staged)
{
    if (staged)
        mae_remove_staged(staged);
    free(staged);
}
