/*
 * Whole-file writes that never leave a half-written file under the final
 * name: path.tmp.<pid> (created with O_EXCL | O_NOFOLLOW: never a file or
 * link already there), fsync, rename, then the folder is synced.  A reader
 * (or a crash) sees the old file or the new one.
 */
#ifndef MEMAE_IO_ATOMIC_H
#define MEMAE_IO_ATOMIC_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

/* path's folder into dir (dlen bytes; "." when path has none, "/" for a file
 * at the root) and *base its last component; -1 when dir is too small. */
int mae_path_split(const char *path, char *dir, size_t dlen, const char **base);

/* Writes the file's contents with stdio (a failed write is caught by the
 * stream's error flag); returns MEMAE_OK or a status of its own, with its
 * message set (a decoder's error, say). */
typedef int (*memae_fill_fn)(FILE *fp, void *ctx, memae_err *err);

/* The file made by fill, with the guarantees above: what fails leaves no
 * file and the old one in place. */
int mae_write_atomic_fn(const char *path, memae_fill_fn fill, void *ctx, memae_err *err);

/* Writes the n parts bufs[i] (lens[i] bytes each) one after the other.
 * MEMAE_E_IO names path, the failing step and errno's text; the temporary is
 * removed on failure. */
int mae_write_atomic(const char *path, const void *const *bufs, const size_t *lens, int n,
                     memae_err *err);

/* A folder of files made as a whole: its files are written into
 * dir.tmp.<pid> (*staged, to free; stale ones of dead runs are removed
 * first), which mae_stage_commit renames to dir at the end.  A failure
 * between the two (mae_stage_discard) leaves no partial set under dir.
 * When dir already holds files, the new ones are moved into it by name. */
int mae_stage_dir(const char *dir, char **staged, memae_err *err);
int mae_stage_commit(const char *dir, char *staged, memae_err *err);
void mae_stage_discard(char *staged);

#endif
