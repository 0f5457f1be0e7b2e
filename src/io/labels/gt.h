/*
 * Frame-level ground truth of a set of videos, in the forms the public
 * datasets ship (UCSD Ped2, CUHK Avenue, ShanghaiTech, the MemAE code's
 * Test_gt), read into one 0/1 array per video (1 = anomalous frame).
 *
 * mae_gt_load(path, nv, names, frames, labels, err): video v is called
 * names[v] (its file stem, or the folder name for a folder of frames) and has
 * frames[v] frames; labels[v] receives a malloc'd array of frames[v] values.
 *
 * path is a FOLDER: one label file (or folder) per video, found by name.
 *   Candidates are the entries ending in .txt, .npy or .mat (any case), and
 *   folders named <stem>_gt, <stem>_label or <stem>_mask.  A candidate's stem
 *   (name without extension) matches video v when it equals names[v]; failing
 *   that, when both are equal after dropping a suffix _label, _labels, _gt or
 *   _mask, the leading zeros of every run of digits, and case: so Avenue's
 *   "1_label.mat" is video "01", "Test001_gt" is "Test001".  No candidate, or
 *   two candidates of equal rank, is an error.  Other entries are ignored.
 *     <stem>.txt   one 0 or 1 per frame, separated by white space or commas
 *                  (so one per line, or all on one line).
 *     <stem>.npy   a vector of frames[v] values that are exactly 0 or 1, of
 *                  any integer, bool or float type (ShanghaiTech's
 *                  test_frame_mask/<name>.npy); or F x H x W masks, a frame
 *                  anomalous iff its mask has a nonzero (test_pixel_mask/).
 *     <stem>.mat   variable 'l', a 0/1 vector (MemAE's Test_gt/Test001.mat);
 *                  or 'volLabel', a cell array of one H x W mask per frame,
 *                  a frame anomalous iff its mask has a nonzero pixel (Avenue's
 *                  testing_label_mask/1_label.mat); failing both, the first
 *                  variable, read as the one or the other by its class.
 *     <stem>_gt/   a folder of one mask image per frame (UCSD's Test001_gt),
 *                  in name order, anomalous iff the mask has a nonzero pixel.
 *
 * path is a FILE: the labels of every video in one file.
 *   .npy   a vector of all videos' labels concatenated in the order of names
 *          (sum of frames values), or an nv x F matrix when every video has F
 *          frames; values exactly 0 or 1.
 *   .mat   the variable chosen as above: a cell array of nv vectors (one per
 *          video, in order), a numeric vector of all labels concatenated, or,
 *          for a single video, a per-video file as above.
 *   other  text.  When it holds only 0s and 1s (and white space or commas),
 *          exactly as many as all the videos' frames, it is per-frame labels
 *          concatenated.  Otherwise it is an interval list, one line per
 *          video, with this grammar:
 *            - '#' or '%' starts a comment to the end of the line;
 *            - a line with '=' is read from after its last '=', and skipped
 *              if that part has no '[' (so UCSD's UCSDped2.m works as it is:
 *              "TestVideoFile{end+1}.gt_frame = [61:180];");
 *            - blank lines are skipped; every other line is one video;
 *            - a line may start with "name:" (a name: no blanks, and either a
 *              non-digit in it or a blank after the colon).  Either every
 *              line is named, and lines are matched to videos by name as
 *              above, in any order; or none is, and line k is video k;
 *            - then 1-based, inclusive frame intervals: pairs of positive
 *              integers written "a b", "a-b", "a:b" or "[a, b]", separated by
 *              blanks, commas, semicolons or brackets, e.g. "61 180",
 *              "[61, 180] [200, 210]", "Test001: 61-180, 200-210", "[61:180];".
 *              A line with no pair ("[]", "-", "name:") has no anomaly.
 *
 * Errors (status + a message naming the file and the line or video):
 *   MEMAE_E_IO      path or a file cannot be read; no label file for a video
 *   MEMAE_E_NAME    two label files (or named lines) match one video; a named
 *                   line matches no video, or no named line a video; a .mat
 *                   without a usable variable
 *   MEMAE_E_SHAPE   a label count differs from the video's frame count (both
 *                   said), the number of interval lines differs from nv
 *   MEMAE_E_FORMAT  a value other than 0 or 1; a malformed line (its number),
 *                   named and unnamed lines mixed; an interval outside
 *                   [1, frames] or with start > end
 *   MEMAE_E_ARG     nv < 1, a negative frame count, a NULL name
 *   MEMAE_E_NOMEM, and the statuses of the npy, .mat and image readers.
 * On failure every labels[v] is NULL.
 */
#ifndef MEMAE_IO_GT_H
#define MEMAE_IO_GT_H

#include <stdint.h>

#include "core/error.h"

int mae_gt_load(const char *path, int64_t nv, const char *const *names, const int64_t *frames,
                uint8_t **labels, memae_err *err);

/* Frees labels[0..nv) and sets them to NULL; NULL-safe. */
void mae_gt_free(int64_t nv, uint8_t **labels);

#endif
