#include "io/frame_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/images.h"
#include "io/video.h"
#include "io/video_list.h"

#define HEADER_BYTES 64
static const char MAGIC[8] = {'M', 'E', 'M', 'A', 'E', 'F', 'R', '1'};

/* What identifies the source's contents without reading them. */
typedef struct source_sig {
    uint64_t size;  /* bytes (summed over a folder's frames) */
    int64_t mtime;  /* nanoseconds (the latest of a folder's frames) */
    uint64_t files; /* 1 for a file, the frame count of a folder */
} source_sig;

typedef struct header {
    char magic[8];
    uint32_t h, w;
    int64_t n;
    source_sig sig;
    uint8_t pad[HEADER_BYTES - 8 - 8 - 8 - sizeof(source_sig)];
} header;
_Static_assert(sizeof(header) == HEADER_BYTES, "the header is 64 bytes");

static int64_t mtime_ns(const struct stat *s)
{
    return (int64_t)s->st_mtim.tv_sec * 1000000000 + s->st_mtim.tv_nsec;
}

static int signature(const char *path, source_sig *sig, memae_err *err)
{
    struct stat s;
    memset(sig, 0, sizeof *sig);
    if (stat(path, &s) != 0)
        return memae_seterr(err, MEMAE_E_IO, "%s: cannot open: %s", path, strerror(errno));
    if (!S_ISDIR(s.st_mode)) {
        *sig = (source_sig){(uint64_t)s.st_size, mtime_ns(&s), 1};
        return MEMAE_OK;
    }
    char **files;
    size_t n;
    int st = memae_image_list(path, &files, &n, err);
    if (st != MEMAE_OK)
        return st;
    sig->files = n;
    for (size_t i = 0; i < n; i++) {
        if (stat(files[i], &s) == 0) {
            sig->size += (uint64_t)s.st_size;
            sig->mtime = mtime_ns(&s) > sig->mtime ? mtime_ns(&s) : sig->mtime;
        }
        free(files[i]);
    }
    free(files);
    return MEMAE_OK;
}

char *memae_frame_cache_path(const char *dir, const char *path, int h, int w)
{
    char real[PATH_MAX];
    const char *key = realpath(path, real) ? real : path;
    uint64_t hash = 0xcbf29ce484222325ULL; /* FNV-1a: same path, same name */
    for (const char *p = key; *p; p++)
        hash = (hash ^ (uint8_t)*p) * 0x100000001b3ULL;
    char *name = memae_video_name(path);
    if (!name)
        return NULL;
    char stem[64]; /* the name, kept short and safe for any file system */
    size_t n = 0;
    for (const char *p = name; *p && n + 1 < sizeof stem; p++) {
        int keep = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                   (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.';
        stem[n++] = keep ? *p : '_';
    }
    stem[n] = '\0';
    free(name);
    size_t cap = strlen(dir) + n + 64;
    char *out = malloc(cap);
    if (out)
        snprintf(out, cap, "%s/%s-%016llx-%dx%d.frames", dir, stem, (unsigned long long)hash, h, w);
    return out;
}

/* mkdir -p */
static int make_dir(const char *dir, memae_err *err)
{
    char *p = strdup(dir);
    if (!p)
        return memae_seterr(err, MEMAE_E_NOMEM, "out of memory");
    int st = MEMAE_OK;
    for (char *q = p + 1;; q++) {
        if (*q != '/' && *q != '\0')
            continue;
        char c = *q;
        *q = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            st = memae_seterr(err, MEMAE_E_IO, "%s: cannot create the cache folder: %s", p,
                              strerror(errno));
            break;
        }
        *q = c;
        if (!c)
            break;
    }
    free(p);
    return st;
}

/* Maps file if its header matches (h, w, sig) and its size matches its frame count. */
static int try_map(const char *file, int h, int w, const source_sig *sig, memae_frame_cache *c)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    header hd;
    struct stat s;
    int ok = pread(fd, &hd, sizeof hd, 0) == (ssize_t)sizeof hd && fstat(fd, &s) == 0 &&
             !memcmp(hd.magic, MAGIC, sizeof MAGIC) && hd.h == (uint32_t)h && hd.w == (uint32_t)w &&
             hd.n > 0 && hd.sig.size == sig->size && hd.sig.mtime == sig->mtime &&
             hd.sig.files == sig->files &&
             (uint64_t)s.st_size == HEADER_BYTES + (uint64_t)hd.n * (uint64_t)h * (uint64_t)w;
    void *map = ok ? mmap(NULL, (size_t)s.st_size, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
    close(fd);
    if (map == MAP_FAILED)
        return 0;
    *c = (memae_frame_cache){.frames = (const uint8_t *)map + HEADER_BYTES,
                             .n = hd.n,
                             .h = h,
                             .w = w,
                             .map = map,
                             .map_len = (size_t)s.st_size};
    return 1;
}

static int write_all(int fd, const void *buf, size_t n, off_t at)
{
    const uint8_t *p = buf;
    while (n > 0) {
        ssize_t k = pwrite(fd, p, n, at);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
        at += k;
    }
    return 0;
}

/* Decodes path into a temporary file next to file, then renames it into place. */
static int build(const char *file, const char *path, int h, int w, const source_sig *sig,
                 memae_err *err)
{
    size_t cap = strlen(file) + 32;
    char *tmp = malloc(cap);
    uint8_t *frame = malloc((size_t)h * w);
    memae_video_reader *r = NULL;
    int fd = -1, st = MEMAE_OK;
    if (!tmp || !frame) {
        st = memae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
        goto done;
    }
    snprintf(tmp, cap, "%s.tmp.%ld", file, (long)getpid());
    if ((st = memae_video_open(path, h, w, &r, err)) != MEMAE_OK)
        goto done;
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
        st = memae_seterr(err, MEMAE_E_IO, "%s: cannot create: %s", tmp, strerror(errno));
        goto done;
    }
    header hd = {.h = (uint32_t)h, .w = (uint32_t)w, .sig = *sig};
    memcpy(hd.magic, MAGIC, sizeof MAGIC);
    int got = 1;
    off_t at = HEADER_BYTES;
    while (st == MEMAE_OK && (st = memae_video_next(r, frame, &got, err)) == MEMAE_OK && got) {
        if (write_all(fd, frame, (size_t)h * w, at) != 0)
            st = memae_seterr(err, MEMAE_E_IO, "%s: cannot write: %s", tmp, strerror(errno));
        at += (off_t)h * w;
        hd.n++;
    }
    if (st == MEMAE_OK && hd.n == 0)
        st = memae_seterr(err, MEMAE_E_FORMAT, "%s: the video has no frames", path);
    /* The header goes last: a file without its frame count is never valid. */
    if (st == MEMAE_OK && (write_all(fd, &hd, sizeof hd, 0) != 0 || fsync(fd) != 0 ||
                           close(fd) != 0 || (fd = -1, rename(tmp, file) != 0)))
        st = memae_seterr(err, MEMAE_E_IO, "%s: cannot write: %s", file, strerror(errno));
done:
    if (fd >= 0)
        close(fd);
    if (st != MEMAE_OK && tmp)
        unlink(tmp);
    memae_video_close(r);
    free(frame);
    free(tmp);
    return st;
}

int memae_frame_cache_open(const char *dir, const char *path, int h, int w, memae_frame_cache *c,
                           int *decoded, memae_err *err)
{
    memset(c, 0, sizeof *c);
    *decoded = 0;
    if (h <= 0 || w <= 0)
        return memae_seterr(err, MEMAE_E_ARG, "%s: frame size %dx%d must be positive", path, h, w);
    source_sig sig;
    int st = signature(path, &sig, err);
    if (st == MEMAE_OK)
        st = make_dir(dir, err);
    if (st != MEMAE_OK)
        return st;
    char *file = memae_frame_cache_path(dir, path, h, w);
    if (!file)
        return memae_seterr(err, MEMAE_E_NOMEM, "out of memory");
    if (!try_map(file, h, w, &sig, c)) {
        *decoded = 1;
        st = build(file, path, h, w, &sig, err);
        if (st == MEMAE_OK && !try_map(file, h, w, &sig, c))
            st = memae_seterr(err, MEMAE_E_IO, "%s: cannot map the frame cache of %s", file, path);
    }
    free(file);
    return st;
}

void memae_frame_cache_close(memae_frame_cache *c)
{
    if (c && c->map)
        munmap(c->map, c->map_len);
    if (c)
        memset(c, 0, sizeof *c);
}
