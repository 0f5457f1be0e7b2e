/* Frame labels in every form of io/labels/gt.h: the first byte picks the
 * file's kind (text intervals or 0/1 list, .npy, .mat; one file for all
 * videos, or one file per video in a folder). */
#include <stdio.h>
#include <unistd.h>

#include "fuzz_file.h"
#include "io/labels/gt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const ext[] = {"txt", "npy", "mat", "m"};
    if (size < 1)
        return 0;
    int kind = data[0] & 3, per_video = data[0] >> 2 & 1;
    const char *const names[2] = {"Test001", "02"};
    const int64_t frames[2] = {12, 7};
    char name[32], path[256], dir[256];
    snprintf(name, sizeof name, "%s.%s", per_video ? "Test001" : "gt", ext[kind]);
    if (fuzz_file(name, data + 1, size - 1, path, dir))
        return 0;
    uint8_t *labels[2] = {NULL, NULL};
    memae_err err = {0};
    /* per video: the folder, with this file for the first video only (one video) */
    if (!mae_gt_load(per_video ? dir : path, per_video ? 1 : 2, names, frames, labels, &err))
        mae_gt_free(2, labels);
    unlink(path);
    return 0;
}
