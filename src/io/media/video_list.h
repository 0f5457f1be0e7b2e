/*
 * Which videos a data set path names:
 *  - a text file ending in .txt or .lst: one video per line (a path relative
 *    to the list's folder unless absolute); blank lines and lines starting
 *    with '#' are skipped;
 *  - a folder holding video files (MEMAE_VIDEO_EXTS) or sub-folders of frames:
 *    each of them, in strcmp order of the names.  Sub-folders whose name ends
 *    in "_gt" are skipped (UCSD keeps its pixel masks there), as are names
 *    starting with '.';
 *  - a folder holding only image files: one video made of those frames;
 *  - any other file: one video.
 * A video's name is its file name without the last extension, or its
 * folder's name; names must be unique, since ground truth is matched by name.
 */
#ifndef MEMAE_IO_VIDEO_LIST_H
#define MEMAE_IO_VIDEO_LIST_H

#include <stdint.h>

#include "core/error.h"

/* *paths: n malloc'd strings in a malloc'd array (free with mae_strings_free). */
int mae_video_list(const char *path, char ***paths, int64_t *n, memae_err *err);

/* The name of the video at path (malloc'd; NULL when out of memory). */
char *mae_video_name(const char *path);

void mae_strings_free(char **v, int64_t n);

#endif
