#include "io/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0) {
            errno = EIO; /* no progress and no reason given */
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

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

int memae_write_atomic(const char *path, const void *const *bufs, const size_t *lens, int n,
                       memae_err *err)
{
    size_t tlen = strlen(path) + 32;
    char *tmp = malloc(tlen);
    if (!tmp)
        return memae_seterr(err, MEMAE_E_NOMEM, "%s: cannot write: out of memory", path);
    snprintf(tmp, tlen, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        int st =
            memae_seterr(err, MEMAE_E_IO, "%s: cannot create %s: %s", path, tmp, strerror(errno));
        free(tmp);
        return st;
    }
    const char *step = NULL;
    int e = 0;
    for (int i = 0; i < n && !step; i++)
        if (write_all(fd, bufs[i], lens[i]) != 0)
            step = "write", e = errno;
    if (!step && fsync(fd) != 0)
        step = "fsync", e = errno;
    if (close(fd) != 0 && !step)
        step = "close", e = errno;
    if (!step && rename(tmp, path) != 0)
        step = "rename", e = errno;
    if (step) {
        unlink(tmp);
        int st = memae_seterr(err, MEMAE_E_IO, "%s: cannot write (%s of %s failed): %s", path, step,
                              tmp, strerror(e));
        free(tmp);
        return st;
    }
    free(tmp);
    sync_parent_dir(path);
    return MEMAE_OK;
}
