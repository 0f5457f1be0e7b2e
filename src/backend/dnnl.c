/* The oneDNN backend (issue 4): not built yet; the ref backend serves. */
#include "backend/backend.h"

int memae_backend_dnnl_create(memae_backend **out, memae_err *err)
{
    *out = NULL;
    return memae_seterr(err, MEMAE_E_UNSUPPORTED,
                        "the oneDNN backend is not available yet: use --backend ref");
}
