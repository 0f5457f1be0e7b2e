#include "data/frame_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "io/formats/atomic.h"
#include "io/media/images.h"
#include "io/media/video.h"
#include "io/media/video_list.h"

#define HEADER_BYTES 64
/* Version 2 adds the CRC-32 of the header and frames, version 3 what the
 * container said and whether decoding ended early (older files are rebuilt). */
static const char MAGIC[8] = {'M', 'E', 'M', 'A', 'E', 'F', 'R', '3'};

typedef memae_frame_sig source_sig;

typedef struct header {
    char magic[8];
    uint32_t h, w;
    int64_t n;
    source_sig sig;
    uint32_t crc;      /* CRC-32 of the header (this field zero) and then the frames */
    uint32_t flags;    /* TRUNCATED, DAMAGED */
    int64_t expected;  /* frames the container said it holds (0: it did not say) */
} header;
enum { TRUNCATED = 1, DAMAGED = 2 };
_Static_assert(sizeof(header) == HEADER_BYTES, "the header is 64 bytes");

static uint32_t checksum(const header *hd, const uint8_t *frames, size_t len)
{
    header z = *hd;
    z.crc = 0;
    uLong crc = crc32(0L, (const Bytef *)&z, sizeof z);
    /* zlib takes at most UINT_MAX bytes a call */
    for (size_t off = 0; off < len;) {
        size_t part = len - off < (1u << 30) ? len - off : (1u << 30);
        crc = crc32(crc, frames + off, (uInt)part);
        off += part;
    }
    return (uint32_t)crc;
}

int mae_frame_cache_check(const void *file, size_t len, int h, int w,
                            const memae_frame_sig *sig)
{
    header hd;
    if (len < sizeof hd || h <= 0 || w <= 0)
        return 0;
    memcpy(&hd, file, sizeof hd);
    uint64_t fb = (uint64_t)h * (uint64_t)w;
    /* The frame count against the file's size, without a product that could wrap. */
    if (memcmp(hd.magic, MAGIC, sizeof MAGIC) || hd.h != (uint32_t)h || hd.w != (uint32_t)w ||
        hd.n <= 0 || (uint64_t)hd.n > (len - HEADER_BYTES) / fb ||
        (uint64_t)hd.n * fb != len - HEADER_BYTES)
        return 0;
    if (sig && (hd.sig.size != sig->size || hd.sig.mtime != sig->mtime ||
                hd.sig.files != sig->files))
        return 0;
    return checksum(&hd, (const uint8_t *)file + HEADER_BYTES, len - HEADER_BYTES) == hd.crc;
}

static int64_t mtime_ns(const struct stat *s)
{
    return (int64_t)s->st_mtim.tv_sec * 1000000000 + s->st_mtim.tv_nsec;
}

static int signature(const char *path, source_sig *sig, memae_err *err)
{
    struct stat s;
    memset(sig, 0, sizeof *sig);
    if (stat(path, &s) != 0)
        return mae_seterr(err, MEMAE_E_IO, "%s: cannot open: %s", path, strerror(errno));
    if (!S_ISDIR(s.st_mode)) {
        *sig = (source_sig){(uint64_t)s.st_size, mtime_ns(&s), 1};
        return MEMAE_OK;
    }
    char **files;
    size_t n;
    int st = mae_image_list(path, &files, &n, err);
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

char *mae_frame_cache_path(const char *dir, const char *path, int h, int w)
{
    char real[PATH_MAX];
    const char *key = realpath(path, real) ? real : path;
    uint64_t hash = 0xcbf29ce484222325ULL; /* FNV-1a: same path, same name */
    for (const char *p = key; *p; p++)
        hash = (hash ^ (uint8_t)*p) * 0x100000001b3ULL;
    char *name = mae_video_name(path);
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
    if (!*dir)
        return mae_seterr(err, MEMAE_E_ARG, "the cache folder's name is empty");
    char *p = strdup(dir);
    if (!p)
        return mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
    int st = MEMAE_OK;
    for (char *q = p + 1;; q++) {
        if (*q != '/' && *q != '\0')
            continue;
        char c = *q;
        *q = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            st = mae_seterr(err, MEMAE_E_IO, "%s: cannot create the cache folder: %s", p,
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

/* Maps file if its header matches (h, w, sig), its size matches its frame
 * count and its checksum its contents (checked once, when first mapped). */
static int try_map(const char *file, int h, int w, const source_sig *sig, memae_frame_cache *c)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat s;
    int ok = fstat(fd, &s) == 0 && S_ISREG(s.st_mode) && s.st_size >= HEADER_BYTES &&
             (uint64_t)s.st_size <= SIZE_MAX;
    void *map = ok ? mmap(NULL, (size_t)s.st_size, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
    close(fd);
    if (map == MAP_FAILED)
        return 0;
    if (!mae_frame_cache_check(map, (size_t)s.st_size, h, w, sig)) {
        munmap(map, (size_t)s.st_size);
        return 0;
    }
    header hd;
    memcpy(&hd, map, sizeof hd);
    *c = (memae_frame_cache){.frames = (const uint8_t *)map + HEADER_BYTES,
                             .n = hd.n,
                             .h = h,
                             .w = w,
                             .map = map,
                             .map_len = (size_t)s.st_size,
                             .expected = hd.expected,
                             .truncated = (hd.flags & TRUNCATED) != 0,
                             .damaged = (hd.flags & DAMAGED) != 0};
    return 1;
}

/* Decoding one video into its cache file (see build). */
typedef struct filling {
    memae_video_reader *r;
    const char *path;
    int h, w;
    const source_sig *sig;
    uint8_t *frame;
} filling;

static int fill(FILE *fp, void *ctx, memae_err *err)
{
    const filling *f = ctx;
    header hd = {.h = (uint32_t)f->h, .w = (uint32_t)f->w, .sig = *f->sig};
    memcpy(hd.magic, MAGIC, sizeof MAGIC);
    size_t fb = (size_t)f->h * f->w;
    int got = 1,
        st = fseek(fp, HEADER_BYTES, SEEK_SET) == 0
                 ? MEMAE_OK
                 : mae_seterr(err, MEMAE_E_IO, "%s: cannot seek its cache file", f->path);
    uLong crc = crc32(0L, Z_NULL, 0);
    while (st == MEMAE_OK && (st = mae_video_next(f->r, f->frame, &got, err)) == MEMAE_OK &&
           got && fwrite(f->frame, 1, fb, fp) == fb) {
        crc = crc32(crc, f->frame, (uInt)fb);
        hd.n++;
    }
    if (st == MEMAE_OK && got)
        return MEMAE_OK; /* a failed write: the stream's error flag reports it */
    if (st == MEMAE_OK && hd.n == 0)
        st = mae_seterr(err, MEMAE_E_FORMAT, "%s: the video has no frames", f->path);
    int damaged;
    if (mae_video_truncated(f->r, &hd.expected, &damaged))
        hd.flags = TRUNCATED | (damaged ? DAMAGED : 0);
    /* The header goes last: a file without its frame count is never valid. */
    hd.crc = (uint32_t)crc32_combine(crc32(0L, (const Bytef *)&hd, sizeof hd), crc,
                                     (z_off_t)(hd.n * (int64_t)fb));
    if (st == MEMAE_OK && fseek(fp, 0, SEEK_SET) == 0)
        fwrite(&hd, sizeof hd, 1, fp);
    return st;
}

/* Decodes path into the cache file, written atomically (io/formats/atomic.h). */
static int build(const char *file, const char *path, int h, int w, const source_sig *sig,
                 memae_err *err)
{
    filling f = {.path = path, .h = h, .w = w, .sig = sig, .frame = malloc((size_t)h * w)};
    int st = f.frame ? mae_video_open(path, h, w, &f.r, err)
                     : mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
    if (st == MEMAE_OK)
        st = mae_write_atomic_fn(file, fill, &f, err);
    mae_video_close(f.r);
    free(f.frame);
    return st;
}

int mae_frame_cache_open(const char *dir, const char *path, int h, int w, memae_frame_cache *c,
                           int *decoded, memae_err *err)
{
    memset(c, 0, sizeof *c);
    *decoded = 0;
    if (h <= 0 || w <= 0)
        return mae_seterr(err, MEMAE_E_ARG, "%s: frame size %dx%d must be positive", path, h, w);
    source_sig sig;
    int st = signature(path, &sig, err);
    if (st == MEMAE_OK)
        st = make_dir(dir, err);
    if (st != MEMAE_OK)
        return st;
    char *file = mae_frame_cache_path(dir, path, h, w);
    if (!file)
        return mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
    if (!try_map(file, h, w, &sig, c)) {
        *decoded = 1;
        st = build(file, path, h, w, &sig, err);
        if (st == MEMAE_OK && !try_map(file, h, w, &sig, c))
            st = mae_seterr(err, MEMAE_E_IO, "%s: cannot map the frame cache of %s", file, path);
    }
    free(file);
    return st;
}

void mae_frame_cache_close(memae_frame_cache *c)
{
    if (c && c->map)
        munmap(c->map, c->map_len);
    if (c)
        memset(c, 0, sizeof *c);
}
