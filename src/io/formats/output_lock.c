#include "io/formats/output_lock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/formats/atomic.h"

/* "<digits>" as a pid, or 0. */
static pid_t parse_pid(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    return !errno && end != s && !*end && s[0] != '-' && s[0] != '+' && v > 0 &&
                   v == (pid_t)v
               ? (pid_t)v
               : 0;
}

/* Removes the folder name (in the folder at at) and the files in it: a
 * staged folder holds files only. */
static int remove_flat(int at, const char *name)
{
    int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *dp = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dp) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    for (struct dirent *e; (e = readdir(dp));) {
        struct stat s;
        if (fstatat(fd, e->d_name, &s, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(s.st_mode))
            unlinkat(fd, e->d_name, 0);
    }
    closedir(dp);
    return unlinkat(at, name, AT_REMOVEDIR);
}

int mae_remove_staged(const char *dir)
{
    return remove_flat(AT_FDCWD, dir);
}

int mae_clean_stale_temps(const char *path)
{
    char dir[4096];
    const char *base;
    if (mae_path_split(path, dir, sizeof dir, &base) || !*base)
        return 0;
    DIR *dp = opendir(dir);
    if (!dp)
        return 0;
    size_t blen = strlen(base);
    int removed = 0;
    for (struct dirent *e; (e = readdir(dp));) {
        pid_t pid;
        if (strncmp(e->d_name, base, blen) || strncmp(e->d_name + blen, ".tmp.", 5) ||
            !(pid = parse_pid(e->d_name + blen + 5)) || pid == getpid() ||
            kill(pid, 0) == 0 || errno != ESRCH)
            continue;
        struct stat s;
        if (fstatat(dirfd(dp), e->d_name, &s, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISREG(s.st_mode) ? unlinkat(dirfd(dp), e->d_name, 0) == 0
            : S_ISDIR(s.st_mode) ? remove_flat(dirfd(dp), e->d_name) == 0
                                 : 0)
            removed++;
    }
    closedir(dp);
    return removed;
}

/* The lock is on the file path.lock names now: a run that removed it between
 * our open and our flock leaves us holding a lock on a file nobody sees. */
static int still_named(int fd, const char *lock)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && lstat(lock, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

int mae_output_lock(const char *path, int *fd, memae_err *err)
{
    *fd = -1;
    size_t len = strlen(path) + 16;
    char *lock = malloc(len), dir[4096] = ".";
    const char *base;
    if (!lock)
        return mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
    snprintf(lock, len, "%s.lock", path);
    int st = MEMAE_OK;
    for (int tries = 0; st == MEMAE_OK && *fd < 0; tries++) {
        int f = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (f < 0) {
            int e = errno;
            mae_path_split(path, dir, sizeof dir, &base);
            st = e == ELOOP ? mae_seterr(err, MEMAE_E_IO, "%s: %s is a symbolic link", path, lock)
                 : e == EACCES || e == EROFS || e == EPERM
                     ? mae_seterr(err, MEMAE_E_IO, "%s: cannot write into the folder %s: %s",
                                    path, dir, strerror(e))
                     : mae_seterr(err, MEMAE_E_IO, "%s: cannot create %s: %s", path, lock,
                                    strerror(e));
        } else if (flock(f, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            close(f);
            st = e == EWOULDBLOCK
                     ? mae_seterr(err, MEMAE_E_IO,
                                    "%s: another run is writing it (%s is locked); wait for it "
                                    "or choose another -o",
                                    path, lock)
                     : mae_seterr(err, MEMAE_E_IO, "%s: cannot lock %s: %s", path, lock,
                                    strerror(e));
        } else if (!still_named(f, lock)) {
            close(f);
            if (tries >= 100)
                st = mae_seterr(err, MEMAE_E_IO, "%s: cannot lock %s: it keeps changing", path,
                                  lock);
        } else {
            *fd = f;
        }
    }
    free(lock);
    if (st == MEMAE_OK) {
        size_t clen = strlen(path) + 8;
        char *ckpt = malloc(clen);
        mae_clean_stale_temps(path);
        if (ckpt) {
            snprintf(ckpt, clen, "%s.ckpt", path);
            mae_clean_stale_temps(ckpt);
        }
        free(ckpt);
    }
    return st;
}

void mae_output_unlock(const char *path, int fd)
{
    if (fd < 0)
        return;
    size_t len = strlen(path) + 16;
    char *lock = malloc(len);
    if (lock) {
        snprintf(lock, len, "%s.lock", path);
        if (still_named(fd, lock))
            unlink(lock); /* while still holding it: the next run makes a new one */
        free(lock);
    }
    close(fd);
}
