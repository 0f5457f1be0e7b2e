/* Reading model tensors from safetensors files (also used for test fixtures). */
#ifndef MEMAE_IO_MODEL_FILE_H
#define MEMAE_IO_MODEL_FILE_H

#include "io/formats/safetensors.h"
#include "nn/model.h"

/* Copy every tensor of m from f, named prefix + name, checking dtype and
 * shape; unless allow_extra, a tensor of f that m lacks is an error. */
int memae_model_read_tensors(memae_model *m, const memae_st_file *f, int allow_extra,
                             const char *prefix);

#endif
