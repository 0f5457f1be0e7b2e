#include "io/formats/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The rename is durable only once the directory entry is flushed too. */
static void sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096] = ".";
    if (slash && (size_t)(slash - path) < sizeof dir) {
        size_t len = slash == path ? 1 : (size_t)(slash - path);
        memcpy(dir, path, len);
        dir[len] = '\0';
    }
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

int memae_write_atomic_fn(const char *path, memae_fill_fn fill, void *ctx, memae_err *err)
{
    size_t tlen = strlen(path) + 32;
    char *tmp = malloc(tlen);
    if (!tmp)
        return memae_seterr(err, MEMAE_E_NOMEM, "%s: cannot write: out of memory", path);
    snprintf(tmp, tlen, "%s.tmp.%ld", path, (long)getpid());
    FILE *fp = open_temp(tmp);
    if (!fp) {
        int st =
            memae_seterr(err, MEMAE_E_IO, "%s: cannot create %s: %s", path, tmp, strerror(errno));
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
        st = memae_seterr(err, MEMAE_E_IO, "%s: cannot write (%s of %s failed): %s", path, step,
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

int memae_write_atomic(const char *path, const void *const *bufs, const size_t *lens, int n,
                       memae_err *err)
{
    parts p = {bufs, lens, n};
    return memae_write_atomic_fn(path, write_parts, &p, err);
}
