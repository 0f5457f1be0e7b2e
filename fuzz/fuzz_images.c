/* Image files through the call the CLI makes for a folder of images
 * (mae_images_read_dir); the first byte picks the extension. */
#include <stdio.h>
#include <unistd.h>

#include "fuzz_file.h"
#include "io/media/images.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const ext[] = {"png", "jpg", "bmp", "tif"};
    if (size < 1)
        return 0;
    char name[16], path[256], dir[256];
    snprintf(name, sizeof name, "a.%s", ext[data[0] & 3]);
    if (fuzz_file(name, data + 1, size - 1, path, dir))
        return 0;
    memae_array a;
    memae_err err = {0};
    mae_av_quiet();
    /* as for an image model (1 x 28 x 28), or any size in colour */
    if (data[0] & 4)
        mae_images_read_dir(dir, 3, 0, 0, &a, &err);
    else
        mae_images_read_dir(dir, 1, 28, 28, &a, &err);
    mae_array_free(&a);
    unlink(path);
    return 0;
}
