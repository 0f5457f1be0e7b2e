/* Model files: the safetensors header and tensors, then everything a model load checks. */
#include <stdlib.h>

#include "fuzz_file.h"
#include "io/formats/safetensors.h"
#include "memae.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[256];
    if (fuzz_file("m.safetensors", data, size, path, NULL))
        return 0;
    memae_st_file f;
    memae_err err = {0};
    if (!mae_st_read(path, &f, &err))
        mae_st_free(&f);
    memae_model *m = NULL;
    memae_model_load(path, &m);
    memae_model_free(m);
    return 0;
}
