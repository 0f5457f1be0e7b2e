/* .npy arrays (plain; the same reader takes .npy.gz). */
#include "fuzz_file.h"
#include "io/formats/array.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memae_array a;
    memae_err err = {0};
    mae_npy_read_mem("fuzz.npy", data, size, &a, &err);
    mae_array_free(&a);
    char path[256];
    if (!fuzz_file("a.npy", data, size, path, NULL)) {
        mae_npy_read(path, &a, &err);
        mae_array_free(&a);
    }
    return 0;
}
