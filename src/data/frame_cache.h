/*
 * The on-disk cache of a video's decoded frames, so that epochs after the
 * first (and later runs) read bytes instead of decoding again.
 *
 * One file per video and frame size, under a cache folder:
 *   <dir>/<stem>-<hash of the video's real path>-<H>x<W>.frames
 * holding a 64-byte header (magic, H, W, frame count, the source's size,
 * modification time and file count, a CRC-32 of header and frames, and
 * whether the video ended before its container said or at damaged data) and
 * then the frames, H * W grey bytes each.  A source whose size, time or file count differs from the header is
 * decoded again, so an edited video never serves stale frames.  The file is
 * written to a temporary name, synced and renamed, so a killed run leaves no
 * half-written cache; it is read through mmap, so memory use stays bounded
 * by the page cache however large the data set is.
 */
#ifndef MEMAE_IO_FRAME_CACHE_H
#define MEMAE_IO_FRAME_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* What identifies a source video's contents without reading them. */
typedef struct memae_frame_sig {
    uint64_t size;  /* bytes (summed over a folder's frames) */
    int64_t mtime;  /* nanoseconds (the latest of a folder's frames) */
    uint64_t files; /* 1 for a file, the frame count of a folder */
} memae_frame_sig;

typedef struct memae_frame_cache {
    const uint8_t *frames; /* n frames of h * w bytes, read-only */
    int64_t n;
    int h, w;
    void *map;
    size_t map_len;
    /* The video ended early: fewer frames than the container said (expected;
     * 0: it did not say), or at damaged data (damaged).  Its n frames are
     * cached all the same; the caller decides whether to use them. */
    int64_t expected;
    int truncated, damaged;
} memae_frame_cache;

/*
 * Maps the cache of video path (file or frame folder) at h x w under dir,
 * decoding the video into it first when it is missing or stale (*decoded is
 * then 1).  dir is created when missing.  Errors of decoding name the video
 * and frame (io/media/video.h); a video without frames is MEMAE_E_FORMAT.
 */
int mae_frame_cache_open(const char *dir, const char *path, int h, int w, memae_frame_cache *c,
                           int *decoded, memae_err *err);

/* Path of the cache file that mae_frame_cache_open uses (malloc'd; NULL: no memory). */
char *mae_frame_cache_path(const char *dir, const char *path, int h, int w);

/* Whether the len bytes of a cache file are valid for frames of h x w from a
 * source of signature sig (NULL: any): magic, sizes, frame count against the
 * length (no wrapping product) and the CRC-32 of header and frames. */
int mae_frame_cache_check(const void *file, size_t len, int h, int w,
                            const memae_frame_sig *sig);

/* Unmaps; NULL-safe and safe on a zeroed cache. */
void mae_frame_cache_close(memae_frame_cache *c);

#endif
