/*
 * One writer per output: an advisory lock (flock) on PATH.lock, held while a
 * run writes PATH and its checkpoint.  The lock also cleans what killed runs
 * left behind: the temporaries PATH.tmp.<pid> and PATH.ckpt.tmp.<pid> of
 * processes that no longer exist.
 */
#ifndef MEMAE_IO_OUTPUT_LOCK_H
#define MEMAE_IO_OUTPUT_LOCK_H

#include "core/error.h"

/* Creates and locks path.lock (without blocking): the descriptor in *fd.
 * MEMAE_E_IO names the output when another process holds the lock, or when
 * its folder cannot be written (a read-only folder fails here, before any
 * work). */
int mae_output_lock(const char *path, int *fd, memae_err *err);

/* Removes path.lock and releases the lock (fd < 0: nothing). */
void mae_output_unlock(const char *path, int fd);

/* Removes path.tmp.<pid> (a file, or a staged folder of files) for each pid
 * that is not a running process here; returns how many were removed. */
int mae_clean_stale_temps(const char *path);

/* Removes the folder dir and the files in it (not its subfolders); 0 or -1. */
int mae_remove_staged(const char *dir);

#endif
