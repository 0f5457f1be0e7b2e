/*
 * The readers behind mae_gt_load (io/labels/gt.h), one per form of label file;
 * internal to src/io.  dst arrays are allocated by the caller with the
 * video's frame count; every reader fills all of them or fails.
 */
#ifndef MEMAE_IO_GT_FORMS_H
#define MEMAE_IO_GT_FORMS_H

#include <stdint.h>

#include "core/error.h"

/* Whether stem names video name: 2 when equal, 1 when equal once both are
 * canonical (suffix _label/_labels/_gt/_mask dropped, leading zeros of digit
 * runs dropped, case folded), 0 otherwise. */
int mae_gt_name_rank(const char *stem, const char *name);
/* Which of n items (named name_of(items, i)) names video name best: its
 * index, or -1 when none does; *tie another of the same rank, or -1. */
int64_t mae_gt_best_match(const void *items, int64_t n,
                          const char *(*name_of)(const void *items, int64_t i), const char *name,
                          int64_t *tie);

/* Per-video files: exactly n labels into dst. */
int mae_gt_read_txt(const char *path, const char *video, int64_t n, uint8_t *dst, memae_err *err);
int mae_gt_read_npy(const char *path, const char *video, int64_t n, uint8_t *dst, memae_err *err);
int mae_gt_read_mat(const char *path, const char *video, int64_t n, uint8_t *dst, memae_err *err);
int mae_gt_read_masks(const char *dir, const char *video, int64_t n, uint8_t *dst, memae_err *err);

/* One file for every video (io/labels/gt.h, "path is a FILE"). */
int mae_gt_read_text_all(const char *path, int64_t nv, const char *const *names,
                         const int64_t *frames, uint8_t **labels, memae_err *err);
int mae_gt_read_npy_all(const char *path, int64_t nv, const char *const *names,
                        const int64_t *frames, uint8_t **labels, memae_err *err);
int mae_gt_read_mat_all(const char *path, int64_t nv, const char *const *names,
                        const int64_t *frames, uint8_t **labels, memae_err *err);

/* ---- shared by the npy and .mat readers (gt_array.c) ---- */

struct memae_array;

/* Whether a has at most one dimension larger than 1 (MATLAB's 1 x F). */
int mae_gt_is_vector(const struct memae_array *a);
/* n elements of a from element off into dst, each exactly 0 or 1; what
 * names the source in messages (e.g. "variable 'l'"). */
int mae_gt_from_array(const char *path, const char *what, const struct memae_array *a, int64_t off,
                      int64_t n, uint8_t *dst, memae_err *err);
/* Whether a has a nonzero element (a mask marks an anomalous frame). */
int mae_gt_any_nonzero(const struct memae_array *a);
/* All videos' labels from one array: a vector of them concatenated, or an
 * nv x F matrix when every video has F frames. */
int mae_gt_split_array(const char *path, const char *what, const struct memae_array *a, int64_t nv,
                       const int64_t *frames, uint8_t **labels, memae_err *err);

/* Intervals of one interval-list line body (after any name), checked against
 * frames and set to 1 in dst (which the caller zeroed). */
int mae_gt_parse_intervals(const char *path, int line, const char *s, int64_t frames, uint8_t *dst,
                           memae_err *err);

#endif
