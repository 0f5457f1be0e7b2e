/* IDX files, raw or gzipped (the reader goes through zlib either way). */
#include "fuzz_file.h"
#include "io/formats/array.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[256];
    if (fuzz_file("images-idx3-ubyte", data, size, path, NULL))
        return 0;
    memae_array a;
    memae_err err = {0};
    mae_idx_read(path, &a, &err);
    mae_array_free(&a);
    return 0;
}
