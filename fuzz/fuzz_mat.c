/* ODDS .mat tables (X, y) and the cell arrays that frame labels use. */
#include "fuzz_file.h"
#include "io/formats/matfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[256];
    if (fuzz_file("t.mat", data, size, path, NULL))
        return 0;
    memae_array a, *cells = NULL;
    int64_t n = 0;
    memae_err err = {0};
    mae_mat_read(path, "X", &a, &err);
    mae_array_free(&a);
    mae_mat_read(path, "y", &a, &err);
    mae_array_free(&a);
    if (!mae_mat_read_cells(path, NULL, &cells, &n, &err))
        mae_mat_cells_free(cells, n);
    return 0;
}
