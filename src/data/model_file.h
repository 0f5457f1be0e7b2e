/* Reading model tensors from safetensors files (also used for test fixtures). */
#ifndef MEMAE_IO_MODEL_FILE_H
#define MEMAE_IO_MODEL_FILE_H

#include "io/formats/safetensors.h"
#include "nn/model.h"

/* Check every tensor of m against f, named prefix + name: present, dtype,
 * shape and finite values; unless allow_extra, a tensor of f that m lacks is
 * an error.  Needs only the model's layout (mae_model_layout). */
int mae_model_check_tensors(memae_model *m, const memae_st_file *f, int allow_extra,
                            const char *prefix);
/* Check as above, then copy every tensor of m from f. */
int mae_model_read_tensors(memae_model *m, const memae_st_file *f, int allow_extra,
                           const char *prefix);

#endif
