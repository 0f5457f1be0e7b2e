/*
 * The dnnl backend of a build without oneDNN (make DNNL=0), which compiles
 * this file instead of dnnl*.c: asking for it is an error with a message,
 * and the library's default backend falls back to ref.
 */
#include "backend/backend.h"

int mae_backend_dnnl_create(memae_kernels **out, memae_err *err)
{
    *out = NULL;
    return mae_seterr(err, MEMAE_E_UNSUPPORTED,
                      "the dnnl backend is not in this build of memae (built with DNNL=0, "
                      "without oneDNN); use the ref backend");
}
