/* .npz tables: the zip directory, stored and deflated members, X and y. */
#include "fuzz_file.h"
#include "io/formats/array.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[256];
    if (fuzz_file("t.npz", data, size, path, NULL))
        return 0;
    memae_array a;
    memae_err err = {0};
    mae_npz_read(path, "X", &a, &err);
    mae_array_free(&a);
    if (mae_npz_has(path, "y")) {
        mae_npz_read(path, "y", &a, &err);
        mae_array_free(&a);
    }
    return 0;
}
